"""REST API authentication by personal API token (`Authorization: Token <key>`).

The key is looked up by its SHA-256, so no stored secret is ever compared byte by byte (nothing to
time) and a database leak gives no working keys. A token acts exactly as its user's session would:
the API's own scoping by organisation applies unchanged.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from accounts.access import mfa_enrolled, mfa_is_required_for
from accounts.models import ApiToken, User
from accounts.services import api_token_hash

KEYWORD = "Token"
# Writing the last-used time on every request would turn each read into a write; once a minute
# is precise enough to tell a live key from a forgotten one.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)


class ApiTokenAuthentication(BaseAuthentication):
    """Accepts a personal API token; refuses (401) unknown, revoked and expired ones and tokens of
    deactivated users."""

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid token header: give exactly one key after 'Token'."))
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError as error:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from error
        token = ApiToken.objects.select_related("user").filter(token_hash=api_token_hash(key)).first()
        now = timezone.now()
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("This token has been revoked."))
        if not token.is_usable(at=now):
            raise exceptions.AuthenticationFailed(_("This token has expired."))
        if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        # A WWW-Authenticate header makes DRF answer 401 (not 403) to unauthenticated callers.
        return KEYWORD


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """The security scheme in the OpenAPI schema (drf-spectacular)."""

    target_class = "accounts.api_auth.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": (
                "A personal API token, made on your profile page (Your details → API tokens). "
                "Send it as `Authorization: Token <key>`. The token sees exactly what its user sees."
            ),
        }


class MfaRequirementMet(BasePermission):
    """The API keeps the MFA rule of the pages (DESIGN section 1): someone who must use MFA
    (operator staff; members where the deployment requires it) gets nothing from the API, by
    session or by token, before enrolling."""

    message = _("Set up two-factor authentication before you use the API.")

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        return not user.is_authenticated or not mfa_is_required_for(user) or mfa_enrolled(user)
