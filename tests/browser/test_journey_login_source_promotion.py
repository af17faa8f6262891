"""Journey: a home organisation's technical contact opens a login source's page from the
organisation page, copies its test link's authnContextClassRef, asks for production after a
confirmation, and operator staff approve it from the review queue (issue 14). In English; at
375 px nothing scrolls sideways and axe finds nothing serious."""

from __future__ import annotations

import pytest

from members import services as member_services
from members.models import LoginSource, School
from tests.browser.conftest import assert_accessible, login
from tests.factories import MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}
WIDER_THAN_THE_PAGE = "() => document.documentElement.scrollWidth > window.innerWidth"


def test_a_login_source_goes_from_test_to_production(page, site, settings, org_a, technical_a, operator):
    settings.PROXY_TEST_LOGIN_URL = {"test": "https://mpass-proxy-test.example/attributetest/login", "production": ""}
    MembershipFactory(organisation=org_a, role="home_organisation")
    school = School.objects.create(organisation=org_a, code="01234", name="Mattilan koulu", school_type="basic")
    source = member_services.login_source_save(
        organisation=org_a, by=technical_a, schools=[school],
        data={"kind": "wilma", "name": "Espoon Wilma", "hostnames": ["espoo.inschool.fi"]},
    )  # fmt: skip
    LoginSource.objects.filter(pk=source.pk).update(display_name_fi="Espoon Wilma")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.set_viewport_size(PHONE)

    login(page, site, technical_a.email, language="en")
    page.goto(f"{site}/members/organisations/{org_a.pk}/")
    page.get_by_role("link", name="Espoon Wilma").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Espoon Wilma", level=1).is_visible()
    assert "In testing" in page.locator("main").inner_text()
    assert source.flow_name in page.get_by_role("link", name="Log in through this source").get_attribute("href")
    assert not page.evaluate(WIDER_THAN_THE_PAGE)
    assert_accessible(page, "login-source-detail")

    page.get_by_role("button", name="Copy", exact=True).click()
    page.get_by_text("Copied.").first.wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == f"urn:mpass.id:authnsource:{source.flow_name}"

    page.get_by_role("link", name="Request promotion to production").click()
    page.wait_for_load_state()
    assert_accessible(page, "login-source-promote")
    assert not LoginSource.objects.filter(promoted_from=source).exists()  # not before the confirmation
    page.get_by_role("button", name="Request promotion").click()
    page.wait_for_load_state()
    assert "Production source waiting for staff review" in page.locator("main").inner_text()
    copy = LoginSource.objects.get(promoted_from=source)
    assert copy.approved_at is None

    page.context.clear_cookies()
    login(page, site, operator.email, mfa=True, language="en")
    page.goto(f"{site}/members/review/")
    assert_accessible(page, "review-queue-login-sources")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(f"form[action='/members/login-sources/{copy.pk}/approve/'] button").click()
    page.wait_for_load_state()
    assert "In production" in page.locator("main").inner_text()
    copy.refresh_from_db()
    assert copy.approved_by == operator
