"""Every URI a member enters passes one check, through the web forms, the API and metadata alike
(issue 15, item 3): absolute, no whitespace, control or invisible characters, no credentials; a
host that mixes writing systems is warned about, to the member and to staff in review."""

from __future__ import annotations

import itertools

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.services import api_token_create
from members.models import LoginSource, Service
from members.uris import uri_warning, validate_uri
from tests.members.certs import good_certificate, sp_metadata
from tests.members.conftest import oidc_data, saml_data

_numbers = itertools.count()

CONTROL = "https://sp.example.fi/\x01saml"
SPACE = "https://sp.example.fi/my saml"
BIDI = "https://sp.example.fi/\u202elmas"
ZERO_WIDTH = "https://sp\u200b.example.fi/saml"
RELATIVE = "/saml/acs"
CREDENTIALS = "https://user:secret@md.example.fi/metadata.xml"
# "exаmple": the second letter is the Cyrillic а (U+0430), the rest Latin.
MIXED_SCRIPT = "https://ex\u0430mple.fi/saml"

REFUSED = {
    "control character": (CONTROL, "control character"),
    "space": (SPACE, "whitespace"),
    "bidi override": (BIDI, "invisible character"),
    "zero-width space": (ZERO_WIDTH, "invisible character"),
    "relative URI": (RELATIVE, "absolute URL"),
    "credentials": (CREDENTIALS, "user name or password"),
}
CASES = pytest.mark.parametrize(("value", "words"), REFUSED.values(), ids=REFUSED.keys())


def _api(user) -> APIClient:
    client = APIClient()
    _token, key = api_token_create(user=user, name=f"uri test {next(_numbers)}", by=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


# ---------------------------------------------------------------- the rule itself


@CASES
def test_the_validator_refuses(value, words):
    with pytest.raises(ValidationError) as error:
        validate_uri(value, https=False, urn=True)
    assert words in error.value.messages[0]


@pytest.mark.parametrize(
    "value", ["\ufeffhttps://sp.example.fi/", "https://sp.example.fi/\u00ad", "https://sp.example.fi/\u2066x", "\u200f"]
)
def test_every_invisible_character_is_refused(value):
    with pytest.raises(ValidationError, match="invisible"):
        validate_uri(value)


@pytest.mark.parametrize(
    "value",
    [
        "https://sp.example.fi/saml",
        "urn:mace:example.fi:sp",
        "http://sp.example.fi/shibboleth",
        "https://sää.example.fi/",
    ],
)
def test_ordinary_entity_ids_pass(value):
    assert validate_uri(value, https=False, urn=True) == value
    assert uri_warning(value) is None


def test_a_too_long_uri_and_a_bad_urn_are_refused():
    with pytest.raises(ValidationError, match="longer than 400"):
        validate_uri("https://sp.example.fi/" + "a" * 400, urn=True, max_length=400)
    with pytest.raises(ValidationError, match="URN"):
        validate_uri("urn:", urn=True)
    with pytest.raises(ValidationError, match="https"):
        validate_uri("ftp://sp.example.fi/")


def test_a_host_mixing_scripts_is_warned_about_not_refused():
    assert validate_uri(MIXED_SCRIPT) == MIXED_SCRIPT
    assert "ex\u0430mple" in uri_warning(MIXED_SCRIPT)
    assert uri_warning("https://xn--exmple-4nf.fi/") is not None  # the same host in punycode


# ---------------------------------------------------------------- web forms


def _saml_form(**fields):
    return {
        "environment": "test",
        "entity_id": "https://form.example.fi/sp",
        "name_fi": "Lomakepalvelu",
        "acs_text": "https://form.example.fi/acs",
        "signing_certificates": good_certificate(),
        **fields,
    }


@CASES
def test_the_service_form_refuses_a_bad_entity_id(provider_a, tech_provider_a, as_user, value, words):
    response = as_user(tech_provider_a).post(
        reverse("members:service-create", args=[provider_a.pk, "saml"]), _saml_form(entity_id=value)
    )
    assert response.status_code == 200
    assert words in " ".join(response.context["form"].errors["entity_id"])
    assert not Service.objects.exists()


@CASES
def test_the_service_form_refuses_a_bad_acs_location(provider_a, tech_provider_a, as_user, value, words):
    response = as_user(tech_provider_a).post(
        reverse("members:service-create", args=[provider_a.pk, "saml"]), _saml_form(acs_text=value)
    )
    assert response.status_code == 200
    assert words in " ".join(response.context["form"].errors["acs_text"])
    assert not Service.objects.exists()


@CASES
def test_the_service_form_refuses_a_bad_information_url(provider_a, tech_provider_a, as_user, value, words):
    response = as_user(tech_provider_a).post(
        reverse("members:service-create", args=[provider_a.pk, "saml"]), _saml_form(information_url=value)
    )
    assert response.status_code == 200
    assert response.context["form"].errors["information_url"]
    assert not Service.objects.exists()


@CASES
def test_the_oidc_form_refuses_a_bad_redirect_uri(provider_a, tech_provider_a, as_user, value, words):
    response = as_user(tech_provider_a).post(
        reverse("members:service-create", args=[provider_a.pk, "oidc"]),
        {"environment": "test", "name_fi": "OIDC", "redirect_uris_text": value, "auth_method": "client_secret_basic"},
    )
    assert response.status_code == 200
    assert words in " ".join(response.context["form"].errors["redirect_uris_text"])
    assert not Service.objects.exists()


def test_the_service_form_refuses_a_metadata_url_with_credentials(provider_a, tech_provider_a, as_user, monkeypatch):
    fetched = []
    monkeypatch.setattr("members.views.metadata_fetch", lambda url: fetched.append(url) or sp_metadata())
    response = as_user(tech_provider_a).post(
        reverse("members:service-create", args=[provider_a.pk, "saml"]),
        {"environment": "test", "metadata_url": CREDENTIALS},
    )
    assert response.status_code == 200
    assert "user name or password" in " ".join(response.context["form"].errors["metadata_url"])
    assert fetched == [] and not Service.objects.exists()


@CASES
def test_the_login_source_form_refuses_a_bad_metadata_url(org_a, admin_a, as_user, value, words):
    response = as_user(admin_a).post(
        reverse("members:login-source-create", args=[org_a.pk]),
        {"kind": "saml", "name": "IdP", "entity_id": "https://idp.a.fi/saml", "metadata_url": value},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["metadata_url"]
    assert not LoginSource.objects.exists()


@CASES
def test_the_login_source_form_refuses_a_bad_entity_id(org_a, admin_a, as_user, value, words):
    response = as_user(admin_a).post(
        reverse("members:login-source-create", args=[org_a.pk]),
        {"kind": "saml", "name": "IdP", "entity_id": value, "metadata_url": "https://idp.a.fi/metadata"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["entity_id"]
    assert not LoginSource.objects.exists()


def test_uploaded_metadata_with_a_bad_entity_id_is_refused(provider_a, tech_provider_a, as_user):
    response = as_user(tech_provider_a).post(
        reverse("members:service-create", args=[provider_a.pk, "saml"]),
        {"environment": "test", "metadata_file": SimpleUploadedFile("sp.xml", sp_metadata(entity_id=BIDI))},
    )
    assert response.status_code == 200
    assert "invisible character" in response.content.decode()
    assert not Service.objects.exists()


def test_a_mixed_script_entity_id_is_accepted_with_a_warning_to_member_and_reviewer(
    provider_a, tech_provider_a, operator, as_user
):
    response = as_user(tech_provider_a).post(
        reverse("members:service-create", args=[provider_a.pk, "saml"]), _saml_form(entity_id=MIXED_SCRIPT), follow=True
    )
    service = Service.objects.get()
    assert service.entity_id == MIXED_SCRIPT
    assert "mixes writing systems" in response.content.decode()  # the member, at once
    page = as_user(operator).get(reverse("members:service-detail", args=[service.pk])).content.decode()
    assert "mixes writing systems" in page  # staff, in review


# ---------------------------------------------------------------- API


@CASES
def test_the_api_refuses_a_bad_entity_id(provider_a, tech_provider_a, value, words):
    body = {"provider": provider_a.pk, "environment": "test", "protocol": "saml", "entity_id": value, **saml_data()}
    response = _api(tech_provider_a).post("/api/services/", body, format="json")
    assert response.status_code == 400, response.json()
    assert words in " ".join(response.json()["entity_id"])
    assert not Service.objects.exists()


@CASES
def test_the_api_refuses_a_bad_acs_location(provider_a, tech_provider_a, value, words):
    data = saml_data()
    data["acs_endpoints"][0]["location"] = value
    body = {"provider": provider_a.pk, "environment": "test", "protocol": "saml",
            "entity_id": "https://api.example.fi/sp", **data}  # fmt: skip
    response = _api(tech_provider_a).post("/api/services/", body, format="json")
    assert response.status_code == 400, response.json()
    assert "acs_endpoints" in response.json()
    assert not Service.objects.exists()


@CASES
def test_the_api_refuses_a_bad_redirect_uri(provider_a, tech_provider_a, value, words):
    body = {"provider": provider_a.pk, "environment": "test", "protocol": "oidc",
            **oidc_data(redirect_uris=[value])}  # fmt: skip
    response = _api(tech_provider_a).post("/api/services/", body, format="json")
    assert response.status_code == 400, response.json()
    assert "redirect_uris" in response.json()
    assert not Service.objects.exists()


@CASES
def test_the_api_refuses_a_bad_privacy_url_in_a_change(provider_a, tech_provider_a, make_saml_service, value, words):
    service = make_saml_service(provider_a)
    response = _api(tech_provider_a).patch(f"/api/services/{service.pk}/", {"privacy_url": value}, format="json")
    assert response.status_code == 400, response.json()
    assert "privacy_url" in response.json()
    assert service.versions.count() == 1


@CASES
def test_the_api_refuses_a_bad_login_source_metadata_url(org_a, technical_a, value, words):
    body = {"organisation": org_a.pk, "kind": "saml", "name": "IdP", "entity_id": "https://idp.a.fi/saml",
            "metadata_url": value}  # fmt: skip
    response = _api(technical_a).post("/api/login-sources/", body, format="json")
    assert response.status_code == 400, response.json()
    assert words in " ".join(response.json()["metadata_url"])
    assert not LoginSource.objects.exists()


def test_the_api_refuses_metadata_whose_entity_id_has_a_zero_width_space(provider_a, tech_provider_a):
    body = {"provider": provider_a.pk, "environment": "test", "protocol": "saml",
            "metadata": sp_metadata(entity_id=ZERO_WIDTH).decode(), "requested_attributes": []}  # fmt: skip
    response = _api(tech_provider_a).post("/api/services/", body, format="json")
    assert response.status_code == 400, response.json()
    assert "invisible character" in " ".join(response.json()["metadata"])


def test_the_api_refuses_metadata_whose_acs_location_has_a_space(provider_a, tech_provider_a):
    body = {"provider": provider_a.pk, "environment": "test", "protocol": "saml",
            "metadata": sp_metadata(acs="https://sp.example.fi/a cs").decode()}  # fmt: skip
    response = _api(tech_provider_a).post("/api/services/", body, format="json")
    assert response.status_code == 400, response.json()
    assert "whitespace" in " ".join(response.json()["metadata"])


def test_the_api_accepts_a_mixed_script_entity_id(provider_a, tech_provider_a):
    body = {"provider": provider_a.pk, "environment": "test", "protocol": "saml", "entity_id": MIXED_SCRIPT,
            **saml_data()}  # fmt: skip
    response = _api(tech_provider_a).post("/api/services/", body, format="json")
    assert response.status_code == 201, response.json()
    assert Service.objects.get().entity_id == MIXED_SCRIPT
