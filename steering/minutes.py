"""Minutes of a closed vote as a PDF (issue 5): the rule, the tally, the result and each seat's vote."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import translation

from steering.models import EligibleSeat, Proposal, Vote


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
    """The minutes in Finnish, the steering group's working language. Same bundled fonts and
    no-network fetcher as the signed agreement (contracts.pdf)."""
    from weasyprint import HTML

    from contracts.pdf import FONT_DIR, _fetcher_class

    with translation.override("fi"):
        html = render_to_string(
            "steering/minutes.html", {**minutes_context(proposal), "font_dir": FONT_DIR.as_uri()}
        )
    return HTML(string=html, base_url=FONT_DIR.as_uri() + "/", url_fetcher=_fetcher_class()()).write_pdf()
