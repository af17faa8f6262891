"""discovery.json: what the MPASSid login page lists, public in both environments (issue 14, item 4),
and the login-source logos it points at."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from members import services as register
from members.models import LoginSource, School
from proxy import build, validation
from proxy.services import snapshot_build
from tests.factories import MembershipFactory, OrganisationFactory
from tests.members.logo_samples import GOOD_SVG, raster

TODAY = datetime.date(2026, 11, 27)


@pytest.fixture(autouse=True)
def real_register(settings):
    settings.PROXY_COLLECT_INPUTS = "proxy.register.collect_inputs"
    settings.PROXY_BUILD_ON_CHANGE = False
    settings.SITE_URL = "https://trustnet.example"


@pytest.fixture
def home(operator):
    home = OrganisationFactory(name_fi="Espoon kaupunki", name_sv="Esbo stad", name_en="City of Espoo")
    MembershipFactory(organisation=home, role="home_organisation")
    return home


def _source(home, operator, *, name, environment, schools, approved=True, flow_name="", **page):
    source = LoginSource.objects.create(
        organisation=home, kind="wilma", name=name, hostnames=[f"{environment}.inschool.fi"], environment=environment,
        flow_name=flow_name or f"espoo-wilma-{environment}",
        approved_at=datetime.datetime.now(datetime.UTC) if approved else None,
    )  # fmt: skip
    source.schools.set(schools)
    logo = page.pop("logo", None)
    return register.login_source_login_page_save(login_source=source, data=page, logo=logo, by=operator)


@pytest.fixture
def sources(home, operator):
    mattlid = School.objects.create(organisation=home, code="03405", name="Mattlidens skola", school_type="basic")
    olari = School.objects.create(organisation=home, code="03411", name="Olarin koulu", school_type="basic")
    production = _source(
        home, operator, name="Espoon Wilma", environment="production", schools=[mattlid, olari],
        display_name_fi="Espoon Wilma", display_name_sv="Esbo Wilma", title_fi="Oppilaat ja huoltajat",
        excluded_schools=[olari], logo=GOOD_SVG,
    )  # fmt: skip
    test = _source(home, operator, name="Espoon testi-Wilma", environment="test", schools=[olari], logo=raster())
    _source(home, operator, name="Odottaa", environment="production", schools=[], approved=False, flow_name="pending")
    return production, test


def _discovery(snapshot) -> dict:
    return json.loads(build.read_file(snapshot, "discovery.json"))


def test_discovery_lists_the_environments_approved_sources_with_what_the_login_page_shows(sources):
    production_source, _ = sources
    snapshot = snapshot_build(environment="production", trigger="t", on=TODAY)
    assert snapshot.status == "valid", snapshot.errors
    document = _discovery(snapshot)
    assert document["environment"] == "production"
    (organisation,) = document["home_organisations"]
    assert organisation["name"] == {"fi": "Espoon kaupunki", "sv": "Esbo stad", "en": "City of Espoo"}
    (source,) = organisation["login_sources"]  # not the test source, nor the unapproved one
    digest = production_source.logo.name.rsplit("/", 1)[-1]
    assert source == {
        "flow_name": "espoo-wilma-production",
        "kind": "wilma",
        "display_name": {"fi": "Espoon Wilma", "sv": "Esbo Wilma", "en": "Espoon Wilma"},
        "title": {"fi": "Oppilaat ja huoltajat", "sv": "", "en": ""},
        "logo_url": f"https://trustnet.example/proxy/production/logos/{digest}",
        "schools": [{"code": "03405", "name": "Mattlidens skola"}],
        "excluded_schools": [{"code": "03411", "name": "Olarin koulu"}],
        "authn_context_class_ref": "urn:mpass.id:authnsource:espoo-wilma-production",
    }


def test_the_test_environment_has_its_own_discovery_with_names_falling_back_to_the_source_name(sources):
    snapshot = snapshot_build(environment="test", trigger="t", on=TODAY)
    assert snapshot.status == "valid", snapshot.errors
    (organisation,) = _discovery(snapshot)["home_organisations"]
    (source,) = organisation["login_sources"]
    assert source["flow_name"] == "espoo-wilma-test"
    assert source["display_name"] == dict.fromkeys(("fi", "sv", "en"), "Espoon testi-Wilma")
    assert source["logo_url"].startswith("https://trustnet.example/proxy/test/logos/")
    assert source["logo_url"].endswith(".png")
    assert source["schools"] == [{"code": "03411", "name": "Olarin koulu"}] and source["excluded_schools"] == []


@pytest.mark.parametrize("environment", ["test", "production"])
def test_discovery_is_public_with_etag_and_304(client, sources, environment):
    snapshot = snapshot_build(environment=environment, trigger="t", on=TODAY)
    response = client.get(f"/proxy/{environment}/discovery.json")  # no token
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert json.loads(response.content) == _discovery(snapshot)
    assert response["ETag"] == f'"{snapshot.files["discovery.json"]["sha256"]}"'
    assert response["Cache-Control"].startswith("public")
    again = client.get(f"/proxy/{environment}/discovery.json", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_a_change_to_the_login_page_makes_a_new_snapshot(sources, operator):
    production_source, _ = sources
    first = snapshot_build(environment="production", trigger="t", on=TODAY)
    assert snapshot_build(environment="production", trigger="t", on=TODAY).pk == first.pk  # nothing changed
    register.login_source_login_page_save(login_source=production_source, data={"title_en": "Pupils"}, by=operator)
    second = snapshot_build(environment="production", trigger="t", on=TODAY)
    assert second.pk != first.pk and second.status == "valid"
    (organisation,) = _discovery(second)["home_organisations"]
    assert organisation["login_sources"][0]["title"]["en"] == "Pupils"


def test_a_published_svg_logo_is_served_with_its_type_policy_nosniff_and_etag(client, sources):
    snapshot_build(environment="production", trigger="t", on=TODAY)
    production_source, _ = sources
    path = f"/proxy/production/logos/{production_source.logo.name.rsplit('/', 1)[-1]}"
    response = client.get(path)
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; style-src 'unsafe-inline'"
    assert b"<circle" in response.content
    assert client.get(path, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


def test_a_png_logo_gets_no_svg_policy_and_logos_not_published_here_are_404(client, sources):
    snapshot_build(environment="test", trigger="t", on=TODAY)
    snapshot_build(environment="production", trigger="t", on=TODAY)
    _, test_source = sources
    png = test_source.logo.name.rsplit("/", 1)[-1]
    response = client.get(f"/proxy/test/logos/{png}")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "style-src 'unsafe-inline'" not in response.get("Content-Security-Policy", "")
    # The test source's logo is not on the production login page.
    assert client.get(f"/proxy/production/logos/{png}").status_code == 404
    assert client.get(f"/proxy/test/logos/{'0' * 64}.png").status_code == 404


def test_a_logo_changed_in_storage_is_not_served(client, sources):
    snapshot_build(environment="production", trigger="t", on=TODAY)
    production_source, _ = sources
    default_storage.delete(production_source.logo.name)
    default_storage.save(production_source.logo.name, ContentFile(b"<svg>changed</svg>"))
    response = client.get(f"/proxy/production/logos/{production_source.logo.name.rsplit('/', 1)[-1]}")
    assert response.status_code == 503


def test_the_schema_gate_refuses_a_malformed_discovery():
    config = json.dumps({"home_organisations": []}).encode()
    bad = json.dumps({"environment": "test", "home_organisations": [{"key": "x", "name": {}, "login_sources": []}]})
    assert validation.discovery_errors(discovery=bad.encode(), config=config)
    good = json.dumps({"environment": "test", "home_organisations": []}).encode()
    assert validation.discovery_errors(discovery=good, config=config) == []
