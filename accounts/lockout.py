"""Limits on failed logins and second-factor codes that do not lock out a whole school.

allauth counts failures per address and per account. Many people share an address (a school's
NAT, a municipality's proxy), so the per-address limit is only a generous ceiling against floods;
the tight limit is per account *and* address: someone guessing at one account from one address
locks out only that account from that address. A per-account limit across addresses, looser than
that, still stops a guesser who spreads over many addresses. The same shape holds for TOTP and
recovery codes, per user. The rates are in settings.ACCOUNT_RATE_LIMITS (issue 15, item 7).
"""

from __future__ import annotations

from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.core import context, ratelimit
from allauth.core.internal.ratelimit import get_ip
from django.http import HttpRequest

# Actions of our own, read by allauth's rate limiter from ACCOUNT_RATE_LIMITS.
LOGIN_FAILED_PER_ADDRESS = "login_failed_account_address"
MFA_FAILED = "mfa_failed"
MFA_FAILED_PER_ADDRESS = "mfa_failed_user_address"


def _with_address(request: HttpRequest, key: str) -> str:
    return f"{key}|{get_ip(request)}"


def consume(request: HttpRequest, *, action: str, key: str, per_address: bool = False) -> None:
    """Count one attempt for `key` (with the client's address if `per_address`); raise the
    login form's "too many attempts" error when the limit is reached."""
    if per_address:
        key = _with_address(request, key)
    if not ratelimit.consume(request, action=action, key=key):
        raise get_account_adapter().validation_error("too_many_login_attempts")


def clear(request: HttpRequest, *, action: str, key: str, per_address: bool = False) -> None:
    """Forget the failures counted for `key`: its owner has just proved to hold the secret, so
    clearing does not help someone guessing at it."""
    if per_address:
        key = _with_address(request, key)
    ratelimit.clear(request, action=action, key=key)


def mfa_key(user) -> str:
    return f"mfa-user-{user.pk}"


class MfaRateLimitMixin:
    """For allauth's code forms (MFA_FORMS): limit wrong codes per user and per user and address
    before allauth's own check (which shares the login's per-address ceiling)."""

    user: object

    def clean_code(self) -> str:
        request = context.request
        key = mfa_key(self.user)
        consume(request, action=MFA_FAILED_PER_ADDRESS, key=key, per_address=True)
        consume(request, action=MFA_FAILED, key=key)
        code = super().clean_code()  # type: ignore[misc]
        clear(request, action=MFA_FAILED_PER_ADDRESS, key=key, per_address=True)
        clear(request, action=MFA_FAILED, key=key)
        return code
