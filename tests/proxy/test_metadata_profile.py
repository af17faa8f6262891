"""The signed aggregate follows the DESIGN section 5 profile and passes independent tools."""

from __future__ import annotations

import datetime
import shutil
import subprocess

import pytest
import time_machine
from lxml import etree

from proxy import build, metadata_xml, signing, validation
from proxy.models import Fragment
from proxy.services import snapshot_build
from tests.proxy.helpers import NS, entity_ids, metadata_of
from tests.proxy.inputs_factory import inputs, oidc_service, saml_service

pytestmark = pytest.mark.django_db

EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"


@time_machine.travel(datetime.datetime(2026, 11, 27, 12, 0, tzinfo=datetime.UTC), tick=False)
def test_aggregate_root_follows_the_profile(small_register, settings):
    snapshot = snapshot_build(environment="test", trigger="test")
    root = metadata_of(snapshot)
    assert root.tag == f"{{{NS['md']}}}EntitiesDescriptor"
    assert root.get("ID").startswith("_") and root.get("Name") == settings.PROXY_METADATA_NAME
    assert root.get("validUntil") == "2026-12-07T12:00:00Z"  # default 10 days
    assert root.get("cacheDuration") == "PT6H"
    publication = root.find("md:Extensions/mdrpi:PublicationInfo", NS)
    assert publication.get("publisher") == "https://trustnet.example.fi"
    assert publication.get("creationInstant") == "2026-11-27T12:00:00Z"
    # One enveloped signature, first child, over the root's ID, with the profile's algorithms.
    signatures = root.findall(".//ds:Signature", NS)
    assert len(signatures) == 1 and root[0] is signatures[0]
    signed_info = signatures[0].find("ds:SignedInfo", NS)
    assert signed_info.find("ds:CanonicalizationMethod", NS).get("Algorithm") == EXC_C14N
    assert signed_info.find("ds:SignatureMethod", NS).get("Algorithm").endswith("rsa-sha256")
    reference = signed_info.find("ds:Reference", NS)
    assert reference.get("URI") == "#" + root.get("ID")
    assert reference.find("ds:DigestMethod", NS).get("Algorithm") == "http://www.w3.org/2001/04/xmlenc#sha256"
    assert [t.get("Algorithm") for t in reference.findall("ds:Transforms/ds:Transform", NS)] == [
        "http://www.w3.org/2000/09/xmldsig#enveloped-signature",
        EXC_C14N,
    ]
    assert snapshot.valid_until - snapshot.signed_at == datetime.timedelta(days=10)


def test_each_entity_carries_registration_ui_keys_endpoints_attributes_organisation_contacts(small_register):
    root = metadata_of(snapshot_build(environment="test", trigger="test"))
    assert entity_ids(root) == ["https://sp1.example.fi/saml", "https://sp2.example.fi/saml"]
    entity = root.find("md:EntityDescriptor[@entityID='https://sp2.example.fi/saml']", NS)
    info = entity.find("md:Extensions/mdrpi:RegistrationInfo", NS)
    assert info.get("registrationAuthority") == "https://trustnet.example.fi"
    assert info.get("registrationInstant") == "2026-01-01T00:00:00Z"
    sp = entity.find("md:SPSSODescriptor", NS)
    ui = sp.find("md:Extensions/mdui:UIInfo", NS)
    lang = "{http://www.w3.org/XML/1998/namespace}lang"
    assert {e.get(lang): e.text for e in ui.findall("mdui:DisplayName", NS)} == {
        "fi": "Palvelu 2",
        "sv": "Tjänst 2",
        "en": "Service 2",
    }
    logo = ui.find("mdui:Logo", NS)
    assert (logo.text, logo.get("width"), logo.get("height")) == ("https://sp2.example.fi/logo.png", "100", "50")
    assert [k.get("use") for k in sp.findall("md:KeyDescriptor", NS)] == ["signing", "encryption"]
    assert sp.find("md:KeyDescriptor/ds:KeyInfo/ds:X509Data/ds:X509Certificate", NS).text.startswith("MIIC")
    acs = sp.find("md:AssertionConsumerService", NS)
    assert (acs.get("Location"), acs.get("index"), acs.get("isDefault")) == ("https://sp2.example.fi/acs", "0", "true")
    requested = {
        a.get("FriendlyName"): (a.get("Name"), a.get("isRequired"))
        for a in sp.findall("md:AttributeConsumingService/md:RequestedAttribute", NS)
    }
    assert requested == {
        "mpassUsername": ("urn:mpass.id:uid", "true"),
        "givenName": ("urn:oid:2.5.4.42", "false"),
        "sn": ("urn:oid:2.5.4.4", "false"),
    }
    assert entity.find("md:Organization/md:OrganizationName", NS).text == "Palveluntarjoaja Oy"
    contacts = entity.findall("md:ContactPerson", NS)
    assert contacts[0].get("contactType") == "technical"
    assert contacts[0].find("md:EmailAddress", NS).text == "mailto:tech@sp2.example.fi"
    security = contacts[1]
    assert security.get("contactType") == "other"
    assert security.get(f"{{{NS['remd']}}}contactType") == "http://refeds.org/metadata/contactType/security"


def test_oidc_services_are_not_in_the_saml_metadata(small_register):
    root = metadata_of(snapshot_build(environment="test", trigger="test"))
    assert all("client-3" not in entity_id for entity_id in entity_ids(root))


def test_published_metadata_is_valid_against_the_bundled_schemas(small_register):
    root = metadata_of(snapshot_build(environment="test", trigger="test"))
    assert validation.xsd_errors(root) == []


def test_schema_validation_catches_a_broken_entity():
    service = saml_service(n=5, acs_endpoints=())  # SPSSODescriptor needs an AssertionConsumerService
    element = metadata_xml.entity_element(service, registration_authority="https://x.example")
    errors = validation.xsd_errors(element)
    assert errors and "AssertionConsumerService" in " ".join(errors)


def test_schemas_resolve_locally_only():
    """Compiling the schema set must not need the network: every import is in schemas/."""
    validation.metadata_schema.cache_clear()
    assert validation.metadata_schema() is not None
    for path in validation.SCHEMA_DIR.glob("*.xsd"):
        tree = etree.parse(str(path), etree.XMLParser(no_network=True, resolve_entities=False, load_dtd=False))
        for node in tree.iter("{http://www.w3.org/2001/XMLSchema}import", "{http://www.w3.org/2001/XMLSchema}include"):
            location = node.get("schemaLocation", "")
            local = validation._LOCAL.get(location) or location.rsplit("/", 1)[-1]
            assert (validation.SCHEMA_DIR / local).is_file(), f"{path.name} imports {location}"


def test_signature_verifies_and_tampering_is_detected(small_register):
    snapshot = snapshot_build(environment="test", trigger="test")
    data = build.read_file(snapshot, "metadata.xml")
    cert = signing.signing_material().cert_pem
    assert signing.verify(data, cert).get("ID") == snapshot.document_id
    tampered = data.replace(b"https://sp1.example.fi/acs", b"https://evil.example.fi/acs")
    with pytest.raises(Exception):  # noqa: B017  (signxml raises InvalidDigest)
        signing.verify(tampered, cert)


@pytest.mark.skipif(shutil.which("xmlsec1") is None, reason="xmlsec1 is installed by .ci/run")
def test_xmlsec1_verifies_the_served_metadata_with_the_published_certificate(small_register, client, tmp_path):
    snapshot_build(environment="test", trigger="test")
    metadata = client.get("/proxy/test/metadata.xml").content
    cert = client.get("/proxy/signing-cert.pem").content
    (tmp_path / "metadata.xml").write_bytes(metadata)
    (tmp_path / "cert.pem").write_bytes(cert)
    command = [
        "xmlsec1",
        "--verify",
        "--id-attr:ID",
        "urn:oasis:names:tc:SAML:2.0:metadata:EntitiesDescriptor",
        "--pubkey-cert-pem",
        str(tmp_path / "cert.pem"),
        str(tmp_path / "metadata.xml"),
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert "OK" in result.stdout + result.stderr
    # And a changed byte fails the same check.
    (tmp_path / "metadata.xml").write_bytes(metadata.replace(b"Palvelu 1", b"Palvelu X"))
    assert subprocess.run(command, capture_output=True, check=False).returncode != 0


def test_pysaml2_metadata_store_loads_the_served_metadata(small_register, client, tmp_path):
    from saml2.config import Config
    from saml2.mdstore import MetadataStore
    from saml2.saml import NAME_FORMAT_URI  # noqa: F401  (pysaml2 importable)

    snapshot_build(environment="test", trigger="test")
    (tmp_path / "metadata.xml").write_bytes(client.get("/proxy/test/metadata.xml").content)
    config = Config()
    config.entityid = "https://proxy.example.fi/idp"
    store = MetadataStore(attrc=None, config=config, check_validity=True)
    store.load("local", str(tmp_path / "metadata.xml"))
    loaded = list(store.keys())
    assert "https://sp1.example.fi/saml" in loaded
    acs = store.assertion_consumer_service("https://sp1.example.fi/saml")
    assert acs[0]["location"] == "https://sp1.example.fi/acs"
    required = store.attribute_requirement("https://sp1.example.fi/saml")
    assert [a["name"] for a in required["required"]] == ["urn:mpass.id:uid"]
    assert [a["name"] for a in required["optional"]] == ["urn:mpass.id:schoolCode"]
    # pysaml2 reads the catalogue's FriendlyNames, not the register's keys.
    assert [a["friendly_name"] for a in required["required"] + required["optional"]] == [
        "mpassUsername",
        "mpassSchoolCode",
    ]
    sp2 = store.attribute_requirement("https://sp2.example.fi/saml")
    assert {a["name"]: a["friendly_name"] for a in sp2["optional"]}["urn:oid:2.5.4.4"] == "sn"


def test_a_register_without_saml_services_publishes_an_empty_signed_aggregate(register, client, tmp_path):
    """When the last provider leaves, its service must leave too: an empty aggregate is published
    (the schema wants one entity, the only rule relaxed), rather than the old snapshot staying."""
    from saml2.config import Config
    from saml2.mdstore import MetadataStore

    register("test", oidc_service(n=3))
    snapshot = snapshot_build(environment="test", trigger="test")
    assert snapshot.status == "valid", snapshot.errors
    metadata = client.get("/proxy/test/metadata.xml").content
    assert entity_ids(etree.fromstring(metadata)) == []
    (tmp_path / "metadata.xml").write_bytes(metadata)
    (tmp_path / "cert.pem").write_bytes(client.get("/proxy/signing-cert.pem").content)
    verified = subprocess.run(
        ["xmlsec1", "--verify", "--id-attr:ID", "urn:oasis:names:tc:SAML:2.0:metadata:EntitiesDescriptor",
         "--pubkey-cert-pem", str(tmp_path / "cert.pem"), str(tmp_path / "metadata.xml")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert verified.returncode == 0, verified.stderr
    config = Config()
    config.entityid = "https://proxy.example.fi/idp"
    store = MetadataStore(attrc=None, config=config, check_validity=True)
    store.load("local", str(tmp_path / "metadata.xml"))
    assert list(store.keys()) == []


def test_inputs_of_another_environment_are_ignored(register):
    register("test", saml_service(n=1), saml_service(n=2, environment="production"))
    root = metadata_of(snapshot_build(environment="test", trigger="test"))
    assert entity_ids(root) == ["https://sp1.example.fi/saml"]


def test_fragment_depends_only_on_the_entity_inputs():
    a = saml_service(n=1)
    assert metadata_xml.entity_fragment(a, registration_authority="r") == metadata_xml.entity_fragment(
        saml_service(n=1), registration_authority="r"
    )
    assert inputs(a).services[0] == a


def test_awkward_text_survives_canonical_signing(register, client, tmp_path):
    """Quotes, markup characters, tabs, newlines and non-ASCII in names and URLs: the signer
    digests canonical bytes, so what verifiers canonicalise must be exactly those bytes."""
    from proxy.inputs import Localized

    awkward = 'Å\u00e4 "quoted" <b>&amp; ]]> \ttab\nline \u2603'
    register(
        "test",
        saml_service(
            n=1,
            name=Localized(fi=awkward, sv="Tjänst", en="Service"),
            description=Localized(fi="x\r\ny", en="&lt;"),
            information_url=Localized(fi='https://sp1.example.fi/?a=1&b="2"'),
        ),
    )
    snapshot = snapshot_build(environment="test", trigger="t")
    assert snapshot.status == "valid", snapshot.errors
    data = client.get("/proxy/test/metadata.xml").content
    assert signing.verify(data, signing.signing_material().cert_pem) is not None
    if shutil.which("xmlsec1"):
        (tmp_path / "m.xml").write_bytes(data)
        (tmp_path / "c.pem").write_bytes(client.get("/proxy/signing-cert.pem").content)
        result = subprocess.run(
            [
                "xmlsec1",
                "--verify",
                "--id-attr:ID",
                "urn:oasis:names:tc:SAML:2.0:metadata:EntitiesDescriptor",
                "--pubkey-cert-pem",
                str(tmp_path / "c.pem"),
                str(tmp_path / "m.xml"),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stderr


def test_canonical_signer_digest_matches_the_reference_signer(small_register):
    """signxml (the reference) and the canonical signer compute the same digest for one document."""
    import datetime

    from proxy.build import read_inputs, render

    rendered = render(read_inputs(environment="test", on=datetime.date(2026, 11, 27)))
    now = datetime.datetime(2026, 11, 27, 12, tzinfo=datetime.UTC)
    common = {
        "fragments": rendered.fragments,
        "name": "n",
        "document_id": "_doc",
        "valid_until": now,
        "cache_duration": "PT6H",
        "publisher": "p",
        "creation_instant": now,
    }
    material = signing.signing_material()
    ours = etree.fromstring(signing.sign_canonical(metadata_xml.aggregate_canonical(**common), material))
    reference = etree.fromstring(signing.sign(metadata_xml.aggregate_unsigned(**common), material))
    digest = ".//ds:DigestValue"
    assert ours.find(digest, NS).text == reference.find(digest, NS).text


def test_gate_verifier_refuses_tampering_other_keys_and_moved_signatures(small_register, signing_files):
    from cryptography import x509

    snapshot = snapshot_build(environment="test", trigger="t")
    data = build.read_file(snapshot, "metadata.xml")
    cert = signing.signing_material().cert
    assert signing.verify_digest_and_value(data, cert).get("ID") == snapshot.document_id
    with pytest.raises(signing.SignatureInvalid, match="digest"):
        signing.verify_digest_and_value(data.replace(b"Palvelu 1", b"Palvelu X"), cert)
    other = x509.load_pem_x509_certificate((signing_files / "next-cert.pem").read_bytes())
    with pytest.raises(signing.SignatureInvalid, match="signature value"):
        signing.verify_digest_and_value(data, other)
    root = etree.fromstring(data)
    root.set("ID", "_other")
    with pytest.raises(signing.SignatureInvalid, match="reference"):
        signing.verify_digest_and_value(etree.tostring(root), cert)
    root = etree.fromstring(data)
    root.append(root[0])  # the signature moved to the end
    with pytest.raises(signing.SignatureInvalid, match="first child"):
        signing.verify_digest_and_value(etree.tostring(root), cert)


def test_the_build_gate_verifies_by_parts_and_refuses_what_the_whole_verifier_refuses(small_register, signing_files):
    from cryptography import x509

    snapshot = snapshot_build(environment="test", trigger="t")
    data = build.read_file(snapshot, "metadata.xml")
    fragments = sorted((bytes(f.xml) for f in Fragment.objects.all()), key=metadata_xml.fragment_entity_id)
    cert = signing.signing_material().cert
    assert signing.verify_by_parts(data, cert, fragments) == snapshot.document_id
    with pytest.raises(signing.SignatureInvalid, match="entities differ"):
        signing.verify_by_parts(data.replace(b"Palvelu 1", b"Palvelu X"), cert, fragments)
    with pytest.raises(signing.SignatureInvalid, match="entities differ"):
        signing.verify_by_parts(data, cert, fragments[:1])
    with pytest.raises(signing.SignatureInvalid, match="digest"):
        changed = [f.replace(b"Palvelu 1", b"Palvelu X") for f in fragments]
        signing.verify_by_parts(data.replace(b"Palvelu 1", b"Palvelu X"), cert, changed)
    with pytest.raises(signing.SignatureInvalid, match="canonical"):
        signing.verify_by_parts(data.replace(b"<md:Extensions>", b"<md:Extensions >", 1), cert, fragments)
    other = x509.load_pem_x509_certificate((signing_files / "next-cert.pem").read_bytes())
    with pytest.raises(signing.SignatureInvalid, match="signature value"):
        signing.verify_by_parts(data, other, fragments)
    root = etree.fromstring(data)
    root.append(root[0])  # the signature moved to the end
    moved = b'<?xml version="1.0" encoding="UTF-8"?>\n' + etree.tostring(root, method="c14n", exclusive=True)
    with pytest.raises(signing.SignatureInvalid, match="first child"):
        signing.verify_by_parts(moved, cert, fragments)


def test_fragment_entity_id_reads_escaped_values():
    service = saml_service(n=1, entity_id='https://sp.example.fi/?a=1&b="2"<x>\t')
    fragment = metadata_xml.entity_fragment(service, registration_authority="r")
    assert metadata_xml.fragment_entity_id(fragment) == service.entity_id
