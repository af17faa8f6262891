"""Many seat holders voting at once on real PostgreSQL: the tally is exact (issue 5 item 3).

Threads each use their own database connection, so the row lock on the proposal and the
one-vote-per-seat constraint are what keep the count right, not the test's ordering.
"""

from __future__ import annotations

import datetime
import random
import threading
import time
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction
from django.utils import timezone

from steering import services as services
from steering.models import Proposal, Seat, SteeringGroup, Vote
from tests.factories import OrganisationFactory, UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]

SEATS = 24


def run_in_threads(jobs):
    """Start every job at the same moment (a barrier), each on its own connection."""
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []
    results: list = [None] * len(jobs)

    def worker(index, job):
        try:
            barrier.wait()
            results[index] = job()
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(index, job)) for index, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results, errors


@pytest.fixture
def open_vote(db):
    from contracts import services as agreement_services

    operator = UserFactory(is_staff=True)
    group = SteeringGroup.objects.create(name="Ohjausryhmä")
    seats = [
        Seat.objects.create(
            group=group, holder=UserFactory(), organisation=OrganisationFactory(), term_start=datetime.date(2020, 1, 1)
        )
        for _ in range(SEATS)
    ]
    version = agreement_services.version_draft_create(
        by=operator, number=7, label="x", text_fi="a", text_sv="b", effective_on=datetime.date(2030, 1, 1)
    )
    proposal = services.proposal_create(
        group=group,
        version=version,
        title_fi="Rinnakkain",
        title_sv="Parallellt",
        rationale_fi="Testi",
        rationale_sv="Test",
        effective_date=timezone.localdate() + datetime.timedelta(days=90),
        by=operator,
    )
    proposal = services.proposal_open(
        proposal=proposal, deadline=timezone.now() + datetime.timedelta(days=7), by=operator
    )
    return proposal, seats, operator


def test_many_concurrent_votes_and_changes_give_an_exact_tally(open_vote):
    proposal, seats, _ = open_vote
    rng = random.Random(5)
    # Every seat votes twice at the same time (a double click, or a change of mind): the last
    # write wins per seat, but there is never a second row and never a lost seat.
    jobs, final_options = [], {}
    for seat in seats:
        first, second = rng.choice(["yes", "no", "abstain"]), rng.choice(["yes", "no", "abstain"])
        final_options[seat.pk] = {first, second}
        for choice in (first, second):
            jobs.append(
                lambda holder=seat.holder, choice=choice: services.vote_cast(
                    proposal=proposal, by=holder, choice=choice
                )
            )
    rng.shuffle(jobs)
    _, errors = run_in_threads(jobs)
    assert errors == []
    votes = list(Vote.objects.filter(proposal=proposal))
    assert len(votes) == SEATS
    assert all(vote.choice in final_options[vote.seat_id] for vote in votes)
    expected = Counter(vote.choice for vote in votes)
    assert services.tally(proposal) == {
        "seats": SEATS,
        "yes": expected["yes"],
        "no": expected["no"],
        "abstain": expected["abstain"],
    }


def test_a_vote_waiting_on_the_close_sees_it_closed(open_vote):
    """The vote blocks on the proposal row that closing holds, then reads the closed state."""
    proposal, seats, _ = open_vote
    locked, outcome = threading.Event(), []

    def close_holding_the_lock():
        with transaction.atomic():
            Proposal.objects.select_for_update().get(pk=proposal.pk)
            locked.set()
            _wait_until_someone_waits_for_a_lock()
            Proposal.objects.filter(pk=proposal.pk).update(status="closed", closed_at=timezone.now(), passed=False)

    def vote():
        locked.wait(timeout=30)
        try:
            services.vote_cast(proposal=proposal, by=seats[0].holder, choice="yes")
            outcome.append("counted")
        except ValidationError as error:
            outcome.append(" ".join(error.messages))

    _, errors = run_in_threads([close_holding_the_lock, vote])
    assert errors == []
    assert outcome == ["Voting on this proposal has closed."]
    assert not Vote.objects.filter(proposal=proposal).exists()


def _wait_until_someone_waits_for_a_lock() -> None:
    """Poll PostgreSQL's lock table (not a fixed sleep) until another session is blocked."""
    deadline = time.monotonic() + 30
    with connections["default"].cursor() as cursor:
        while time.monotonic() < deadline:
            # Only this test database's sessions: other test runs may share the server. The
            # statistics views are a per-transaction snapshot, so clear it on every round.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.01)
    raise AssertionError("the vote never waited for the lock")
