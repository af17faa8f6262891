"""What the MPASSid login page shows for a login source (issue 14, item 4): the service."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from audit.models import Entry
from members import services
from members.models import LoginSource, School
from tests.members.logo_samples import GOOD_SVG, raster, svg


def _school(organisation, code, name):
    return School.objects.create(organisation=organisation, code=code, name=name, school_type="basic")


def _source(organisation, name, schools, *, environment="production", excluded=()):
    source = LoginSource.objects.create(
        organisation=organisation, kind="wilma", name=name, hostnames=[f"{name.lower()}.inschool.fi"],
        environment=environment, flow_name=f"flow-{name.lower()}",
    )  # fmt: skip
    source.schools.set(schools)
    source.excluded_schools.set(excluded)
    return source


@pytest.fixture
def schools(org_a):
    return _school(org_a, "11111", "Mattilan koulu"), _school(org_a, "22222", "Lukio")


def test_display_names_titles_and_logo_are_saved_and_audited(
    org_a, admin_a, schools, django_capture_on_commit_callbacks
):
    source = _source(org_a, "Wilma", schools)
    data = {"display_name_fi": " Kunnan Wilma ", "display_name_en": "Wilma", "title_fi": "Oppilaat ja huoltajat"}
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        saved = services.login_source_login_page_save(
            login_source=source, data=data, logo=SimpleUploadedFile("logo.txt", raster()), by=admin_a
        )
    assert saved.display_name_fi == "Kunnan Wilma" and saved.title_fi == "Oppilaat ja huoltajat"
    assert saved.logo.name.startswith("login-source-logos/") and saved.logo.name.endswith(".png")
    assert default_storage.open(saved.logo.name).read() == raster()
    entry = Entry.objects.get(action="login_source.login_page")
    assert entry.after["display_name_fi"] == "Kunnan Wilma" and entry.before["logo"] == ""
    assert len(callbacks) == 1  # the register changed: the proxy builds discovery.json again


def test_excluded_schools_leave_the_list(org_a, admin_a, schools):
    source = _source(org_a, "Wilma", schools)
    services.login_source_login_page_save(login_source=source, data={"excluded_schools": [schools[1]]}, by=admin_a)
    assert list(source.excluded_schools.all()) == [schools[1]]


def test_only_served_schools_can_be_excluded(org_a, admin_a, schools):
    source = _source(org_a, "Wilma", schools[:1])
    with pytest.raises(ValidationError) as caught:
        services.login_source_login_page_save(login_source=source, data={"excluded_schools": [schools[1]]}, by=admin_a)
    assert "excluded_schools" in caught.value.message_dict
    assert not source.excluded_schools.exists()


@pytest.mark.parametrize(
    "bad",
    [b"just text", raster(size=(8, 8)), svg("<script>alert(1)</script>"), svg('<image href="https://x.example/a"/>')],
)
def test_a_bad_logo_stores_nothing_and_keeps_the_old_logo(org_a, admin_a, schools, bad):
    source = _source(org_a, "Wilma", schools)
    services.login_source_login_page_save(login_source=source, data={}, logo=GOOD_SVG, by=admin_a)
    old = LoginSource.objects.get(pk=source.pk).logo.name
    files_before = default_storage.listdir("login-source-logos")[1]
    with pytest.raises(ValidationError) as caught:
        services.login_source_login_page_save(
            login_source=source, data={"display_name_fi": "Uusi nimi"}, logo=bad, by=admin_a
        )
    assert list(caught.value.message_dict) == ["logo"]  # refused at the logo field, and only there
    stored = LoginSource.objects.get(pk=source.pk)
    assert stored.logo.name == old and stored.display_name_fi == ""
    assert default_storage.listdir("login-source-logos")[1] == files_before


def test_an_oversized_upload_is_refused_without_reading_it_whole(org_a, admin_a, schools, settings):
    settings.TRUSTNET_LOGO_MAX_BYTES = 2048
    source = _source(org_a, "Wilma", schools)
    with pytest.raises(ValidationError, match="larger than 2 kB"):
        services.login_source_login_page_save(
            login_source=source, data={}, logo=SimpleUploadedFile("big.png", b"\x89PNG" + b"0" * 10_000), by=admin_a
        )


def test_the_logo_can_be_removed(org_a, admin_a, schools):
    source = _source(org_a, "Wilma", schools)
    services.login_source_login_page_save(login_source=source, data={}, logo=GOOD_SVG, by=admin_a)
    services.login_source_login_page_save(login_source=source, data={}, remove_logo=True, by=admin_a)
    assert LoginSource.objects.get(pk=source.pk).logo.name == ""


def test_text_with_a_control_character_is_refused(org_a, admin_a, schools):
    source = _source(org_a, "Wilma", schools)
    with pytest.raises(ValidationError) as caught:
        services.login_source_login_page_save(login_source=source, data={"title_sv": "a\x00b"}, by=admin_a)
    assert "title_sv" in caught.value.message_dict


def test_a_school_listed_under_two_production_sources_is_refused_on_the_login_page(org_a, admin_a, schools):
    wilma = _source(org_a, "Wilma", schools, excluded=[schools[1]])
    google = _source(org_a, "Google", schools, excluded=[schools[0]])
    with pytest.raises(ValidationError) as caught:
        # Listing Lukio under Wilma too: Google lists it already.
        services.login_source_login_page_save(login_source=wilma, data={"excluded_schools": []}, by=admin_a)
    message = caught.value.message_dict["excluded_schools"][0]
    assert "Lukio" in message and "Wilma" in message and "Google" in message
    assert list(wilma.excluded_schools.all()) == [schools[1]]
    assert google.excluded_schools.count() == 1


def test_a_school_listed_under_two_production_sources_is_refused_when_a_source_is_saved(org_a, admin_a, schools):
    _source(org_a, "Google", schools[:1])
    wilma = _source(org_a, "Wilma", schools[1:])
    data = {"kind": "wilma", "name": "Wilma", "hostnames": ["wilma.inschool.fi"]}
    with pytest.raises(ValidationError) as caught:
        services.login_source_save(organisation=org_a, by=admin_a, data=data, schools=schools, login_source=wilma)
    message = caught.value.message_dict["schools"][0]
    assert "Mattilan koulu" in message and "Wilma" in message and "Google" in message
    assert list(LoginSource.objects.get(pk=wilma.pk).schools.all()) == [schools[1]]


def test_an_excluded_or_test_source_is_no_conflict(org_a, admin_a, schools):
    _source(org_a, "Google", schools, excluded=[schools[0]])
    _source(org_a, "Testi", schools, environment="test")
    wilma = _source(org_a, "Wilma", [])
    data = {"kind": "wilma", "name": "Wilma", "hostnames": ["wilma.inschool.fi"]}
    services.login_source_save(organisation=org_a, by=admin_a, data=data, schools=schools[:1], login_source=wilma)
    assert list(wilma.schools.all()) == [schools[0]]
    # And a test source may list what the production ones list.
    test = LoginSource.objects.get(name="Testi")
    services.login_source_save(
        organisation=org_a, by=admin_a, data={**data, "name": "Testi"}, schools=schools, login_source=test
    )
