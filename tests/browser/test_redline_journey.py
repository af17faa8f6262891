"""Journey: the agreement redline (issue 16 item 3). A seat holder reads a change to the real
agreement text and votes below it; a member's signatory reads the change notice side by side at
1280 px and inline at 375 px (no sideways scroll), opens the unchanged paragraphs, and accepts the
change after confirming. In Finnish."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from contracts.demo_agreements import TEXT_FI, TEXT_SV
from contracts.models import AgreementVersion
from members.models import Role
from steering import services as steering_services
from steering.models import ChangeNotice, Reaction, SteeringGroup
from tests.browser.conftest import assert_accessible, login
from tests.factories import AgreementVersionFactory, MembershipFactory, OrganisationRoleFactory, SeatFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HELSINKI = zoneinfo.ZoneInfo("Europe/Helsinki")
OPENED = datetime.datetime(2027, 2, 1, 9, 0, tzinfo=HELSINKI)
DEADLINE = datetime.datetime(2027, 2, 15, 16, 0, tzinfo=HELSINKI)
EFFECTIVE = datetime.date(2027, 6, 1)
TITLE = "Irtisanomisajan pidentäminen"

# A paragraph inserted in the middle, one word changed, and everything else untouched.
NEW_PARAGRAPH_FI = "Jäsen nimeää tietoturvayhteyshenkilön ja ilmoittaa tämän yhteystiedot operaattorille."
NEW_FI = TEXT_FI.replace(
    "Jäsenen irtisanomisaika on yksi kuukausi.", "Jäsenen irtisanomisaika on kaksi kuukautta."
).replace("4. Operaattorin asema ja tehtävät", f"{NEW_PARAGRAPH_FI}\n\n4. Operaattorin asema ja tehtävät")
NEW_SV = TEXT_SV.replace(
    "Uppsägningstiden för medlemmen är en månad.", "Uppsägningstiden för medlemmen är två månader."
)


def _no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_redline_reads_side_by_side_wide_inline_narrow_and_the_answer_comes_after_it(page, site, operator, org_a):
    signatory = OrganisationRoleFactory(organisation=org_a, role=Role.SIGNATORY).user
    group = SteeringGroup.objects.create(name="MPASSid-ohjausryhmä")
    voter, *others = [SeatFactory(group=group) for _ in range(3)]
    current = AgreementVersionFactory(text_fi=TEXT_FI, text_sv=TEXT_SV)
    MembershipFactory(organisation=org_a, version=current)
    draft = AgreementVersionFactory(
        state=AgreementVersion.State.DRAFT, published_at=None, text_fi=NEW_FI, text_sv=NEW_SV
    )
    with time_machine.travel(OPENED, tick=False):
        proposal = steering_services.proposal_create(
            group=group,
            version=draft,
            title_fi=TITLE,
            title_sv="Längre uppsägningstid",
            rationale_fi="Jäsenet tarvitsevat enemmän aikaa siirtymään.",
            rationale_sv="Medlemmarna behöver mer tid.",
            effective_date=EFFECTIVE,
            by=operator,
        )
        proposal = steering_services.proposal_open(proposal=proposal, deadline=DEADLINE, by=operator)
    questions: list[str] = []

    def answer(dialog):
        questions.append(dialog.message)
        dialog.accept()

    page.on("dialog", answer)

    # The seat holder reads the change, then votes below it after confirming.
    with time_machine.travel(datetime.datetime(2027, 2, 10, 10, 0, tzinfo=HELSINKI), tick=True):
        page.set_viewport_size({"width": 1280, "height": 900})
        login(page, site, voter.holder.email, mfa=True)
        page.goto(site + reverse("steering:proposal", args=[proposal.pk]))
        redline_bottom = page.locator("section.redline").last.bounding_box()
        vote_button = page.locator("#vote-submit")
        assert vote_button.bounding_box()["y"] > redline_bottom["y"] + redline_bottom["height"]
        page.locator("#vote-panel").get_by_label("Kyllä", exact=True).check()
        vote_button.click()
        page.locator("#vote-panel").get_by_text("Äänesi: Kyllä.").wait_for()
        assert len(questions) == 1
        for seat in others:
            steering_services.vote_cast(proposal=proposal, by=seat.holder, choice="yes")
    with time_machine.travel(datetime.datetime(2027, 2, 16, 9, 0, tzinfo=HELSINKI), tick=False):
        steering_services.proposal_close(proposal=proposal, by=operator)
    notice = ChangeNotice.objects.get(proposal=proposal, organisation=org_a)

    with time_machine.travel(datetime.datetime(2027, 3, 1, 13, 0, tzinfo=HELSINKI), tick=True):
        page.context.clear_cookies()
        login(page, site, signatory.email)
        page.goto(site + reverse("steering:member-change", args=[notice.pk]))
        finnish = page.locator("section.redline").first

        # Wide: current | proposed side by side; the inline text is not shown.
        pair = finnish.locator(".redline-changed .redline-pair").first
        assert pair.is_visible() and not finnish.locator(".redline-inline").first.is_visible()
        old_box, new_box = pair.locator(".redline-old").bounding_box(), pair.locator(".redline-new").bounding_box()
        assert old_box["x"] + old_box["width"] <= new_box["x"] and abs(old_box["y"] - new_box["y"]) < 2
        # The one word changed is marked as a deletion and an insertion, the new paragraph as added.
        assert "yksi kuukausi" in pair.locator("del").inner_text()
        assert "kaksi kuukautta" in pair.locator("ins").inner_text()
        assert NEW_PARAGRAPH_FI in finnish.locator(".redline-added").inner_text()
        # Unchanged paragraphs are folded, with their count; they open on request.
        folded = finnish.locator("details.redline-unchanged").first
        assert not folded.evaluate("(el) => el.open")
        folded.locator("summary").click()
        assert str(folded.locator("p").count()) in folded.locator("summary").inner_text()
        assert "1. Osapuolet" in folded.inner_text()
        assert_accessible(page, "agreement-redline-1280")

        # Narrow: one inline text, no sideways scroll.
        page.set_viewport_size({"width": 375, "height": 800})
        inline = finnish.locator(".redline-changed .redline-inline").first
        assert inline.is_visible() and not pair.is_visible()
        assert "kaksi kuukautta" in inline.locator("ins").inner_text()
        assert _no_sideways_scroll(page)
        assert_accessible(page, "agreement-redline-375")

        # The answer comes after the text, and asks before it is sent.
        accept = page.get_by_role("button", name="Hyväksymme muutoksen")
        text_box = page.locator("section.redline").last.bounding_box()
        assert accept.bounding_box()["y"] > text_box["y"] + text_box["height"]
        accept.click()
        page.wait_for_load_state()
        assert len(questions) == 2
    notice.refresh_from_db()
    assert notice.reaction == Reaction.ACCEPTED
