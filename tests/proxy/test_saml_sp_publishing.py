"""What the proxy gets of a SAML SP (issue 13, items 3, 5 and 6): every key of a rollover, the
signature flags, the test-learner-number flag, md:Organization from the provider organisation
and mdrpi:RegistrationPolicy from the settings; the published metadata stays schema-valid."""

from __future__ import annotations

import datetime
import json

import pytest

from members import services as register
from members.certificates import normalise_certificate
from members.metadata import metadata_parse
from proxy import build
from proxy.services import snapshot_build
from proxy.validation import xsd_errors
from tests.factories import MembershipFactory, ServiceProviderOrganisationFactory
from tests.members.certs import key_descriptor, make_certificate, sp_metadata
from tests.members.conftest import saml_data
from tests.proxy.helpers import NS, metadata_of

TODAY = datetime.date(2026, 11, 27)
ENTITY_ID = "https://sp.example.fi/saml"


@pytest.fixture(autouse=True)
def real_register(settings):
    settings.PROXY_COLLECT_INPUTS = "proxy.register.collect_inputs"
    settings.REGISTRATION_POLICY_URLS = {}


def provider_in_force(**fields):
    provider = ServiceProviderOrganisationFactory(**fields)
    MembershipFactory(organisation=provider, role="service_provider")
    return provider


def rollover_metadata() -> tuple[bytes, dict[str, list[str]]]:
    """Metadata uploaded during a key rollover: old and new key of each use, side by side."""
    certificates = {
        "signing": [make_certificate(cn="old-signing.sp.example.fi"), make_certificate(cn="new-signing.sp.example.fi")],
        "encryption": [
            make_certificate(cn="old-encryption.sp.example.fi"),
            make_certificate(cn="new-encryption.sp.example.fi"),
        ],
    }
    keys = "".join(key_descriptor(pem, use) for use, pems in certificates.items() for pem in pems)
    return sp_metadata(entity_id=ENTITY_ID, key_descriptors=keys), certificates


def uploaded(provider, operator, data: bytes, **extra):
    """A service registered from uploaded metadata (as the UI and the API do) and approved."""
    metadata = metadata_parse(data)
    version_data = {
        **register.version_data_from_metadata(metadata),
        "requested_attributes": [{"key": "uid", "purpose": "Kirjautuminen"}],
        # Production needs it (DESIGN section 2); the member ticks it when the metadata lacks it.
        "want_assertions_signed": True,
        **extra,
    }
    created = register.service_create(
        provider=provider, by=operator, environment="production", protocol="saml", data=version_data,
        entity_id=metadata.entity_id,
    )  # fmt: skip
    register.service_approve(version=created.version, by=operator)
    return created.service


def saml(provider, operator, *, n: int = 1, **data):
    created = register.service_create(
        provider=provider, by=operator, environment="production", protocol="saml", data=saml_data(**data),
        entity_id=f"https://sp{n}.example.fi/saml",
    )  # fmt: skip
    register.service_approve(version=created.version, by=operator)
    return created.service


def _body(pem: str) -> str:
    return "".join(normalise_certificate(pem).splitlines()[1:-1])


def test_rollover_metadata_publishes_both_keys_of_each_use_and_pysaml2_reads_them(operator, client, tmp_path):
    from saml2.config import Config
    from saml2.mdstore import MetadataStore

    data, certificates = rollover_metadata()
    uploaded(provider_in_force(website_url="https://provider.example.fi/"), operator, data)
    snapshot = snapshot_build(environment="production", trigger="t", on=TODAY)
    root = metadata_of(snapshot)
    assert xsd_errors(root) == []
    (sp,) = root.findall("md:EntityDescriptor/md:SPSSODescriptor", NS)
    published = {
        use: [
            element.findtext("ds:KeyInfo/ds:X509Data/ds:X509Certificate", namespaces=NS)
            for element in sp.findall(f"md:KeyDescriptor[@use='{use}']", NS)
        ]
        for use in ("signing", "encryption")
    }
    assert published == {use: [_body(pem) for pem in pems] for use, pems in certificates.items()}

    # A real consumer's view: pysaml2 loads the served aggregate and finds both keys of each use.
    (tmp_path / "metadata.xml").write_bytes(client.get("/proxy/production/metadata.xml").content)
    config = Config()
    config.entityid = "https://proxy.example.fi/idp"
    store = MetadataStore(attrc=None, config=config, check_validity=True)
    store.load("local", str(tmp_path / "metadata.xml"))
    for use, pems in certificates.items():
        read = ["".join(certificate.split()) for _name, certificate in store.certs(ENTITY_ID, "spsso", use=use)]
        assert sorted(read) == sorted(_body(pem) for pem in pems)


def test_the_signature_flags_are_published_in_the_sp_descriptor(operator):
    provider = provider_in_force(website_url="https://provider.example.fi/")
    saml(provider, operator, n=1, authn_requests_signed=True, want_assertions_signed=True)
    saml(provider, operator, n=2, want_assertions_signed=True)
    root = metadata_of(snapshot_build(environment="production", trigger="t", on=TODAY))
    assert xsd_errors(root) == []
    entities = root.findall("md:EntityDescriptor", NS)
    descriptors = {entity.get("entityID"): entity.find("md:SPSSODescriptor", NS) for entity in entities}
    flagged, plain = descriptors["https://sp1.example.fi/saml"], descriptors["https://sp2.example.fi/saml"]
    assert (flagged.get("AuthnRequestsSigned"), flagged.get("WantAssertionsSigned")) == ("true", "true")
    assert (plain.get("AuthnRequestsSigned"), plain.get("WantAssertionsSigned")) == (None, "true")


def test_uploaded_flags_reach_the_published_descriptor(operator):
    data, _certificates = rollover_metadata()
    data = data.replace(b"<md:SPSSODescriptor ", b'<md:SPSSODescriptor WantAssertionsSigned="true" ', 1)
    uploaded(provider_in_force(website_url="https://provider.example.fi/"), operator, data)
    root = metadata_of(snapshot_build(environment="production", trigger="t", on=TODAY))
    sp = root.find("md:EntityDescriptor/md:SPSSODescriptor", NS)
    assert sp.get("WantAssertionsSigned") == "true" and sp.get("AuthnRequestsSigned") is None


def test_the_test_learner_number_flag_is_carried_to_config_json(operator):
    provider = provider_in_force()
    saml(provider, operator, n=1, test_learner_numbers_allowed=True)
    saml(provider, operator, n=2)
    config = json.loads(build.read_file(snapshot_build(environment="production", trigger="t", on=TODAY), "config.json"))
    flags = {service["entity_id"]: service["test_learner_numbers_allowed"] for service in config["services"]}
    assert flags == {"https://sp1.example.fi/saml": True, "https://sp2.example.fi/saml": False}


def test_md_organization_names_the_provider_and_its_website_never_the_service_page(operator):
    provider = provider_in_force(
        name_fi="Oppimateriaalit Oy", name_sv="Läromedel Ab", name_en="Learning Materials Ltd",
        website_url="https://www.oppimateriaalit.example.fi/",
    )  # fmt: skip
    saml(provider, operator, information_url="https://palvelu.example.fi/tietoa")
    root = metadata_of(snapshot_build(environment="production", trigger="t", on=TODAY))
    assert xsd_errors(root) == []
    organisation = root.find("md:EntityDescriptor/md:Organization", NS)
    lang = "{http://www.w3.org/XML/1998/namespace}lang"
    for tag in ("OrganizationName", "OrganizationDisplayName"):
        assert {e.get(lang): e.text for e in organisation.findall(f"md:{tag}", NS)} == {
            "fi": "Oppimateriaalit Oy", "sv": "Läromedel Ab", "en": "Learning Materials Ltd",
        }  # fmt: skip
    urls = {e.text for e in organisation.findall("md:OrganizationURL", NS)}
    assert urls == {"https://www.oppimateriaalit.example.fi/"}


def test_without_a_provider_website_the_service_page_is_not_borrowed(operator):
    provider = provider_in_force(name_fi="Ei verkkosivua Oy")
    saml(provider, operator, information_url="https://palvelu.example.fi/tietoa")
    root = metadata_of(snapshot_build(environment="production", trigger="t", on=TODAY))
    assert xsd_errors(root) == []
    assert root.findall("md:EntityDescriptor/md:Organization", NS) == []
    # The information page stays where it belongs: the service's own mdui:InformationURL.
    assert (
        root.findtext("md:EntityDescriptor//mdui:InformationURL", namespaces=NS) == "https://palvelu.example.fi/tietoa"
    )


def test_registration_policy_comes_from_the_setting(operator, settings):
    settings.REGISTRATION_POLICY_URLS = {
        "fi": "https://trustnet.example.fi/rekisterointi", "en": "https://trustnet.example.fi/registration",
    }  # fmt: skip
    saml(provider_in_force(website_url="https://provider.example.fi/"), operator)
    root = metadata_of(snapshot_build(environment="production", trigger="t", on=TODAY))
    assert xsd_errors(root) == []
    lang = "{http://www.w3.org/XML/1998/namespace}lang"
    policies = [
        (e.get(lang), e.text) for e in root.findall("md:EntityDescriptor/md:Extensions/mdrpi:RegistrationInfo/"
                                                    "mdrpi:RegistrationPolicy", NS)
    ]  # fmt: skip
    assert policies == [
        ("en", "https://trustnet.example.fi/registration"), ("fi", "https://trustnet.example.fi/rekisterointi"),
    ]  # fmt: skip
