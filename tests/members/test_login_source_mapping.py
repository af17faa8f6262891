"""Setting a login source's attribute mapping: the service, the page and the API (issue 14)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import Entry
from members import services
from members.models import LoginSource, School
from tests.conftest import api_client_for
from tests.members.test_attribute_mapping import CLAIMS, full_mapping


def make_source(organisation, kind="entra", **fields):
    defaults = {
        "entra": {"tenant_id": "3feb6bc1-d722-4726-966c-5b58b64df752", "metadata_url": "https://login.example/x"},
        "wilma": {"hostnames": ["kunta.inschool.fi"]},
        "opinsys": {"hostnames": ["kunta"]},
        "google": {"entity_id": "https://accounts.google.com/o/saml2?idpid=x", "metadata_url": "https://g.example/m"},
    }[kind]
    return LoginSource.objects.create(
        organisation=organisation, kind=kind, name=f"{kind} source", approved_at=timezone.now(),
        flow_name=f"{organisation.pk}-{kind}-{LoginSource.objects.count()}", **{**defaults, **fields},
    )  # fmt: skip


@pytest.fixture
def school_a(org_a):
    return School.objects.create(organisation=org_a, code="12345", name="Keskuskoulu", school_type="basic")


@pytest.fixture
def source_a(org_a, school_a):
    return make_source(org_a)


# ---------------------------------------------------------------- the service


def test_the_service_stores_the_mapping_audits_it_and_marks_the_register_changed(
    source_a, technical_a, signals, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.login_source_mapping_set(login_source=source_a, mapping=full_mapping(), by=technical_a)
    source_a.refresh_from_db()
    assert source_a.attribute_mapping["schoolCode"] == {"value": "12345"}
    entry = Entry.objects.get(action="login_source.mapping")
    assert entry.actor == technical_a and entry.object_id == str(source_a.pk)
    assert entry.before == {"attribute_mapping": {}}
    assert entry.after["attribute_mapping"]["givenName"] == {"source": f"{CLAIMS}givenname"}
    assert signals == [("test", "login source attribute mapping changed")]


def test_a_bad_mapping_stores_nothing_and_names_the_attributes(source_a, technical_a):
    services.login_source_mapping_set(login_source=source_a, mapping=full_mapping(), by=technical_a)
    with pytest.raises(ValidationError) as excinfo:
        services.login_source_mapping_set(
            login_source=source_a, mapping=full_mapping(schoolCode={"value": "99999"}, surname={}), by=technical_a
        )
    assert set(excinfo.value.message_dict) == {"schoolCode", "surname"}
    source_a.refresh_from_db()
    assert source_a.attribute_mapping["schoolCode"] == {"value": "12345"}
    assert Entry.objects.filter(action="login_source.mapping").count() == 1


def test_a_school_code_of_another_organisation_is_refused(source_a, org_b, technical_a):
    School.objects.create(organisation=org_b, code="54321", name="Vieras", school_type="basic")
    with pytest.raises(ValidationError) as excinfo:
        services.login_source_mapping_set(
            login_source=source_a, mapping=full_mapping(schoolCode={"value": "54321"}), by=technical_a
        )
    assert "schoolCode" in excinfo.value.message_dict


@pytest.mark.parametrize("kind", ["wilma", "opinsys"])
def test_a_source_with_a_fixed_mapping_is_refused(org_a, technical_a, kind):
    source = make_source(org_a, kind)
    with pytest.raises(ValidationError):
        services.login_source_mapping_set(login_source=source, mapping=full_mapping(), by=technical_a)
    source.refresh_from_db()
    assert source.attribute_mapping == {} and not Entry.objects.filter(action="login_source.mapping").exists()


# ---------------------------------------------------------------- the page


def mapping_url(source):
    return reverse("members:login-source-mapping", args=[source.organisation_id, source.pk])


def form_data(**overrides):
    data = {
        "learnerId": f"{CLAIMS}employeeid",
        "givenName": f"{CLAIMS}givenname",
        "surname": f"{CLAIMS}surname",
        "schoolCode_from": "value",
        "schoolCode": "12345",
        "role_from": "source",
        "role": "http://schemas.microsoft.com/ws/2008/06/identity/claims/role",
    }
    data.update(overrides)
    return data


def test_the_page_shows_one_row_per_attribute_with_hints(as_user, source_a, technical_a):
    response = as_user(technical_a).get(mapping_url(source_a))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Learner number – required" in html and "Calling name – optional" in html
    assert f"{CLAIMS}givenname" in html  # Entra ID's claim as a hint
    assert 'name="schoolCode_from"' in html and 'name="learnerId_from"' not in html


def test_saving_on_the_page_stores_the_mapping(as_user, source_a, technical_a):
    response = as_user(technical_a).post(mapping_url(source_a), form_data(nickname="nickname"))
    assert response.status_code == 302
    source_a.refresh_from_db()
    assert source_a.attribute_mapping["schoolCode"] == {"value": "12345"}
    assert source_a.attribute_mapping["nickname"] == {"source": "nickname"}
    assert as_user(technical_a).get(response.url).status_code == 200


def test_errors_are_shown_at_their_fields(as_user, source_a, technical_a):
    response = as_user(technical_a).post(
        mapping_url(source_a), form_data(surname="", schoolCode="99999", nickname=f"{CLAIMS}givenname")
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"surname", "schoolCode", "nickname", "givenName"}
    html = response.content.decode()
    assert 'aria-invalid="true"' in html and html.count('aria-invalid="true"') == 4
    source_a.refresh_from_db()
    assert source_a.attribute_mapping == {}


def test_an_admin_and_staff_may_use_the_page(as_user, source_a, admin_a, operator):
    assert as_user(admin_a).get(mapping_url(source_a)).status_code == 200
    assert as_user(operator).post(mapping_url(source_a), form_data()).status_code == 302


def test_another_organisations_user_gets_404(as_user, source_a, admin_b):
    assert as_user(admin_b).get(mapping_url(source_a)).status_code == 404
    assert as_user(admin_b).post(mapping_url(source_a), form_data()).status_code == 404
    source_a.refresh_from_db()
    assert source_a.attribute_mapping == {}


def test_a_member_without_the_technical_right_gets_404(as_user, source_a, signatory_a):
    assert as_user(signatory_a).get(mapping_url(source_a)).status_code == 404
    assert as_user(signatory_a).post(mapping_url(source_a), form_data()).status_code == 404


def test_a_source_of_another_organisation_under_ones_own_gets_404(as_user, source_a, org_b, admin_b):
    url = reverse("members:login-source-mapping", args=[org_b.pk, source_a.pk])
    assert as_user(admin_b).get(url).status_code == 404


def test_anonymous_is_sent_to_log_in(as_user, source_a):
    assert as_user(None).get(mapping_url(source_a)).status_code == 302


@pytest.mark.parametrize("kind", ["wilma", "opinsys"])
def test_a_fixed_mapping_is_shown_read_only(as_user, org_a, technical_a, kind):
    source = make_source(org_a, kind)
    response = as_user(technical_a).get(mapping_url(source))
    html = response.content.decode()
    assert response.status_code == 200 and '<form method="post" class="stacked mapping-form"' not in html
    assert "its mapping is fixed" in html and "urn:oid:2.5.4.42" in html
    assert as_user(technical_a).post(mapping_url(source), form_data()).status_code == 405


def test_the_summary_on_the_login_source_page_lists_the_missing_attributes(as_user, source_a, technical_a):
    url = reverse("members:login-source-detail", args=[source_a.organisation_id, source_a.pk])
    html = as_user(technical_a).get(url).content.decode()
    assert "Still missing before production:" in html and "Learner number" in html
    assert mapping_url(source_a) in html
    services.login_source_mapping_set(login_source=source_a, mapping=full_mapping(), by=technical_a)
    html = as_user(technical_a).get(url).content.decode()
    assert "Still missing before production:" not in html and "the static value" in html


# ---------------------------------------------------------------- the API


def api_url(source):
    return f"/api/login-sources/{source.pk}/mapping/"


def test_the_api_sets_the_mapping_and_shows_it(source_a, technical_a):
    client = api_client_for(technical_a)
    response = client.put(api_url(source_a), full_mapping(), format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["attribute_mapping"]["schoolCode"] == {"value": "12345"}
    listed = client.get(f"/api/login-sources/{source_a.pk}/").json()
    assert listed["attribute_mapping"]["role"] == full_mapping()["role"]
    assert listed["mapping_missing"] == []
    assert Entry.objects.filter(action="login_source.mapping", actor=technical_a).exists()


def test_api_errors_are_keyed_by_attribute(source_a, technical_a):
    response = api_client_for(technical_a).put(
        api_url(source_a), full_mapping(classLevel={"value": "12"}, shoeSize={"source": "x"}), format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"classLevel", "shoeSize"}
    source_a.refresh_from_db()
    assert source_a.attribute_mapping == {}


@pytest.mark.parametrize("body", [["givenName"], "x", None])
def test_an_api_body_that_is_not_an_object_is_a_400(source_a, technical_a, body):
    response = api_client_for(technical_a).put(api_url(source_a), body, format="json")
    assert response.status_code == 400


def test_another_organisations_token_gets_404(source_a, admin_b):
    response = api_client_for(admin_b).put(api_url(source_a), full_mapping(), format="json")
    assert response.status_code == 404
    source_a.refresh_from_db()
    assert source_a.attribute_mapping == {}


def test_a_member_without_the_technical_right_may_not_set_it_by_api(source_a, signatory_a):
    response = api_client_for(signatory_a).put(api_url(source_a), full_mapping(), format="json")
    assert response.status_code == 403


def test_a_fixed_mapping_is_refused_by_api_and_shown(org_a, technical_a):
    source = make_source(org_a, "wilma")
    client = api_client_for(technical_a)
    response = client.put(api_url(source), full_mapping(), format="json")
    assert response.status_code == 400 and "non_field_errors" in response.json()
    shown = client.get(f"/api/login-sources/{source.pk}/").json()
    assert shown["attribute_mapping"]["learnerId"] == {"source": "urn:oid:1.3.6.1.4.1.16161.1.1.27"}


def test_put_on_the_login_source_itself_stays_refused(source_a, technical_a):
    response = api_client_for(technical_a).put(f"/api/login-sources/{source_a.pk}/", {"name": "x"}, format="json")
    assert response.status_code == 405


def test_staff_set_any_organisations_mapping_by_api(source_a, operator):
    response = api_client_for(operator).put(api_url(source_a), full_mapping(), format="json")
    assert response.status_code == 200


def test_the_api_list_of_login_sources_with_their_mappings_takes_no_query_per_source(source_a, technical_a, org_a):
    from tests.querycount import assert_queries_pinned

    def grow():
        for number in range(5):
            source = make_source(org_a, "google" if number % 2 else "wilma")
            if source.kind == "google":
                services.login_source_mapping_set(login_source=source, mapping=full_mapping(), by=technical_a)

    client = api_client_for(technical_a)
    client.get("/api/login-sources/")  # the token's first use is recorded once
    assert_queries_pinned(client, "/api/login-sources/", grow=grow, expected=5)
