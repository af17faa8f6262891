"""The register's REST API: scoped to the caller's organisations, fixed query counts, a valid schema."""

import pytest
from rest_framework.test import APIClient

from accounts.services import api_token_create
from members.models import LoginSource, School
from tests.factories import OrganisationRoleFactory, ServiceProviderOrganisationFactory

ENDPOINTS = ["/api/organisations/", "/api/schools/", "/api/login-sources/", "/api/services/"]


def _client(user):
    client = APIClient()
    _token, key = api_token_create(user=user, name="test", by=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def data(org_a, org_b, provider_a, provider_b, make_saml_service, make_oidc_service):
    for organisation, code in ((org_a, "11111"), (org_b, "22222")):
        school = School.objects.create(organisation=organisation, code=code, name="Koulu", school_type="basic")
        source = LoginSource.objects.create(organisation=organisation, kind="wilma", name="W", hostnames=["x.fi"])
        source.schools.add(school)
    return {"a": make_saml_service(provider_a), "b": make_oidc_service(provider_b, approve=False)}


def test_anonymous_callers_are_refused(db):
    client = APIClient()
    for url in ENDPOINTS:
        assert client.get(url).status_code in (401, 403)


def test_a_member_sees_only_their_own_organisations_data(data, org_a, org_b, provider_a, admin_a):
    OrganisationRoleFactory(organisation=provider_a, role="technical", user=admin_a)
    client = _client(admin_a)
    organisations = client.get("/api/organisations/").json()["results"]
    assert {o["id"] for o in organisations} == {org_a.pk, provider_a.pk}
    assert [s["code"] for s in client.get("/api/schools/").json()["results"]] == ["11111"]
    assert [s["organisation"] for s in client.get("/api/login-sources/").json()["results"]] == [org_a.pk]
    assert [s["id"] for s in client.get("/api/services/").json()["results"]] == [data["a"].pk]
    assert client.get(f"/api/organisations/{org_b.pk}/").status_code == 404
    assert client.get(f"/api/services/{data['b'].pk}/").status_code == 404
    school_b = School.objects.get(organisation=org_b)
    source_b = LoginSource.objects.get(organisation=org_b)
    assert client.get(f"/api/schools/{school_b.pk}/").status_code == 404
    assert client.get(f"/api/login-sources/{source_b.pk}/").status_code == 404
    # Their own detail pages work, so the 404s above are about scope, not the route.
    assert client.get(f"/api/schools/{School.objects.get(organisation=org_a).pk}/").status_code == 200
    assert client.get(f"/api/login-sources/{LoginSource.objects.get(organisation=org_a).pk}/").status_code == 200


def test_organisations_cannot_be_deleted_through_the_api(data, admin_a, org_a):
    # Writes are in tests/members/test_api_writes.py; an organisation is never deleted (DESIGN 3.6).
    assert _client(admin_a).delete(f"/api/organisations/{org_a.pk}/").status_code == 405


def test_staff_see_everything_and_pending_versions(data, operator):
    client = APIClient()
    client.force_authenticate(operator)
    services = client.get("/api/services/").json()["results"]
    assert len(services) == 2
    pending = next(s for s in services if s["id"] == data["b"].pk)
    assert pending["live_version"] is None and pending["pending_version"]["status"] == "pending"


@pytest.mark.parametrize(("url", "expected"), [
    # One query of each is the MFA rule (staff must have enrolled).
    # Schools: one more for their offices (prefetched, whatever the number of schools).
    ("/api/organisations/", 6), ("/api/schools/", 5), ("/api/login-sources/", 5), ("/api/services/", 5),
])  # fmt: skip
def test_api_lists_run_a_fixed_number_of_queries(operator, url, expected, make_saml_service, django_assert_num_queries):
    client = _client(operator)

    def grow(n):
        for i in range(n):
            provider = ServiceProviderOrganisationFactory()
            make_saml_service(provider)
            school = School.objects.create(
                organisation=provider, code=f"{School.objects.count() + 10000 + i:05d}", name="K", school_type="basic"
            )
            LoginSource.objects.create(organisation=provider, kind="wilma", name="W", hostnames=["x.fi"]).schools.add(
                school
            )

    grow(1)
    client.get(url)  # the token's first use records its last-used time; later ones within a minute do not
    with django_assert_num_queries(expected):
        assert client.get(url).status_code == 200
    grow(5)
    with django_assert_num_queries(expected):
        assert client.get(url).status_code == 200


def test_schema_and_docs_are_served(db, client):
    schema = client.get("/api/schema/")
    assert schema.status_code == 200 and b"/api/services/" in schema.content
    assert client.get("/api/docs/").status_code == 200


def test_huge_limits_and_offsets_are_answered_not_crashed(data, operator):
    """Found by schemathesis: a limit beyond bigint reached the database."""
    client = _client(operator)
    response = client.get("/api/schools/?offset=-562949953421313&limit=221374452688728132933171628000411648")
    assert response.status_code == 200
    assert client.get("/api/schools/?offset=99999999999999999999999").status_code == 200
    assert client.get("/api/organisations/99999999999999999999999/").status_code == 404


def test_the_api_never_shows_a_client_secret(data, operator, provider_b):
    from members.services import oidc_client_secret

    client = APIClient()
    client.force_authenticate(operator)
    secret = oidc_client_secret(data["b"])
    assert secret and secret not in client.get("/api/services/").content.decode()
    assert "client_secret_encrypted" not in client.get(f"/api/services/{data['b'].pk}/").content.decode()
