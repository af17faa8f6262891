"""Issue 16 item 5 in a browser: the data-flow matrix on the public register and the operator
dashboard, the charts over time, at 1280 and 375 px: visible, accessible, no sideways scroll of
the page (the matrix scrolls inside its own region)."""

from __future__ import annotations

import pytest

from members import services
from tests.browser.conftest import ARTIFACTS, axe_violations, login
from tests.factories import MembershipFactory, ServiceProviderOrganisationFactory
from tests.members.conftest import saml_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [1280, 375]


def _no_sideways_scroll(page, name: str) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{name}: scrolls sideways by {overflow} px"


def _approved(provider, operator, *, environment: str, n: int, attributes: list[str], promoted_from=None):
    data = saml_data(
        name_fi=f"Palvelu {n}", name_en=f"Service {n}",
        requested_attributes=[{"key": key, "purpose": "Kirjautuminen"} for key in attributes],
    )  # fmt: skip
    if promoted_from is not None:
        created = services.service_promote(service=promoted_from, by=operator, data=data)
    else:
        created = services.service_create(
            provider=provider, by=operator, environment=environment, protocol="saml", data=data,
            entity_id=f"https://sp{n}.example.fi/saml",
        )  # fmt: skip
    services.service_approve(version=created.version, by=operator)
    created.service.refresh_from_db()
    return created.service


@pytest.fixture
def flows(operator):
    """Two providers in force: services in production, one also in test, one only in test."""
    first = ServiceProviderOrganisationFactory(name_fi="Oppimisaarre Oy")
    second = ServiceProviderOrganisationFactory(name_fi="Koulupilvi Oy")
    for provider in (first, second):
        MembershipFactory(organisation=provider, role="service_provider")
    tested = _approved(first, operator, environment="test", n=1, attributes=["uid", "givenName", "class"])
    _approved(first, operator, environment="production", n=1, attributes=["uid", "givenName", "schoolCode"],
              promoted_from=tested)  # fmt: skip
    _approved(first, operator, environment="production", n=2, attributes=["uid", "learnerId", "role"])
    _approved(second, operator, environment="production", n=3, attributes=["uid", "educationProviderId"])
    _approved(second, operator, environment="test", n=4, attributes=["uid", "municipality"])


def _matrix_is_readable(page, width: int, rows: int) -> None:
    region = page.locator(".flow-scroll")
    region.scroll_into_view_if_needed()
    assert region.is_visible()
    assert page.locator(".flow-matrix tbody tr").count() == rows
    box = region.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5
    # At 375 px the table is wider than its region, which a keyboard user can focus and scroll.
    if width == 375:
        assert region.evaluate("(el) => el.scrollWidth > el.clientWidth")
        region.focus()
        page.keyboard.press("ArrowRight")
        assert region.evaluate("(el) => document.activeElement === el")


@pytest.mark.parametrize("width", WIDTHS)
def test_public_register_shows_the_data_flows(page, site, flows, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(site + "/register/")
    _matrix_is_readable(page, width, rows=3)  # production services only
    assert page.locator(".flow-matrix td.flow-production").count() == 3 + 3 + 2
    assert page.locator(".flow-matrix td.flow-test").count() == 0
    _no_sideways_scroll(page, "public register")
    assert not axe_violations(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator(".data-flows").screenshot(path=str(ARTIFACTS / f"public-register-data-flows-{width}.png"))


@pytest.mark.parametrize("width", WIDTHS)
def test_operator_dashboard_shows_the_data_flows_and_the_charts(page, site, flows, operator, width):
    page.set_viewport_size({"width": width, "height": 900})
    login(page, site, operator.email, mfa=True, language="en")
    page.goto(site + "/staff/")
    _matrix_is_readable(page, width, rows=4)  # the promoted service shares its test service's row
    both = page.locator(".flow-matrix td.flow-both")
    assert both.count() == 2  # Service 1's user identifier and given name
    assert both.first.text_content().strip().endswith("test and production")
    for chart in page.locator("svg.chart").all():
        chart.scroll_into_view_if_needed()
        assert chart.get_attribute("role") == "img"
        assert chart.bounding_box()["width"] <= width
    page.locator(".chart-numbers summary").first.click()
    assert page.locator(".chart-numbers table").first.is_visible()
    _no_sideways_scroll(page, "operator dashboard")
    report = axe_violations(page)
    assert not report, report
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"staff-dashboard-data-flows-{width}.png"), full_page=True)
    if width == 1280:
        page.locator(".data-flows").screenshot(path=str(ARTIFACTS / "data-flow-matrix.png"))
