"""Schools (with CSV import), login sources, municipality codes and allowed services."""

import pytest
from django.core.exceptions import ValidationError

from members import services
from members.models import LoginSource, MunicipalityCode, Organisation, School
from tests.factories import OrganisationFactory

GOOD_CSV = "koodi;nimi;tyyppi\n12345;Mattilan koulu;perusopetus\n23456;Espoon lukio;lukio\n"


def test_csv_import_creates_every_school(org_a, admin_a):
    assert services.schools_import(organisation=org_a, by=admin_a, text=GOOD_CSV) == 2
    assert sorted(School.objects.values_list("code", "school_type")) == [
        ("12345", "basic"),
        ("23456", "upper_secondary"),
    ]


def test_csv_import_updates_existing_schools(org_a, admin_a):
    services.schools_import(organisation=org_a, by=admin_a, text=GOOD_CSV)
    services.schools_import(organisation=org_a, by=admin_a, text="12345,Mattilan yhtenäiskoulu,basic\n")
    assert School.objects.get(code="12345").name == "Mattilan yhtenäiskoulu"
    assert School.objects.count() == 2


@pytest.mark.parametrize(
    ("csv_text", "message"),
    [
        ("1234,Lyhyt,basic\n", "five digits"),
        ("12345,,basic\n", "name: required"),
        ("12345,Koulu,yliopisto\n", "unknown school type"),
        ("12345,Koulu,basic\n12345,Toinen,basic\n", "same code is on line 2"),
        ("12345,Koulu,basic,1.2.246.562.10.1,extra\n", "expected at most 4 columns"),
    ],
)
def test_a_bad_row_saves_nothing_and_names_the_line_and_column(org_a, admin_a, csv_text, message):
    text = "99999,Hyvä koulu,basic\n" + csv_text
    rows = services.schools_import_preview(organisation=org_a, text=text)
    assert not rows[0].errors and any(message in e for row in rows[1:] for e in row.errors)
    with pytest.raises(ValidationError) as excinfo:
        services.schools_import(organisation=org_a, by=admin_a, text=text)
    assert "line " in str(excinfo.value.message_dict["file"])
    assert not School.objects.exists()


def test_a_school_of_another_organisation_cannot_be_taken_over(org_a, org_b, admin_a):
    School.objects.create(organisation=org_b, code="12345", name="B:n koulu", school_type="basic")
    rows = services.schools_import_preview(organisation=org_a, text=GOOD_CSV)
    assert "belongs to another organisation" in rows[0].errors[0]
    with pytest.raises(ValidationError):
        services.schools_import(organisation=org_a, by=admin_a, text=GOOD_CSV)
    assert School.objects.get(code="12345").organisation == org_b


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "wilma", "name": "Wilma"}, "hostnames"),
        ({"kind": "entra", "name": "Entra", "metadata_url": "https://login.microsoftonline.com/x"}, "tenant_id"),
        ({"kind": "adfs", "name": "ADFS", "entity_id": "https://adfs.example.fi"}, "metadata_url"),
        ({"kind": "oidc", "name": "OIDC", "issuer": "http://idp.example.fi"}, "issuer"),
    ],
)
def test_login_sources_need_the_fields_of_their_kind(org_a, admin_a, data, field):
    with pytest.raises(ValidationError) as excinfo:
        services.login_source_save(organisation=org_a, by=admin_a, data=data, schools=[])
    assert field in excinfo.value.message_dict
    assert not LoginSource.objects.exists()


def test_a_login_source_serves_only_its_organisations_schools(org_a, org_b, admin_a):
    own = School.objects.create(organisation=org_a, code="11111", name="Oma", school_type="basic")
    other = School.objects.create(organisation=org_b, code="22222", name="Vieras", school_type="basic")
    data = {"kind": "wilma", "name": "Wilma", "hostnames": ["kunta.inschool.fi"], "issuer": "https://dropped.example"}
    source = services.login_source_save(organisation=org_a, by=admin_a, data=data, schools=[own])
    assert list(source.schools.all()) == [own] and source.issuer == ""  # fields of other kinds are not kept
    with pytest.raises(ValidationError):
        services.login_source_save(organisation=org_a, by=admin_a, data=data, schools=[other])
    assert list(LoginSource.objects.get().schools.all()) == [own]


def test_municipality_codes_are_three_digits(operator, org_a):
    services.organisation_save(by=operator, organisation=org_a, data={}, municipality_codes=["049", "092"])
    assert sorted(MunicipalityCode.objects.values_list("code", flat=True)) == ["049", "092"]
    with pytest.raises(ValidationError):
        services.organisation_save(by=operator, organisation=org_a, data={}, municipality_codes=["49x"])
    assert sorted(MunicipalityCode.objects.values_list("code", flat=True)) == ["049", "092"]


def test_only_education_providers_are_home_organisations(operator):
    company = OrganisationFactory(kind="company", is_home_organisation=False)
    with pytest.raises(ValidationError):
        services.organisation_save(by=operator, organisation=company, data={"is_home_organisation": True})
    assert not Organisation.objects.get(pk=company.pk).is_home_organisation


def test_a_bad_business_id_is_refused(operator):
    with pytest.raises(ValidationError) as excinfo:
        services.organisation_save(by=operator, data={"name_fi": "X", "business_id": "0101263-5", "kind": "company"})
    assert "business_id" in excinfo.value.message_dict


def test_allowed_services_empty_means_all(org_a, admin_a, provider_a, make_saml_service):
    service = make_saml_service(provider_a)
    services.allowed_services_set(organisation=org_a, by=admin_a, services=[service])
    assert list(org_a.allowed_services.all()) == [service]
    services.allowed_services_set(organisation=org_a, by=admin_a, services=[])
    assert not org_a.allowed_services.exists()


def test_home_organisation_changes_tell_the_proxy_after_commit(org_a, admin_a, django_capture_on_commit_callbacks):
    from members.signals import register_changed

    received = []

    def listener(sender, environment, reason, **kwargs):
        received.append((environment, reason))

    register_changed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            school = services.school_save(organisation=org_a, by=admin_a, code="12345", name="K", school_type="basic")
            services.login_source_save(
                organisation=org_a, by=admin_a, data={"kind": "wilma", "name": "W", "hostnames": ["a.inschool.fi"]},
                schools=[school],
            )  # fmt: skip
            services.allowed_services_set(organisation=org_a, by=admin_a, services=[])
            assert received == []
    finally:
        register_changed.disconnect(listener)
    assert [reason for _env, reason in received] == [
        "school changed", "login source changed", "allowed services changed"
    ]  # fmt: skip
    # A login source belongs to one environment: only that one is rebuilt for it.
    assert {env for env, reason in received if reason != "login source changed"} == {None}
    assert {env for env, reason in received if reason == "login source changed"} == {"test"}


def test_changes_are_audited_with_the_state_before(org_a, admin_a):
    from audit.models import Entry

    school = services.school_save(organisation=org_a, by=admin_a, code="12345", name="Vanha", school_type="basic")
    school.name = "Uusi"  # as a ModelForm would have done before calling the service
    services.school_save(organisation=org_a, by=admin_a, school=school, code="12345", name="Uusi", school_type="basic")
    entry = Entry.objects.filter(action="school.save").order_by("-id").first()
    assert entry.before["name"] == "Vanha" and entry.after["name"] == "Uusi"


def test_an_oid_must_be_a_finnish_organisation_oid(operator, org_a):
    with pytest.raises(ValidationError) as excinfo:
        services.organisation_save(by=operator, organisation=org_a, data={"oid": "1.2.3"})
    assert "oid" in excinfo.value.message_dict
    services.organisation_save(by=operator, organisation=org_a, data={"oid": "1.2.246.562.10.76000000001"})
