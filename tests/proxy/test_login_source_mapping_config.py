"""config.json carries each login source's effective attribute mapping, through a real build (issue 14)."""

from __future__ import annotations

import datetime
import json

import pytest

from members import services as register
from members.attributes import ATTRIBUTES, MAPPED_ATTRIBUTE_KEYS
from members.models import LoginSourceKind
from proxy import build
from proxy.diff import snapshot_diff
from proxy.services import snapshot_build
from tests.factories import MembershipFactory, OrganisationFactory

TODAY = datetime.date(2026, 11, 27)
CLAIMS = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/"


@pytest.fixture(autouse=True)
def real_register(settings):
    settings.PROXY_COLLECT_INPUTS = "proxy.register.collect_inputs"


def sources_in(snapshot) -> dict[str, dict]:
    config = json.loads(build.read_file(snapshot, "config.json"))
    return {s["name"]: s for home in config["home_organisations"] for s in home["login_sources"]}


def test_config_json_carries_the_stored_and_the_fixed_mappings(operator):
    home = OrganisationFactory(name_fi="Espoon kaupunki", is_home_organisation=True)
    MembershipFactory(organisation=home, role="home_organisation")
    school = register.school_save(organisation=home, by=operator, code="01234", name="Koulu", school_type="basic")
    entra = register.login_source_save(
        organisation=home, by=operator, schools=[school],
        data={"kind": LoginSourceKind.ENTRA, "name": "Espoon Entra",
              "tenant_id": "3feb6bc1-d722-4726-966c-5b58b64df752",
              "metadata_url": "https://login.microsoftonline.com/x/federationmetadata.xml"},
    )  # fmt: skip
    register.login_source_save(
        organisation=home, by=operator, schools=[school],
        data={"kind": LoginSourceKind.WILMA, "name": "Espoon Wilma", "hostnames": ["espoo.inschool.fi"]},
    )  # fmt: skip
    first = snapshot_build(environment="test", trigger="test", on=TODAY)
    assert sources_in(first)["Espoon Entra"]["attribute_mapping"] == {}  # not mapped yet
    wilma = sources_in(first)["Espoon Wilma"]["attribute_mapping"]
    assert set(wilma) == set(MAPPED_ATTRIBUTE_KEYS)  # config.json's keys are sorted
    assert wilma["learnerId"] == {"source": ATTRIBUTES["learnerId"].saml_name}

    mapping = {
        "learnerId": {"source": f"{CLAIMS}employeeid"},
        "givenName": {"source": f"{CLAIMS}givenname"},
        "surname": {"source": f"{CLAIMS}surname"},
        "schoolCode": {"value": "01234"},
        "role": {"value": "Opettaja"},
    }
    register.login_source_mapping_set(login_source=entra, mapping=mapping, by=operator)
    second = snapshot_build(environment="test", trigger="test", on=TODAY)
    assert second.pk != first.pk
    assert sources_in(second)["Espoon Entra"]["attribute_mapping"] == mapping
    # Staff see what changed between the two snapshots in words.
    diff = snapshot_diff(
        {}, {},
        before_config=json.loads(build.read_file(first, "config.json")),
        after_config=json.loads(build.read_file(second, "config.json")),
    )  # fmt: skip
    (changed,) = diff.login_sources.changed
    assert changed.name == "Espoon Entra" and "attribute mapping changed" in changed.details
    # The production configuration does not carry a test source.
    production = snapshot_build(environment="production", trigger="test", on=TODAY)
    assert "Espoon Entra" not in sources_in(production)
