"""Demo accounts: the operator's staff, and the shared password and authenticator secret.

Each organisation's people are made by `members.demo`, which gives them their roles."""

from __future__ import annotations

from collections.abc import Callable

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP

from accounts.models import User

DEMO_PASSWORD = "trustnet-demo-2026"
# A fixed authenticator-app secret for demo accounts that need MFA, so the printed secret
# keeps working after `load_demo` runs again. Never used outside demo data.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def demo_user(email: str, full_name: str, *, staff: bool = False, mfa: bool = False, language: str = "fi") -> User:
    user, created = User.objects.get_or_create(
        email=email, defaults={"full_name": full_name, "is_staff": staff, "language": language}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    if mfa and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, DEMO_TOTP_SECRET)
        RecoveryCodes.activate(user)
    return user


def load(*, report: Callable[[str], None]) -> None:
    operator = demo_user("operator@trustnet.example", "Olli Operaattori", staff=True, mfa=True)
    report(f"Operator staff (MFA): {operator.email}")
    report(f"Password for every demo account: {DEMO_PASSWORD}")
    report(
        f"Authenticator secret for demo accounts with MFA: {DEMO_TOTP_SECRET} "
        "(or run demo_totp_code: see the last lines)"
    )
