"""Lists (issue 16 item 7) in a real browser at 1280 and 375 px: a column header sorts the list and
aria-sort follows; two changes approved together from the review queue after a confirmation;
breadcrumbs on detail pages, wrapping on a phone. Each page passes axe and does not scroll sideways."""

from __future__ import annotations

import re

import pytest

from members import services
from tests.browser.conftest import assert_accessible, login
from tests.factories import OrganisationFactory, ServiceProviderOrganisationFactory
from tests.members.conftest import provider_in_force, saml_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [1280, 375]
NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


def _names_in_table(page) -> list[str]:
    return page.locator("#results tbody tr td:first-child a").all_inner_texts()


@pytest.mark.parametrize("width", WIDTHS)
def test_a_column_header_sorts_the_organisation_list(page, site, operator, width):
    OrganisationFactory(name_en="Bravo town")
    OrganisationFactory(name_en="Alfa town")
    ServiceProviderOrganisationFactory(name_en="Charlie Ltd")
    page.set_viewport_size({"width": width, "height": 900})
    login(page, site, operator.email, mfa=True, language="en")
    page.goto(f"{site}/members/organisations/")
    assert _names_in_table(page) == ["Alfa town", "Bravo town", "Charlie Ltd"]
    name_header = page.locator("th.sortable", has_text="Name")
    assert name_header.get_attribute("aria-sort") == "ascending"

    page.get_by_role("link", name=re.compile(r"^Name\s*, sorted ascending; select to sort descending$")).click()
    page.wait_for_load_state()
    assert _names_in_table(page) == ["Charlie Ltd", "Bravo town", "Alfa town"]
    assert name_header.get_attribute("aria-sort") == "descending"
    assert "sort=-name" in page.url

    # Another column: the name column goes back to "none", the filters stay.
    page.goto(f"{site}/members/organisations/?role=home&sort=-name")
    page.get_by_role("link", name=re.compile(r"^Business ID\s*, not sorted; select to sort ascending$")).click()
    page.wait_for_load_state()
    assert page.locator("th.sortable", has_text="Business ID").get_attribute("aria-sort") == "ascending"
    assert name_header.get_attribute("aria-sort") == "none"
    assert "Charlie Ltd" not in _names_in_table(page) and "role=home" in page.url
    assert page.evaluate(NO_SIDEWAYS_SCROLL), "the organisation list scrolls sideways"
    assert_accessible(page, f"lists-organisations-sorted-{width}")


@pytest.mark.parametrize("width", WIDTHS)
def test_staff_approve_two_changes_together_from_the_review_queue(page, site, operator, width):
    versions = {}
    for name in ("Alfa", "Bravo", "Charlie"):
        provider = provider_in_force(name_fi=f"{name} Oy", name_en="")
        created = services.service_create(
            provider=provider, by=operator, environment="production", protocol="saml",
            data=saml_data(name_en=f"{name} service"), entity_id=f"https://{name.lower()}.example.fi/saml",
        )  # fmt: skip
        versions[name] = created.version
    page.set_viewport_size({"width": width, "height": 900})
    login(page, site, operator.email, mfa=True, language="en")
    page.goto(f"{site}/members/review/")
    assert_accessible(page, f"lists-review-queue-{width}")
    # "All on this page" (static/js/select-all.js) ticks every row and clears them again.
    select_all = page.get_by_label("All on this page")
    select_all.check()
    assert page.locator('input[name="versions"]:checked').count() == 3
    select_all.uncheck()
    assert page.locator('input[name="versions"]:checked').count() == 0
    page.get_by_label("Select Alfa service of Alfa Oy").check()
    page.get_by_label("Select Charlie service of Charlie Oy").check()
    page.get_by_role("button", name="Approve selected…").click()
    page.wait_for_load_state()

    # The confirmation lists exactly what will be approved; nothing is approved yet.
    assert page.get_by_role("heading", level=1).inner_text() == "Approve selected changes"
    listed = page.locator("ul.approve-list li").all_inner_texts()
    assert len(listed) == 2 and "Alfa service" in listed[0] and "Charlie service" in listed[1]
    assert page.evaluate(NO_SIDEWAYS_SCROLL), "the confirmation scrolls sideways"
    assert_accessible(page, f"lists-approve-confirm-{width}")
    versions["Alfa"].refresh_from_db()
    assert versions["Alfa"].status == "pending"

    page.get_by_role("button", name="Approve these 2 changes").click()
    page.wait_for_load_state()
    assert "Approved 2 changes: Alfa service, Charlie service." in page.locator(".messages").inner_text()
    remaining = page.locator("table tbody tr td:nth-child(2) a").all_inner_texts()
    assert remaining == ["Bravo service"]
    for name, status in (("Alfa", "approved"), ("Bravo", "pending"), ("Charlie", "approved")):
        versions[name].refresh_from_db()
        assert versions[name].status == status
    assert page.evaluate(NO_SIDEWAYS_SCROLL), "the review queue scrolls sideways"


@pytest.mark.parametrize("width", WIDTHS)
def test_breadcrumbs_show_where_a_detail_page_is_and_wrap_on_a_phone(page, site, operator, width):
    provider = provider_in_force(
        name_fi="Hyvin pitkänimisen oppimateriaalipalveluiden tuottajan osakeyhtiö", name_en=""
    )
    created = services.service_create(
        provider=provider, by=operator, environment="test", protocol="saml",
        data=saml_data(name_en="Learning materials for the whole municipality"),
        entity_id="https://crumbs.example.fi/saml",
    )  # fmt: skip
    page.set_viewport_size({"width": width, "height": 900})
    login(page, site, operator.email, mfa=True, language="en")
    page.goto(f"{site}/members/services/{created.service.pk}/")
    trail = page.get_by_role("navigation", name="Breadcrumb")
    assert trail.is_visible()
    assert trail.locator("li").all_inner_texts()[:2] == ["Operator", "Organisations"]
    current = trail.locator('a[aria-current="page"]')
    assert current.inner_text() == "Learning materials for the whole municipality"
    assert page.evaluate(NO_SIDEWAYS_SCROLL), "the breadcrumbs make the page scroll sideways"
    assert_accessible(page, f"lists-breadcrumbs-{width}")

    # Up one level: the provider's page, with its own trail.
    trail.get_by_role("link", name=provider.name_fi).click()
    page.wait_for_load_state()
    assert page.get_by_role("navigation", name="Breadcrumb").locator('a[aria-current="page"]').inner_text() == (
        provider.name_fi
    )
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
