"""Issue 14 item 4 in a browser: a home organisation sets what the MPASSid login page shows for its
login source (names, title, logo, a school left off), sees the preview with its logo, and a bad logo
is refused naming the field; accessible at 1280 and 375 px, no sideways scroll, no CSP violation."""

from __future__ import annotations

import pytest

from members.models import LoginSource, School
from tests.browser.conftest import assert_accessible, login
from tests.members.logo_samples import GOOD_SVG, svg

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def source(org_a):
    schools = [
        School.objects.create(organisation=org_a, code="11111", name="Mattilan koulu", school_type="basic"),
        School.objects.create(organisation=org_a, code="22222", name="Kirkonkylän lukio", school_type="basic"),
    ]
    source = LoginSource.objects.create(
        organisation=org_a, kind="wilma", name="Kunnan Wilma", hostnames=["kunta.inschool.fi"], flow_name="kunta-wilma"
    )
    source.schools.set(schools)
    return source


@pytest.mark.parametrize("width", [1280, 375])
def test_a_member_sets_the_login_page_entry_and_sees_its_preview(page, site, admin_a, source, tmp_path, width):
    page.set_viewport_size({"width": width, "height": 900})
    login(page, site, admin_a.email, language="en")
    page.goto(f"{site}/members/organisations/{source.organisation_id}/login-sources/{source.pk}/")
    page.get_by_role("link", name="What the login page shows").click()
    page.get_by_label("Display name in Finnish").fill("Kunnan Wilma-tunnus")
    page.get_by_label("Title in Finnish").fill("Oppilaat ja huoltajat")
    page.get_by_label("Kirkonkylän lukio").check()
    (tmp_path / "logo.svg").write_bytes(GOOD_SVG)
    page.locator("input[name=logo]").set_input_files(str(tmp_path / "logo.svg"))
    page.get_by_role("button", name="Save").click()
    assert page.get_by_text("What the login page shows was saved.").is_visible()
    preview = page.locator(".login-preview")
    assert preview.locator(".login-preview-name").inner_text() == "Kunnan Wilma-tunnus"
    logo = preview.get_by_role("img", name="Kunnan Wilma-tunnus")
    assert logo.evaluate("img => img.decode().then(() => img.naturalWidth > 0)")
    assert "Mattilan koulu" in preview.inner_text() and "Kirkonkylän lukio" not in preview.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page, f"login-source-login-page-{width}")

    (tmp_path / "bad.svg").write_bytes(svg("<script>alert(1)</script>"))
    page.locator("input[name=logo]").set_input_files(str(tmp_path / "bad.svg"))
    page.get_by_role("button", name="Save").click()
    summary = page.locator("[data-error-summary]")
    assert summary.get_by_role("link", name="Logo: The SVG contains a script element").is_visible()
    assert page.locator("#id_logo_error").get_by_text("The SVG contains a script element").is_visible()
    assert page.locator("input[name=logo]").get_attribute("aria-invalid") == "true"
    assert_accessible(page, f"login-source-login-page-error-{width}")
