"""Services from test to production (issue 13 items 1 and 2; DESIGN section 2, lifecycle and rules
by environment): the test environment before the agreement, promotion reviewed by staff, the rules
of each environment enforced in the services so the form and the API agree."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import Entry
from members import services
from members.models import Service, ServiceVersion, VersionStatus
from members.selectors import production_checklist, service_stage
from proxy.register import collect_inputs
from tests.conftest import api_client_for
from tests.factories import MembershipFactory, OrganisationRoleFactory, ServiceProviderOrganisationFactory
from tests.members.conftest import oidc_data, saml_data

pytestmark = pytest.mark.django_db

LOCAL_SAML = {
    "acs_endpoints": [
        {"binding": "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST", "location": "http://localhost:8080/acs",
         "index": 0, "is_default": True}
    ],
    "signing_certificates": [],
    "want_assertions_signed": False,
}  # fmt: skip


@pytest.fixture
def unsigned_provider(db):
    """A provider on the register that has not signed the agreement yet."""
    return ServiceProviderOrganisationFactory(name_fi="Uusi Oy")


@pytest.fixture
def tech_unsigned(unsigned_provider):
    return OrganisationRoleFactory(
        organisation=unsigned_provider, role="technical", user__email="tech-uusi@example.org"
    ).user


def _test_service(provider, by, operator, protocol="saml", **overrides):
    data = saml_data(**overrides) if protocol == "saml" else oidc_data(**overrides)
    created = services.service_create(
        provider=provider, by=by, environment="test", protocol=protocol, data=data,
        entity_id="https://sp.example.fi/saml" if protocol == "saml" else "",
    )  # fmt: skip
    services.service_approve(version=created.version, by=operator)
    created.service.refresh_from_db()
    return created.service


def _keys(environment: str) -> set[str]:
    return {
        s.entity_id or s.client_id for s in collect_inputs(environment=environment, on=timezone.localdate()).services
    }


# ---------------------------------------------------------------- rules by environment


def test_the_test_environment_allows_http_localhost_and_no_signing_certificate(provider_a, tech_provider_a):
    version = services.service_create(
        provider=provider_a, by=tech_provider_a, environment="test", protocol="saml",
        data=saml_data(**LOCAL_SAML), entity_id="https://sp.example.fi/saml",
    ).version  # fmt: skip
    assert version.acs_endpoints[0]["location"] == "http://localhost:8080/acs"
    assert version.signing_certificates == []
    oidc = services.service_create(
        provider=provider_a, by=tech_provider_a, environment="test", protocol="oidc",
        data=oidc_data(redirect_uris=["http://localhost:3000/callback", "http://127.0.0.1/cb"]),
    ).version  # fmt: skip
    assert oidc.redirect_uris == ["http://localhost:3000/callback", "http://127.0.0.1/cb"]


@pytest.mark.parametrize("uri", ["http://app.example.fi/callback", "http://localhost.example.fi/cb"])
def test_even_the_test_environment_refuses_http_to_a_public_host(provider_a, tech_provider_a, uri):
    with pytest.raises(ValidationError) as excinfo:
        services.service_create(
            provider=provider_a, by=tech_provider_a, environment="test", protocol="oidc",
            data=oidc_data(redirect_uris=[uri]),
        )  # fmt: skip
    assert "only for localhost" in excinfo.value.message_dict["redirect_uris"][0]
    assert not Service.objects.exists()


@pytest.mark.parametrize(
    ("protocol", "overrides", "field", "words"),
    [
        ("oidc", {"redirect_uris": ["http://localhost:3000/callback"]}, "redirect_uris", "https"),
        ("oidc", {"redirect_uris": ["https://localhost/callback"]}, "redirect_uris", "localhost"),
        ("oidc", {"post_logout_redirect_uris": ["https://127.0.0.1/out"]}, "post_logout_redirect_uris", "localhost"),
        ("saml", {"signing_certificates": []}, "signing_certificates", "signing certificate is required"),
        ("saml", {"want_assertions_signed": False}, "want_assertions_signed", "WantAssertionsSigned"),
        ("saml", {"acs_endpoints": LOCAL_SAML["acs_endpoints"]}, "acs_endpoints", "https"),
    ],
)
def test_production_refuses_what_test_allows_naming_the_field_and_storing_nothing(
    provider_a, tech_provider_a, protocol, overrides, field, words
):
    data = saml_data(**overrides) if protocol == "saml" else oidc_data(**overrides)
    with pytest.raises(ValidationError) as excinfo:
        services.service_create(
            provider=provider_a, by=tech_provider_a, environment="production", protocol=protocol, data=data,
            entity_id="https://sp.example.fi/saml" if protocol == "saml" else "",
        )  # fmt: skip
    assert words in " ".join(excinfo.value.message_dict[field])
    assert not Service.objects.exists() and not ServiceVersion.objects.exists()


def test_the_api_and_the_form_refuse_an_http_redirect_uri_in_production_with_the_field_named(
    provider_a, tech_provider_a, as_user
):
    response = api_client_for(tech_provider_a).post(
        "/api/services/",
        {"provider": provider_a.pk, "environment": "production", "protocol": "oidc",
         **oidc_data(redirect_uris=["http://localhost:3000/callback"])},
        format="json",
    )  # fmt: skip
    assert response.status_code == 400 and "redirect_uris" in response.json()
    page = as_user(tech_provider_a).post(
        reverse("members:service-create", args=[provider_a.pk, "oidc"]),
        {"environment": "production", "name_fi": "Koulupilvi", "redirect_uris_text": "http://localhost:3000/callback",
         "auth_method": "client_secret_basic", "attr_uid": "on", "purpose_uid": "Kirjautuminen"},
    )  # fmt: skip
    assert page.status_code == 200
    assert "https" in " ".join(page.context["form"].errors["redirect_uris_text"])
    assert not Service.objects.exists()


# ---------------------------------------------------------------- the test environment before the agreement


def test_a_provider_without_an_agreement_works_in_test_but_not_in_production(
    unsigned_provider, tech_unsigned, operator
):
    test_service = _test_service(unsigned_provider, tech_unsigned, operator)
    production = services.service_create(
        provider=unsigned_provider, by=tech_unsigned, environment="production", protocol="saml",
        data=saml_data(), entity_id="https://prod.example.fi/saml",
    )  # fmt: skip
    services.service_approve(version=production.version, by=operator)
    assert test_service.entity_id in _keys("test")
    assert "https://prod.example.fi/saml" not in _keys("production")
    production.service.refresh_from_db()
    assert "not in force" in service_stage(production.service)


def test_a_provider_whose_membership_ended_leaves_the_test_environment_too(unsigned_provider, tech_unsigned, operator):
    test_service = _test_service(unsigned_provider, tech_unsigned, operator)
    ended_on = timezone.localdate() - datetime.timedelta(days=1)
    MembershipFactory(
        organisation=unsigned_provider, role="service_provider", ends_on=ended_on, ended_at=timezone.now()
    )
    assert test_service.entity_id not in _keys("test")
    # A new membership after the ended one brings it back.
    MembershipFactory(organisation=unsigned_provider, role="service_provider", in_force_from=None)
    assert test_service.entity_id in _keys("test")


# ---------------------------------------------------------------- promotion


def test_promotion_is_refused_while_the_agreement_is_not_in_force(unsigned_provider, tech_unsigned, operator):
    service = _test_service(unsigned_provider, tech_unsigned, operator)
    with pytest.raises(ValidationError) as excinfo:
        services.service_promote(service=service, by=tech_unsigned)
    assert "not in force" in excinfo.value.message_dict["provider"][0]
    assert not Service.objects.filter(environment="production").exists()


def test_promotion_carries_the_settings_over_waits_for_review_and_keeps_the_test_service(
    provider_a, tech_provider_a, operator
):
    service = _test_service(provider_a, tech_provider_a, operator, test_learner_numbers_allowed=True)
    created = services.service_promote(
        service=service, by=tech_provider_a, data={"privacy_url": "https://sp.example.fi/privacy"}
    )
    promoted = created.service
    assert (promoted.environment, promoted.promoted_from_id, promoted.entity_id) == (
        "production", service.pk, service.entity_id,
    )  # fmt: skip
    assert promoted.live_version is None and created.version.status == VersionStatus.PENDING
    for name in ("name_fi", "acs_endpoints", "signing_certificates", "requested_attributes"):
        assert getattr(created.version, name) == getattr(service.live_version, name)
    assert created.version.privacy_url == "https://sp.example.fi/privacy"
    assert created.version.test_learner_numbers_allowed  # carried over, for staff to review
    service.refresh_from_db()
    assert service.live_version.status == VersionStatus.APPROVED
    assert service_stage(service) == "In testing; promotion to production waiting for review"
    assert Entry.objects.filter(action="service.promote").count() == 1
    assert service.entity_id not in _keys("production")
    services.service_approve(version=created.version, by=operator)
    assert service.entity_id in _keys("production") and service.entity_id in _keys("test")
    assert service_stage(service) == "In testing; promoted to production"
    with pytest.raises(ValidationError) as excinfo:
        services.service_promote(service=service, by=tech_provider_a)
    assert "already been promoted" in excinfo.value.message_dict["environment"][0]


def test_a_promotion_must_meet_the_production_rules_and_may_fix_them_on_the_way(provider_a, tech_provider_a, operator):
    service = _test_service(
        provider_a, tech_provider_a, operator, "oidc", redirect_uris=["http://localhost:3000/callback"]
    )
    with pytest.raises(ValidationError) as excinfo:
        services.service_promote(service=service, by=tech_provider_a)
    assert "redirect_uris" in excinfo.value.message_dict
    assert not Service.objects.filter(environment="production").exists()
    created = services.service_promote(
        service=service, by=tech_provider_a, data={"redirect_uris": ["https://app.example.fi/callback"]}
    )
    # A production client has its own client_id and secret, shown once.
    assert created.service.client_id != service.client_id and created.client_secret


def test_only_an_approved_test_service_can_be_promoted(provider_a, tech_provider_a, operator):
    pending = services.service_create(
        provider=provider_a, by=tech_provider_a, environment="test", protocol="oidc", data=oidc_data()
    ).service
    with pytest.raises(ValidationError) as excinfo:
        services.service_promote(service=pending, by=tech_provider_a)
    assert "approved in the test environment" in excinfo.value.message_dict["environment"][0]
    production = services.service_create(
        provider=provider_a, by=tech_provider_a, environment="production", protocol="oidc", data=oidc_data()
    ).service
    with pytest.raises(ValidationError) as excinfo:
        services.service_promote(service=production, by=tech_provider_a)
    assert "Only a test-environment service" in excinfo.value.message_dict["environment"][0]


def test_promotion_through_the_api_and_its_refusal_name_the_field(
    provider_a, tech_provider_a, unsigned_provider, tech_unsigned, tech_provider_b, operator
):
    service = _test_service(provider_a, tech_provider_a, operator, "oidc")
    other = api_client_for(tech_provider_b).post(f"/api/services/{service.pk}/promote/", {}, format="json")
    assert other.status_code == 404
    response = api_client_for(tech_provider_a).post(f"/api/services/{service.pk}/promote/", {}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["environment"] == "production" and body["promoted_from"] == service.pk and body["client_secret"]
    unsigned = _test_service(unsigned_provider, tech_unsigned, operator, "oidc")
    refused = api_client_for(tech_unsigned).post(f"/api/services/{unsigned.pk}/promote/", {}, format="json")
    assert refused.status_code == 400 and "not in force" in refused.json()["provider"][0]


def test_promotion_through_the_form_shows_the_checklist_and_lands_on_the_production_service(
    provider_a, tech_provider_a, operator, as_user
):
    service = _test_service(provider_a, tech_provider_a, operator)
    client = as_user(tech_provider_a)
    page = client.get(reverse("members:service-detail", args=[service.pk]))
    assert reverse("members:service-promote", args=[service.pk]) in page.content.decode()
    form_page = client.get(reverse("members:service-promote", args=[service.pk]))
    assert form_page.status_code == 200 and "What production needs" in form_page.content.decode()
    form = form_page.context["form"]
    data = {name: form[name].value() for name in form.fields if name not in ("metadata_file", "metadata_url")}
    data = {k: v for k, v in data.items() if v not in (None, False)}
    data["privacy_url"] = "https://sp.example.fi/privacy"
    response = client.post(reverse("members:service-promote", args=[service.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    promoted = Service.objects.get(environment="production")
    assert response["Location"] == reverse("members:service-detail", args=[promoted.pk])
    assert promoted.promoted_from == service and promoted.versions.get().privacy_url == "https://sp.example.fi/privacy"


# ---------------------------------------------------------------- the service page: stage and checklist


def test_the_checklist_names_what_is_missing_before_production(unsigned_provider, tech_unsigned, operator):
    service = _test_service(
        unsigned_provider, tech_unsigned, operator, **LOCAL_SAML, privacy_url="",
    )  # fmt: skip
    checklist = {item.label: item for item in production_checklist(service)}
    assert not checklist["The membership agreement is in force"].done
    assert not checklist["At least one signing certificate"].done
    assert not checklist["Wants signed assertions (WantAssertionsSigned)"].done
    addresses = checklist["Every address uses https and none points to localhost"]
    assert not addresses.done and "http://localhost:8080/acs" in addresses.detail
    assert checklist["A purpose for every requested attribute"].done
    assert not checklist["A privacy statement URL"].done
    MembershipFactory(organisation=unsigned_provider, role="service_provider")
    services.service_change(
        service=service, by=tech_unsigned,
        data={**saml_data(), "privacy_url": "https://sp.example.fi/privacy"},
    )  # fmt: skip
    service.refresh_from_db()
    assert all(item.done for item in production_checklist(service))


def test_the_service_page_shows_the_stage_and_the_checklist_in_words(provider_a, tech_provider_a, operator, as_user):
    service = _test_service(provider_a, tech_provider_a, operator)
    html = as_user(tech_provider_a).get(reverse("members:service-detail", args=[service.pk])).content.decode()
    assert "In testing" in html and "What production needs" in html and "Missing:" in html
