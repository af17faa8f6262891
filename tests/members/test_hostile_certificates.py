"""Hostile certificates and SP metadata (issue 15, items 4 and 5): each gets a message naming the
field, never a server error; a not-yet-valid certificate is refused, an SHA-1 one accepted with a
warning; repeated elements are capped; numbers are read with ASCII-only patterns."""

import datetime
import itertools
from pathlib import Path

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.services import api_token_create
from members import services
from members.certificates import certificate_describe, certificate_parse
from members.metadata import MAX_ACS_ENDPOINTS, MAX_KEY_DESCRIPTORS, idp_metadata_parse, metadata_parse
from members.models import Service, ServiceVersion
from tests.members.certs import (
    acs_element,
    dsa_certificate,
    duplicate_extension_certificate,
    duplicate_key_usage_certificate,
    ed448_certificate,
    good_certificate,
    idp_metadata,
    key_descriptor,
    md5_certificate,
    not_yet_valid_certificate,
    sha1_certificate,
    sp_metadata,
    unknown_key_algorithm_certificate,
    unknown_signature_algorithm_certificate,
)
from tests.members.conftest import saml_data

CORPUS = Path(__file__).resolve().parent.parent / "hostile"
_numbers = itertools.count()


def _refused(text: str, *, usage: str = "signing") -> str:
    with pytest.raises(ValidationError) as excinfo:
        certificate_parse(text, usage=usage, field="signing_certificate")
    assert set(excinfo.value.error_dict) == {"signing_certificate"}
    return " ".join(excinfo.value.messages)


def _metadata_refused(data: bytes) -> str:
    with pytest.raises(ValidationError) as excinfo:
        metadata_parse(data)
    assert set(excinfo.value.error_dict) == {"metadata"}
    return " ".join(excinfo.value.messages)


def _client(user):
    client = APIClient()
    _token, key = api_token_create(user=user, name=f"test {next(_numbers)}", by=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


# ---------------------------------------------------------------- certificates


@pytest.mark.parametrize("make", [duplicate_extension_certificate, duplicate_key_usage_certificate])
def test_a_certificate_with_a_duplicate_extension_is_refused_naming_the_field(make):
    assert "same extension twice" in _refused(make())


@pytest.mark.parametrize("make", [unknown_key_algorithm_certificate, unknown_signature_algorithm_certificate])
def test_a_certificate_with_an_unknown_algorithm_is_refused_naming_the_field(make):
    assert "algorithm that is not supported" in _refused(make())


@pytest.mark.parametrize("make", [ed448_certificate, dsa_certificate])
def test_ed448_and_dsa_keys_are_refused_naming_the_field(make):
    assert "not supported" in _refused(make())


def test_a_certificate_whose_parts_fail_to_parse_is_never_described_with_an_error():
    assert certificate_describe(duplicate_extension_certificate()) is None
    assert certificate_describe(unknown_key_algorithm_certificate()) is None


@time_machine.travel(datetime.datetime(2030, 6, 1, 12, tzinfo=datetime.UTC), tick=False)
def test_a_not_yet_valid_certificate_is_refused_giving_the_date():
    message = _refused(not_yet_valid_certificate(datetime.datetime(2030, 7, 15, tzinfo=datetime.UTC)))
    assert "not valid until" in message and "2030" in message and "15" in message


@time_machine.travel(datetime.datetime(2030, 6, 1, 12, tzinfo=datetime.UTC), tick=False)
def test_a_certificate_valid_from_a_few_minutes_ahead_is_clock_skew_and_accepted():
    start = datetime.datetime(2030, 6, 1, 12, 5, tzinfo=datetime.UTC)
    assert certificate_parse(not_yet_valid_certificate(start)).not_before == start


def test_an_sha1_signed_certificate_is_accepted_and_flagged():
    info = certificate_parse(sha1_certificate())
    assert info.signature_hash == "SHA-1" and info.weak_signature
    assert not certificate_parse(good_certificate()).weak_signature


def test_an_md5_signed_certificate_is_refused():
    assert "MD5" in _refused(md5_certificate())


def test_two_certificates_in_one_field_are_refused_rather_than_one_dropped():
    assert "not several" in _refused(good_certificate() + sha1_certificate())


def test_an_over_long_certificate_text_is_refused_before_parsing():
    assert "longer than 16384 characters" in _refused("A" * 20_000)


# ---------------------------------------------------------------- metadata numbers and caps


@pytest.mark.parametrize("index", ["¹", "١", "１", "-1", "70000", "", "0x1"])
def test_an_acs_index_that_is_not_an_ascii_number_is_refused_naming_the_element(index):
    message = _metadata_refused(sp_metadata(acs_elements=acs_element(index=index)))
    assert "AssertionConsumerService" in message and "index" in message


@pytest.mark.parametrize(("attribute", "value"), [("width", "¹"), ("height", "²"), ("width", "１"), ("width", "٨٠")])
def test_a_logo_size_that_is_not_an_ascii_number_is_refused_naming_the_element(attribute, value):
    sizes = {"width": "80", "height": "60", attribute: value}
    logo = f'<mdui:Logo width="{sizes["width"]}" height="{sizes["height"]}">https://sp.example.fi/logo.png</mdui:Logo>'
    message = _metadata_refused(sp_metadata(logo=logo))
    assert "mdui:Logo" in message and attribute in message


def test_more_acs_endpoints_than_the_cap_are_refused():
    endpoints = "".join(
        acs_element(index=str(i), location=f"https://sp.example.fi/acs/{i}", default=i == 0)
        for i in range(MAX_ACS_ENDPOINTS + 1)
    )
    assert f"at most {MAX_ACS_ENDPOINTS}" in _metadata_refused(sp_metadata(acs_elements=endpoints))
    endpoints = "".join(
        acs_element(index=str(i), location=f"https://sp.example.fi/acs/{i}", default=i == 0)
        for i in range(MAX_ACS_ENDPOINTS)
    )
    assert len(metadata_parse(sp_metadata(acs_elements=endpoints)).acs_endpoints) == MAX_ACS_ENDPOINTS


def test_more_key_descriptors_than_the_cap_are_refused_in_sp_and_idp_metadata():
    keys = key_descriptor(good_certificate()) * (MAX_KEY_DESCRIPTORS + 1)
    assert "KeyDescriptor" in _metadata_refused(sp_metadata(key_descriptors=keys))
    with pytest.raises(ValidationError) as excinfo:
        idp_metadata_parse(
            idp_metadata(certificates=[good_certificate()] * (MAX_KEY_DESCRIPTORS + 1)),
            entity_id="https://adfs.example.fi/adfs/services/trust",
        )
    assert "metadata" in excinfo.value.error_dict


def test_a_hostile_certificate_in_metadata_is_a_metadata_error():
    keys = key_descriptor(duplicate_extension_certificate())
    assert "same extension twice" in _metadata_refused(sp_metadata(key_descriptors=keys))


def test_the_service_rules_cap_acs_endpoints_from_the_form_and_api_too():
    endpoints = [
        {"binding": "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST", "location": f"https://sp.example.fi/{i}",
         "index": i, "is_default": i == 0}
        for i in range(MAX_ACS_ENDPOINTS + 1)
    ]  # fmt: skip
    with pytest.raises(ValidationError) as excinfo:
        services.version_clean(protocol="saml", data=saml_data(acs_endpoints=endpoints))
    assert "acs_endpoints" in excinfo.value.error_dict


# ---------------------------------------------------------------- through the API and the web form


@pytest.mark.parametrize("make", [duplicate_extension_certificate, unknown_key_algorithm_certificate, md5_certificate])
def test_the_api_answers_a_hostile_certificate_with_a_field_error(make, tech_provider_a, provider_a):
    body = {"provider": provider_a.pk, "environment": "test", "protocol": "saml",
            "entity_id": "https://hostile.example.fi/sp", **saml_data(signing_certificates=[make()])}  # fmt: skip
    response = _client(tech_provider_a).post("/api/services/", body, format="json")
    assert response.status_code == 400 and set(response.json()) == {"signing_certificates"}
    assert not Service.objects.exists()


def test_the_api_answers_hostile_metadata_with_a_field_error(tech_provider_a, provider_a):
    metadata = sp_metadata(acs_elements=acs_element(index="¹")).decode()
    body = {"provider": provider_a.pk, "environment": "test", "protocol": "saml", "metadata": metadata,
            "requested_attributes": [{"key": "uid", "purpose": "Kirjautuminen"}]}  # fmt: skip
    response = _client(tech_provider_a).post("/api/services/", body, format="json")
    assert response.status_code == 400 and "AssertionConsumerService" in response.json()["metadata"][0]


def test_the_api_caps_acs_endpoints_and_certificate_length(tech_provider_a, provider_a):
    endpoint = saml_data()["acs_endpoints"][0]
    body = {"provider": provider_a.pk, "environment": "test", "protocol": "saml",
            "entity_id": "https://many.example.fi/sp",
            **saml_data(acs_endpoints=[{**endpoint, "index": i} for i in range(MAX_ACS_ENDPOINTS + 1)])}  # fmt: skip
    response = _client(tech_provider_a).post("/api/services/", body, format="json")
    assert response.status_code == 400 and "acs_endpoints" in response.json()
    body = {**body, **saml_data(signing_certificates=["A" * 20_000])}
    response = _client(tech_provider_a).post("/api/services/", body, format="json")
    assert response.status_code == 400 and "signing_certificates" in response.json()


def test_an_uploaded_metadata_file_with_a_superscript_logo_width_gets_a_message(provider_a, tech_provider_a, as_user):
    logo = '<mdui:Logo width="¹" height="60">https://sp.example.fi/logo.png</mdui:Logo>'
    response = as_user(tech_provider_a).post(
        reverse("members:service-create", args=[provider_a.pk, "saml"]),
        {"environment": "test", "metadata_file": SimpleUploadedFile("sp.xml", sp_metadata(logo=logo))},
    )
    assert response.status_code == 200 and "mdui:Logo" in response.content.decode()
    assert not ServiceVersion.objects.exists()


def test_a_pasted_hostile_certificate_in_the_form_gets_a_message(provider_a, tech_provider_a, as_user):
    response = as_user(tech_provider_a).post(
        reverse("members:service-create", args=[provider_a.pk, "saml"]),
        {"environment": "test", "entity_id": "https://paste.example.fi/sp", "name_fi": "Palvelu",
         "acs_text": "https://paste.example.fi/acs", "signing_certificates": duplicate_extension_certificate(),
         "attr_uid": "on", "purpose_uid": "Kirjautuminen"},
    )  # fmt: skip
    assert response.status_code == 200 and "same extension twice" in response.content.decode()
    assert not ServiceVersion.objects.exists()


def test_the_form_caps_acs_urls(provider_a, tech_provider_a, as_user):
    lines = "\n".join(f"https://sp.example.fi/acs/{i}" for i in range(MAX_ACS_ENDPOINTS + 1))
    response = as_user(tech_provider_a).post(
        reverse("members:service-create", args=[provider_a.pk, "saml"]),
        {"environment": "test", "entity_id": "https://caps.example.fi/sp", "name_fi": "Palvelu", "acs_text": lines,
         "signing_certificates": good_certificate(), "attr_uid": "on", "purpose_uid": "Kirjautuminen"},
    )  # fmt: skip
    assert response.status_code == 200 and f"at most {MAX_ACS_ENDPOINTS}" in response.content.decode()


def test_member_and_staff_see_a_warning_for_an_sha1_certificate(
    provider_a, tech_provider_a, operator, as_user, make_saml_service
):
    service = make_saml_service(provider_a, approve=False, signing_certificates=[sha1_certificate()])
    for user in (tech_provider_a, operator):
        page = as_user(user).get(reverse("members:service-detail", args=[service.pk])).content.decode()
        assert "signed with SHA-1" in page
    plain = make_saml_service(provider_a, approve=False)
    assert "SHA-1" not in as_user(operator).get(reverse("members:service-detail", args=[plain.pk])).content.decode()


# ---------------------------------------------------------------- the committed corpus


@pytest.mark.parametrize("path", sorted((CORPUS / "certificates").glob("*.pem")), ids=lambda p: p.name)
def test_every_corpus_certificate_is_accepted_or_refused_with_a_field_error(path):
    try:
        certificate_parse(path.read_text(encoding="utf-8"), field="signing_certificate")
    except ValidationError as error:
        assert set(error.error_dict) == {"signing_certificate"}


@pytest.mark.parametrize("path", sorted((CORPUS / "metadata").glob("*.xml")), ids=lambda p: p.name)
def test_every_corpus_metadata_file_is_accepted_or_refused_with_a_field_error(path):
    try:
        metadata_parse(path.read_bytes())
    except ValidationError as error:
        assert set(error.error_dict) == {"metadata"}
