"""Journey: a steering-group member (with MFA) votes on an agreement change using the keyboard
alone; after the deadline staff close the vote; a member's administrator sees the change notice
and terminates because of the change within the 30 days (DESIGN 3.5). In Finnish."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine

from contracts.models import AgreementVersion, Membership
from members.models import Role
from steering import services as steering_services
from steering.models import SteeringGroup
from tests.browser.conftest import assert_accessible, keyboard_press, login
from tests.factories import (
    AgreementVersionFactory,
    MembershipFactory,
    OrganisationRoleFactory,
    SeatFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HELSINKI = zoneinfo.ZoneInfo("Europe/Helsinki")
OPENED = datetime.datetime(2027, 2, 1, 9, 0, tzinfo=HELSINKI)
DEADLINE = datetime.datetime(2027, 2, 15, 16, 0, tzinfo=HELSINKI)
EFFECTIVE = datetime.date(2027, 6, 1)


def test_seat_holder_votes_by_keyboard_staff_close_and_a_member_terminates_because_of_the_change(
    page, site, operator, org_a, admin_a
):
    # Terminating signs on the organisation's behalf: this administrator is also its signatory.
    OrganisationRoleFactory(organisation=org_a, user=admin_a, role=Role.SIGNATORY)
    group = SteeringGroup.objects.create(name="MPASSid-ohjausryhmä")
    voter, *others = [SeatFactory(group=group) for _ in range(3)]
    current = AgreementVersionFactory(text_fi="1 §\nVanha ehto.", text_sv="1 §\nGammalt villkor.")
    membership = MembershipFactory(organisation=org_a, version=current)
    draft = AgreementVersionFactory(
        state=AgreementVersion.State.DRAFT,
        published_at=None,
        text_fi="1 §\nUusi ehto tietosuojasta.",
        text_sv="1 §\nNytt villkor om dataskydd.",
    )
    with time_machine.travel(OPENED, tick=False):
        proposal = steering_services.proposal_create(
            group=group,
            version=draft,
            title_fi="Tietosuojaehtojen päivitys",
            title_sv="Uppdatering av dataskyddsvillkoren",
            rationale_fi="Tietosuoja-asetuksen vaatimukset.",
            rationale_sv="Kraven i dataskyddsförordningen.",
            effective_date=EFFECTIVE,
            by=operator,
        )
        proposal = steering_services.proposal_open(proposal=proposal, deadline=DEADLINE, by=operator)

    # The vote and the termination ask for confirmation first (the browser's dialog): say yes.
    questions: list[str] = []
    page.on("dialog", lambda dialog: (questions.append(dialog.message), dialog.accept()))

    # The seat holder votes with the keyboard alone; htmx swaps the panel in place.
    with time_machine.travel(datetime.datetime(2027, 2, 10, 10, 0, tzinfo=HELSINKI), tick=True):
        login(page, site, voter.holder.email, mfa=True, keyboard=True)
        keyboard_press(page, page.get_by_role("link", name="Tietosuojaehtojen päivitys"))
        page.wait_for_load_state()
        assert_accessible(page, "journey-steering-vote")
        assert "15.2.2027" in page.locator("main dl").inner_text()  # the deadline, written the Finnish way
        panel = page.locator("#vote-panel")
        keyboard_press(page, panel.get_by_label("Kyllä", exact=True), "Space")
        assert panel.get_by_label("Kyllä", exact=True).is_checked()
        keyboard_press(page, panel.get_by_role("button", name="Äänestä"))
        panel.get_by_text("Äänesi: Kyllä.").wait_for()
        assert len(questions) == 1
        # The keyboard user stays where they were, on the (now "change my vote") button.
        assert page.evaluate("document.activeElement.id") == "vote-submit"
        assert panel.get_by_role("button", name="Muuta ääntäni").is_visible()
        assert_accessible(page, "journey-steering-voted")
        # No stale "vote recorded" message pops up on the next page.
        keyboard_press(page, page.get_by_role("navigation", name="Päävalikko").get_by_role("link", name="Ohjausryhmä"))
        page.wait_for_load_state()
        assert page.locator(".messages").count() == 0
        assert "olet äänestänyt" in page.locator("main").inner_text()
        for seat in others:
            steering_services.vote_cast(proposal=proposal, by=seat.holder, choice="yes")

    # After the deadline staff close the vote; the change passes and members are told.
    with time_machine.travel(datetime.datetime(2027, 2, 16, 9, 0, tzinfo=HELSINKI), tick=True):
        page.context.clear_cookies()
        login(page, site, operator.email, mfa=True)
        page.goto(f"{site}/staff/steering/proposals/{proposal.pk}/")
        page.get_by_role("button", name="Päätä äänestys ja kirjaa tulos").click()
        page.wait_for_load_state()
        assert "Äänestys on päätetty ja tulos kirjattu." in page.locator(".messages").inner_text()
        assert "Muutos hyväksyttiin." in page.locator("main").inner_text()
        assert_accessible(page, "journey-steering-closed")

    # Within 30 days of being told, the member's administrator terminates because of the change.
    with time_machine.travel(datetime.datetime(2027, 3, 1, 13, 0, tzinfo=HELSINKI), tick=True):
        page.context.clear_cookies()
        login(page, site, admin_a.email)
        notice_box = page.get_by_role("region", name="Jäsensopimus muuttuu")
        assert "1.6.2027" in notice_box.inner_text()
        notice_box.get_by_role("link", name="Tietosuojaehtojen päivitys").click()
        page.wait_for_load_state()
        # The redline marks the changed words; the new wording is on the proposed side.
        assert "tietosuojasta" in page.locator("section.redline .redline-new").first.inner_text()
        assert_accessible(page, "journey-steering-change-notice")
        page.get_by_label("Syy (vapaaehtoinen)").fill("Emme hyväksy uusia ehtoja.")
        page.get_by_label("Ymmärrän, että jäsenyytemme päättyy muutoksen voimaantulopäivänä.").check()
        page.get_by_role("button", name="Irtisano jäsenyys").click()
        page.wait_for_load_state()
        assert len(questions) == 2
        assert "Organisaatiosi jäsenyys päättyy muutoksen voimaantulopäivänä." in page.locator(".messages").inner_text()
        assert_accessible(page, "journey-steering-terminated")
    assert Membership.objects.get(pk=membership.pk).ends_on == EFFECTIVE
