"""The register's forms (issue 16 item 6): each problem said once, at its field, with aria-invalid and
aria-describedby; a summary at the top linking to each; required fields marked in words; the service
form's sections, purposes asked only for ticked attributes, choices in words; the login source form
with only its kind's fields; a copy button for the client secret shown once."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from lxml import html

from members.forms import ContactForm, LoginSourceForm, ServiceCreateForm
from members.models import LoginSource, Service
from tests.members.certs import good_certificate

pytestmark = pytest.mark.django_db


def _saml_post(**overrides):
    data = {
        "environment": "test",
        "entity_id": "https://form.example.fi/sp",
        "name_fi": "Lomakepalvelu",
        "acs_text": "https://form.example.fi/acs",
        "signing_certificates": good_certificate(),
    }
    data.update(overrides)
    return data


def _field(page: str, field_id: str):
    return html.fromstring(page).get_element_by_id(field_id)


# ---------------------------------------------------------------- one message per problem


def test_an_invalid_contact_email_gets_one_message_not_also_a_missing_one():
    form = ContactForm({"support-name": "Tuki", "support-email": "not-an-address"}, prefix="support")
    assert not form.is_valid()
    assert form.errors["email"] == ["Enter a valid email address."]


def test_a_contact_name_without_an_email_still_asks_for_the_email():
    form = ContactForm({"support-name": "Tuki", "support-email": ""}, prefix="support")
    assert not form.is_valid()
    assert form.errors["email"] == ["A contact needs an email address."]


def test_the_organisation_page_shows_the_invalid_email_once_at_its_field(org_a, admin_a, as_user):
    from tests.members.test_views import _organisation_edit_data

    client = as_user(admin_a)
    data = _organisation_edit_data(client, org_a)
    response = client.post(
        reverse("members:organisation-edit", args=[org_a.pk]),
        {**data, "support-name": "Tuki", "support-email": "tuki(at)a.fi"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "A contact needs an email address." not in page
    email = _field(page, "id_support-email")
    assert email.get("aria-invalid") == "true"
    assert "id_support-email_error" in email.get("aria-describedby").split()
    assert _field(page, "id_support-email_error").text_content().strip() == "Enter a valid email address."


# ---------------------------------------------------------------- errors at the field, the summary, required marks


def test_a_field_error_is_at_the_field_and_linked_from_the_summary(provider_a, tech_provider_a, as_user):
    response = as_user(tech_provider_a).post(
        reverse("members:service-create", args=[provider_a.pk, "saml"]), _saml_post(acs_text="http://bad.example/acs")
    )
    assert response.status_code == 200
    page = response.content.decode()
    acs = _field(page, "id_acs_text")
    assert acs.get("aria-invalid") == "true"
    assert acs.get("aria-describedby").split() == ["id_acs_text_helptext", "id_acs_text_error"]
    error = _field(page, "id_acs_text_error").text_content()
    (summary,) = html.fromstring(page).xpath("//*[@data-error-summary]")
    (link,) = summary.xpath(".//a[@href='#id_acs_text']")
    assert error.strip() and error.strip() in link.text_content()
    assert not Service.objects.exists()


def test_a_metadata_problem_is_shown_at_the_metadata_field_not_only_at_the_top(provider_a, tech_provider_a, as_user):
    from tests.members.test_metadata import XXE

    response = as_user(tech_provider_a).post(
        reverse("members:service-create", args=[provider_a.pk, "saml"]),
        {"environment": "test", "metadata_file": SimpleUploadedFile("sp.xml", XXE)},
    )
    page = response.content.decode()
    upload = _field(page, "id_metadata_file")
    assert upload.get("aria-invalid") == "true"
    assert "DOCTYPE" in _field(page, "id_metadata_file_error").text_content()


def test_required_fields_say_so_in_their_label_and_attributes(provider_a, tech_provider_a, as_user):
    page = as_user(tech_provider_a).get(reverse("members:service-create", args=[provider_a.pk, "oidc"])).content
    tree = html.fromstring(page.decode())
    name_label = tree.xpath("//label[@for='id_name_fi']")[0].text_content()
    assert "(required)" in name_label
    assert tree.get_element_by_id("id_name_fi").get("required") is not None
    # An optional field is not marked.
    assert "(required)" not in tree.xpath("//label[@for='id_name_sv']")[0].text_content()
    # A purpose is required once its attribute is ticked: marked, and aria-required for screen readers.
    assert "(required)" in tree.xpath("//label[@for='id_purpose_uid']")[0].text_content()
    assert tree.get_element_by_id("id_purpose_uid").get("aria-required") == "true"


# ---------------------------------------------------------------- the service form


def test_the_purpose_of_an_unticked_attribute_is_ignored(provider_a, tech_provider_a, as_user):
    response = as_user(tech_provider_a).post(
        reverse("members:service-create", args=[provider_a.pk, "saml"]),
        _saml_post(
            attr_uid="on", purpose_uid="Kirjautuminen",
            # Typed, then the box unticked; even one too long for the field is no problem.
            purpose_surname="Nimi näkyviin", purpose_givenName="x" * 600,
        ),
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    version = Service.objects.get().versions.get()
    assert version.requested_attributes == [{"key": "uid", "purpose": "Kirjautuminen"}]


def test_a_ticked_attribute_without_a_purpose_is_refused_at_its_purpose_field(provider_a, tech_provider_a, as_user):
    response = as_user(tech_provider_a).post(
        reverse("members:service-create", args=[provider_a.pk, "saml"]), _saml_post(attr_uid="on", purpose_uid=" ")
    )
    assert response.status_code == 200
    page = response.content.decode()
    purpose = _field(page, "id_purpose_uid")
    assert purpose.get("aria-invalid") == "true"
    assert "id_purpose_uid_error" in purpose.get("aria-describedby")
    message = _field(page, "id_purpose_uid_error").text_content()
    assert "Give the purpose for which User identifier is needed." in message
    assert page.count("Give the purpose for which") == 2  # at the field and in the summary's link to it
    assert not Service.objects.exists()


def test_the_service_form_is_in_sections_with_headings(provider_a, tech_provider_a, as_user):
    client = as_user(tech_provider_a)
    for protocol, connection_field in (("saml", "id_acs_text"), ("oidc", "id_redirect_uris_text")):
        tree = html.fromstring(
            client.get(reverse("members:service-create", args=[provider_a.pk, protocol])).content.decode()
        )
        headings = [h.text_content().strip() for h in tree.xpath("//form//h2")]
        assert headings == ["About the service", "Connection", "Personal data requested", "Information for users"]
        sections = {
            s.xpath(".//h2")[0].text_content().strip(): s for s in tree.xpath("//section[@class='form-section']")
        }
        assert sections["Connection"].xpath(f".//*[@id='{connection_field}']")
        assert sections["Information for users"].xpath(".//*[@id='id_privacy_url']")
        assert sections["Personal data requested"].xpath(".//*[@id='id_attr_uid']")
        # Every field of the form is in one of them.
        controls = ".//input | .//select | .//textarea"
        inputs = {e.get("name") for e in tree.xpath("//form[@enctype='multipart/form-data']")[0].xpath(controls)}
        in_sections = {e.get("name") for s in sections.values() for e in s.xpath(controls)}
        assert inputs - in_sections == {"csrfmiddlewaretoken"}


def test_name_id_format_and_auth_method_are_choices_in_words(provider_a, tech_provider_a, as_user):
    client = as_user(tech_provider_a)
    saml = html.fromstring(client.get(reverse("members:service-create", args=[provider_a.pk, "saml"])).content.decode())
    persistent = saml.xpath(
        "//input[@name='name_id_format'][@value='urn:oasis:names:tc:SAML:2.0:nameid-format:persistent']"
    )
    label = persistent[0].getparent().text_content()
    assert "Persistent pseudonymous identifier (recommended)" in label
    assert "nameid-format:persistent" in label  # the URN as secondary text
    oidc = html.fromstring(client.get(reverse("members:service-create", args=[provider_a.pk, "oidc"])).content.decode())
    basic = oidc.xpath("//input[@type='radio'][@name='auth_method'][@value='client_secret_basic']")
    assert "Client secret in the Authorization header" in basic[0].getparent().text_content()


def test_a_name_id_format_from_metadata_outside_the_list_stays_on_edit(provider_a, make_saml_service):
    service = make_saml_service(provider_a, name_id_format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress")
    form = ServiceCreateForm(protocol="saml", instance=service.live_version)
    values = [value for value, _label in form.fields["name_id_format"].choices]
    assert "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress" in values
    assert form["name_id_format"].value() == "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress"


def test_the_chosen_name_id_format_is_stored(provider_a, tech_provider_a, as_user):
    persistent = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"
    response = as_user(tech_provider_a).post(
        reverse("members:service-create", args=[provider_a.pk, "saml"]), _saml_post(name_id_format=persistent)
    )
    assert response.status_code == 302
    assert Service.objects.get().versions.get().name_id_format == persistent


def test_a_name_id_format_not_offered_is_refused_at_its_field(provider_a, tech_provider_a, as_user):
    response = as_user(tech_provider_a).post(
        reverse("members:service-create", args=[provider_a.pk, "saml"]), _saml_post(name_id_format="urn:made:up")
    )
    assert response.status_code == 200
    assert "id_name_id_format_error" in response.content.decode()
    assert not Service.objects.exists()


# ---------------------------------------------------------------- the login source form


def _kind_field_state(page: str, field_id: str) -> tuple[bool, bool]:
    """(hidden, disabled) of a login source form field."""
    element = _field(page, field_id)
    wrapper = next(e for e in element.iterancestors() if "field" in (e.get("class") or "").split())
    return wrapper.get("hidden") is not None, element.get("disabled") is not None


def test_a_new_login_source_form_shows_every_kinds_fields_until_a_kind_is_chosen(org_a, technical_a, as_user):
    page = as_user(technical_a).get(reverse("members:login-source-create", args=[org_a.pk])).content.decode()
    for field_id in ("id_hostnames_text", "id_entity_id", "id_metadata_url", "id_tenant_id", "id_issuer"):
        assert _kind_field_state(page, field_id) == (False, False)
    assert _field(page, "id_entity_id").getparent().get("data-kinds") == "google adfs saml"


def test_after_a_refused_post_only_the_chosen_kinds_fields_show(org_a, technical_a, as_user):
    response = as_user(technical_a).post(
        reverse("members:login-source-create", args=[org_a.pk]),
        {"kind": "entra", "name": "Entra", "tenant_id": "", "metadata_url": "https://login.example/md"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert _kind_field_state(page, "id_tenant_id") == (False, False)
    assert _kind_field_state(page, "id_metadata_url") == (False, False)
    for field_id in ("id_hostnames_text", "id_entity_id", "id_issuer"):
        assert _kind_field_state(page, field_id) == (True, True)
    tenant = _field(page, "id_tenant_id")
    assert tenant.get("aria-invalid") == "true"
    assert "Required for this kind of login source." in _field(page, "id_tenant_id_error").text_content()
    assert not LoginSource.objects.exists()


def test_another_kinds_values_are_not_stored(org_a, technical_a, as_user):
    response = as_user(technical_a).post(
        reverse("members:login-source-create", args=[org_a.pk]),
        {
            "kind": "wilma", "name": "Wilma", "hostnames_text": "a.inschool.fi",
            # Left from another kind chosen first (or typed without script): ignored, even if invalid.
            "entity_id": "not a uri", "issuer": "https://idp.example.fi", "tenant_id": "x",
        },
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    source = LoginSource.objects.get()
    assert (source.hostnames, source.entity_id, source.issuer, source.tenant_id) == (["a.inschool.fi"], "", "", "")


def test_the_kind_fields_are_marked_required_but_not_required_by_the_browser(org_a):
    form = LoginSourceForm(organisation=org_a)
    tree = html.fromstring(str(form["issuer"]))
    assert tree.get("required") is None and tree.get("aria-required") == "true"


# ---------------------------------------------------------------- the copy button


def test_the_new_client_secret_has_a_copy_button(provider_a, tech_provider_a, as_user):
    client = as_user(tech_provider_a)
    response = client.post(
        reverse("members:service-create", args=[provider_a.pk, "oidc"]),
        {
            "environment": "test", "name_fi": "OIDC-palvelu", "redirect_uris_text": "https://app.example.fi/cb",
            "auth_method": "client_secret_basic", "attr_uid": "on", "purpose_uid": "Kirjautuminen",
        },
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    tree = html.fromstring(client.get(response["Location"]).content.decode())
    button = tree.xpath("//button[@data-copy]")[0]
    secret = tree.get_element_by_id(button.get("data-copy")).text_content()
    assert re.fullmatch(r"\S{32,}", secret)
    assert button.get("type") == "button" and button.get("data-copied") == "Copied"
    status = tree.xpath(f"//*[@data-copy-status-for='{button.get('data-copy')}']")[0]
    assert status.get("role") == "status"


# ---------------------------------------------------------------- the service page's forms: at the field, not a banner


def test_a_rejection_without_a_reason_is_refused_at_the_reason_field(provider_a, operator, as_user, make_oidc_service):
    from members.models import VersionStatus

    service = make_oidc_service(provider_a, approve=False)
    pending = service.versions.get()
    response = as_user(operator).post(reverse("members:version-reject", args=[pending.pk]), {"reason": " "})
    assert response.status_code == 200
    page = response.content.decode()
    reason = _field(page, "reject_reason")
    assert reason.get("aria-invalid") == "true" and "reject_reason_error" in reason.get("aria-describedby")
    assert _field(page, "reject_reason_error").text_content().strip() == (
        "Give the reason for rejecting, so the member can fix it."
    )
    assert 'class="messages"' not in page  # not a banner
    pending.refresh_from_db()
    assert pending.status == VersionStatus.PENDING


def test_a_withdrawal_without_a_reason_is_refused_at_the_reason_field(provider_a, operator, as_user, make_saml_service):
    service = make_saml_service(provider_a)
    response = as_user(operator).post(reverse("members:service-withdraw", args=[service.pk]), {"reason": ""})
    assert response.status_code == 200
    page = response.content.decode()
    assert _field(page, "withdraw_reason").get("aria-invalid") == "true"
    assert "Give the reason for withdrawing" in _field(page, "withdraw_reason_error").text_content()
    service.refresh_from_db()
    assert service.withdrawn_at is None


def test_an_unknown_secret_overlap_is_refused_at_its_field(provider_a, tech_provider_a, as_user, make_oidc_service):
    from members import services

    service = make_oidc_service(provider_a)
    before = services.oidc_client_secret(service)
    response = as_user(tech_provider_a).post(
        reverse("members:service-secret-rotate", args=[service.pk]), {"overlap_days": "5"}
    )
    assert response.status_code == 200
    assert _field(response.content.decode(), "id_overlap_days").get("aria-invalid") == "true"
    service.refresh_from_db()
    assert services.oidc_client_secret(service) == before
