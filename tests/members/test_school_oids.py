"""Schools and offices with OIDs (issue 12 item 2 and its bad input): one OID validator, OIDs unique
across schools and offices in the database, and the form, the CSV import and the API refusing a
non-ASCII school code, a malformed OID and a duplicate OID by field, storing nothing."""

import datetime
import itertools
import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from accounts.services import api_token_create
from members import services
from members.models import LoginSource, Office, School
from members.oids import ORGANISATION_OID_PATTERN, validate_oid

SCHOOL_OID = "1.2.246.562.10.12345678901"
OTHER_OID = "1.2.246.562.10.22222222222"
OFFICE_OID = "1.2.246.562.10.33333333333"

BAD_OIDS = [
    "1.2.246.562.10.١٢٣٤٥",  # Arabic-Indic digits look like digits, are not ASCII
    "1.2.246.562.10.１２３",  # full-width digits
    "1.2.246.562.10.0123",  # an arc has no leading zero
    "1.2.246.562.10.",  # an empty arc
    "1.2.246.562..10.1",
    "1.2.246.562.10.1\n",  # a trailing line break (`$` in a pattern would let it through)
    " 1.2.246.562.10.1x",
    "3.2.246.562.10.1",  # first arc 0–2
    "1.2.246.562.24.12345678901",  # a person's OID (oppijanumero), not an organisation's
    "oid:1.2.246.562.10.1",
    "1.2.246.562.10." + "1" * 100,  # too long
]


@pytest.mark.parametrize("value", ["1.2.246.562.10.12345678901", "1.2.246.562.99.1", "1.2.246.562.10.0"])
def test_validate_oid_accepts_register_oids(value):
    validate_oid(value)


@pytest.mark.parametrize("value", BAD_OIDS)
def test_validate_oid_refuses_malformed_oids(value):
    with pytest.raises(ValidationError):
        validate_oid(value)


@pytest.mark.parametrize("value", ["1.2.246.562.10.12345678901", "1.2.246.562.99.7", *BAD_OIDS])
def test_the_schema_pattern_says_what_the_validator_says(value):
    try:
        validate_oid(value)
        valid = True
    except ValidationError:
        valid = False
    # A client checks the pattern with fullmatch semantics (JSON Schema patterns are anchored by ^$).
    assert bool(re.fullmatch(ORGANISATION_OID_PATTERN.strip("^$"), value, re.ASCII)) == valid or len(value) > 100


def test_an_organisation_oid_with_non_ascii_digits_is_refused(operator, org_a):
    # The old check used `\d`, which took Arabic-Indic digits for an OID.
    with pytest.raises(ValidationError) as excinfo:
        services.organisation_save(by=operator, organisation=org_a, data={"oid": "1.2.246.562.10.١٢٣"})
    assert "oid" in excinfo.value.message_dict
    org_a.refresh_from_db()
    assert org_a.oid == ""


# ---------------------------------------------------------------- the database's own rules


def _school(organisation, code, oid=""):
    return School.objects.create(organisation=organisation, code=code, name="Koulu", school_type="basic", oid=oid)


def test_many_old_schools_without_an_oid_but_each_oid_once(org_a):
    _school(org_a, "11111")
    _school(org_a, "22222")  # blank OIDs do not collide
    _school(org_a, "33333", SCHOOL_OID)
    with pytest.raises(IntegrityError), transaction.atomic():
        _school(org_a, "44444", SCHOOL_OID)


def test_the_database_refuses_an_office_with_a_school_oid_and_the_other_way(org_a):
    school = _school(org_a, "11111", SCHOOL_OID)
    with pytest.raises(IntegrityError), transaction.atomic():
        Office.objects.create(school=school, oid=SCHOOL_OID, name="Toimipiste")
    Office.objects.create(school=school, oid=OFFICE_OID, name="Toimipiste")
    with pytest.raises(IntegrityError), transaction.atomic():
        _school(org_a, "22222", OFFICE_OID)
    with pytest.raises(IntegrityError), transaction.atomic():
        School.objects.filter(pk=school.pk).update(oid=OFFICE_OID)
    assert School.objects.count() == 1 and Office.objects.count() == 1


# ---------------------------------------------------------------- the web form


def _form_post(client, organisation, data, school=None):
    if school is None:
        url = reverse("members:school-create", args=[organisation.pk])
    else:
        url = reverse("members:school-edit", args=[organisation.pk, school.pk])
    return client.post(url, {"code": "12345", "name": "Koulu", "school_type": "basic", **data})


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"code": "١٢٣٤٥"}, "code"),
        ({"code": "１２３４５"}, "code"),
        ({"oid": "1.2.246.562.10.0123"}, "oid"),
        ({"oid": "1.2.246.562.10.١٢٣"}, "oid"),
        ({"oid": "1.2.246.562.24.12345678901"}, "oid"),
    ],
)
def test_the_school_form_refuses_bad_codes_and_oids_by_field(org_a, admin_a, as_user, data, field):
    response = _form_post(as_user(admin_a), org_a, data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not School.objects.exists()


def test_the_school_form_refuses_an_oid_another_school_or_an_office_has(org_a, org_b, admin_a, as_user):
    other = _school(org_b, "99999", SCHOOL_OID)
    Office.objects.create(school=other, oid=OFFICE_OID, name="Toimipiste")
    client = as_user(admin_a)
    for oid, message in ((SCHOOL_OID, "Another school already has this OID."), (OFFICE_OID, "An office")):
        response = _form_post(client, org_a, {"oid": oid})
        assert response.status_code == 200
        assert any(message in e for e in response.context["form"].errors["oid"])
    assert School.objects.count() == 1


def test_the_school_form_saves_the_oid_and_a_school_keeps_its_own(org_a, admin_a, as_user):
    client = as_user(admin_a)
    response = _form_post(client, org_a, {"oid": SCHOOL_OID})
    assert response.status_code == 302
    school = School.objects.get()
    assert school.oid == SCHOOL_OID
    assert _form_post(client, org_a, {"oid": SCHOOL_OID, "name": "Uusi nimi"}, school=school).status_code == 302
    school.refresh_from_db()
    assert school.name == "Uusi nimi"


def test_offices_are_added_and_removed_on_the_school_page(org_a, org_b, admin_a, as_user):
    school = _school(org_a, "11111", SCHOOL_OID)
    _school(org_b, "22222", OTHER_OID)
    client = as_user(admin_a)
    add = reverse("members:office-add", args=[org_a.pk, school.pk])
    response = client.post(add, {"office-oid": OFFICE_OID, "office-name": "Sivutoimipiste"})
    assert response.status_code == 302
    office = Office.objects.get()
    assert (office.school, office.name) == (school, "Sivutoimipiste")
    page = client.get(reverse("members:school-edit", args=[org_a.pk, school.pk])).content.decode()
    assert "Sivutoimipiste" in page and OFFICE_OID in page
    detail = client.get(reverse("members:organisation-detail", args=[org_a.pk])).content.decode()
    assert SCHOOL_OID in detail and OFFICE_OID in detail

    for oid in (OFFICE_OID, SCHOOL_OID, OTHER_OID, "1.2.x"):  # taken by an office, own school, another school; bad
        response = client.post(add, {"office-oid": oid, "office-name": "Toinen"})
        assert response.status_code == 200 and "oid" in response.context["office_form"].errors
    assert Office.objects.count() == 1

    client.post(reverse("members:office-delete", args=[org_a.pk, school.pk, office.pk]))
    assert not Office.objects.exists()


def test_another_organisations_admin_cannot_add_or_remove_offices(org_a, admin_b, as_user):
    school = _school(org_a, "11111", SCHOOL_OID)
    office = Office.objects.create(school=school, oid=OFFICE_OID, name="Toimipiste")
    client = as_user(admin_b)
    response = client.post(
        reverse("members:office-add", args=[org_a.pk, school.pk]), {"office-oid": OTHER_OID, "office-name": "X"}
    )
    assert response.status_code == 404
    assert client.post(reverse("members:office-delete", args=[org_a.pk, school.pk, office.pk])).status_code == 404
    assert list(Office.objects.values_list("oid", flat=True)) == [OFFICE_OID]


# ---------------------------------------------------------------- closed schools


def test_a_closed_school_a_login_source_serves_is_never_deleted(org_a, admin_a, as_user):
    school = _school(org_a, "11111", SCHOOL_OID)
    source = LoginSource.objects.create(organisation=org_a, kind="wilma", name="Wilma", hostnames=["x.inschool.fi"])
    source.schools.add(school)
    services.school_close(school=school, by=admin_a, on=datetime.date(2026, 7, 31))
    with pytest.raises(ValidationError):
        services.school_delete(school=school, by=admin_a)
    response = as_user(admin_a).post(reverse("members:school-delete", args=[org_a.pk, school.pk]), follow=True)
    assert "still serves it" in response.content.decode()
    assert School.objects.filter(pk=school.pk).exists()

    source.schools.clear()  # no login source serves it any more: it may go
    services.school_delete(school=school, by=admin_a)
    assert not School.objects.exists()


# ---------------------------------------------------------------- the CSV import


def _preview_errors(organisation, text):
    return [e for row in services.schools_import_preview(organisation=organisation, text=text) for e in row.errors]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("١٢٣٤٥,Koulu,basic\n", "code: a school code has exactly five digits"),
        ("12345,Koulu,basic,1.2.246.562.10.0123\n", "oid: This is not an OID"),
        ("12345,Koulu,basic,1.2.246.562.24.1\n", "oid: An OID from the national organisation register"),
        (f"12345,Koulu,basic,{SCHOOL_OID}\n", "oid: another school already has this OID"),
        (f"12345,Koulu,basic,{OFFICE_OID}\n", "oid: an office already has this OID"),
        (f"12345,Koulu,basic,{OTHER_OID}\n12346,Toinen,basic,{OTHER_OID}\n", "oid: the same OID is on line 3"),
    ],
)
def test_the_csv_import_refuses_bad_codes_and_oids_by_column_and_stores_nothing(org_a, org_b, admin_a, line, message):
    other = _school(org_b, "99999", SCHOOL_OID)
    Office.objects.create(school=other, oid=OFFICE_OID, name="Toimipiste")
    text = f"code,name,type,oid\n11111,Hyvä koulu,basic,{'1.2.246.562.10.44444444444'}\n{line}"
    assert any(message in e for e in _preview_errors(org_a, text)), _preview_errors(org_a, text)
    with pytest.raises(ValidationError):
        services.schools_import(organisation=org_a, by=admin_a, text=text)
    assert list(School.objects.values_list("code", flat=True)) == ["99999"]


def test_the_csv_import_takes_oids_and_a_three_column_file_keeps_them(org_a, admin_a, as_user):
    client = as_user(admin_a)
    url = reverse("members:school-import", args=[org_a.pk])
    content = f"code,name,type,oid\n11111,Koulu,basic,{SCHOOL_OID}\n22222,Lukio,lukio,\n".encode()
    response = client.post(url, {"file": SimpleUploadedFile("s.csv", content, content_type="text/csv")})
    assert not any(row.errors for row in response.context["rows"])
    client.post(url, {"text": content.decode(), "confirm": "1"})
    assert dict(School.objects.values_list("code", "oid")) == {"11111": SCHOOL_OID, "22222": ""}

    services.schools_import(organisation=org_a, by=admin_a, text="11111,Uusi nimi,basic\n")
    assert School.objects.get(code="11111").oid == SCHOOL_OID  # a file without OIDs keeps them

    export = client.get(reverse("members:school-export", args=[org_a.pk])).content.decode("utf-8-sig")
    assert f"11111;Uusi nimi;basic;{SCHOOL_OID}" in export.splitlines()


# ---------------------------------------------------------------- the API

_numbers = itertools.count()


def _client(user):
    client = APIClient()
    _token, key = api_token_create(user=user, name=f"oid test {next(_numbers)}", by=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def _api_school(org, **data):
    return {"organisation": org.pk, "code": "12345", "name": "Koulu", "school_type": "basic", **data}


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"code": "١٢٣٤٥"}, "code"),
        ({"oid": "1.2.246.562.10.0123"}, "oid"),
        ({"oid": "1.2.246.562.10.١٢٣"}, "oid"),
        ({"oid": SCHOOL_OID}, "oid"),  # another school's
        ({"oid": OFFICE_OID}, "oid"),  # an office's
        ({"offices": [{"oid": "1.2.x", "name": "T"}]}, "offices"),
        ({"offices": [{"oid": SCHOOL_OID, "name": "T"}]}, "offices"),
        ({"offices": [{"oid": OTHER_OID, "name": "T"}, {"oid": OTHER_OID, "name": "U"}]}, "offices"),
    ],
)
def test_the_api_refuses_bad_codes_and_oids_by_field_and_stores_nothing(org_a, org_b, technical_a, data, field):
    other = _school(org_b, "99999", SCHOOL_OID)
    Office.objects.create(school=other, oid=OFFICE_OID, name="Toimipiste")
    response = _client(technical_a).post("/api/schools/", _api_school(org_a, **data), format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json(), response.json()
    assert School.objects.count() == 1 and Office.objects.count() == 1


def test_the_api_writes_a_school_with_its_oid_and_offices(org_a, technical_a):
    client = _client(technical_a)
    offices = [{"oid": OFFICE_OID, "name": "Päätoimipiste"}, {"oid": OTHER_OID, "name": "Sivutoimipiste"}]
    response = client.post("/api/schools/", _api_school(org_a, oid=SCHOOL_OID, offices=offices), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["oid"] == SCHOOL_OID and body["closed_on"] is None
    assert {o["oid"] for o in body["offices"]} == {OFFICE_OID, OTHER_OID}

    # Given, the list replaces the offices; left out, they stay.
    url = f"/api/schools/{body['id']}/"
    response = client.put(url, _api_school(org_a, oid=SCHOOL_OID, offices=offices[:1]), format="json")
    assert response.status_code == 200 and [o["oid"] for o in response.json()["offices"]] == [OFFICE_OID]
    response = client.put(url, _api_school(org_a, oid=SCHOOL_OID, name="Uusi"), format="json")
    assert response.status_code == 200 and [o["oid"] for o in response.json()["offices"]] == [OFFICE_OID]
    assert client.get(url).json()["offices"] == [{"oid": OFFICE_OID, "name": "Päätoimipiste", "closed_on": None}]


def test_the_schema_states_the_oid_pattern():
    schema = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]
    for component in ("SchoolWrite", "OfficeWrite"):
        node = schema[component]["properties"]["oid"]
        # A field that may be blank is `oneOf` the pattern and the empty string.
        assert ORGANISATION_OID_PATTERN in [alternative.get("pattern") for alternative in node.get("oneOf", [node])]


# ---------------------------------------------------------------- the proxy and the demo


def test_config_json_carries_school_oids_and_offices(org_a):
    from members.selectors import home_organisations_register
    from proxy import register
    from proxy.inputs import ProxyInputs
    from proxy.release_rules import config_json

    school = _school(org_a, "11111", SCHOOL_OID)
    Office.objects.create(school=school, oid=OFFICE_OID, name="Toimipiste")
    School.objects.filter(pk=school.pk).update(closed_on=datetime.date(2026, 7, 31))
    # What collect_inputs makes of each home organisation in force (membership is not the point here).
    homes = tuple(register._home_organisation(o, set()) for o in home_organisations_register())
    document = json.loads(
        config_json(ProxyInputs(environment="test", on=datetime.date(2026, 8, 1), home_organisations=homes))
    )
    (published,) = [s for home in document["home_organisations"] for s in home["schools"]]
    assert published == {
        "code": "11111", "name": "Koulu", "oid": SCHOOL_OID, "closed": True,
        "offices": [{"oid": OFFICE_OID, "name": "Toimipiste", "closed": False}],
    }  # fmt: skip


@pytest.mark.django_db
def test_demo_schools_have_real_looking_oids_and_some_offices():
    call_command("load_demo")
    oids = list(School.objects.values_list("oid", flat=True)) + list(Office.objects.values_list("oid", flat=True))
    assert Office.objects.count() >= 2 and all(re.fullmatch(r"1\.2\.246\.562\.10\.[1-9][0-9]{10}", o) for o in oids)
    for oid in oids:
        validate_oid(oid)
    assert len(set(oids)) == len(oids)
