"""Journey (issue 14): a home organisation's administrator adds a Microsoft Entra ID login source
(the form shows only Entra's fields), maps its claims onto MPASSid's attributes, gives it a logo
and names for the login page, sees the preview and the test link, and asks for production; staff
approve it and the production proxy's discovery.json lists it with its logo. At 1280 px, the
source's page also at 375 px; axe finds nothing serious on any page."""

from __future__ import annotations

import io
import json

import pytest
from django.utils import timezone
from PIL import Image

from members.models import LoginSource, School
from proxy import services as proxy_services
from tests.browser.conftest import assert_accessible, login
from tests.factories import MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TENANT = "3feb6bc1-d722-4726-966c-5b58b64df752"
CLAIMS = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/"
TEST_LOGIN = "https://mpass-proxy-test.example/attributetest/login"


def _png(side: int = 96) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (side, side), (0, 0, 191)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_an_admin_adds_an_entra_source_with_a_mapping_and_a_logo_and_staff_promote_it(
    page, site, settings, org_a, admin_a, operator, tmp_path, proxy_publishing
):
    settings.PROXY_TEST_LOGIN_URL = {"test": TEST_LOGIN, "production": ""}
    MembershipFactory(organisation=org_a, role="home_organisation")
    School.objects.create(organisation=org_a, code="01234", name="Mattilan koulu", school_type="basic")
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, site, admin_a.email, language="en")

    # The form shows only the chosen kind's fields.
    page.goto(f"{site}/members/organisations/{org_a.pk}/")
    page.get_by_role("link", name="Add a login source").click()
    page.wait_for_load_state()  # the form's script (deferred) listens for the kind's change
    page.get_by_label("Kind").select_option(label="Microsoft Entra ID")
    # Other kinds' fields go out of sight (waited for: the script hides them on the change event).
    page.get_by_label("Issuer").wait_for(state="hidden")
    page.get_by_label("Hostnames").wait_for(state="hidden")
    assert page.get_by_label("Tenant ID").is_visible() and not page.get_by_label("Issuer").is_visible()
    assert not page.get_by_label("Hostnames").is_visible()
    page.get_by_label("Name", exact=False).first.fill("Kunnan Entra ID")
    page.get_by_label("Tenant ID").fill(TENANT)
    page.get_by_label("Metadata URL").fill(
        f"https://login.microsoftonline.example/{TENANT}/federationmetadata/2007-06/federationmetadata.xml"
    )
    page.get_by_label("Mattilan koulu").check()
    assert_accessible(page, "journey-entra-form")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    source = LoginSource.objects.get(organisation=org_a, name="Kunnan Entra ID")
    assert page.get_by_role("heading", name="Kunnan Entra ID", level=1).is_visible()
    assert source.environment == "test" and "In testing" in page.locator("main").inner_text()

    # The mapping: names and school codes from claims, one static school code, roles from a claim.
    page.get_by_role("link", name="Change the attribute mapping").click()
    page.fill("input[name=learnerId]", f"{CLAIMS}employeeid")
    page.fill("input[name=givenName]", f"{CLAIMS}givenname")
    page.fill("input[name=surname]", f"{CLAIMS}surname")
    page.check("input[name=schoolCode_from][value=value]")
    page.fill("input[name=schoolCode]", "01234")
    page.fill("input[name=role]", "http://schemas.microsoft.com/ws/2008/06/identity/claims/role")
    page.click(".mapping-form button[type=submit]")
    assert "Attribute mapping saved." in page.content()
    source.refresh_from_db()
    assert source.attribute_mapping["schoolCode"] == {"value": "01234"}
    assert source.attribute_mapping["givenName"] == {"source": f"{CLAIMS}givenname"}

    # What the login page shows: names in three languages and a logo; the preview shows them.
    page.goto(f"{site}/members/organisations/{org_a.pk}/login-sources/{source.pk}/view/")
    page.get_by_role("link", name="Change what the login page shows").click()
    page.get_by_label("Display name in Finnish").fill("Kunnan koulut")
    page.get_by_label("Display name in Swedish").fill("Kommunens skolor")
    page.get_by_label("Display name in English").fill("The municipality's schools")
    (tmp_path / "logo.png").write_bytes(_png())
    page.locator("input[name=logo]").set_input_files(str(tmp_path / "logo.png"))
    page.get_by_role("button", name="Save").click()
    assert page.get_by_text("What the login page shows was saved.").is_visible()

    # The source's page: the mapping complete, the preview with the logo, the test link.
    page.goto(f"{site}/members/organisations/{org_a.pk}/login-sources/{source.pk}/view/")
    main = page.locator("main")
    assert "Still missing before production" not in main.inner_text()
    preview = page.locator(".login-preview")
    assert preview.locator(".login-preview-name").inner_text() == "The municipality's schools"
    logo = preview.get_by_role("img", name="The municipality's schools")
    assert logo.evaluate("img => img.decode().then(() => img.naturalWidth === 96)")
    source.refresh_from_db()
    test_link = page.get_by_role("link", name="Log in through this source")
    assert test_link.get_attribute("href").startswith(TEST_LOGIN)
    assert f"urn%3Ampass.id%3Aauthnsource%3A{source.flow_name}" in test_link.get_attribute("href")
    assert source.flow_name in main.inner_text()
    assert_accessible(page, "journey-entra-source-1280")
    page.set_viewport_size({"width": 375, "height": 812})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert_accessible(page, "journey-entra-source-375")
    page.set_viewport_size({"width": 1280, "height": 900})

    # The metadata check fetches Microsoft's metadata over the network (its own tests serve it
    # locally); here it is recorded as passed, as a successful check would.
    LoginSource.objects.filter(pk=source.pk).update(
        metadata_ok=True, metadata_checked_at=timezone.now(),
        metadata_certificate_expires_at=timezone.now() + timezone.timedelta(days=400),
    )  # fmt: skip
    page.reload()
    page.get_by_role("link", name="Request promotion to production").click()
    page.get_by_role("button", name="Request promotion").click()
    page.wait_for_load_state()
    assert "Production source waiting for staff review" in page.locator("main").inner_text()
    copy = LoginSource.objects.get(promoted_from=source)
    assert copy.approved_at is None and copy.attribute_mapping == source.attribute_mapping
    assert copy.logo.name == source.logo.name

    # Staff approve it from the review queue.
    page.context.clear_cookies()
    login(page, site, operator.email, mfa=True, language="en")
    page.goto(f"{site}/members/review/")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(f"form[action='/members/login-sources/{copy.pk}/approve/'] button").click()
    page.wait_for_load_state()
    assert "In production" in page.locator("main").inner_text()

    # The production proxy's login page lists it, with its logo, once a snapshot is built.
    proxy_services.snapshot_build(environment="production", trigger="manual rebuild", by=operator)
    response = page.request.get(f"{site}/proxy/production/discovery.json")
    assert response.ok and response.headers["etag"]
    flows = json.dumps(response.json())
    copy.refresh_from_db()
    assert copy.flow_name in flows and "Kunnan koulut" in flows
    assert (
        page.request.get(
            f"{site}/proxy/production/discovery.json", headers={"If-None-Match": response.headers["etag"]}
        ).status
        == 304
    )
