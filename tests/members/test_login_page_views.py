"""The login-page page of a login source and its logo preview (issue 14, item 4)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from members import services
from members.models import LoginSource, School
from tests.members.logo_samples import GOOD_SVG, raster, svg
from tests.querycount import queries_for


@pytest.fixture
def source(org_a):
    schools = [
        School.objects.create(organisation=org_a, code="11111", name="Mattilan koulu", school_type="basic"),
        School.objects.create(
            organisation=org_a, code="22222", name="Kirkonkylän lukio", school_type="upper_secondary"
        ),
    ]
    source = LoginSource.objects.create(
        organisation=org_a, kind="wilma", name="Kunnan Wilma", hostnames=["kunta.inschool.fi"], flow_name="kunta-wilma"
    )
    source.schools.set(schools)
    return source


def _url(source, name="members:login-source-login-page"):
    return reverse(name, args=[source.organisation_id, source.pk])


def test_the_page_shows_the_form_and_the_preview(as_user, admin_a, source):
    source.display_name_en = "Wilma of the municipality"
    source.save()
    response = as_user(admin_a).get(_url(source))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'enctype="multipart/form-data"' in page and 'name="logo"' in page
    assert "Schools not listed on the login page" in page
    assert 'class="login-preview-name">Wilma of the municipality<' in page
    assert "Kirkonkylän lukio" in page and 'name="remove_logo"' not in page


def test_a_post_saves_names_logo_and_excluded_schools(as_user, admin_a, source):
    excluded = source.schools.get(code="22222")
    response = as_user(admin_a).post(
        _url(source),
        {
            "display_name_fi": "Kunnan Wilma", "title_fi": "Oppilaat ja huoltajat", "excluded_schools": [excluded.pk],
            "logo": SimpleUploadedFile("logo.png", raster("PNG", (64, 64)), content_type="image/png"),
        },
    )  # fmt: skip
    assert response.status_code == 302
    source.refresh_from_db()
    assert source.title_fi == "Oppilaat ja huoltajat" and source.logo.name.endswith(".png")
    assert [s.code for s in source.listed_schools] == ["11111"]
    page = as_user(admin_a).get(_url(source)).content.decode()
    assert f'alt="{source.display_name}"' in page and source.logo_preview_url.replace("&", "&amp;") in page
    assert 'name="remove_logo"' in page


def test_a_bad_logo_is_shown_as_an_error_of_the_logo_field(as_user, admin_a, source):
    response = as_user(admin_a).post(
        _url(source), {"logo": SimpleUploadedFile("logo.svg", svg("<script>alert(1)</script>"))}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "The SVG contains a script element" in page
    assert 'aria-invalid="true"' in page
    assert not LoginSource.objects.get(pk=source.pk).logo


def test_another_organisations_admin_gets_404(as_user, admin_b, source):
    client = as_user(admin_b)
    assert client.get(_url(source)).status_code == 404
    assert client.post(_url(source), {"display_name_fi": "Kaapattu"}).status_code == 404
    assert LoginSource.objects.get(pk=source.pk).display_name_fi == ""


def test_a_signatory_cannot_change_it_and_anonymous_must_log_in(as_user, signatory_a, source):
    assert as_user(signatory_a).get(_url(source)).status_code == 404
    assert as_user(None).get(_url(source)).status_code == 302


def test_the_logo_preview_is_served_with_its_type_nosniff_and_a_policy_for_svg(as_user, admin_a, admin_b, source):
    services.login_source_login_page_save(login_source=source, data={}, logo=GOOD_SVG, by=admin_a)
    client = as_user(admin_a)
    response = client.get(_url(source, "members:login-source-logo"))
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; style-src 'unsafe-inline'"
    again = client.get(_url(source, "members:login-source-logo"), HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    assert as_user(admin_b).get(_url(source, "members:login-source-logo")).status_code == 404


def test_no_logo_is_404(as_user, admin_a, source):
    assert as_user(admin_a).get(_url(source, "members:login-source-logo")).status_code == 404


def test_the_page_runs_the_same_queries_whatever_the_number_of_schools(as_user, admin_a, source):
    client = as_user(admin_a)
    small = queries_for(client, _url(source))

    def grow():
        for n in range(20):
            school = School.objects.create(
                organisation=source.organisation, code=f"{30000 + n}", name=f"Koulu {n}", school_type="basic"
            )
            source.schools.add(school)
            if n % 2:
                source.excluded_schools.add(school)

    grow()
    assert queries_for(client, _url(source)) == small
