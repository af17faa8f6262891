"""Reads of the steering group's pages, with their joins, so callers cannot forget them."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet
from django.urls import reverse

from accounts.models import User
from contracts.decisions import DecisionStage, VersionDecision
from contracts.models import AgreementVersion
from contracts.redline import compare_versions
from members.access import organisation_ids_of
from members.models import Role
from steering.models import ChangeNotice, EligibleSeat, Proposal, ProposalStatus, Reaction, Seat, SteeringGroup, Vote
from widgets.list_sorting import in_page_language


def proposal_sorts() -> dict[str, Any]:
    """The staff page's proposal tables' sortable columns (widgets/list_sorting.py); newest first by default."""
    return {
        "title": in_page_language("title"),
        "status": "status",
        "effective": "effective_date",
        "votes": "vote_count",
        "created": "created_at",
    }


def groups_for_staff(*, proposal_order: tuple = ()) -> QuerySet[SteeringGroup]:
    """Every steering group with its seats and proposals (each group's proposals in `proposal_order`,
    from `proposal_sorts`, or newest first)."""
    proposals = Proposal.objects.select_related("version").annotate(vote_count=Count("votes"))
    return SteeringGroup.objects.order_by("name").prefetch_related(
        Prefetch("seats", queryset=Seat.objects.select_related("holder", "organisation").order_by("term_start", "id")),
        Prefetch("proposals", queryset=proposals.order_by(*proposal_order) if proposal_order else proposals),
    )


def proposals_for_seat_holder(user: User) -> QuerySet[Proposal]:
    """Proposals a seat holder may read: opened ones where they have a frozen seat, or of a group
    where they hold a seat today."""
    current_groups = Seat.objects.current().filter(holder=user).values("group_id")
    return (
        Proposal.objects.exclude(status=ProposalStatus.DRAFT)
        .filter(Q(eligible_seats__holder=user) | Q(group_id__in=current_groups))
        .distinct()
        .select_related("group", "version")
        .prefetch_related(Prefetch("votes", queryset=Vote.objects.filter(seat__holder=user), to_attr="my_votes"))
    )


def proposal_redlines(proposal: Proposal) -> list[dict[str, Any]]:
    """The redline of the proposed version against the one it replaces, in Finnish and Swedish,
    the languages the agreement is signed in (DESIGN 3.1)."""
    return compare_versions(proposal.previous_version, proposal.version, languages=("fi", "sv"))


def eligible_seats_with_votes(proposal: Proposal) -> list[dict[str, Any]]:
    votes = {vote.seat_id: vote for vote in Vote.objects.filter(proposal=proposal)}
    return [{"seat": seat, "vote": votes.get(seat.seat_id)} for seat in EligibleSeat.objects.filter(proposal=proposal)]


def reactions(proposal: Proposal) -> dict[str, Any]:
    notices = list(ChangeNotice.objects.filter(proposal=proposal).select_related("organisation", "reacted_by"))
    return {
        "notices": notices,
        "accepted": sum(1 for notice in notices if notice.reaction == Reaction.ACCEPTED),
        "terminated": sum(1 for notice in notices if notice.reaction == Reaction.TERMINATED),
        "pending": sum(1 for notice in notices if notice.reaction == Reaction.PENDING),
    }


def change_notices_for_member(user: User) -> QuerySet[ChangeNotice]:
    """Notices of the organisations where the user answers for agreement changes."""
    return (
        ChangeNotice.objects.filter(organisation_id__in=organisation_ids_of(user, [Role.ADMIN, Role.SIGNATORY]))
        .select_related("organisation", "proposal", "proposal__version", "reacted_by")
        .order_by("-notified_at", "organisation__name_fi")
    )


def version_decision_for(version: AgreementVersion, lock: bool) -> VersionDecision | None:
    """The proposal `version` is the subject of, as the agreement's services see it (registered
    with `contracts.decisions` when this app loads)."""
    proposals = Proposal.objects.select_for_update() if lock else Proposal.objects
    proposal = proposals.filter(version=version).first()
    if proposal is None:
        return None
    if proposal.status == ProposalStatus.DRAFT:
        stage = DecisionStage.PROPOSED
    elif proposal.status == ProposalStatus.OPEN:
        stage = DecisionStage.VOTING
    else:
        stage = DecisionStage.PASSED if proposal.passed else DecisionStage.REJECTED
    return VersionDecision(
        stage=stage, title=proposal.title, url=reverse("steering:staff-proposal", args=[proposal.pk])
    )
