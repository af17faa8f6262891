"""Who may do what: roles in organisations and the MFA rule (DESIGN section 1).

Views use these decorators and helpers; nothing else decides access.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from accounts.models import User


def mfa_enrolled(user: User) -> bool:
    """True once the user has an authenticator app (TOTP); allauth then asks for it at every login."""
    if not user.is_authenticated:
        return False
    cached = getattr(user, "_mfa_enrolled", None)
    if cached is None:
        cached = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
        user._mfa_enrolled = cached
    return cached


def mfa_is_required_for(user: User) -> bool:
    """Staff always need MFA; members' users when the deployment says so. Seat holders are
    handled by the steering-group views, which call `require_mfa` themselves."""
    return user.is_staff or settings.TRUSTNET_MEMBER_MFA_REQUIRED


def require_mfa(request: HttpRequest) -> HttpResponse | None:
    """A redirect to MFA enrolment for a user who has not enrolled yet, else None."""
    if mfa_enrolled(request.user):
        return None
    messages.warning(request, _("Set up two-factor authentication before you continue."))
    return redirect("mfa_activate_totp")


def operator_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Operator staff only, and only after they have enrolled in MFA."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_staff:
            raise PermissionDenied
        return require_mfa(request) or view(request, *args, **kwargs)

    return wrapper


def member_login_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Any logged-in user; MFA enrolment when the deployment (or staff status) requires it."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if mfa_is_required_for(request.user):
            response = require_mfa(request)
            if response:
                return response
        return view(request, *args, **kwargs)

    return wrapper
