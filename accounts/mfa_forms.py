"""allauth's second-factor forms with trustnet's limits on wrong codes (see accounts.lockout) and
a message of their own for a code that was right but already used."""

from allauth.mfa.base.forms import AuthenticateForm as BaseAuthenticateForm
from allauth.mfa.base.forms import ReauthenticateForm as BaseReauthenticateForm
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, validate_totp_code
from allauth.mfa.utils import decrypt
from django import forms
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from accounts.lockout import MfaRateLimitMixin

CODE_ALREADY_USED = _("This code has already been used; wait for the next code.")


def totp_code_already_used(user, code: str) -> bool:
    """Whether `code` is the user's current TOTP code but was already accepted in its period.

    allauth accepts each code once (a replay guard in the cache) and then says only "Incorrect
    code.", which sends someone who logged in twice within 30 seconds looking for a typo.
    """
    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if authenticator is None:
        return False
    totp = TOTP(authenticator)
    if not validate_totp_code(decrypt(authenticator.data["secret"]), code):
        return False
    # The key allauth's replay guard writes when it accepts a code (allauth.mfa.totp.internal.auth).
    return cache.get(totp._get_used_cache_key(code)) is not None


class AlreadyUsedCodeMixin:
    """Replace allauth's "Incorrect code." by CODE_ALREADY_USED when that is what happened."""

    user: object

    def clean_code(self) -> str:
        try:
            return super().clean_code()  # type: ignore[misc]
        except forms.ValidationError as error:
            code = self.cleaned_data.get("code", "")  # type: ignore[attr-defined]
            # Only allauth's wrong-code error: "too many attempts" must stay what it says.
            if error.code == "incorrect_code" and code and totp_code_already_used(self.user, code):
                raise forms.ValidationError(CODE_ALREADY_USED, code="code_already_used") from None
            raise


# The rate limit runs first (outermost after this mixin), so a reused code still counts as a failure.
class AuthenticateForm(AlreadyUsedCodeMixin, MfaRateLimitMixin, BaseAuthenticateForm):
    pass


class ReauthenticateForm(AlreadyUsedCodeMixin, MfaRateLimitMixin, BaseReauthenticateForm):
    pass
