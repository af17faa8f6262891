"""The attribute mapping page at 375 px: readable, no sideways scroll, errors at their fields, axe-clean."""

import pytest
from django.utils import timezone

from members.models import LoginSource, School
from tests.browser.conftest import assert_accessible, login
from tests.browser.test_mobile_and_errors import _OVERFLOW, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_technical_contact_maps_an_entra_source_on_a_phone(page, site, technical_a, org_a):
    School.objects.create(organisation=org_a, code="12345", name="Keskuskoulu", school_type="basic")
    source = LoginSource.objects.create(
        organisation=org_a, kind="entra", name="Entra ID", tenant_id="3feb6bc1-d722-4726-966c-5b58b64df752",
        metadata_url="https://login.example/m", approved_at=timezone.now(), flow_name="a-entra-test",
    )  # fmt: skip
    wilma = LoginSource.objects.create(
        organisation=org_a, kind="wilma", name="Wilma", hostnames=["a.inschool.fi"], approved_at=timezone.now(),
        flow_name="a-wilma-test",
    )  # fmt: skip
    page.set_viewport_size(PHONE)
    login(page, site, technical_a.email, language="en")
    url = f"{site}/members/organisations/{org_a.pk}/login-sources/{source.pk}/mapping/"
    page.goto(url)
    assert page.evaluate(_OVERFLOW) is None
    assert_accessible(page, "login-source-mapping")

    page.fill("input[name=learnerId]", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/employeeid")
    page.fill("input[name=givenName]", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname")
    page.fill("input[name=surname]", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/surname")
    page.check("input[name=schoolCode_from][value=value]")
    page.fill("input[name=schoolCode]", "99999")
    page.fill("input[name=role]", "http://schemas.microsoft.com/ws/2008/06/identity/claims/role")
    page.click(".mapping-form button[type=submit]")
    field = page.locator("input[name=schoolCode]")
    assert field.get_attribute("aria-invalid") == "true"
    assert "not the code of one of the organisation's schools" in page.content()
    assert page.evaluate(_OVERFLOW) is None
    assert_accessible(page, "login-source-mapping-errors")

    page.fill("input[name=schoolCode]", "12345")
    page.click(".mapping-form button[type=submit]")
    assert "Attribute mapping saved." in page.content()
    source.refresh_from_db()
    assert source.attribute_mapping["schoolCode"] == {"value": "12345"}

    page.goto(f"{site}/members/organisations/{org_a.pk}/login-sources/{wilma.pk}/mapping/")
    assert "its mapping is fixed" in page.content()
    assert page.evaluate(_OVERFLOW) is None
    assert_accessible(page, "login-source-mapping-fixed")
