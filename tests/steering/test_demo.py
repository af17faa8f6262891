"""The demo adds a steering group with seats, one decided proposal and one open (issue 5 item 6)."""

import pytest
from django.core.management import call_command

from steering.models import EligibleSeat, Proposal, Seat, Vote

pytestmark = pytest.mark.django_db


def test_demo_has_a_decided_and_an_open_proposal_and_loads_twice(capsys):
    call_command("load_demo")
    counts = (Proposal.objects.count(), Vote.objects.count(), EligibleSeat.objects.count(), Seat.objects.count())
    call_command("load_demo")
    assert (
        Proposal.objects.count(),
        Vote.objects.count(),
        EligibleSeat.objects.count(),
        Seat.objects.count(),
    ) == counts
    assert Seat.objects.count() >= 3
    decided = Proposal.objects.get(status="closed")
    assert decided.passed is True and bytes(decided.minutes_pdf).startswith(b"%PDF")
    assert decided.version.is_published and decided.notified_at is not None
    assert Proposal.objects.filter(status="open").count() == 1
