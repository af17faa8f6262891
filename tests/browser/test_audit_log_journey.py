"""Staff read the audit log in words, filter it and export it, at 1280 px and 375 px (issue 16 item 1)."""

from pathlib import Path

import pytest

from tests.browser.conftest import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _a_few_changes(operator, admin_a, org_a):
    from audit.services import audit_record
    from members.services import contact_save, organisation_save

    organisation_save(by=operator, organisation=org_a, data={"city": "Espoo", "is_service_provider": True})
    contact_save(organisation=org_a, by=admin_a, kind="technical", name="Tea Tekninen", email="tea@example.org")
    audit_record(
        actor=None,
        action="proxy.snapshots_pruned",
        object_type="proxy.snapshot",
        after={"retention_days": 90, "cutoff": "2027-01-01T00:00:00Z", "snapshots": 3},
    )


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_staff_read_filter_and_export_the_audit_log(page, site, operator, admin_a, org_a):
    _a_few_changes(operator, admin_a, org_a)
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, site, operator.email, mfa=True, language="en")
    page.goto(f"{site}/audit/")

    entries = page.locator(".audit-entry")
    assert entries.count() == 3
    assert page.get_by_role("heading", name="Organisation details changed").is_visible()
    assert page.get_by_role("heading", name="Old configurations removed").is_visible()
    assert (
        page.get_by_role("link", name="Municipality A").first.get_attribute("href")
        == f"/members/organisations/{org_a.pk}/"
    )
    assert "members.organisation" not in page.content().split('id="audit-entries"')[1]

    change = entries.filter(has_text="Organisation details changed")
    change.locator("summary").click()
    table = change.locator("table")
    assert table.locator("tr", has_text="City").locator("td").all_inner_texts() == ["empty", "Espoo"]
    assert table.locator("tr", has_text="Service provider").locator("td").all_inner_texts() == ["no", "yes"]
    assert_accessible(page, "audit-log-1280")

    # Filters from lists: who, and what happened (grouped), sent with htmx.
    page.get_by_label("Who").select_option(value=str(admin_a.pk))
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url(f"**/audit/?*actor={admin_a.pk}*")
    assert entries.count() == 1 and entries.first.get_by_role("heading").inner_text() == "Contact saved"
    export = page.get_by_role("link", name="Download these entries as CSV")
    assert f"actor={admin_a.pk}" in export.get_attribute("href")
    with page.expect_download() as download:
        export.click()
    assert "Contact saved" in Path(download.value.path()).read_text(encoding="utf-8-sig")

    # A date range the wrong way round is told at its field, not answered with an error page.
    page.get_by_label("Who").select_option(value="")
    page.get_by_label("From").fill("2030-03-05")
    page.get_by_label("To").fill("2030-03-01")
    page.get_by_role("button", name="Filter").click()
    problem = page.get_by_text("The end date is before the start date.")
    problem.wait_for()
    assert page.get_by_label("To").get_attribute("aria-invalid") == "true"
    assert entries.count() == 1 and "No entries" in entries.first.inner_text()

    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{site}/audit/")
    page.locator(".audit-entry summary").first.click()
    _no_sideways_scroll(page)
    assert_accessible(page, "audit-log-375")
    _no_sideways_scroll(page)
