"""Proposals, opening votes and the frozen set of eligible seats (issue 5 items 2–3)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from audit.models import Entry
from steering import services as services
from steering.models import EligibleSeat, Proposal, ProposalStatus
from tests.steering.conftest import in_days

pytestmark = pytest.mark.django_db


def test_proposal_pairs_a_draft_version_with_the_one_in_effect(proposal, draft_version, current_version):
    assert proposal.version == draft_version
    assert proposal.previous_version == current_version
    assert proposal.status == ProposalStatus.DRAFT
    assert Entry.objects.filter(action="proposal.create", object_id=str(proposal.pk)).exists()


def test_a_published_version_cannot_be_proposed(group, current_version, operator):
    with pytest.raises(ValidationError) as error:
        services.proposal_create(
            group=group,
            version=current_version,
            title_fi="x",
            title_sv="x",
            rationale_fi="y",
            rationale_sv="y",
            effective_date=in_days(60),
            by=operator,
        )
    assert "version" in error.value.error_dict


def test_effective_date_under_30_days_away_is_refused(group, draft_version, operator):
    with pytest.raises(ValidationError) as error:
        services.proposal_create(
            group=group,
            version=draft_version,
            title_fi="x",
            title_sv="x",
            rationale_fi="y",
            rationale_sv="y",
            effective_date=in_days(29),
            by=operator,
        )
    assert "effective_date" in error.value.error_dict
    assert not Proposal.objects.exists()


def test_opening_freezes_the_seats_current_then(open_proposal, seats, make_seats, operator):
    assert open_proposal.status == ProposalStatus.OPEN
    assert set(EligibleSeat.objects.filter(proposal=open_proposal).values_list("seat_id", flat=True)) == {
        seat.pk for seat in seats
    }
    make_seats(1)  # joins after voting opened: not eligible
    ended = seats[0]
    services.seat_update(
        seat=ended,
        by=operator,
        organisation=ended.organisation,
        term_start=ended.term_start,
        term_end=datetime.date(2021, 1, 1),
    )
    assert EligibleSeat.objects.filter(proposal=open_proposal).count() == 5
    assert services.tally(open_proposal)["seats"] == 5


def test_deadline_must_leave_30_days_before_the_effective_date(proposal, operator):
    too_late = timezone.now() + datetime.timedelta(days=45)
    with pytest.raises(ValidationError) as error:
        services.proposal_open(proposal=proposal, deadline=too_late, by=operator)
    assert "deadline" in error.value.error_dict
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.DRAFT and not EligibleSeat.objects.exists()


def test_deadline_in_the_past_is_refused(proposal, operator):
    with pytest.raises(ValidationError):
        services.proposal_open(proposal=proposal, deadline=timezone.now() - datetime.timedelta(minutes=1), by=operator)


def test_voting_opens_only_once(open_proposal, operator):
    with pytest.raises(ValidationError):
        services.proposal_open(
            proposal=open_proposal, deadline=timezone.now() + datetime.timedelta(days=3), by=operator
        )
