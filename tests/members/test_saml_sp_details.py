"""SAML SP details (issue 13, item 3): several signing and encryption certificates (a rollover keeps
both), AuthnRequestsSigned / WantAssertionsSigned from metadata, the test-learner-number flag."""

from __future__ import annotations

import itertools

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.services import api_token_create
from members import services
from members.certificates import certificate_parse, normalise_certificate
from members.metadata import MAX_CERTIFICATES_PER_USE, metadata_parse
from members.models import Service, ServiceVersion
from tests.members.certs import key_descriptor, make_certificate, sp_metadata
from tests.members.conftest import saml_data

_numbers = itertools.count()


def _client(user):
    client = APIClient()
    _token, key = api_token_create(user=user, name=f"sp details {next(_numbers)}", by=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def rollover_certificates() -> dict[str, list[str]]:
    return {
        "signing": [make_certificate(cn="old-signing.example.fi"), make_certificate(cn="new-signing.example.fi")],
        "encryption": [
            make_certificate(cn="old-encryption.example.fi"),
            make_certificate(cn="new-encryption.example.fi"),
        ],
    }


def rollover_metadata(certificates: dict[str, list[str]], *, flags: str = "") -> bytes:
    """An SP's metadata during a key rollover: old and new key of each use side by side."""
    keys = "".join(key_descriptor(pem, use) for use, pems in certificates.items() for pem in pems)
    data = sp_metadata(key_descriptors=keys)
    return data.replace(b"<md:SPSSODescriptor ", f"<md:SPSSODescriptor {flags} ".encode(), 1)


def test_rollover_metadata_keeps_every_signing_and_encryption_certificate():
    certificates = rollover_certificates()
    metadata = metadata_parse(rollover_metadata(certificates))
    assert metadata.signing_certificates == [normalise_certificate(pem) for pem in certificates["signing"]]
    assert metadata.encryption_certificates == [normalise_certificate(pem) for pem in certificates["encryption"]]


def test_a_key_descriptor_without_use_serves_both_signing_and_encryption():
    pem = make_certificate(cn="both.example.fi")
    metadata = metadata_parse(sp_metadata(key_descriptors=key_descriptor(pem).replace(' use="signing"', "")))
    assert metadata.signing_certificates == metadata.encryption_certificates == [normalise_certificate(pem)]


def test_the_signature_flags_are_read_from_metadata():
    certificates = {"signing": [make_certificate()]}
    flags = 'AuthnRequestsSigned="true" WantAssertionsSigned="1"'
    flagged = metadata_parse(rollover_metadata(certificates, flags=flags))
    assert (flagged.authn_requests_signed, flagged.want_assertions_signed) == (True, True)
    plain = metadata_parse(rollover_metadata(certificates, flags='WantAssertionsSigned="false"'))
    assert (plain.authn_requests_signed, plain.want_assertions_signed) == (False, False)


def test_uploaded_rollover_metadata_stores_both_keys_of_each_use(tech_provider_a, provider_a):
    certificates = rollover_certificates()
    body = {
        "provider": provider_a.pk, "environment": "test", "protocol": "saml",
        "metadata": rollover_metadata(certificates, flags='AuthnRequestsSigned="true" WantAssertionsSigned="true"')
        .decode(),
        "requested_attributes": [{"key": "uid", "purpose": "Kirjautuminen"}],
    }  # fmt: skip
    response = _client(tech_provider_a).post("/api/services/", body, format="json")
    assert response.status_code == 201, response.json()
    version = ServiceVersion.objects.get(service_id=response.json()["id"])
    assert version.signing_certificates == [normalise_certificate(pem) for pem in certificates["signing"]]
    assert version.encryption_certificates == [normalise_certificate(pem) for pem in certificates["encryption"]]
    assert version.authn_requests_signed and version.want_assertions_signed
    assert len(response.json()["pending_version"]["signing_certificates"]) == 2


def test_an_expired_certificate_among_several_is_refused_naming_which_and_nothing_is_stored(provider_a, operator):
    expired = make_certificate(days=-3, cn="expired.example.fi")
    data = saml_data(signing_certificates=[make_certificate(cn="fresh.example.fi"), expired])
    with pytest.raises(ValidationError) as excinfo:
        services.service_create(
            provider=provider_a, by=operator, environment="test", protocol="saml", data=data,
            entity_id="https://expired.example.fi/sp",
        )  # fmt: skip
    (message,) = excinfo.value.message_dict["signing_certificates"]
    assert message.startswith("Signing certificate 2:") and "expired" in message
    assert not Service.objects.exists() and not ServiceVersion.objects.exists()


def test_an_expired_key_in_rollover_metadata_is_refused_naming_which():
    certificates = {
        "signing": [make_certificate(cn="ok.example.fi")],
        "encryption": [make_certificate(cn="ok2.example.fi"), make_certificate(days=-1, cn="old.example.fi")],
    }
    with pytest.raises(ValidationError) as excinfo:
        metadata_parse(rollover_metadata(certificates))
    (message,) = excinfo.value.message_dict["metadata"]
    assert message.startswith("Encryption certificate 2 in the metadata:") and "expired" in message


def test_the_api_names_the_bad_certificate_field_and_stores_nothing(tech_provider_a, provider_a):
    body = {"provider": provider_a.pk, "environment": "test", "protocol": "saml",
            "entity_id": "https://api-expired.example.fi/sp",
            **saml_data(encryption_certificates=[make_certificate(cn="e1.example.fi"),
                                                 make_certificate(days=-1, cn="e2.example.fi")])}  # fmt: skip
    response = _client(tech_provider_a).post("/api/services/", body, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"encryption_certificates"}
    assert "Encryption certificate 2:" in response.json()["encryption_certificates"][0]
    assert not Service.objects.exists()


def test_more_certificates_of_a_use_than_the_cap_are_refused(provider_a, tech_provider_a):
    many = [make_certificate(cn=f"k{n}.example.fi") for n in range(MAX_CERTIFICATES_PER_USE + 1)]
    with pytest.raises(ValidationError) as excinfo:
        services.version_clean(protocol="saml", data=saml_data(signing_certificates=many))
    assert f"at most {MAX_CERTIFICATES_PER_USE}" in excinfo.value.message_dict["signing_certificates"][0]
    body = {"provider": provider_a.pk, "environment": "test", "protocol": "saml",
            "entity_id": "https://many-keys.example.fi/sp", **saml_data(signing_certificates=many)}  # fmt: skip
    response = _client(tech_provider_a).post("/api/services/", body, format="json")
    assert response.status_code == 400 and "signing_certificates" in response.json()


def test_the_same_certificate_twice_is_refused():
    pem = make_certificate(cn="twice.example.fi")
    with pytest.raises(ValidationError) as excinfo:
        services.version_clean(protocol="saml", data=saml_data(signing_certificates=[pem, pem]))
    assert "Signing certificate 2 is given twice." in excinfo.value.message_dict["signing_certificates"]


def test_the_stored_expiry_is_the_earliest_of_the_certificates(make_saml_service, provider_a):
    soon, later = make_certificate(days=30, cn="soon.example.fi"), make_certificate(days=300, cn="later.example.fi")
    service = make_saml_service(provider_a, signing_certificates=[later, soon])
    assert service.live_version.signing_certificate_expires_at == certificate_parse(soon).not_after


def test_the_expiry_warning_names_which_certificate(
    make_saml_service, provider_a, tech_provider_a, settings, django_capture_on_commit_callbacks
):
    settings.TRUSTNET_CERTIFICATE_WARNING_DAYS = 60
    soon = make_certificate(days=20, cn="old-key.example.fi")
    later = make_certificate(days=400, cn="new-key.example.fi")
    make_saml_service(provider_a, signing_certificates=[soon, later])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.certificate_expiry_warn() == 1
    (message,) = mail.outbox
    info = certificate_parse(soon)
    assert "old-key.example.fi" in message.body and info.sha256_fingerprint in message.body
    assert "new-key.example.fi" not in message.body


def test_the_service_page_shows_each_certificate_with_its_expiry(
    make_saml_service, provider_a, tech_provider_a, as_user
):
    old, new = make_certificate(days=30, cn="old.example.fi"), make_certificate(days=700, cn="new.example.fi")
    service = make_saml_service(provider_a, signing_certificates=[old, new])
    page = as_user(tech_provider_a).get(reverse("members:service-detail", args=[service.pk])).content.decode()
    for pem in (old, new):
        info = certificate_parse(pem)
        assert info.subject in page and info.sha256_fingerprint in page
    assert page.count("Signing certificate CN=") == 2


def test_two_pasted_certificates_in_the_form_are_both_stored(provider_a, tech_provider_a, as_user):
    old, new = make_certificate(cn="paste-old.example.fi"), make_certificate(cn="paste-new.example.fi")
    response = as_user(tech_provider_a).post(
        reverse("members:service-create", args=[provider_a.pk, "saml"]),
        {"environment": "test", "entity_id": "https://paste.example.fi/sp", "name_fi": "Palvelu",
         "acs_text": "https://paste.example.fi/acs", "signing_certificates": old + "\n" + new,
         "want_assertions_signed": "on", "test_learner_numbers_allowed": "on",
         "attr_uid": "on", "purpose_uid": "Kirjautuminen"},
    )  # fmt: skip
    assert response.status_code == 302
    version = ServiceVersion.objects.get()
    assert version.signing_certificates == [normalise_certificate(old), normalise_certificate(new)]
    assert version.want_assertions_signed and not version.authn_requests_signed
    assert version.test_learner_numbers_allowed


def test_the_flags_are_editable_through_the_api_and_wait_for_review(make_saml_service, provider_a, tech_provider_a):
    service = make_saml_service(provider_a)
    assert not service.live_version.test_learner_numbers_allowed  # default off (DESIGN section 2)
    response = _client(tech_provider_a).patch(
        f"/api/services/{service.pk}/",
        {"want_assertions_signed": True, "authn_requests_signed": True, "test_learner_numbers_allowed": True},
        format="json",
    )
    assert response.status_code == 200, response.json()
    pending = response.json()["pending_version"]
    assert pending["want_assertions_signed"] and pending["authn_requests_signed"]
    assert pending["test_learner_numbers_allowed"]
    assert not response.json()["live_version"]["test_learner_numbers_allowed"]


def test_an_organisation_website_must_be_https(operator, provider_a):
    with pytest.raises(ValidationError) as excinfo:
        services.organisation_save(by=operator, organisation=provider_a, data={"website_url": "http://a.example.fi"})
    assert "website_url" in excinfo.value.message_dict
    services.organisation_save(by=operator, organisation=provider_a, data={"website_url": "https://a.example.fi/"})
    provider_a.refresh_from_db()
    assert provider_a.website_url == "https://a.example.fi/"
