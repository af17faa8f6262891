from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest

from accounts import lockout


class AccountAdapter(DefaultAccountAdapter):
    """People join only through an invitation (see `accounts.views.invitation_accept`)."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False

    def clean_email(self, email: str) -> str:
        return super().clean_email(email).lower()

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        # The tight limit is per account and address (see accounts.lockout), checked first so
        # that hammering one locked account uses up neither the account's limit elsewhere nor
        # the address's ceiling shared by everyone behind it.
        key = self._get_login_attempts_cache_key(request, **credentials)
        lockout.consume(request, action=lockout.LOGIN_FAILED_PER_ADDRESS, key=key, per_address=True)
        super().pre_authenticate(request, **credentials)

    def authenticate(self, request: HttpRequest, **credentials: Any):
        user = super().authenticate(request, **credentials)
        if user is not None:
            key = self._get_login_attempts_cache_key(request, **credentials)
            lockout.clear(request, action=lockout.LOGIN_FAILED_PER_ADDRESS, key=key, per_address=True)
        return user

    def _delete_login_attempts_cached_email(self, request: HttpRequest, **credentials: Any) -> None:
        # A password reset lifts the lock (allauth's counters and ours from this address).
        super()._delete_login_attempts_cached_email(request, **credentials)
        key = self._get_login_attempts_cache_key(request, **credentials)
        lockout.clear(request, action=lockout.LOGIN_FAILED_PER_ADDRESS, key=key, per_address=True)
