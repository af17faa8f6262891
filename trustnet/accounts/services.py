"""Writes about people: invitations and organisation roles. Each writes to the audit log."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from collections.abc import Iterable

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from members.models import Organisation
from trustnet.accounts.access import has_role
from trustnet.accounts.models import ApiToken, Invitation, OrganisationRole, Role, User
from trustnet.audit.services import audit_record, audit_state
from trustnet.portal.emails import email_queue


class InvitationError(Exception):
    """An invitation link that cannot be used; the message says why, for the person holding it."""


def invitation_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def can_manage_people(user: User, organisation: Organisation) -> bool:
    """Operator staff manage everyone; an organisation's admins manage their own organisation only."""
    return user.is_staff or has_role(user, organisation.pk, [Role.ADMIN])


@transaction.atomic
def invitation_create(
    *,
    by: User,
    email: str,
    organisation: Organisation | None,
    roles: Iterable[str] = (),
    grants_staff: bool = False,
    language: str | None = None,
) -> tuple[Invitation, str]:
    """Invite a person; returns the invitation and the token (only ever known here and in the email)."""
    roles = sorted(set(roles))
    if grants_staff and not by.is_staff:
        raise PermissionDenied(_("Only operator staff can invite operator staff."))
    if organisation is None and not grants_staff:
        raise ValidationError({"organisation": _("Choose the organisation the person is invited to.")})
    if organisation is not None and not can_manage_people(by, organisation):
        raise PermissionDenied(_("You can invite people only to organisations you administer."))
    unknown = set(roles) - set(Role.values)
    if unknown:
        raise ValidationError({"roles": _("Unknown role: %(roles)s.") % {"roles": ", ".join(sorted(unknown))}})
    if organisation is not None and not roles:
        raise ValidationError({"roles": _("Choose at least one role.")})

    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        email=email.strip().lower(),
        organisation=organisation,
        roles=roles,
        grants_staff=grants_staff,
        token_hash=invitation_token_hash(token),
        invited_by=by,
        language=language or by.language,
        expires_at=timezone.now() + settings.TRUSTNET_INVITATION_VALIDITY,
    )
    audit_record(actor=by, action="accounts.invitation.create", obj=invitation, after=audit_state(invitation))
    email_queue(
        to=[invitation.email],
        template="invitation",
        context={
            "inviter": str(by),
            # The object, not its name: the email shows the name in the invitation's language.
            "organisation": organisation,
            "grants_staff": grants_staff,
            "roles": [str(Role(role).label) for role in roles],
            "accept_url": settings.SITE_URL + reverse("accounts:invitation-accept", args=[token]),
            "expires_at": invitation.expires_at,
        },
        language=invitation.language,
    )
    return invitation, token


def invitation_for_token(token: str, *, lock: bool = False) -> Invitation:
    """The pending invitation behind a token, or InvitationError saying why it is unusable."""
    queryset = Invitation.objects.select_related("organisation")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    invitation = queryset.filter(token_hash=invitation_token_hash(token)).first()
    if invitation is None:
        raise InvitationError(_("This invitation link is not valid. Check that you copied the whole link."))
    if invitation.accepted_at is not None:
        raise InvitationError(_("This invitation has already been used. Log in with your account instead."))
    if invitation.revoked_at is not None:
        raise InvitationError(_("This invitation was withdrawn. Ask the person who invited you for a new one."))
    if invitation.expires_at <= timezone.now():
        raise InvitationError(_("This invitation has expired. Ask the person who invited you for a new one."))
    return invitation


def _apply_invitation(invitation: Invitation, user: User) -> None:
    if invitation.grants_staff and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    for role in invitation.roles:
        OrganisationRole.objects.get_or_create(
            user=user,
            organisation=invitation.organisation,
            role=role,
            defaults={"granted_by": invitation.invited_by},
        )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit_record(
        actor=user,
        action="accounts.invitation.accept",
        obj=invitation,
        after={"roles": invitation.roles, "grants_staff": invitation.grants_staff, "user": user.email},
    )


@transaction.atomic
def invitation_accept(*, token: str, user: User) -> Invitation:
    """A logged-in person accepts an invitation addressed to their own email address."""
    invitation = invitation_for_token(token, lock=True)
    if invitation.email != user.email.lower():
        raise InvitationError(
            _("This invitation was sent to another email address. Log in as that person to accept it.")
        )
    _apply_invitation(invitation, user)
    return invitation


@transaction.atomic
def invitation_accept_with_signup(*, token: str, full_name: str, password: str) -> User:
    """A new person accepts: their account is created with the invited (thereby verified) address."""
    invitation = invitation_for_token(token, lock=True)
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise InvitationError(_("An account with this email address exists already. Log in to accept."))
    user = User.objects.create_user(
        invitation.email, password, full_name=full_name.strip(), language=invitation.language
    )
    # The invitation reached this address, which proves the person controls it.
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    audit_record(actor=user, action="accounts.user.create", obj=user, after=audit_state(user))
    _apply_invitation(invitation, user)
    return user


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, by: User) -> Invitation:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.organisation is not None and not can_manage_people(by, invitation.organisation):
        raise PermissionDenied
    if invitation.organisation is None and not by.is_staff:
        raise PermissionDenied
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit_record(actor=by, action="accounts.invitation.revoke", obj=invitation)
    return invitation


@transaction.atomic
def organisation_role_revoke(*, role: OrganisationRole, by: User) -> None:
    """Remove one role; an organisation never loses its last admin this way."""
    role = OrganisationRole.objects.select_for_update().select_related("organisation", "user").get(pk=role.pk)
    if not can_manage_people(by, role.organisation):
        raise PermissionDenied
    if role.role == Role.ADMIN:
        admins = OrganisationRole.objects.select_for_update().filter(organisation=role.organisation, role=Role.ADMIN)
        if admins.count() <= 1:
            raise ValidationError(_("An organisation needs at least one administrator."))
    before = audit_state(role)
    role.delete()
    audit_record(
        actor=by,
        action="accounts.role.revoke",
        object_type="accounts.organisationrole",
        object_id=before["id"],
        object_label=f"{role.user.email} / {role.organisation} / {role.role}",
        before=before,
    )


@transaction.atomic
def organisation_role_grant(*, user: User, organisation: Organisation, role: str, by: User | None) -> OrganisationRole:
    """Give a role directly (operator staff, and demo data); people otherwise join by invitation."""
    if by is not None and not can_manage_people(by, organisation):
        raise PermissionDenied
    granted, created = OrganisationRole.objects.get_or_create(
        user=user, organisation=organisation, role=role, defaults={"granted_by": by}
    )
    if created:
        audit_record(actor=by, action="accounts.role.grant", obj=granted, after=audit_state(granted))
    return granted


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
