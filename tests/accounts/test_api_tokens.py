"""Personal API tokens: made on the profile page with the password again, shown once, stored as
SHA-256 only, scoped exactly as their user's session, refused (401) once revoked or expired."""

import datetime
import hashlib

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken
from accounts.services import api_token_create, api_token_revoke
from audit.models import Entry
from members.models import LoginSource, School
from tests.conftest import client_for
from tests.factories import TEST_PASSWORD
from tests.querycount import assert_queries_pinned

URL = "/profile/api-tokens/"


def _api(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def schools(org_a, org_b):
    return {
        org_a.pk: School.objects.create(organisation=org_a, code="11111", name="Koulu A", school_type="basic"),
        org_b.pk: School.objects.create(organisation=org_b, code="22222", name="Koulu B", school_type="basic"),
    }


def test_a_member_creates_a_token_with_the_password_and_sees_the_key_once(admin_a):
    client = client_for(admin_a)
    response = client.post(URL, {"name": "Oppilasrekisteri", "expires_on": "", "password": TEST_PASSWORD})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    token = ApiToken.objects.get(user=admin_a)
    key = response.context["new_key"]
    assert key.startswith(token.prefix) and key in response.content.decode()
    # Only the hash is stored; the key is nowhere in the database or the audit log.
    assert token.token_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in str(list(ApiToken.objects.values()))
    entry = Entry.objects.get(action="accounts.api_token.create")
    assert key not in str(entry.after) and "token_hash" not in entry.after and entry.after["name"] == "Oppilasrekisteri"
    # The list shows the prefix, never the key again.
    page = client.get(URL).content.decode()
    assert token.prefix in page and key not in page


def test_creating_a_token_needs_the_right_password(admin_a):
    response = client_for(admin_a).post(URL, {"name": "x", "password": "wrong password"})
    assert response.status_code == 200 and response.context["new_key"] is None
    assert "password" in response.context["form"].errors
    assert not ApiToken.objects.exists()


def test_password_guessing_on_the_token_page_is_rate_limited(admin_a, settings):
    settings.ACCOUNT_RATE_LIMITS = {"reauthenticate": "2/m/user"}
    client = client_for(admin_a)
    for _attempt in range(2):
        client.post(URL, {"name": "x", "password": "guess"})
    response = client.post(URL, {"name": "x", "password": TEST_PASSWORD})
    assert "Too many attempts" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_anonymous_people_are_sent_to_log_in(db):
    assert client_for(None).get(URL).status_code == 302


def test_staff_need_mfa_before_they_make_tokens(operator_without_mfa):
    response = client_for(operator_without_mfa).get(URL)
    assert response.status_code == 302 and "totp" in response["Location"]


def test_a_token_reads_its_users_organisations_only(admin_a, org_a, org_b, schools):
    _token, key = api_token_create(user=admin_a, name="sync", by=admin_a)
    client = _api(key)
    assert [o["id"] for o in client.get("/api/organisations/").json()["results"]] == [org_a.pk]
    assert [s["code"] for s in client.get("/api/schools/").json()["results"]] == ["11111"]
    assert client.get(f"/api/organisations/{org_b.pk}/").status_code == 404
    assert client.get(f"/api/schools/{schools[org_b.pk].pk}/").status_code == 404


def test_org_b_token_never_reads_org_a_data(admin_b, org_a, org_b, schools):
    LoginSource.objects.create(organisation=org_a, kind="wilma", name="A", hostnames=["a.inschool.fi"])
    _token, key = api_token_create(user=admin_b, name="sync", by=admin_b)
    client = _api(key)
    for url in ("/api/organisations/", "/api/schools/", "/api/login-sources/", "/api/services/"):
        body = client.get(url).content.decode()
        assert "Kunta A" not in body and "11111" not in body and "a.inschool.fi" not in body
    assert client.get(f"/api/organisations/{org_a.pk}/").status_code == 404


def test_a_staff_token_sees_everything(operator, org_a, org_b, schools):
    _token, key = api_token_create(user=operator, name="ops", by=operator)
    assert {s["code"] for s in _api(key).get("/api/schools/").json()["results"]} == {"11111", "22222"}


def test_a_revoked_token_is_refused_with_401(admin_a, schools):
    token, key = api_token_create(user=admin_a, name="sync", by=admin_a)
    assert _api(key).get("/api/schools/").status_code == 200
    client_for(admin_a).post(f"{URL}{token.pk}/revoke/")
    response = _api(key).get("/api/schools/")
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Token"
    assert "revoked" in response.json()["detail"]
    assert Entry.objects.filter(action="accounts.api_token.revoke", object_id=str(token.pk)).exists()


def test_an_expired_token_is_refused_with_401(admin_a, schools):
    last_day = timezone.localdate() + datetime.timedelta(days=3)
    token, key = api_token_create(user=admin_a, name="sync", expires_on=last_day, by=admin_a)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=3)):
        assert _api(key).get("/api/schools/").status_code == 200  # still its last day (or before)
    with time_machine.travel(token.expires_at + datetime.timedelta(seconds=1)):
        response = _api(key).get("/api/schools/")
    assert response.status_code == 401 and "expired" in response.json()["detail"]


@pytest.mark.parametrize("header", ["Token", "Token tn_unknown", "Token a b", "Token \u00e4\u00e4"])
def test_bad_token_headers_are_refused_with_401(db, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header.encode("utf-8").decode("latin-1"))
    assert client.get("/api/schools/").status_code == 401


def test_a_deactivated_users_token_is_refused(admin_a):
    _token, key = api_token_create(user=admin_a, name="sync", by=admin_a)
    admin_a.is_active = False
    admin_a.save()
    assert _api(key).get("/api/schools/").status_code == 401


def test_anonymous_api_calls_get_401_with_the_scheme(db):
    response = APIClient().get("/api/schools/")
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Token"


def test_last_used_is_recorded_at_most_once_a_minute(admin_a, schools):
    token, key = api_token_create(user=admin_a, name="sync", by=admin_a)
    assert token.last_used_at is None
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        _api(key).get("/api/schools/")
        first = ApiToken.objects.get(pk=token.pk).last_used_at
        assert first is not None
        traveller.shift(datetime.timedelta(seconds=30))
        _api(key).get("/api/schools/")
        assert ApiToken.objects.get(pk=token.pk).last_used_at == first
        traveller.shift(datetime.timedelta(seconds=31))
        _api(key).get("/api/schools/")
        assert ApiToken.objects.get(pk=token.pk).last_used_at > first


def test_someone_else_cannot_revoke_my_token(admin_a, admin_b):
    token, _key = api_token_create(user=admin_a, name="sync", by=admin_a)
    assert client_for(admin_b).post(f"{URL}{token.pk}/revoke/").status_code == 404
    with pytest.raises(PermissionDenied):
        api_token_revoke(token=token, by=admin_b)
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


def test_nobody_makes_a_token_for_someone_else(admin_a, operator):
    with pytest.raises(PermissionDenied):
        api_token_create(user=admin_a, name="sync", by=operator)


def test_token_input_is_validated(admin_a):
    with pytest.raises(ValidationError) as excinfo:
        api_token_create(user=admin_a, name=" ", expires_on=timezone.localdate(), by=admin_a)
    assert set(excinfo.value.error_dict) == {"name", "expires_on"}
    api_token_create(user=admin_a, name="sync", by=admin_a)
    with pytest.raises(ValidationError) as excinfo:
        api_token_create(user=admin_a, name="sync", by=admin_a)
    assert "name" in excinfo.value.error_dict
    assert ApiToken.objects.count() == 1


def test_the_token_list_runs_a_fixed_number_of_queries(admin_a):
    api_token_create(user=admin_a, name="first", by=admin_a)

    def grow():
        for i in range(5):
            api_token_create(user=admin_a, name=f"more {i}", by=admin_a)

    assert_queries_pinned(client_for(admin_a), URL, grow=grow, expected=5)


def test_the_schema_documents_the_token_scheme(db, client):
    schema = client.get("/api/schema/?format=json").json()
    scheme = schema["components"]["securitySchemes"]["apiToken"]
    assert scheme == {**scheme, "type": "apiKey", "in": "header", "name": "Authorization"}
    assert {"apiToken": []} in schema["paths"]["/api/schools/"]["get"]["security"]


def test_other_users_tokens_are_not_listed(admin_a, admin_b):
    api_token_create(user=admin_b, name="b-secret-sync", by=admin_b)
    assert "b-secret-sync" not in client_for(admin_a).get(URL).content.decode()


def test_the_api_keeps_the_mfa_rule_for_staff_by_session_and_by_token(operator_without_mfa, org_a, schools):
    session = client_for(operator_without_mfa)
    refused = session.get("/api/organisations/")
    assert refused.status_code == 403
    assert "two-factor" in refused.json()["detail"]
    _token, key = api_token_create(user=operator_without_mfa, name="ops", by=operator_without_mfa)
    assert _api(key).get("/api/schools/").status_code == 403


def test_members_must_enrol_before_using_the_api_where_the_deployment_requires_mfa(admin_a, schools, settings):
    settings.TRUSTNET_MEMBER_MFA_REQUIRED = True
    _token, key = api_token_create(user=admin_a, name="ci", by=admin_a)
    assert _api(key).get("/api/schools/").status_code == 403
    settings.TRUSTNET_MEMBER_MFA_REQUIRED = False
    assert _api(key).get("/api/schools/").status_code == 200
