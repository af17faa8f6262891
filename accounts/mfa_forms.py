"""allauth's second-factor forms with trustnet's limits on wrong codes (see accounts.lockout)."""

from allauth.mfa.base.forms import AuthenticateForm as BaseAuthenticateForm
from allauth.mfa.base.forms import ReauthenticateForm as BaseReauthenticateForm

from accounts.lockout import MfaRateLimitMixin


class AuthenticateForm(MfaRateLimitMixin, BaseAuthenticateForm):
    pass


class ReauthenticateForm(MfaRateLimitMixin, BaseReauthenticateForm):
    pass
