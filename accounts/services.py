"""Writes about accounts: personal API tokens. Each writes to the audit log."""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import ApiToken, User
from audit.services import audit_record, audit_state

# --- Personal API tokens ---------------------------------------------------------------------

API_TOKEN_PREFIX = "tn_"  # noqa: S105 (marks a key as ours, not a secret)
# Characters of the key kept in clear, so a person can recognise which key a client uses.
API_TOKEN_SHOWN_CHARS = 10
API_TOKEN_FIELDS = ("user", "name", "prefix", "expires_at", "revoked_at")


def api_token_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_token_create(
    *, user: User, name: str, expires_on: datetime.date | None = None, by: User
) -> tuple[ApiToken, str]:
    """Make a personal API token of `user`; returns it and its key, which is never stored or shown again.

    The token acts as its user, so only that user may make it. `expires_on` is the last day it works.
    """
    if by.pk != user.pk:
        raise PermissionDenied(_("You can create API tokens only for yourself."))
    errors = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = _("Give the token a name that says where it is used.")
    elif len(name) > 100:
        errors["name"] = _("The name may have at most 100 characters.")
    elif ApiToken.objects.filter(user=user, name=name, revoked_at__isnull=True).exists():
        errors["name"] = _("You already have a token with this name.")
    expires_at = None
    if expires_on is not None:
        if expires_on <= timezone.localdate():
            errors["expires_on"] = _("The expiry date must be in the future.")
        else:
            # Valid through the whole of its last day, in the site's time zone.
            expires_at = timezone.make_aware(
                datetime.datetime.combine(expires_on + datetime.timedelta(days=1), datetime.time.min)
            )
    if errors:
        raise ValidationError(errors)
    key = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=key[:API_TOKEN_SHOWN_CHARS],
        token_hash=api_token_hash(key),
        expires_at=expires_at,
    )
    audit_record(actor=by, action="accounts.api_token.create", obj=token, after=audit_state(token, API_TOKEN_FIELDS))
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken, by: User) -> ApiToken:
    """Revoke a token at once; revoking twice changes nothing. Its owner or operator staff may."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if by.pk != token.user_id and not by.is_staff:
        raise PermissionDenied
    if token.revoked_at is None:
        before = audit_state(token, API_TOKEN_FIELDS)
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            actor=by,
            action="accounts.api_token.revoke",
            obj=token,
            before=before,
            after=audit_state(token, API_TOKEN_FIELDS),
        )
    return token
