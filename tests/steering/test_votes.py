"""Casting and changing votes, and what is refused (issue 5 items 2–3, "Bad input")."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.models import Entry
from steering import services as services
from steering.models import Vote
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_seat_holder_votes_and_may_change_until_the_deadline(open_proposal, seats):
    holder = seats[0].holder
    services.vote_cast(proposal=open_proposal, by=holder, choice="yes")
    services.vote_cast(proposal=open_proposal, by=holder, choice="no")
    vote = Vote.objects.get(proposal=open_proposal)
    assert vote.choice == "no" and vote.seat == seats[0]
    assert services.tally(open_proposal) == {"seats": 5, "yes": 0, "no": 1, "abstain": 0}
    assert Entry.objects.filter(action="vote.change", object_id=str(vote.pk)).exists()


def test_the_log_keeps_the_ballot_secret_until_the_vote_closes(open_proposal, seats, operator):
    services.vote_cast(proposal=open_proposal, by=seats[0].holder, choice="yes")
    services.vote_cast(proposal=open_proposal, by=seats[1].holder, choice="no")
    services.vote_cast(proposal=open_proposal, by=seats[1].holder, choice="abstain")
    while_open = list(Entry.objects.filter(action__startswith="vote."))
    assert len(while_open) == 3
    for entry in while_open:
        assert not any(
            choice in repr((entry.object_label, entry.before, entry.after)) for choice in ("yes", "no", "abstain")
        )

    with time_machine.travel(open_proposal.deadline):
        services.proposal_close(proposal=open_proposal, by=operator)
    closing = Entry.objects.get(action="proposal.close")
    assert closing.after["votes"] == {str(seats[0].pk): "yes", str(seats[1].pk): "abstain"}


def test_vote_after_the_deadline_is_refused(open_proposal, seats):
    after = open_proposal.deadline + datetime.timedelta(seconds=1)
    with time_machine.travel(after), pytest.raises(ValidationError, match="deadline has passed"):
        services.vote_cast(proposal=open_proposal, by=seats[0].holder, choice="yes")
    assert not Vote.objects.exists()


def test_changing_a_vote_after_the_deadline_is_refused(open_proposal, seats):
    services.vote_cast(proposal=open_proposal, by=seats[0].holder, choice="yes")
    with time_machine.travel(open_proposal.deadline), pytest.raises(ValidationError):
        services.vote_cast(proposal=open_proposal, by=seats[0].holder, choice="no")
    assert Vote.objects.get().choice == "yes"


def test_someone_without_a_seat_cannot_vote(open_proposal):
    with pytest.raises(PermissionDenied):
        services.vote_cast(proposal=open_proposal, by=UserFactory(), choice="yes")
    assert not Vote.objects.exists()


def test_seat_given_after_opening_cannot_vote(open_proposal, make_seats):
    late = make_seats(1)[0]
    with pytest.raises(PermissionDenied):
        services.vote_cast(proposal=open_proposal, by=late.holder, choice="yes")


def test_draft_proposal_takes_no_votes(proposal, seats):
    with pytest.raises(ValidationError, match="not opened"):
        services.vote_cast(proposal=proposal, by=seats[0].holder, choice="yes")


def test_closed_proposal_takes_no_votes(open_proposal, seats, operator):
    with time_machine.travel(open_proposal.deadline):
        services.proposal_close(proposal=open_proposal, by=operator)
        with pytest.raises(ValidationError, match="closed"):
            services.vote_cast(proposal=open_proposal, by=seats[0].holder, choice="yes")
    assert not Vote.objects.exists()


def test_unknown_choice_is_refused(open_proposal, seats):
    with pytest.raises(ValidationError) as error:
        services.vote_cast(proposal=open_proposal, by=seats[0].holder, choice="maybe")
    assert "choice" in error.value.error_dict


def test_database_holds_one_vote_per_seat(open_proposal, seats):
    services.vote_cast(proposal=open_proposal, by=seats[0].holder, choice="yes")
    with pytest.raises(IntegrityError), transaction.atomic():
        Vote.objects.create(
            proposal=open_proposal, seat=seats[0], choice="no", cast_by=seats[0].holder, cast_at=timezone.now()
        )
    assert Vote.objects.count() == 1
