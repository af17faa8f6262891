from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from accounts.access import mfa_enrolled, require_mfa


class TrustnetAdminSite(admin.AdminSite):
    """The Django admin, reachable only through the allauth login (rate-limited, MFA) and only
    by operator staff who have enrolled in MFA."""

    site_header = "trustnet"
    site_title = "trustnet admin"

    def has_permission(self, request: HttpRequest) -> bool:
        return super().has_permission(request) and mfa_enrolled(request.user)

    def login(self, request: HttpRequest, extra_context: dict | None = None) -> HttpResponse:
        user = request.user
        if user.is_authenticated and user.is_staff and not mfa_enrolled(user):
            return require_mfa(request)
        return secure_admin_login(super().login)(request, extra_context)
