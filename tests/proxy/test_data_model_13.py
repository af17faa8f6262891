"""Data model 1.3 in every proxy output: a service requesting the new attributes gets them under
the catalogue's names (DESIGN sections 4 and 5)."""

from __future__ import annotations

import json

import pytest
import yaml
from django.core.exceptions import ValidationError

from members.attributes import ATTRIBUTES
from proxy import build
from proxy.services import snapshot_build
from tests.proxy.helpers import NS, metadata_of
from tests.proxy.inputs_factory import home_organisation, oidc_service, role_value, saml_service

pytestmark = pytest.mark.django_db

NEW = ("uid", "nickname", "surname", "educationProviderId", "educationProvider", "learningMaterialsCharge", "role")
ATTRNAME_URI = "urn:oasis:names:tc:SAML:2.0:attrname-format:uri"


@pytest.fixture
def model_13_register(register):
    register("test", saml_service(n=1, attributes=NEW), oidc_service(n=2, attributes=NEW))


def test_metadata_requests_the_new_attributes_by_saml_name_with_the_catalogue_friendly_names(model_13_register):
    root = metadata_of(snapshot_build(environment="test", trigger="t"))
    requested = root.findall("md:EntityDescriptor[@entityID='https://sp1.example.fi/saml']//md:RequestedAttribute", NS)
    assert [(a.get("FriendlyName"), a.get("Name"), a.get("NameFormat")) for a in requested] == [
        ("mpassUsername", "urn:mpass.id:uid", ATTRNAME_URI),
        ("nickname", "urn:mpass.id:nickname", ATTRNAME_URI),
        ("sn", "urn:oid:2.5.4.4", ATTRNAME_URI),  # not "surname": what every SP's library expects
        ("mpassEducationProviderOid", "urn:mpass.id:educationProviderId", ATTRNAME_URI),
        ("mpassEducationProviderName", "urn:mpass.id:educationProvider", ATTRNAME_URI),
        ("learningMaterialsCharge", "urn:mpass.id:learningMaterialsCharge", ATTRNAME_URI),
        ("mpassRole", "urn:mpass.id:role", ATTRNAME_URI),
    ]


def test_pysaml2_reads_the_friendly_names_from_the_published_metadata(model_13_register, client, tmp_path):
    from saml2.config import Config
    from saml2.mdstore import MetadataStore

    snapshot_build(environment="test", trigger="t")
    (tmp_path / "metadata.xml").write_bytes(client.get("/proxy/test/metadata.xml").content)
    config = Config()
    config.entityid = "https://proxy.example.fi/idp"
    store = MetadataStore(attrc=None, config=config, check_validity=True)
    store.load("local", str(tmp_path / "metadata.xml"))
    wanted = store.attribute_requirement("https://sp1.example.fi/saml")
    read = {a["name"]: a["friendly_name"] for a in wanted["required"] + wanted["optional"]}
    assert read == {ATTRIBUTES[key].saml_name: ATTRIBUTES[key].friendly_name for key in NEW}
    assert read["urn:oid:2.5.4.4"] == "sn"
    assert read["urn:mpass.id:learningMaterialsCharge"] == "learningMaterialsCharge"
    assert read["urn:mpass.id:educationProviderId"] == "mpassEducationProviderOid"


def test_filter_and_satosa_policy_release_the_new_attributes_to_both_requesters(model_13_register):
    snapshot = snapshot_build(environment="test", trigger="t")
    afp = build.read_file(snapshot, "attribute-filter.xml").decode()
    for requester in ("https://sp1.example.fi/saml", "client-2"):
        policy = afp.split(f'value="{requester}"/>')[1].split("</AttributeFilterPolicy>")[0]
        assert sorted(policy.split('attributeID="')[i].split('"')[0] for i in range(1, 8)) == sorted(NEW)
    policy = yaml.safe_load(build.read_file(snapshot, "satosa-attribute-policy.yaml"))
    rules = policy["config"]["attribute_policy"]
    assert rules["https://sp1.example.fi/saml"]["allowed"] == sorted(NEW)
    assert rules["client-2"]["allowed"] == sorted(NEW)


def test_config_json_names_each_released_attribute_by_saml_name_friendly_name_and_claim(model_13_register):
    config = json.loads(build.read_file(snapshot_build(environment="test", trigger="t"), "config.json"))
    oidc = next(s for s in config["services"] if s["requester"] == "client-2")
    released = {r["key"]: (r["saml_name"], r["friendly_name"], r["oidc_claim"]) for r in oidc["released"]}
    assert released["learningMaterialsCharge"] == (
        "urn:mpass.id:learningMaterialsCharge", "learningMaterialsCharge", "urn:mpass.id:learningMaterialsCharge",
    )  # fmt: skip
    assert released["educationProviderId"] == (
        "urn:mpass.id:educationProviderId", "mpassEducationProviderOid", "urn:mpass.id:educationProviderId",
    )  # fmt: skip
    assert released["surname"] == ("urn:oid:2.5.4.4", "sn", "family_name")
    assert released["nickname"][2] == "nickname"


def test_the_fixture_home_organisations_make_valid_seven_part_role_values():
    home = home_organisation(n=10)
    assert role_value(home) == "1.2.246.562.10.10000000010;00010;7B;Oppilas;1;;"
    assert role_value(home, role="Lärare", role_code="2", school_oid="1.2.246.562.10.85149969462").count(";") == 6
    with pytest.raises(ValidationError):
        role_value(home, role_code="7")
