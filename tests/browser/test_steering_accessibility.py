"""The steering-group pages pass axe-core's WCAG 2.1 A/AA rules, and voting works with htmx."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import timezone

from contracts.models import AgreementVersion
from members.models import Role
from steering import services as services
from steering.models import ChangeNotice, SteeringGroup, Vote
from tests.browser.conftest import assert_accessible, login
from tests.factories import AgreementVersionFactory, MembershipFactory, OrganisationRoleFactory, SeatFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def steering(operator):
    group = SteeringGroup.objects.create(name="Ohjausryhmä")
    seats = [SeatFactory(group=group) for _ in range(3)]
    current = AgreementVersionFactory(text_fi="1 §\nVanha ehto.", text_sv="1 §\nGammalt villkor.")
    membership = MembershipFactory(version=current)

    def proposal(title: str):
        version = AgreementVersionFactory(
            state=AgreementVersion.State.DRAFT,
            published_at=None,
            text_fi="1 §\nUusi ehto.",
            text_sv="1 §\nNytt villkor.",
        )
        made = services.proposal_create(
            group=group,
            version=version,
            title_fi=title,
            title_sv=title,
            rationale_fi="Perustelu.",
            rationale_sv="Motivering.",
            effective_date=timezone.localdate() + datetime.timedelta(days=90),
            by=operator,
        )
        return services.proposal_open(proposal=made, deadline=timezone.now() + datetime.timedelta(days=7), by=operator)

    decided = proposal("Päätetty muutos")
    for seat in seats:
        services.vote_cast(proposal=decided, by=seat.holder, choice="yes")
    with time_machine.travel(decided.deadline, tick=False):
        services.proposal_close(proposal=decided, by=operator)
    return {
        "group": group,
        "seats": seats,
        "decided": decided,
        "open": proposal("Avoin muutos"),
        "membership": membership,
    }


def test_seat_holder_votes_with_htmx_on_an_accessible_page(page, site, steering):
    holder = steering["seats"][0].holder
    login(page, site, holder.email, mfa=True)
    page.goto(f"{site}/steering/proposals/{steering['open'].pk}/")
    assert_accessible(page, "steering-proposal-open")
    page.locator("#vote-panel input[value=no]").check()
    page.once("dialog", lambda dialog: dialog.accept())  # the vote asks for confirmation first
    page.locator("#vote-panel button[type=submit]").click()
    page.wait_for_selector("#vote-panel form button:has-text('Muuta')")
    assert Vote.objects.get(proposal=steering["open"], seat=steering["seats"][0]).choice == "no"
    page.goto(f"{site}/steering/proposals/{steering['decided'].pk}/")
    assert_accessible(page, "steering-proposal-closed")


def test_staff_steering_pages_are_accessible(page, site, operator, steering):
    login(page, site, operator.email, mfa=True)
    for path, name in [
        ("/staff/steering/", "steering-staff-home"),
        (f"/staff/steering/proposals/{steering['open'].pk}/", "steering-staff-open"),
        (f"/staff/steering/proposals/{steering['decided'].pk}/", "steering-staff-decided"),
        (f"/staff/steering/groups/{steering['group'].pk}/seats/new/", "steering-seat-new"),
        (f"/staff/steering/groups/{steering['group'].pk}/edit/", "steering-rule"),
    ]:
        page.goto(site + path)
        assert_accessible(page, name)


def test_member_change_pages_are_accessible(page, site, steering):
    organisation = steering["membership"].organisation
    signatory = OrganisationRoleFactory(organisation=organisation, role=Role.SIGNATORY).user
    notice = ChangeNotice.objects.get(organisation=organisation)
    login(page, site, signatory.email)
    page.goto(f"{site}/my/")
    assert_accessible(page, "member-dashboard-change-notice")
    page.goto(f"{site}/my/agreement-changes/")
    assert_accessible(page, "member-changes")
    page.goto(f"{site}/my/agreement-changes/{notice.pk}/")
    assert_accessible(page, "member-change")
