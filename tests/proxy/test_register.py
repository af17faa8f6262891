"""The register seam: only approved services of members in force reach the proxy (DESIGN 2, 3.6, 5)."""

from __future__ import annotations

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from members import services as register
from members.attributes import ATTRIBUTES
from members.models import Contact, LoginSource, LoginSourceKind, Organisation
from members.secrets import secret_sha256
from proxy import build
from proxy.models import Publication
from proxy.register import collect_inputs, service_key
from proxy.services import snapshot_build
from tests.factories import MembershipFactory, OrganisationFactory, ServiceProviderOrganisationFactory
from tests.members.conftest import oidc_data, saml_data
from tests.proxy.helpers import NS, entity_ids, metadata_of

TODAY = datetime.date(2026, 11, 27)


@pytest.fixture(autouse=True)
def real_register(settings):
    settings.PROXY_COLLECT_INPUTS = "proxy.register.collect_inputs"


def provider_in_force(name: str, **membership):
    provider = ServiceProviderOrganisationFactory(name_fi=name)
    MembershipFactory(organisation=provider, role="service_provider", **membership)
    return provider


def saml(provider, operator, *, n: int, environment: str = "production", approve: bool = True, **data):
    created = register.service_create(
        provider=provider,
        by=operator,
        environment=environment,
        protocol="saml",
        data=saml_data(**data),
        entity_id=f"https://sp{n}.example.fi/saml",
    )
    if approve:
        register.service_approve(version=created.version, by=operator)
    created.service.refresh_from_db()
    return created.service


def config_of(snapshot) -> dict:
    return json.loads(build.read_file(snapshot, "config.json"))


def test_only_approved_services_of_providers_in_force_appear(operator):
    in_force = provider_in_force("Sopimus voimassa Oy")
    unsigned = ServiceProviderOrganisationFactory(name_fi="Ei sopimusta Oy")
    saml(in_force, operator, n=1)
    saml(in_force, operator, n=2, approve=False)  # waits for review
    saml(unsigned, operator, n=3)
    saml(in_force, operator, n=4, environment="test")

    production = snapshot_build(environment="production", trigger="test", on=TODAY)
    assert entity_ids(metadata_of(production)) == ["https://sp1.example.fi/saml"]
    test = snapshot_build(environment="test", trigger="test", on=TODAY)
    assert entity_ids(metadata_of(test)) == ["https://sp4.example.fi/saml"]


def test_a_pending_change_leaves_the_last_approved_data_in_service(operator):
    provider = provider_in_force("Muutos Oy")
    service = saml(provider, operator, n=1)
    new_acs = [{"binding": "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST",
                "location": "https://new.example.fi/acs", "index": 0, "is_default": True}]  # fmt: skip
    register.service_change(service=service, by=operator, data={"acs_endpoints": new_acs})

    metadata = build.read_file(snapshot_build(environment="production", trigger="t", on=TODAY), "metadata.xml")
    assert b"https://sp.example.fi/acs" in metadata
    assert b"https://new.example.fi/acs" not in metadata


def test_a_provider_under_notice_is_served_until_the_day_before_its_end_date_and_gone_on_it(operator):
    ends_on = datetime.date(2027, 2, 27)
    provider = provider_in_force("Irtisanottu Oy", ends_on=ends_on)
    saml(provider, operator, n=1)

    day_before = snapshot_build(environment="production", trigger="t", on=ends_on - datetime.timedelta(days=1))
    assert entity_ids(metadata_of(day_before)) == ["https://sp1.example.fi/saml"]
    # Nothing else is in service that day: the aggregate is published empty rather than the
    # previous snapshot (with the ended member in it) staying in service.
    on_end_date = snapshot_build(environment="production", trigger="t", on=ends_on)
    assert on_end_date.status == "valid", on_end_date.errors
    assert Publication.objects.get(environment="production").snapshot == on_end_date
    assert entity_ids(metadata_of(on_end_date)) == []
    assert config_of(on_end_date)["services"] == []


def test_attribute_names_come_from_the_information_model_and_no_plain_secret_leaves(operator):
    provider = provider_in_force("OIDC Oy")
    created = register.service_create(
        provider=provider, by=operator, environment="production", protocol="oidc", data=oidc_data()
    )
    register.service_approve(version=created.version, by=operator)
    saml(provider, operator, n=1, requested_attributes=[
        {"key": "learnerId", "purpose": "Oppijanumero"}, {"key": "surname", "purpose": "Nimi"},
        {"key": "learningMaterialsCharge", "purpose": "Maksuttomat oppimateriaalit"},
    ])  # fmt: skip

    snapshot = snapshot_build(environment="production", trigger="t", on=TODAY)
    config = json.dumps(config_of(snapshot))
    assert created.client_secret not in config
    # Not even a hash (issue 13): the proxy reads the secrets, encrypted to it, from oidc-clients.json.
    assert secret_sha256(created.client_secret) not in config
    metadata = metadata_of(snapshot)
    requested = metadata.findall(".//md:RequestedAttribute", NS)
    # In the catalogue's order, each under its FriendlyName (surname's key is published as "sn").
    assert [(a.get("Name"), a.get("FriendlyName")) for a in requested] == [
        (ATTRIBUTES["learnerId"].saml_name, "learnerId"),
        ("urn:oid:2.5.4.4", "sn"),
        ("urn:mpass.id:learningMaterialsCharge", "learningMaterialsCharge"),
    ]
    assert ATTRIBUTES["schoolCode"].oidc_claim in config


def test_home_organisations_in_force_with_login_sources_schools_and_allow_list(operator):
    provider = provider_in_force("Palvelu Oy")
    allowed = saml(provider, operator, n=1)
    saml(provider, operator, n=2)
    home = OrganisationFactory(name_fi="Espoon kaupunki", is_home_organisation=True)
    MembershipFactory(organisation=home, role="home_organisation")
    outside = OrganisationFactory(name_fi="Ei jäsen", is_home_organisation=True)
    school = register.school_save(organisation=home, by=operator, code="01234", name="Kirkkojärven koulu",
                                  school_type="basic")  # fmt: skip
    source = register.login_source_save(
        organisation=home,
        by=operator,
        data={"kind": LoginSourceKind.WILMA, "name": "Espoon Wilma", "hostnames": ["espoo.inschool.fi"]},
        schools=[school],
    )
    register.allowed_services_set(organisation=home, by=operator, services=[allowed])
    # A new source starts in test: only the test configuration carries it until it is promoted.
    assert source.environment == "test"
    # The test environment carries every home organisation whose membership has not ended, so
    # one that has not signed yet can try its login source (DESIGN section 5).
    test_homes = {h.name.fi: h for h in collect_inputs(environment="test", on=TODAY).home_organisations}
    assert set(test_homes) == {"Espoon kaupunki", "Ei jäsen"}
    assert [s.name for s in test_homes["Espoon kaupunki"].login_sources] == ["Espoon Wilma"]
    (production_home,) = collect_inputs(environment="production", on=TODAY).home_organisations
    assert production_home.login_sources == ()
    LoginSource.objects.filter(pk=source.pk).update(environment="production")

    inputs = collect_inputs(environment="production", on=TODAY)
    assert [h.name.fi for h in inputs.home_organisations] == ["Espoon kaupunki"]
    (home_in,) = inputs.home_organisations
    assert home_in.allowed_service_keys == (service_key(allowed.pk),)
    assert [(s.kind, s.identifier, s.school_codes) for s in home_in.login_sources] == [
        ("wilma", "espoo.inschool.fi", ("01234",))
    ]
    assert f"organisation-{outside.pk}" not in {h.key for h in inputs.home_organisations}
    # In the test environment none of the allowed services exists: the list is empty, not "all".
    (espoo,) = [
        h for h in collect_inputs(environment="test", on=TODAY).home_organisations if h.name.fi == "Espoon kaupunki"
    ]
    assert espoo.allowed_service_keys == ()


def test_collecting_takes_the_same_number_of_queries_whatever_the_size(operator):
    provider = provider_in_force("Kasvava Oy")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            collect_inputs(environment="production", on=TODAY)
        return len(captured)

    def home_in_force():
        home = OrganisationFactory(is_home_organisation=True)
        MembershipFactory(organisation=home, role="home_organisation")

    saml(provider, operator, n=1)
    home_in_force()
    small = queries()
    for n in range(2, 7):
        saml(provider, operator, n=n)
        home_in_force()
    assert queries() == small


def test_a_logo_reaches_the_metadata_with_its_size(operator):
    provider = provider_in_force("Logo Oy")
    saml(provider, operator, n=1, logo_url="https://sp.example.fi/logo.png", logo_width=120, logo_height=60)
    logo = metadata_of(snapshot_build(environment="production", trigger="t", on=TODAY)).find(".//mdui:Logo", NS)
    assert (logo.text, logo.get("width"), logo.get("height")) == ("https://sp.example.fi/logo.png", "120", "60")


def test_a_logo_without_its_size_is_refused_naming_the_field(operator):
    from django.core.exceptions import ValidationError

    provider = provider_in_force("Logo Oy")
    with pytest.raises(ValidationError) as refused:
        saml(provider, operator, n=1, logo_url="https://sp.example.fi/logo.png")
    assert set(refused.value.message_dict) == {"logo_width", "logo_height"}


def test_unchanged_services_are_reused_between_builds_and_every_change_is_seen(operator):
    provider = provider_in_force("Muistava Oy")
    service = saml(provider, operator, n=1)

    def collected():
        (only,) = collect_inputs(environment="production", on=TODAY).services
        return only

    first = collected()
    assert collected() is first  # the same value, not made again
    Organisation.objects.filter(pk=provider.pk).update(name_sv="Minnande Ab")
    assert collected().organisation_name.sv == "Minnande Ab"
    Contact.objects.create(organisation=provider, kind="security", name="CERT", email="cert@muistava.fi")
    assert "cert@muistava.fi" in [contact.email for contact in collected().contacts]
    register.service_change(service=service, by=operator, data={"description_en": "Changed."})
    assert collected().description.en == "Changed."
    service.refresh_from_db()
    assert collected().key == service_key(service.pk) and service.live_version.description_en == "Changed."
