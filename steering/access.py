"""Access to steering-group pages: a current seat, and MFA (DESIGN section 1)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from accounts.access import require_mfa
from steering.models import Seat


def holds_seat(user: Any) -> bool:
    if not user.is_authenticated:
        return False
    cached = getattr(user, "_holds_seat", None)
    if cached is None:
        cached = Seat.objects.current().filter(holder=user).exists()
        user._holds_seat = cached
    return cached


def seat_holder_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Steering-group members only, and only once they have enrolled in MFA."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not holds_seat(request.user):
            raise PermissionDenied
        return require_mfa(request) or view(request, *args, **kwargs)

    return wrapper
