"""Journey: operator staff give notice to a service provider; once time has moved past the end of
the notice period (three months, DESIGN 3.3) the membership has ended, its services are gone from
the proxy configuration, and the member's people still read their own records (DESIGN 3.6).
In Finnish.

Time travel: time-machine patches the clock process-wide, so the live server's thread sees the
same (travelled) day as the test; the first assertion after travelling checks exactly that.
"""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine

from contracts.models import Membership
from contracts.tasks import memberships_end
from members import services as member_services
from members.models import Role
from tests.browser.conftest import assert_accessible, login, published_entity_ids
from tests.factories import MembershipFactory, OrganisationRoleFactory, ServiceProviderOrganisationFactory
from tests.members.conftest import saml_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HELSINKI = zoneinfo.ZoneInfo("Europe/Helsinki")
# 31 January + 3 months: 31 April does not exist, so the notice period ends on 30 April.
NOTICE_DAY = datetime.datetime(2027, 1, 31, 10, 0, tzinfo=HELSINKI)
ENDS_ON = datetime.date(2027, 4, 30)
LEAVES = "https://oppimisalusta.example.fi/saml"
STAYS = "https://sanakirja.example.fi/saml"


def _approved_saml_service(provider, entity_id: str, operator) -> None:
    created = member_services.service_create(
        provider=provider, by=operator, environment="production", protocol="saml", data=saml_data(),
        entity_id=entity_id,
    )  # fmt: skip
    member_services.service_approve(version=created.version, by=operator)


def test_operator_gives_notice_to_a_service_provider_whose_services_leave_the_proxy_on_the_end_date(
    page, site, operator, proxy_publishing
):
    provider = ServiceProviderOrganisationFactory(name_fi="Oppimisalusta Oy", name_sv="Lärplattform Ab")
    membership = MembershipFactory(organisation=provider, role="service_provider")
    provider_admin = OrganisationRoleFactory(
        organisation=provider, role=Role.ADMIN, user__email="admin@oppimisalusta.example"
    ).user
    # Another member's service stays throughout (an aggregate with no entity is not valid metadata).
    other = ServiceProviderOrganisationFactory(name_fi="Sanakirja Oy")
    MembershipFactory(organisation=other, role="service_provider")
    _approved_saml_service(other, STAYS, operator)
    _approved_saml_service(provider, LEAVES, operator)
    assert sorted(published_entity_ids(page, site)) == [LEAVES, STAYS]

    with time_machine.travel(NOTICE_DAY, tick=True):
        login(page, site, operator.email, mfa=True)
        page.get_by_role("navigation", name="Päävalikko").get_by_role("link", name="Sopimukset").click()
        page.get_by_role("link", name="Oppimisalusta Oy").click()
        page.wait_for_load_state()
        main = page.locator("main")
        assert "voimassa" in main.locator("p").first.inner_text()
        assert "Jos jäsenyys irtisanotaan tänään, se päättyy 30.4.2027." in main.inner_text()
        # The breach form proposes the earliest remedy date (30 days) in the browser's date picker.
        assert page.get_by_label("Korjattava viimeistään").input_value() == "2027-03-02"
        assert_accessible(page, "journey-notice-before")

        page.get_by_label("Syy (vapaaehtoinen)").fill("Palvelu ei täytä tietoturvavaatimuksia.")
        page.get_by_label("Ymmärrän, että jäsenyys päättyy näytettynä päivänä.").check()
        page.get_by_role("button", name="Irtisano", exact=True).click()
        page.wait_for_load_state()
        assert "Irtisanottu. Jäsenyys päättyy 30.4.2027." in page.locator(".messages").inner_text()
        assert "voimassa, irtisanottu" in main.inner_text()
        assert "30.4.2027" in main.locator("dl.dates").inner_text()
        assert_accessible(page, "journey-notice-given")
        # Rebuilt on the notice: a member under notice keeps its services until the end date.
        assert sorted(published_entity_ids(page, site)) == [LEAVES, STAYS]
    membership.refresh_from_db()
    assert membership.ends_on == ENDS_ON
    assert membership.ended_at is None

    # The day the notice period ends: the membership is no longer in force (the live server sees the day).
    with time_machine.travel(datetime.datetime(2027, 4, 30, 9, 0, tzinfo=HELSINKI), tick=True):
        page.context.clear_cookies()
        login(page, site, provider_admin.email)
        dashboard = page.locator("main").inner_text()
        assert "päättynyt" in dashboard
        assert "päättyy 30.4.2027" in dashboard
        # The nightly task carries the end out; the member's people keep read access.
        assert memberships_end.delay().get() == 1
        # The end rebuilt the proxy configuration: the provider's service is gone, the other stays.
        assert published_entity_ids(page, site) == [STAYS]
        page.get_by_role("link", name="Palveluntarjoaja").click()
        page.wait_for_load_state()
        assert "päättynyt" in page.locator("main").inner_text()
        assert page.get_by_role("button", name="Irtisano", exact=True).count() == 0
        assert_accessible(page, "journey-notice-ended")
    assert Membership.objects.get(pk=membership.pk).ended_at is not None
