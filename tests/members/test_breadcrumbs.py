"""Breadcrumbs on the register's detail pages (issue 16 item 7): staff start at the staff dashboard
and come through the organisation list, a member's user starts at their dashboard."""

from __future__ import annotations

from django.test import RequestFactory
from django.urls import reverse

from members.models import LoginSource
from tests.breadcrumbs import assert_trail, breadcrumbs
from tests.factories import UserFactory
from widgets.breadcrumbs import Crumb, breadcrumb_trail


def test_a_trail_starts_at_the_readers_dashboard(db):
    request = RequestFactory().get("/x/")
    request.user = UserFactory(is_staff=True)
    assert breadcrumb_trail(request, ("Here", "/x/")) == [Crumb("Operator", "/staff/"), Crumb("Here", "/x/")]
    request.user = UserFactory()
    assert breadcrumb_trail(request, ("Here", "/x/"))[0] == Crumb("My organisations", "/my/")
    start = ("portal:steering-dashboard", "Steering group")
    assert breadcrumb_trail(request, start=start)[0] == Crumb("Steering group", "/steering/")


def test_staff_see_the_organisation_under_the_organisation_list(operator, as_user, org_a):
    body = as_user(operator).get(reverse("members:organisation-detail", args=[org_a.pk])).content.decode()
    trail = assert_trail(body, "Operator", "Organisations", "Municipality A")
    assert [href for _label, href, _current in trail] == [
        reverse("portal:staff-dashboard"),
        reverse("members:organisation-list"),
        reverse("members:organisation-detail", args=[org_a.pk]),
    ]


def test_a_member_sees_their_organisation_under_their_dashboard(admin_a, as_user, org_a):
    body = as_user(admin_a).get(reverse("members:organisation-detail", args=[org_a.pk])).content.decode()
    trail = assert_trail(body, "My organisations", "Municipality A")
    assert trail[0][1] == reverse("portal:member-dashboard")


def test_a_service_page_sits_under_its_provider(operator, tech_provider_a, provider_a, as_user, make_saml_service):
    service = make_saml_service(provider_a)
    url = reverse("members:service-detail", args=[service.pk])
    assert_trail(
        as_user(operator).get(url).content.decode(),
        "Operator",
        "Organisations",
        provider_a.name,
        "Learning materials",
    )
    assert_trail(
        as_user(tech_provider_a).get(url).content.decode(),
        "My organisations",
        provider_a.name,
        "Learning materials",
    )


def test_the_login_source_page_sits_under_its_organisation(operator, as_user, org_a):
    source = LoginSource.objects.create(
        organisation=org_a, kind="wilma", name="Kunnan Wilma", hostnames=["a.inschool.fi"]
    )
    client = as_user(operator)
    body = client.get(reverse("members:login-source-edit", args=[org_a.pk, source.pk])).content.decode()
    assert_trail(body, "Operator", "Organisations", "Municipality A", "Kunnan Wilma")
    body = client.get(reverse("members:login-source-create", args=[org_a.pk])).content.decode()
    assert_trail(body, "Operator", "Organisations", "Municipality A", "New login source")


def test_names_in_crumbs_are_escaped(operator, as_user, org_a):
    org_a.name_en = '<script>alert("x")</script>'
    org_a.save()
    body = as_user(operator).get(reverse("members:organisation-detail", args=[org_a.pk])).content.decode()
    assert "<script>alert" not in body
    assert breadcrumbs(body)[-1][0] == '<script>alert("x")</script>'


def test_lists_have_no_breadcrumbs(operator, as_user, org_a):
    assert breadcrumbs(as_user(operator).get(reverse("members:organisation-list")).content.decode()) == []


def test_an_organisations_sub_pages_sit_under_it(admin_a, as_user, org_a):
    client = as_user(admin_a)
    pages = {
        reverse("members:organisation-edit", args=[org_a.pk]): "Edit",
        reverse("members:school-create", args=[org_a.pk]): "School",
        reverse("members:school-import", args=[org_a.pk]): "Import schools",
    }
    for url, label in pages.items():
        assert_trail(client.get(url).content.decode(), "My organisations", "Municipality A", label)


def test_the_service_form_sits_under_the_service(tech_provider_a, provider_a, as_user, make_saml_service):
    service = make_saml_service(provider_a)
    body = as_user(tech_provider_a).get(reverse("members:service-edit", args=[service.pk])).content.decode()
    trail = assert_trail(body, "My organisations", provider_a.name, "Learning materials", "Change service")
    assert trail[2][1] == reverse("members:service-detail", args=[service.pk])


def test_a_login_source_and_its_pages_sit_under_the_organisation(admin_a, as_user, org_a):
    source = LoginSource.objects.create(
        organisation=org_a, kind="entra", name="Kunnan Entra ID", tenant_id="3feb6bc1-d722-4726-966c-5b58b64df752",
        metadata_url="https://login.example/m", flow_name="kunta-entra",
    )  # fmt: skip
    client = as_user(admin_a)
    detail = reverse("members:login-source-detail", args=[org_a.pk, source.pk])
    trail = assert_trail(client.get(detail).content.decode(), "My organisations", "Municipality A", "Kunnan Entra ID")
    assert trail[-1][1] == detail
    for name, label in (
        ("members:login-source-mapping", "Attribute mapping"),
        ("members:login-source-login-page", "What the login page shows"),
        ("members:login-source-promote", "Request promotion to production"),
    ):
        body = client.get(reverse(name, args=[org_a.pk, source.pk])).content.decode()
        trail = assert_trail(body, "My organisations", "Municipality A", "Kunnan Entra ID", label)
        assert trail[2][1] == detail
