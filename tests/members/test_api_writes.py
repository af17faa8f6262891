"""Writes through the REST API: the same service functions as the UI (review, audit, validation,
register_changed), DRF's field errors, nothing half-written, and no organisation changes another's."""

import itertools

import pytest
from rest_framework.test import APIClient

from accounts.services import api_token_create
from audit.models import Entry
from members.models import LoginSource, Role, School, Service, ServiceVersion
from members.signals import register_changed
from tests.factories import OrganisationRoleFactory
from tests.members.certs import sp_metadata
from tests.members.conftest import oidc_data, saml_data

_numbers = itertools.count()


def _client(user):
    client = APIClient()
    _token, key = api_token_create(user=user, name=f"test {next(_numbers)}", by=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def signals():
    received = []

    def handler(sender, **kwargs):
        received.append(kwargs["reason"])

    register_changed.connect(handler, weak=False)
    yield received
    register_changed.disconnect(handler)


def _school(organisation, code):
    return School.objects.create(organisation=organisation, code=code, name="Koulu", school_type="basic")


# ---------------------------------------------------------------- schools


def test_a_technical_contact_creates_changes_and_deletes_a_school(
    technical_a, org_a, signals, django_capture_on_commit_callbacks
):
    client = _client(technical_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/schools/",
            {"organisation": org_a.pk, "code": "12345", "name": "Keskuskoulu", "school_type": "basic"},
            format="json",
        )
    assert response.status_code == 201, response.json()
    school_id = response.json()["id"]
    assert response.json()["code"] == "12345" and signals == ["school changed"]
    assert Entry.objects.filter(action="school.save", actor=technical_a).exists()

    response = client.put(
        f"/api/schools/{school_id}/",
        {"organisation": org_a.pk, "code": "12345", "name": "Uusi koulu", "school_type": "upper_secondary"},
        format="json",
    )
    assert response.status_code == 200 and School.objects.get(pk=school_id).name == "Uusi koulu"
    assert client.delete(f"/api/schools/{school_id}/").status_code == 204
    assert not School.objects.filter(pk=school_id).exists()
    assert Entry.objects.filter(action="school.delete").exists()


def test_school_errors_name_the_field(technical_a, org_a, org_b):
    _school(org_b, "22222")
    client = _client(technical_a)
    response = client.post(
        "/api/schools/", {"organisation": org_a.pk, "code": "22222", "name": "X", "school_type": "basic"}, format="json"
    )
    assert response.status_code == 400 and "code" in response.json()
    response = client.post(
        "/api/schools/", {"organisation": org_a.pk, "code": "1234a", "name": "", "school_type": "x"}, format="json"
    )
    assert response.status_code == 400 and {"name", "school_type"} <= set(response.json())
    assert not School.objects.filter(organisation=org_a).exists()


def test_schools_only_for_home_organisations(provider_a, operator):
    response = _client(operator).post(
        "/api/schools/", {"organisation": provider_a.pk, "code": "12345", "name": "K", "school_type": "basic"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 400 and "non_field_errors" in response.json()


def test_organisation_a_can_never_change_organisation_b_schools(technical_a, signatory_a, org_a, org_b):
    school_b = _school(org_b, "22222")
    school_a = _school(org_a, "11111")
    body = {"organisation": org_b.pk, "code": "33333", "name": "K", "school_type": "basic"}
    client = _client(technical_a)
    assert client.post("/api/schools/", body, format="json").status_code == 403
    assert client.put(f"/api/schools/{school_b.pk}/", body, format="json").status_code == 404
    assert client.delete(f"/api/schools/{school_b.pk}/").status_code == 404
    # Moving one's own school to another organisation is refused too.
    assert client.put(f"/api/schools/{school_a.pk}/", body, format="json").status_code == 400
    # A signatory sees the organisation's schools but may not change them.
    signatory = _client(signatory_a)
    assert signatory.delete(f"/api/schools/{school_a.pk}/").status_code == 403
    own = {"organisation": org_a.pk, "code": "44444", "name": "K", "school_type": "basic"}
    assert signatory.post("/api/schools/", own, format="json").status_code == 403
    assert School.objects.filter(code="22222", organisation=org_b).exists()
    assert set(School.objects.values_list("code", flat=True)) == {"11111", "22222"}


def test_schools_import_is_all_or_nothing_with_row_errors(technical_a, org_a, org_b, signals):
    _school(org_b, "22222")
    client = _client(technical_a)
    url = f"/api/organisations/{org_a.pk}/schools/import/"
    bad = "code,name,type\n11111,Keskuskoulu,perusopetus\n22222,Vieras,lukio\n3333,Lyhyt,basic\n"
    response = client.post(url, {"csv": bad}, format="json")
    assert response.status_code == 400
    errors = response.json()["csv"]
    assert len(errors) == 2 and errors[0].startswith("line 3") and errors[1].startswith("line 4")
    assert not School.objects.filter(organisation=org_a).exists()

    response = client.post(url, {"csv": "11111;Keskuskoulu;perusopetus\n11112;Lukio;lukio\n"}, format="json")
    assert response.status_code == 200 and response.json() == {"imported": 2}
    assert set(School.objects.filter(organisation=org_a).values_list("code", flat=True)) == {"11111", "11112"}
    assert Entry.objects.filter(action="school.import").exists()
    assert _client(technical_a).post(f"/api/organisations/{org_b.pk}/schools/import/", {"csv": "x"}).status_code == 404


# ---------------------------------------------------------------- login sources


def test_login_sources_are_created_changed_and_deleted(technical_a, org_a, org_b):
    _school(org_a, "11111")
    _school(org_b, "22222")
    client = _client(technical_a)
    body = {
        "organisation": org_a.pk,
        "kind": "wilma",
        "name": "Wilma",
        "hostnames": ["a.inschool.fi"],
        "schools": ["11111"],
    }
    response = client.post("/api/login-sources/", body, format="json")
    assert response.status_code == 201, response.json()
    source_id = response.json()["id"]
    assert response.json()["schools"] == ["11111"]

    response = client.patch(f"/api/login-sources/{source_id}/", {"name": "Wilma 2"}, format="json")
    assert response.status_code == 200 and response.json()["name"] == "Wilma 2"
    assert response.json()["schools"] == ["11111"]  # not given: kept

    response = client.patch(f"/api/login-sources/{source_id}/", {"kind": "oidc", "issuer": "http://x"}, format="json")
    assert response.status_code == 400 and "issuer" in response.json()
    response = client.patch(f"/api/login-sources/{source_id}/", {"schools": ["22222"]}, format="json")
    assert response.status_code == 400 and "schools" in response.json()
    source = LoginSource.objects.get(pk=source_id)
    assert (source.kind, source.name, [s.code for s in source.schools.all()]) == ("wilma", "Wilma 2", ["11111"])

    assert client.delete(f"/api/login-sources/{source_id}/").status_code == 204
    assert not LoginSource.objects.filter(pk=source_id).exists()


def test_organisation_a_can_never_change_organisation_b_login_sources(technical_a, org_a, org_b):
    source_b = LoginSource.objects.create(organisation=org_b, kind="wilma", name="B", hostnames=["b.fi"])
    source_a = LoginSource.objects.create(organisation=org_a, kind="wilma", name="A", hostnames=["a.fi"])
    client = _client(technical_a)
    body = {"organisation": org_b.pk, "kind": "wilma", "name": "X", "hostnames": ["x.fi"]}
    assert client.post("/api/login-sources/", body, format="json").status_code == 403
    assert client.patch(f"/api/login-sources/{source_b.pk}/", {"name": "X"}, format="json").status_code == 404
    assert client.delete(f"/api/login-sources/{source_b.pk}/").status_code == 404
    move = {"organisation": org_b.pk}
    assert client.patch(f"/api/login-sources/{source_a.pk}/", move, format="json").status_code == 400
    assert LoginSource.objects.get(pk=source_b.pk).name == "B"
    assert LoginSource.objects.get(pk=source_a.pk).organisation_id == org_a.pk


# ---------------------------------------------------------------- allowed services


def test_allowed_services_are_set_by_ids(technical_a, admin_b, org_a, org_b, provider_a, make_saml_service):
    service = make_saml_service(provider_a)
    pending = make_saml_service(provider_a, approve=False)
    client = _client(technical_a)
    url = f"/api/organisations/{org_a.pk}/allowed-services/"
    response = client.put(url, {"services": [service.pk]}, format="json")
    assert response.status_code == 200 and response.json() == {"services": [service.pk]}
    assert list(org_a.allowed_services.all()) == [service]
    assert Entry.objects.filter(action="organisation.allowed_services").exists()

    response = client.put(url, {"services": [service.pk, pending.pk, 999999]}, format="json")
    assert response.status_code == 400 and "services" in response.json()
    assert list(org_a.allowed_services.all()) == [service]
    assert client.put(url, {"services": []}, format="json").status_code == 200
    assert not org_a.allowed_services.exists()

    other = f"/api/organisations/{org_b.pk}/allowed-services/"
    assert client.put(other, {"services": [service.pk]}, format="json").status_code == 404
    assert _client(admin_b).put(url, {"services": [service.pk]}, format="json").status_code == 404
    assert not org_b.allowed_services.exists()


# ---------------------------------------------------------------- services


def test_a_saml_service_is_registered_and_waits_for_review(tech_provider_a, provider_a, mailoutbox):
    body = {"provider": provider_a.pk, "environment": "production", "protocol": "saml",
            "entity_id": "https://sp.example.fi/api", **saml_data()}  # fmt: skip
    response = _client(tech_provider_a).post("/api/services/", body, format="json")
    assert response.status_code == 201, response.json()
    answer = response.json()
    assert answer["entity_id"] == "https://sp.example.fi/api" and answer["client_secret"] is None
    assert answer["live_version"] is None and answer["pending_version"]["status"] == "pending"
    assert Entry.objects.filter(action="service.create", actor=tech_provider_a).exists()


def test_a_saml_service_is_registered_from_metadata_text(tech_provider_a, provider_a):
    body = {"provider": provider_a.pk, "environment": "test", "protocol": "saml",
            "metadata": sp_metadata(entity_id="https://md.example.fi/sp").decode(),
            "requested_attributes": [{"key": "uid", "purpose": "Kirjautuminen"}]}  # fmt: skip
    response = _client(tech_provider_a).post("/api/services/", body, format="json")
    assert response.status_code == 201, response.json()
    version = ServiceVersion.objects.get(service_id=response.json()["id"])
    assert response.json()["entity_id"] == "https://md.example.fi/sp"
    assert version.name_fi == "Oppimateriaali" and version.acs_endpoints[0]["location"].startswith("https://sp.")

    bad = {**body, "metadata": "<not-metadata/>"}
    response = _client(tech_provider_a).post("/api/services/", bad, format="json")
    assert response.status_code == 400 and "metadata" in response.json()
    differs = {**body, "entity_id": "https://other.example.fi/sp"}
    response = _client(tech_provider_a).post("/api/services/", differs, format="json")
    assert response.status_code == 400 and "entity_id" in response.json()
    assert Service.objects.count() == 1


def test_an_oidc_service_shows_its_client_secret_once(tech_provider_a, provider_a):
    from members.services import oidc_client_secret

    client = _client(tech_provider_a)
    body = {"provider": provider_a.pk, "environment": "production", "protocol": "oidc", **oidc_data()}
    response = client.post("/api/services/", body, format="json")
    assert response.status_code == 201, response.json()
    service = Service.objects.get(pk=response.json()["id"])
    assert response.json()["client_secret"] == oidc_client_secret(service)
    assert response.json()["client_id"] == service.client_id
    assert oidc_client_secret(service) not in client.get(f"/api/services/{service.pk}/").content.decode()


def test_service_errors_name_the_field_and_write_nothing(tech_provider_a, provider_a, make_saml_service):
    existing = make_saml_service(provider_a)
    client = _client(tech_provider_a)
    body = {"provider": provider_a.pk, "environment": "production", "protocol": "saml", **saml_data(name_fi="")}
    response = client.post("/api/services/", body, format="json")
    assert response.status_code == 400 and set(response.json()) == {"name_fi"}
    body = {**body, **saml_data(), "entity_id": existing.entity_id}
    response = client.post("/api/services/", body, format="json")
    assert response.status_code == 400 and "entity_id" in response.json()
    body = {"provider": provider_a.pk, "environment": "production", "protocol": "oidc",
            **oidc_data(redirect_uris=["http://insecure.example.fi/cb"])}  # fmt: skip
    response = client.post("/api/services/", body, format="json")
    assert response.status_code == 400 and "redirect_uris" in response.json()
    assert Service.objects.count() == 1 and ServiceVersion.objects.count() == 1


def test_changing_a_service_submits_a_version_for_review(
    tech_provider_a, provider_a, make_saml_service, signals, django_capture_on_commit_callbacks
):
    service = make_saml_service(provider_a)
    live_id = service.live_version_id
    client = _client(tech_provider_a)
    endpoint = {
        "binding": "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST",
        "location": "https://sp.example.fi/new-acs",
    }
    change = {"acs_endpoints": [{**endpoint, "index": 0, "is_default": True}]}
    with django_capture_on_commit_callbacks(execute=True):
        response = client.patch(f"/api/services/{service.pk}/", change, format="json")
    assert response.status_code == 200, response.json()
    answer = response.json()
    assert answer["live_version"]["id"] == live_id
    assert answer["pending_version"]["acs_endpoints"][0]["location"] == "https://sp.example.fi/new-acs"
    assert answer["pending_version"]["name_fi"] == "Oppimateriaalipalvelu"  # kept from the live version
    assert signals == []  # the proxy's input changes only when a reviewer approves

    # A further change replaces the one waiting for review and keeps its fields.
    response = client.patch(f"/api/services/{service.pk}/", {"name_en": "Materials"}, format="json")
    pending = response.json()["pending_version"]
    assert pending["name_en"] == "Materials" and pending["acs_endpoints"][0]["location"].endswith("/new-acs")
    assert service.versions.filter(status="withdrawn").count() == 1


def test_a_change_outside_the_reviewed_fields_goes_live_at_once(
    tech_provider_a, provider_a, make_saml_service, signals, django_capture_on_commit_callbacks
):
    service = make_saml_service(provider_a)
    client = _client(tech_provider_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.patch(f"/api/services/{service.pk}/", {"name_en": "Materials"}, format="json")
    answer = response.json()
    assert response.status_code == 200 and answer["pending_version"] is None
    assert answer["live_version"]["name_en"] == "Materials" and answer["live_version"]["id"] != service.live_version_id
    assert signals  # the proxy's input changed


def test_service_change_errors(tech_provider_a, provider_a, make_saml_service):
    service = make_saml_service(provider_a)
    client = _client(tech_provider_a)
    response = client.patch(f"/api/services/{service.pk}/", {"signing_certificates": ["junk"]}, format="json")
    assert response.status_code == 400 and "signing_certificates" in response.json()
    response = client.patch(f"/api/services/{service.pk}/", {"logo_width": 10**9}, format="json")
    assert response.status_code == 400 and "logo_width" in response.json()
    assert service.versions.count() == 1


def test_organisation_a_can_never_change_organisation_b_services(
    tech_provider_a, provider_a, provider_b, make_saml_service, org_a
):
    service_b = make_saml_service(provider_b)
    client = _client(tech_provider_a)
    body = {"provider": provider_b.pk, "environment": "production", "protocol": "saml",
            "entity_id": "https://sp.example.fi/x", **saml_data()}  # fmt: skip
    assert client.post("/api/services/", body, format="json").status_code == 403
    assert client.patch(f"/api/services/{service_b.pk}/", {"name_en": "X"}, format="json").status_code == 404
    # A signatory of the provider sees its services but may not change them or register new ones.
    signatory = OrganisationRoleFactory(organisation=provider_a, role=Role.SIGNATORY, user__email="s@example.org").user
    service_a = make_saml_service(provider_a)
    body["provider"] = provider_a.pk
    assert _client(signatory).post("/api/services/", body, format="json").status_code == 403
    assert (
        _client(signatory).patch(f"/api/services/{service_a.pk}/", {"name_en": "X"}, format="json").status_code == 403
    )
    assert service_b.versions.count() == 1 and service_a.versions.count() == 1


def test_staff_may_act_for_any_organisation(operator, provider_b, org_b):
    client = _client(operator)
    body = {"provider": provider_b.pk, "environment": "test", "protocol": "oidc", **oidc_data()}
    assert client.post("/api/services/", body, format="json").status_code == 201
    school = {"organisation": org_b.pk, "code": "55555", "name": "K", "school_type": "basic"}
    assert client.post("/api/schools/", school, format="json").status_code == 201
    response = client.post("/api/services/", {**body, "provider": 2**31 - 1}, format="json")
    assert response.status_code == 400 and "provider" in response.json()


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("post", "/api/services/"), ("patch", "/api/services/1/"), ("post", "/api/schools/"),
        ("put", "/api/schools/1/"), ("delete", "/api/schools/1/"), ("post", "/api/login-sources/"),
        ("patch", "/api/login-sources/1/"), ("delete", "/api/login-sources/1/"),
        ("post", "/api/organisations/1/schools/import/"), ("put", "/api/organisations/1/allowed-services/"),
    ],
)  # fmt: skip
def test_writes_need_credentials(db, method, url):
    assert getattr(APIClient(), method)(url, {}, format="json").status_code == 401


def test_staff_without_mfa_cannot_write(operator_without_mfa, org_a):
    client = APIClient()
    client.force_authenticate(operator_without_mfa)
    body = {"organisation": org_a.pk, "code": "12345", "name": "K", "school_type": "basic"}
    assert client.post("/api/schools/", body, format="json").status_code == 403
    assert not School.objects.exists()


def test_requested_attributes_take_the_catalogue_keys_and_an_unknown_key_is_named(tech_provider_a, provider_a):
    body = {"provider": provider_a.pk, "environment": "test", "protocol": "saml",
            "metadata": sp_metadata(entity_id="https://md13.example.fi/sp").decode(),
            "requested_attributes": [{"key": "uid", "purpose": "Kirjautuminen"},
                                     {"key": "sn", "purpose": "Nimi"}]}  # fmt: skip
    response = _client(tech_provider_a).post("/api/services/", body, format="json")
    # The FriendlyName is not a key: the answer names the list, the item and the field.
    assert response.status_code == 400, response.json()
    assert "not a valid choice" in response.json()["requested_attributes"]["1"]["key"][0]
    assert Service.objects.count() == 0
    body["requested_attributes"][1] = {"key": "learningMaterialsCharge", "purpose": "Maksuttomat materiaalit"}
    response = _client(tech_provider_a).post("/api/services/", body, format="json")
    assert response.status_code == 201, response.json()
    version = ServiceVersion.objects.get(service_id=response.json()["id"])
    assert [item["key"] for item in version.requested_attributes] == ["uid", "learningMaterialsCharge"]


def test_the_api_schema_lists_the_catalogue_keys(db, client):
    schema = client.get("/api/schema/?format=json").json()
    enums = [s.get("enum") for s in schema["components"]["schemas"].values()]
    assert any(enum and {"learningMaterialsCharge", "educationProviderId", "surname"} <= set(enum) for enum in enums)
