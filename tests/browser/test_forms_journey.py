"""The register's long forms in a browser (issue 16 item 6), at 1280 px and at 375 px: the SAML service
form with its purpose fields folded until an attribute is ticked, a refused submission pointing at the
field, the login source form showing only the chosen kind's fields, and the Copy button of a new
client secret. In Finnish; the new words are found by their fields, not by their text."""

from __future__ import annotations

import pytest
from django.urls import reverse

from members.models import LoginSource, Role, Service
from tests.browser.conftest import assert_accessible, login
from tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    OrganisationRoleFactory,
    ServiceProviderOrganisationFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 375, "height": 812}}


def _no_sideways_scroll(page) -> None:
    width, scroll = page.evaluate("[window.innerWidth, document.documentElement.scrollWidth]")
    assert scroll <= width, f"the page is {scroll} px wide in a {width} px window"


def _technical_contact(organisation) -> str:
    return OrganisationRoleFactory(organisation=organisation, role=Role.TECHNICAL).user.email


@pytest.fixture
def provider():
    provider = ServiceProviderOrganisationFactory(name_fi="Oppimisalusta Oy")
    MembershipFactory(organisation=provider, role="service_provider")
    return provider


@pytest.mark.parametrize("size", SIZES)
def test_the_saml_form_asks_a_purpose_only_for_a_ticked_attribute(page, site, provider, size):
    page.set_viewport_size(SIZES[size])
    login(page, site, _technical_contact(provider))
    page.goto(site + reverse("members:service-create", args=[provider.pk, "saml"]))
    height = page.evaluate("document.documentElement.scrollHeight")
    if size == "desktop":
        # With every purpose field open the form was about 4,300 px long.
        assert height < 2500, height
    _no_sideways_scroll(page)
    assert page.locator("form h2").count() == 4
    purpose = page.locator("#id_purpose_uid")
    assert purpose.is_hidden()
    assert page.locator("[data-purpose-of]:visible").count() == 0
    page.locator("#id_attr_uid").check()
    assert purpose.is_visible()
    assert page.evaluate("document.documentElement.scrollHeight") > height
    page.locator("#id_attr_uid").uncheck()
    assert purpose.is_hidden()
    assert_accessible(page, f"forms-saml-{size}")

    # Ticked without a purpose: refused at the purpose field, the focus on the summary that links to it.
    # Without metadata: the fields metadata would give are folded until opened.
    assert page.locator("#id_acs_text").is_hidden()
    page.locator("details.by-hand > summary").click()
    page.locator("#id_entity_id").fill("https://oppimisalusta.example.fi/saml")
    page.locator("#id_name_fi").fill("Oppimisalusta")
    page.locator("#id_acs_text").fill("https://oppimisalusta.example.fi/acs")
    page.locator("input[name=name_id_format][value$=':persistent']").check()
    page.locator("#id_attr_uid").check()
    page.locator("form.stacked button[type=submit]").click()
    page.wait_for_load_state()
    assert not Service.objects.exists()
    purpose = page.locator("#id_purpose_uid")
    assert purpose.is_visible()  # a ticked attribute's purpose stays open after the refusal
    assert purpose.get_attribute("aria-invalid") == "true"
    error = page.locator("#id_purpose_uid_error")
    assert error.is_visible() and error.inner_text().strip()
    assert "id_purpose_uid_error" in purpose.get_attribute("aria-describedby")
    summary = page.locator("[data-error-summary]")
    assert page.evaluate("document.activeElement.hasAttribute('data-error-summary')")
    # The chosen NameID format and the entered values survive the refusal.
    assert page.locator("input[name=name_id_format][value$=':persistent']").is_checked()
    summary.locator("a[href='#id_purpose_uid']").focus()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "id_purpose_uid"
    _no_sideways_scroll(page)
    assert_accessible(page, f"forms-saml-refused-{size}")

    page.keyboard.type("Kirjautuminen oppimisalustalle")
    page.locator("form.stacked button[type=submit]").click()
    page.wait_for_load_state()
    version = Service.objects.get().versions.get()
    assert version.requested_attributes == [{"key": "uid", "purpose": "Kirjautuminen oppimisalustalle"}]
    assert version.name_id_format == "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"


@pytest.mark.parametrize("size", SIZES)
def test_the_login_source_form_shows_only_the_chosen_kinds_fields(page, site, size):
    page.set_viewport_size(SIZES[size])
    organisation = OrganisationFactory(name_fi="Kunta A")
    login(page, site, _technical_contact(organisation))
    page.goto(site + reverse("members:login-source-create", args=[organisation.pk]))
    kind_fields = ["#id_hostnames_text", "#id_entity_id", "#id_metadata_url", "#id_tenant_id", "#id_issuer"]

    def shown() -> list[str]:
        return [selector for selector in kind_fields if page.locator(selector).is_visible()]

    assert shown() == []  # nothing to fill in before the kind is chosen
    page.locator("#id_kind").select_option("wilma")
    assert shown() == ["#id_hostnames_text"]
    page.locator("#id_kind").select_option("adfs")
    assert shown() == ["#id_entity_id", "#id_metadata_url"]
    page.locator("#id_kind").select_option("entra")
    assert shown() == ["#id_metadata_url", "#id_tenant_id"]
    assert page.locator("#id_hostnames_text").is_disabled()  # not submitted
    _no_sideways_scroll(page)
    assert_accessible(page, f"forms-login-source-{size}")

    page.locator("#id_name").fill("Entra")
    page.locator("#id_metadata_url").fill("https://login.microsoftonline.com/x/federationmetadata.xml")
    page.locator("form.stacked button[type=submit]").click()
    page.wait_for_load_state()
    assert not LoginSource.objects.exists()
    tenant = page.locator("#id_tenant_id")
    assert tenant.is_visible() and tenant.get_attribute("aria-invalid") == "true"
    assert page.locator("#id_tenant_id_error").is_visible()
    assert shown() == ["#id_metadata_url", "#id_tenant_id"]
    assert_accessible(page, f"forms-login-source-refused-{size}")

    # Another kind after all: its fields come back without a new page.
    page.locator("#id_kind").select_option("wilma")
    assert shown() == ["#id_hostnames_text"]
    page.locator("#id_hostnames_text").fill("kunta-a.inschool.fi")
    page.locator("form.stacked button[type=submit]").click()
    page.wait_for_load_state()
    source = LoginSource.objects.get()
    assert (source.kind, source.hostnames, source.metadata_url) == ("wilma", ["kunta-a.inschool.fi"], "")


@pytest.mark.parametrize("size", SIZES)
def test_the_new_client_secret_is_copied_with_the_keyboard(page, site, provider, size):
    page.set_viewport_size(SIZES[size])
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site)
    login(page, site, _technical_contact(provider))
    page.goto(site + reverse("members:service-create", args=[provider.pk, "oidc"]))
    page.locator("#id_name_fi").fill("Oppimisalusta-sovellus")
    page.locator("#id_redirect_uris_text").fill("https://app.oppimisalusta.example.fi/callback")
    page.locator("input[name=auth_method][value=client_secret_basic]").check()
    page.locator("#id_attr_uid").check()
    page.locator("#id_purpose_uid").fill("Kirjautuminen")
    page.locator("form.stacked button[type=submit]").click()
    page.wait_for_load_state()
    secret = page.locator("#new-client-secret").inner_text().strip()
    assert len(secret) >= 32
    button = page.locator("button[data-copy=new-client-secret]")
    assert button.is_visible()
    button.focus()
    page.keyboard.press("Enter")
    status = page.locator("[data-copy-status-for=new-client-secret]")
    status.filter(has_text=button.get_attribute("data-copied")).wait_for()
    assert status.get_attribute("role") == "status"
    assert page.evaluate("navigator.clipboard.readText()") == secret
    _no_sideways_scroll(page)
    assert_accessible(page, f"forms-secret-copied-{size}")
