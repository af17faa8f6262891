"""Minutes of a closed vote as a PDF (issue 5): the rule, the tally, the result and each seat's vote."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import translation

from contracts.models import EligibleSeat, Proposal, Vote


def minutes_context(proposal: Proposal) -> dict:
    votes = {vote.seat_id: vote for vote in Vote.objects.filter(proposal=proposal)}
    seats = [
        {"seat": eligible, "vote": votes.get(eligible.seat_id)}
        for eligible in EligibleSeat.objects.filter(proposal=proposal).order_by(
            "organisation_name", "holder_name", "id"
        )
    ]
    return {"proposal": proposal, "seats": seats}


def minutes_pdf(proposal: Proposal) -> bytes:
    """The minutes in Finnish, the steering group's working language."""
    from weasyprint import HTML

    with translation.override("fi"):
        html = render_to_string("contracts/steering/minutes.html", minutes_context(proposal))
    return HTML(string=html).write_pdf()
