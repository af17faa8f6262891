"""What each dashboard shows. One function per dashboard, each with a fixed number of queries."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch

from contracts.models import Seat
from members.models import Organisation
from trustnet.accounts.models import Invitation, OrganisationRole, User
from trustnet.audit.models import Entry


def staff_dashboard_context() -> dict[str, Any]:
    return {
        "organisation_count": Organisation.objects.count(),
        "user_count": User.objects.filter(is_active=True).count(),
        "pending_invitation_count": Invitation.objects.filter(
            accepted_at__isnull=True, revoked_at__isnull=True
        ).count(),
        "recent_entries": Entry.objects.select_related("actor").order_by("-id")[:10],
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
    from contracts.steering_selectors import change_notices_for_member

    # Agreement changes the organisation has not answered yet (DESIGN 3.5: every member is informed).
    pending_changes = change_notices_for_member(user).filter(reaction="pending")
    return {"organisations": organisations, "pending_changes": pending_changes}


def steering_dashboard_context(user: User) -> dict[str, Any]:
    seats = Seat.objects.current().filter(holder=user).select_related("group", "organisation")
    from contracts.steering_selectors import proposals_for_seat_holder

    return {"seats": seats, "proposals": proposals_for_seat_holder(user)}
