"""Login sources from test to production (issue 14; DESIGN section 2, lifecycle): the stage and the
production checklist, promotion reviewed by staff, the proxy seeing only approved sources of its
environment, the default test service let in at once, the test link and the source's page."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import Entry
from contracts.models import Membership
from members import services
from members.models import MAPPED_KINDS, LoginSource, School
from members.selectors import home_organisations_register, login_source_production_checklist, login_source_stage
from proxy.register import collect_inputs
from tests.conftest import api_client_for
from tests.factories import MembershipFactory
from tests.members.test_attribute_mapping import full_mapping

pytestmark = pytest.mark.django_db

ENTITY_ID = "https://idp.example.fi/saml"


@pytest.fixture
def in_force(org_a):
    return MembershipFactory(organisation=org_a, role="home_organisation")


@pytest.fixture
def school_a(org_a):
    return School.objects.create(organisation=org_a, code="12345", name="Mattilan koulu", school_type="basic")


@pytest.fixture
def wilma(org_a, technical_a, school_a):
    return services.login_source_save(
        organisation=org_a, by=technical_a, schools=[school_a],
        data={"kind": "wilma", "name": "Wilma", "hostnames": ["espoo.inschool.fi", "espoo2.inschool.fi"]},
    )  # fmt: skip


def _ready(source: LoginSource, **fields) -> LoginSource:
    """What the checklist needs besides the schools and the membership (a source of a mapped kind
    also a complete attribute mapping)."""
    mapping = full_mapping() if source.kind in MAPPED_KINDS else {}
    fields = {"display_name_fi": "Espoon Wilma", "attribute_mapping": mapping, **fields}
    LoginSource.objects.filter(pk=source.pk).update(**fields)
    source.refresh_from_db()
    return source


@pytest.fixture
def saml(org_a, technical_a, school_a):
    source = services.login_source_save(
        organisation=org_a, by=technical_a, schools=[school_a],
        data={"kind": "saml", "name": "IdP", "entity_id": ENTITY_ID, "metadata_url": "https://idp.example.fi/md"},
    )  # fmt: skip
    return _ready(
        source, metadata_ok=True, metadata_checked_at=timezone.now(),
        metadata_certificate_expires_at=timezone.now() + datetime.timedelta(days=400),
    )  # fmt: skip


def _missing(source) -> list[str]:
    return [item.label for item in login_source_production_checklist(source) if not item.done]


# ---------------------------------------------------------------- stage and checklist


def test_a_new_source_is_in_test_and_usable_at_once(wilma):
    assert wilma.environment == "test" and wilma.is_approved
    assert login_source_stage(wilma) == "In testing"


def test_a_ready_source_lacks_nothing(wilma, in_force):
    assert _missing(_ready(wilma)) == []


def test_the_checklist_names_what_is_missing(org_a, technical_a):
    source = services.login_source_save(
        organisation=org_a, by=technical_a, schools=[], data={"kind": "wilma", "name": "W", "hostnames": ["a.fi"]}
    )
    assert _missing(source) == [
        "The membership agreement is in force",
        "The schools it serves are chosen",
        "A display name for the login page",
    ]


def test_metadata_must_be_checked_and_the_certificate_far_from_expiry(saml, in_force):
    assert _missing(saml) == []
    _ready(saml, metadata_certificate_expires_at=timezone.now() + datetime.timedelta(days=10))
    assert _missing(saml) == ["The signing certificate is valid and not about to expire"]
    _ready(saml, metadata_ok=None, metadata_certificate_expires_at=None)
    assert _missing(saml) == [
        "The metadata was checked and is in order",
        "The signing certificate is valid and not about to expire",
    ]


def test_an_oidc_source_needs_its_discovery_document_checked(org_a, technical_a, school_a, in_force):
    source = services.login_source_save(
        organisation=org_a, by=technical_a, schools=[school_a],
        data={"kind": "oidc", "name": "OP", "issuer": "https://op.example.fi"},
    )  # fmt: skip
    assert _missing(_ready(source)) == ["The discovery document was checked and is in order"]


def test_a_mapped_source_needs_its_mandatory_attributes_mapped(saml, in_force):
    assert _missing(saml) == []
    mapping = full_mapping()
    del mapping["learnerId"]
    _ready(saml, attribute_mapping=mapping)
    assert _missing(saml) == ["The attribute mapping is complete"]


def test_the_stage_follows_promotion_review_and_membership(wilma, in_force, technical_a, operator):
    copy = services.login_source_promote(login_source=_ready(wilma), by=technical_a)
    wilma.refresh_from_db()
    assert login_source_stage(wilma) == "In testing; promotion to production requested, waiting for staff review"
    assert login_source_stage(copy) == "Production source waiting for staff review"
    services.login_source_approve(login_source=copy, by=operator)
    wilma.refresh_from_db()
    copy.refresh_from_db()
    assert login_source_stage(wilma) == "In testing; promoted to production"
    assert login_source_stage(copy) == "In production"
    Membership.objects.filter(pk=in_force.pk).update(ends_on=datetime.date(2021, 1, 1))
    assert login_source_stage(copy).startswith("Approved for production, not in use")


def test_a_refused_promotion_shows_the_reason(wilma, in_force, technical_a, operator):
    copy = services.login_source_promote(login_source=_ready(wilma), by=technical_a)
    services.login_source_reject(login_source=copy, reason="Wrong hostname", by=operator)
    wilma.refresh_from_db()
    assert login_source_stage(wilma) == "In testing; staff refused the promotion to production: Wrong hostname"


# ---------------------------------------------------------------- promotion


def test_promotion_copies_every_setting_and_waits_for_review(saml, in_force, technical_a, org_a, school_a):
    other = School.objects.create(organisation=org_a, code="23456", name="Lukio", school_type="upper_secondary")
    saml.schools.add(other)
    saml.excluded_schools.add(other)
    mapping = {"learnerId": {"source": "urn:oid:1.2.3"}, "schoolCode": {"value": "12345"}}
    _ready(
        saml, attribute_mapping=mapping, display_name_sv="Wilma", display_name_en="Wilma EN", title_fi="Oppilaat",
        title_sv="Elever", title_en="Pupils", logo="login-source-logos/espoo.png",
    )  # fmt: skip
    copy = services.login_source_promote(login_source=saml, by=technical_a)
    copy.refresh_from_db()
    assert copy.environment == "production" and copy.promoted_from_id == saml.pk
    assert copy.approved_at is None and copy.approved_by is None
    assert copy.flow_name and copy.flow_name != saml.flow_name
    for name in (
        "kind", "name", "hostnames", "entity_id", "metadata_url", "tenant_id", "issuer", "attribute_mapping",
        "display_name_fi", "display_name_sv", "display_name_en", "title_fi", "title_sv", "title_en", "metadata_ok",
    ):  # fmt: skip
        assert getattr(copy, name) == getattr(saml, name), name
    assert copy.logo.name == "login-source-logos/espoo.png"
    assert sorted(copy.schools.values_list("code", flat=True)) == ["12345", "23456"]
    assert list(copy.excluded_schools.values_list("code", flat=True)) == ["23456"]
    saml.refresh_from_db()
    assert saml.environment == "test"  # the test source stays
    entry = Entry.objects.get(action="login_source.promote")
    assert entry.after["promoted_from"] == saml.pk


def test_promotion_tells_staff(saml, in_force, technical_a, operator, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.login_source_promote(login_source=saml, by=technical_a)
    assert [m.to for m in mail.outbox] == [[operator.email]]
    assert "IdP" in mail.outbox[0].subject


@pytest.mark.parametrize(
    ("case", "field"),
    [
        ("no membership", "organisation"),
        ("metadata not checked", "metadata_url"),
        ("metadata problem", "metadata_url"),
        ("already promoted", "environment"),
        ("production source", "environment"),
    ],
)
def test_promotion_is_refused_naming_the_field_and_stores_nothing(saml, org_a, technical_a, case, field):
    if case != "no membership":
        MembershipFactory(organisation=org_a, role="home_organisation")
    source = saml
    if case == "metadata not checked":
        _ready(saml, metadata_ok=None)
    elif case == "metadata problem":
        _ready(saml, metadata_ok=False, metadata_error="No IDPSSODescriptor")
    elif case == "already promoted":
        services.login_source_promote(login_source=saml, by=technical_a)
    elif case == "production source":
        source = services.login_source_promote(login_source=saml, by=technical_a)
    count, entries = LoginSource.objects.count(), Entry.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        services.login_source_promote(login_source=source, by=technical_a)
    assert field in excinfo.value.message_dict
    assert (LoginSource.objects.count(), Entry.objects.count()) == (count, entries)


def test_an_oidc_source_with_a_bad_discovery_document_is_refused_on_the_issuer(org_a, technical_a, in_force):
    source = services.login_source_save(
        organisation=org_a, by=technical_a, schools=[], data={"kind": "oidc", "name": "OP", "issuer": "https://op.fi"}
    )
    with pytest.raises(ValidationError) as excinfo:
        services.login_source_promote(login_source=source, by=technical_a)
    assert "issuer" in excinfo.value.message_dict


def test_a_refused_promotion_can_be_asked_again(wilma, in_force, technical_a, operator):
    copy = services.login_source_promote(login_source=wilma, by=technical_a)
    services.login_source_reject(login_source=copy, reason="Fix the hostnames", by=operator)
    assert not LoginSource.objects.filter(pk=copy.pk).exists()
    again = services.login_source_promote(login_source=wilma, by=technical_a)
    wilma.refresh_from_db()
    assert again.promoted_from_id == wilma.pk
    assert wilma.promotion_refused_at is None and wilma.promotion_refusal_reason == ""


# ---------------------------------------------------------------- staff review


def _approve(client, source):
    return client.post(reverse("members:login-source-approve", args=[source.pk]))


def _reject(client, source, reason="Metadata is for another tenant"):
    return client.post(reverse("members:login-source-reject", args=[source.pk]), {"reason": reason})


@pytest.fixture
def pending(wilma, in_force, technical_a):
    mail.outbox.clear()
    return services.login_source_promote(login_source=wilma, by=technical_a)


def test_staff_approve_and_the_organisation_is_told(pending, operator, as_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _approve(as_user(operator), pending)
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.approved_by == operator and pending.approved_at is not None
    assert Entry.objects.filter(action="login_source.approve", object_id=str(pending.pk)).exists()
    assert any("tech-a@example.org" in m.to for m in mail.outbox)


def test_staff_refuse_with_a_reason(pending, wilma, operator, as_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _reject(as_user(operator), pending)
    assert response["Location"] == reverse("members:login-source-detail", args=[wilma.organisation_id, wilma.pk])
    assert not LoginSource.objects.filter(pk=pending.pk).exists()
    wilma.refresh_from_db()
    assert wilma.promotion_refusal_reason == "Metadata is for another tenant"
    entry = Entry.objects.get(action="login_source.reject")
    assert entry.after["reason"] == "Metadata is for another tenant"
    assert any("Metadata is for another tenant" in m.body for m in mail.outbox)


def test_a_refusal_needs_a_reason(pending, operator, as_user):
    _reject(as_user(operator), pending, reason="  ")
    assert LoginSource.objects.filter(pk=pending.pk, approved_at__isnull=True).exists()
    with pytest.raises(ValidationError) as excinfo:
        services.login_source_reject(login_source=pending, reason="", by=operator)
    assert "reason" in excinfo.value.message_dict


@pytest.mark.parametrize("persona", ["technical_a", "admin_a", "admin_b"])
def test_members_cannot_review(pending, persona, request, as_user):
    client = as_user(request.getfixturevalue(persona))
    assert _approve(client, pending).status_code == 403
    assert _reject(client, pending).status_code == 403
    pending.refresh_from_db()
    assert pending.approved_at is None


def test_staff_without_mfa_are_sent_to_enrol_first(pending, operator_without_mfa, as_user):
    response = _approve(as_user(operator_without_mfa), pending)
    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")
    assert _reject(as_user(operator_without_mfa), pending)["Location"] == reverse("mfa_activate_totp")
    pending.refresh_from_db()
    assert pending.approved_at is None


def test_only_a_source_waiting_for_review_can_be_approved(wilma, pending, operator):
    with pytest.raises(ValidationError):
        services.login_source_approve(login_source=wilma, by=operator)
    services.login_source_approve(login_source=pending, by=operator)
    with pytest.raises(ValidationError):
        services.login_source_approve(login_source=pending, by=operator)


def test_the_review_queue_lists_promotions(pending, operator, as_user):
    page = as_user(operator).get(reverse("members:review-queue")).content.decode()
    assert reverse("members:login-source-approve", args=[pending.pk]) in page
    assert reverse("members:login-source-detail", args=[pending.organisation_id, pending.pk]) in page


# ---------------------------------------------------------------- what the proxy sees


def _sources(environment: str) -> set[str]:
    inputs = collect_inputs(environment=environment, on=timezone.localdate())
    return {source.flow_name for home in inputs.home_organisations for source in home.login_sources}


def test_the_proxy_sees_only_approved_sources_of_its_environment(wilma, pending, operator):
    assert _sources("test") == {wilma.flow_name}
    assert _sources("production") == set()  # waiting for review
    registered = [s.pk for home in home_organisations_register("production") for s in home.login_sources.all()]
    assert registered == []
    services.login_source_approve(login_source=pending, by=operator)
    assert _sources("production") == {pending.flow_name}
    assert _sources("test") == {wilma.flow_name}


# ---------------------------------------------------------------- the default test service


@pytest.fixture
def default_test_service(settings, provider_a, make_saml_service):
    service = make_saml_service(provider_a, environment="test")
    settings.TRUSTNET_TEST_DEFAULT_SERVICE = service.entity_id
    return service


def _new_source(org, by):
    return services.login_source_save(
        organisation=org, by=by, schools=[], data={"kind": "wilma", "name": "W", "hostnames": ["w.inschool.fi"]}
    )


def test_a_new_test_source_lets_in_the_default_test_service(
    org_a, technical_a, default_test_service, provider_a, make_saml_service
):
    other = make_saml_service(provider_a, environment="test", entity_id="https://other.example.fi/sp")
    services.allowed_services_set(organisation=org_a, by=technical_a, services=[other])
    source = _new_source(org_a, technical_a)
    assert set(org_a.allowed_services.all()) == {other, default_test_service}
    entry = Entry.objects.filter(action="organisation.allowed_services").latest("id")
    assert default_test_service.pk in entry.after["allowed_services"]
    # Saving the source again changes nothing more.
    services.login_source_save(organisation=org_a, by=technical_a, login_source=source, schools=[], data={})
    assert Entry.objects.filter(action="organisation.allowed_services").count() == 2


def test_an_organisation_allowing_every_service_keeps_allowing_every_service(org_a, technical_a, default_test_service):
    _new_source(org_a, technical_a)
    assert not org_a.allowed_services.exists()


def test_without_the_setting_nothing_is_added(org_a, technical_a, settings, provider_a, make_saml_service):
    settings.TRUSTNET_TEST_DEFAULT_SERVICE = ""
    other = make_saml_service(provider_a, environment="test", entity_id="https://other.example.fi/sp")
    services.allowed_services_set(organisation=org_a, by=technical_a, services=[other])
    _new_source(org_a, technical_a)
    assert list(org_a.allowed_services.all()) == [other]


def test_the_default_service_is_found_by_client_id(org_a, technical_a, settings, provider_a, make_saml_service):
    from tests.members.conftest import oidc_data

    oidc = services.service_create(
        provider=provider_a, by=None, environment="test", protocol="oidc", data=oidc_data()
    ).service
    other = make_saml_service(provider_a, environment="test", entity_id="https://other.example.fi/sp")
    settings.TRUSTNET_TEST_DEFAULT_SERVICE = oidc.client_id
    services.allowed_services_set(organisation=org_a, by=technical_a, services=[other])
    _new_source(org_a, technical_a)
    assert set(org_a.allowed_services.all()) == {other, oidc}


# ---------------------------------------------------------------- the test link


def test_the_test_link_names_the_flow(wilma, settings):
    settings.PROXY_TEST_LOGIN_URL = {"test": "https://proxy-test.example/login?lang=fi", "production": ""}
    assert wilma.authn_context_class_ref == f"urn:mpass.id:authnsource:{wilma.flow_name}"
    assert wilma.test_login_url == (
        f"https://proxy-test.example/login?lang=fi&authnContextClassRef=urn%3Ampass.id%3Aauthnsource%3A{wilma.flow_name}"
    )
    settings.PROXY_TEST_LOGIN_URL = {"test": "https://proxy-test.example/login"}
    assert wilma.test_login_url.startswith("https://proxy-test.example/login?authnContextClassRef=")


def test_without_a_login_address_there_is_no_link(wilma, settings, technical_a, as_user):
    settings.PROXY_TEST_LOGIN_URL = {"test": "", "production": ""}
    assert wilma.test_login_url == ""
    page = as_user(technical_a).get(_detail(wilma)).content.decode()
    assert "there is no link yet" in page and wilma.flow_name in page


# ---------------------------------------------------------------- the source's page


def _detail(source) -> str:
    return reverse("members:login-source-detail", args=[source.organisation_id, source.pk])


def test_the_page_shows_the_source(wilma, technical_a, as_user, settings, in_force):
    settings.PROXY_TEST_LOGIN_URL = {"test": "https://proxy-test.example/login", "production": ""}
    page = as_user(technical_a).get(_detail(wilma)).content.decode()
    for text in (
        "Wilma", "espoo.inschool.fi", "espoo2.inschool.fi", "Mattilan koulu", "In testing", wilma.flow_name,
        "authnContextClassRef=urn%3Ampass.id%3Aauthnsource%3A", "What production needs",
        "Missing:", "A display name for the login page",
        reverse("members:login-source-edit", args=[wilma.organisation_id, wilma.pk]),
        reverse("members:login-source-promote", args=[wilma.organisation_id, wilma.pk]),
    ):  # fmt: skip
        assert text in page, text


def test_the_page_of_a_saml_source_shows_its_metadata_check(saml, technical_a, as_user):
    page = as_user(technical_a).get(_detail(saml)).content.decode()
    assert "metadata OK" in page and ENTITY_ID in page
    assert timezone.localtime(saml.metadata_certificate_expires_at).strftime("%Y-%m-%d") in page
    assert reverse("members:login-source-metadata-check", args=[saml.organisation_id, saml.pk]) in page


@pytest.mark.parametrize(("persona", "status"), [
    ("operator", 200), ("admin_a", 200), ("technical_a", 200), ("signatory_a", 200), ("admin_b", 404),
])  # fmt: skip
def test_who_sees_the_page(wilma, persona, status, request, as_user):
    response = as_user(request.getfixturevalue(persona)).get(_detail(wilma))
    assert response.status_code == status


def test_a_source_under_another_organisation_is_not_found(wilma, org_b, admin_b, as_user):
    url = reverse("members:login-source-detail", args=[org_b.pk, wilma.pk])
    assert as_user(admin_b).get(url).status_code == 404


def test_the_signatory_sees_no_actions(wilma, signatory_a, as_user):
    page = as_user(signatory_a).get(_detail(wilma)).content.decode()
    assert 'href="{}"'.format(reverse("members:login-source-edit", args=[wilma.organisation_id, wilma.pk])) not in page
    assert reverse("members:login-source-promote", args=[wilma.organisation_id, wilma.pk]) not in page


def test_anonymous_visitors_are_sent_to_log_in(wilma, as_user):
    assert as_user(None).get(_detail(wilma)).status_code == 302


def test_saving_the_form_leads_to_the_page(wilma, technical_a, as_user, school_a):
    url = reverse("members:login-source-edit", args=[wilma.organisation_id, wilma.pk])
    response = as_user(technical_a).post(
        url, {"kind": "wilma", "name": "Wilma 2", "hostnames_text": "espoo.inschool.fi", "schools": [school_a.pk]}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response["Location"] == _detail(wilma)


def test_the_organisation_page_links_each_source_with_its_stage(wilma, technical_a, as_user):
    page = as_user(technical_a).get(reverse("members:organisation-detail", args=[wilma.organisation_id]))
    content = page.content.decode()
    assert _detail(wilma) in content and "In testing" in content and "Missing before production" in content


def test_the_pending_copy_shows_staff_the_review(pending, operator, technical_a, as_user):
    assert "Waiting for your review" in as_user(operator).get(_detail(pending)).content.decode()
    assert "Waiting for your review" not in as_user(technical_a).get(_detail(pending)).content.decode()


# ---------------------------------------------------------------- promotion by the page and the API


def _promote_url(source) -> str:
    return reverse("members:login-source-promote", args=[source.organisation_id, source.pk])


def test_the_promotion_is_confirmed_first(wilma, in_force, technical_a, as_user):
    client = as_user(technical_a)
    page = client.get(_promote_url(wilma)).content.decode()
    assert "Request promotion" in page and not LoginSource.objects.filter(promoted_from=wilma).exists()
    assert client.post(_promote_url(wilma)).status_code == 200  # no confirmation: nothing happens
    assert not LoginSource.objects.filter(promoted_from=wilma).exists()
    response = client.post(_promote_url(wilma), {"confirm": "1"})
    copy = LoginSource.objects.get(promoted_from=wilma)
    assert response["Location"] == _detail(copy)


def test_the_confirmation_page_says_why_it_cannot_be_promoted(wilma, technical_a, as_user):
    client = as_user(technical_a)
    page = client.get(_promote_url(wilma)).content.decode()
    assert "It cannot be promoted yet" in page and "membership agreement is not in force" in page
    response = client.post(_promote_url(wilma), {"confirm": "1"})
    assert response.status_code == 200 and not LoginSource.objects.filter(promoted_from=wilma).exists()


@pytest.mark.parametrize("persona", ["signatory_a", "admin_b"])
def test_others_cannot_promote(wilma, in_force, persona, request, as_user):
    client = as_user(request.getfixturevalue(persona))
    assert client.post(_promote_url(wilma), {"confirm": "1"}).status_code == 404
    assert not LoginSource.objects.filter(promoted_from=wilma).exists()


def test_the_api_promotes(wilma, in_force, technical_a, admin_b):
    url = f"/api/login-sources/{wilma.pk}/promote/"
    assert api_client_for(admin_b).post(url).status_code == 404
    response = api_client_for(technical_a).post(url)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["environment"] == "production" and body["promoted_from"] == wilma.pk and body["approved_at"] is None
    again = api_client_for(technical_a).post(url)
    assert again.status_code == 400 and "environment" in again.json()


def test_the_api_refuses_without_the_membership(wilma, technical_a):
    response = api_client_for(technical_a).post(f"/api/login-sources/{wilma.pk}/promote/")
    assert response.status_code == 400 and "organisation" in response.json()
    assert not LoginSource.objects.filter(promoted_from=wilma).exists()


def test_a_promotion_that_would_list_a_school_twice_in_production_is_refused(saml, in_force, org_a, school_a):
    other = LoginSource.objects.create(
        organisation=org_a, kind="wilma", name="Tuotanto-Wilma", environment="production",
        hostnames=["tuotanto.inschool.fi"], approved_at=timezone.now(),
    )  # fmt: skip
    other.schools.set([school_a])
    with pytest.raises(ValidationError) as refused:
        services.login_source_promote(login_source=saml, by=None)
    assert "Tuotanto-Wilma" in " ".join(refused.value.message_dict["schools"])
    assert not LoginSource.objects.filter(promoted_from=saml).exists()
