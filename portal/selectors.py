"""What each dashboard shows. One function per dashboard, each with a fixed number of queries."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch
from django.utils import timezone

from accounts.models import User
from audit.models import Entry
from contracts.models import MemberRole
from contracts.selectors import membership_counts, memberships_of
from members.models import Invitation, Organisation, OrganisationRole, ServiceVersion, VersionStatus
from members.selectors import service_list
from portal.audit_present import entry_rows
from steering.models import Seat
from steering.selectors import change_notices_for_member, proposals_for_seat_holder


def staff_dashboard_context() -> dict[str, Any]:
    return {
        "organisation_count": Organisation.objects.count(),
        "pending_review_count": ServiceVersion.objects.filter(status=VersionStatus.PENDING).count(),
        "expiring_certificate_count": service_list(expiring=True).count(),
        "user_count": User.objects.filter(is_active=True).count(),
        "pending_invitation_count": Invitation.objects.filter(
            accepted_at__isnull=True, revoked_at__isnull=True
        ).count(),
        # In words, with their targets fetched together (a query per kind of object, not per entry).
        "recent_entries": entry_rows(list(Entry.objects.select_related("actor").order_by("-id")[:10])),
        "membership_counts": membership_counts(on=timezone.localdate()),
    }


def member_dashboard_context(user: User) -> dict[str, Any]:
    organisations = (
        Organisation.objects.filter(people_roles__user=user)
        .distinct()
        .prefetch_related(
            Prefetch("people_roles", queryset=OrganisationRole.objects.filter(user=user), to_attr="my_roles")
        )
        .order_by("name_fi")
    )
    organisations = list(organisations)
    # Each organisation's memberships (state and dates), and the registered roles still to sign.
    memberships = memberships_of(organisation.pk for organisation in organisations)
    for organisation in organisations:
        organisation.agreement_memberships = memberships.get(organisation.pk, [])
        open_roles = {m.role for m in organisation.agreement_memberships if m.ended_at is None}
        registered = [
            (MemberRole.HOME_ORGANISATION, organisation.is_home_organisation),
            (MemberRole.SERVICE_PROVIDER, organisation.is_service_provider),
        ]
        organisation.roles_to_sign = [
            role for role, is_registered in registered if is_registered and role not in open_roles
        ]
        organisation.is_signatory = any(role.role == "signatory" for role in organisation.my_roles)

    # Agreement changes the organisation has not answered yet (DESIGN 3.5: every member is informed).
    pending_changes = change_notices_for_member(user).filter(reaction="pending")
    return {"organisations": organisations, "pending_changes": pending_changes}


def steering_dashboard_context(user: User) -> dict[str, Any]:
    seats = Seat.objects.current().filter(holder=user).select_related("group", "organisation")
    return {"seats": seats, "proposals": proposals_for_seat_holder(user)}
