"""Services are drafts until staff approve; the last approved version stays live (DESIGN section 2)."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from audit.models import Entry
from members import services
from members.models import ReviewPolicy, Service, ServiceVersion, VersionStatus
from members.secrets import secret_decrypt
from members.selectors import approved_services
from members.signals import register_changed
from tests.members.certs import make_certificate
from tests.members.conftest import oidc_data, saml_data


@pytest.fixture
def signals_received():
    received = []

    def listener(sender, environment, reason, **kwargs):
        received.append((environment, reason))

    register_changed.connect(listener)
    yield received
    register_changed.disconnect(listener)


def _create_saml(provider, by, environment="production", **overrides):
    return services.service_create(
        provider=provider, by=by, environment=environment, protocol="saml", data=saml_data(**overrides),
        entity_id="https://sp.example.fi/saml",
    )  # fmt: skip


def test_a_new_service_is_pending_and_invisible_to_the_proxy(provider_a, tech_provider_a):
    created = _create_saml(provider_a, tech_provider_a)
    assert created.version.status == VersionStatus.PENDING
    assert created.service.live_version is None
    assert approved_services(environment="production") == []


def test_approval_makes_it_live_emails_the_provider_and_signals_after_commit(
    provider_a, tech_provider_a, operator, signals_received, django_capture_on_commit_callbacks
):
    created = _create_saml(provider_a, tech_provider_a)
    with django_capture_on_commit_callbacks(execute=True):
        services.service_approve(version=created.version, by=operator)
        assert signals_received == []  # not before commit
    assert signals_received == [("production", "service approved")]
    live = approved_services(environment="production")
    assert [s.pk for s in live] == [created.service.pk]
    assert live[0].live_version.reviewed_by == operator
    assert [m.to for m in mail.outbox] == [["tech-pa@example.org"]]
    assert "approved" in mail.outbox[0].subject
    assert Entry.objects.filter(action="service.approve").exists()


def test_a_pending_change_never_replaces_the_live_version(provider_a, tech_provider_a, make_saml_service):
    service = make_saml_service(provider_a)
    live_pk = service.live_version_id
    change = services.service_change(
        service=service, by=tech_provider_a, data={"requested_attributes": [{"key": "surname", "purpose": "Nimi"}]}
    )
    assert change.status == VersionStatus.PENDING
    [proxy_view] = approved_services(environment="production")
    assert proxy_view.live_version.pk == live_pk
    assert [a.key for a, _ in proxy_view.live_version.released_attributes()] == ["uid"]


def test_rejection_needs_a_reason_which_the_member_gets_and_live_stays(
    provider_a, tech_provider_a, make_saml_service, operator, django_capture_on_commit_callbacks
):
    service = make_saml_service(provider_a)
    change = services.service_change(
        service=service, by=tech_provider_a, data={"acs_endpoints": [
            {"binding": "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST", "location": "https://new.example.fi/acs",
             "index": 0, "is_default": True}]},
    )  # fmt: skip
    with pytest.raises(ValidationError):
        services.service_reject(version=change, by=operator, reason="  ")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.service_reject(version=change, by=operator, reason="ACS host is not yours")
    change.refresh_from_db()
    assert change.status == VersionStatus.REJECTED and change.rejection_reason == "ACS host is not yours"
    service.refresh_from_db()
    assert service.live_version.acs_endpoints[0]["location"] == "https://sp.example.fi/acs"
    assert "ACS host is not yours" in mail.outbox[0].body


def test_a_decided_version_cannot_be_decided_again(provider_a, tech_provider_a, operator):
    created = _create_saml(provider_a, tech_provider_a)
    services.service_approve(version=created.version, by=operator)
    with pytest.raises(ValidationError):
        services.service_reject(version=created.version, by=operator, reason="late")


def test_a_new_change_replaces_the_one_waiting(provider_a, tech_provider_a, make_saml_service):
    service = make_saml_service(provider_a)
    first = services.service_change(
        service=service, by=tech_provider_a, data={"requested_attributes": [{"key": "surname", "purpose": "a"}]}
    )
    second = services.service_change(
        service=service, by=tech_provider_a, data={"requested_attributes": [{"key": "givenName", "purpose": "b"}]}
    )
    first.refresh_from_db()
    assert first.status == VersionStatus.WITHDRAWN and second.status == VersionStatus.PENDING


def test_a_name_only_change_goes_live_without_review(provider_a, tech_provider_a, make_saml_service):
    service = make_saml_service(provider_a)
    version = services.service_change(service=service, by=tech_provider_a, data={"name_en": "New name"})
    assert version.status == VersionStatus.APPROVED and version.auto_approved
    service.refresh_from_db()
    assert service.live_version.name_en == "New name"


def test_certificate_only_changes_auto_approve_only_when_staff_allow(
    provider_a, tech_provider_a, make_saml_service, operator
):
    service = make_saml_service(provider_a)
    new_certificate = make_certificate(cn="new.example.fi")
    version = services.service_change(
        service=service, by=tech_provider_a, data={"signing_certificates": [new_certificate]}
    )
    assert version.status == VersionStatus.PENDING
    services.review_policy_set(by=operator, auto_approve_test=False, auto_approve_certificate_changes=True)
    version = services.service_change(
        service=service, by=tech_provider_a, data={"signing_certificates": [new_certificate]}
    )
    assert version.status == VersionStatus.APPROVED
    # An attribute change still waits even with the certificate switch on.
    version = services.service_change(
        service=service, by=tech_provider_a, data={"requested_attributes": [{"key": "class", "purpose": "c"}]}
    )
    assert version.status == VersionStatus.PENDING


def test_test_environment_services_auto_approve_when_staff_allow(provider_a, tech_provider_a, operator):
    ReviewPolicy.objects.update_or_create(pk=1, defaults={"auto_approve_test": True})
    created = _create_saml(provider_a, tech_provider_a, environment="test")
    assert created.version.status == VersionStatus.APPROVED
    production = services.service_create(
        provider=provider_a, by=tech_provider_a, environment="production", protocol="saml", data=saml_data(),
        entity_id="https://other.example.fi/saml",
    )  # fmt: skip
    assert production.version.status == VersionStatus.PENDING


def test_duplicate_entity_id_in_the_same_environment_is_refused_and_nothing_stored(provider_a, tech_provider_a):
    _create_saml(provider_a, tech_provider_a)
    counts = (Service.objects.count(), ServiceVersion.objects.count())
    with pytest.raises(ValidationError) as excinfo:
        _create_saml(provider_a, tech_provider_a)
    assert "already registered" in str(excinfo.value.message_dict["entity_id"])
    assert (Service.objects.count(), ServiceVersion.objects.count()) == counts
    _create_saml(provider_a, tech_provider_a, environment="test")  # other environment is fine


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"signing_certificates": []}, "signing_certificates", "required"),
        ({"signing_certificates": [make_certificate(bits=1024)]}, "signing_certificates", "2048"),
        ({"requested_attributes": [{"key": "shoeSize", "purpose": "x"}]}, "requested_attributes", "Unknown"),
        ({"requested_attributes": [{"key": "uid", "purpose": ""}]}, "requested_attributes", "purpose"),
        ({"acs_endpoints": []}, "acs_endpoints", "At least one"),
        ({"name_fi": ""}, "name_fi", "Finnish name"),
        ({"privacy_url": "http://x.fi"}, "privacy_url", "https"),
    ],
)
def test_bad_saml_input_is_refused_naming_the_field(provider_a, tech_provider_a, overrides, field, message):
    with pytest.raises(ValidationError) as excinfo:
        _create_saml(provider_a, tech_provider_a, **overrides)
    assert message in " ".join(excinfo.value.message_dict[field])
    assert not Service.objects.exists()


def test_oidc_client_gets_a_generated_id_and_a_secret_stored_only_encrypted(provider_a, tech_provider_a):
    created = services.service_create(
        provider=provider_a, by=tech_provider_a, environment="test", protocol="oidc", data=oidc_data()
    )
    service = created.service
    assert service.client_id.startswith("trustnet-") and created.client_secret
    assert created.client_secret not in service.client_secret_encrypted
    assert secret_decrypt(service.client_secret_encrypted) == created.client_secret
    assert services.oidc_client_secret(service) == created.client_secret
    entry = Entry.objects.get(action="service.create")
    assert created.client_secret not in str(entry.after)


def test_rotating_the_secret_replaces_it(provider_a, tech_provider_a, make_oidc_service):
    service = make_oidc_service(provider_a)
    old = services.oidc_client_secret(service)
    new = services.oidc_secret_rotate(service=service, by=tech_provider_a)
    assert new != old and services.oidc_client_secret(service) == new


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"redirect_uris": ["http://app.example.fi/cb"]}, "redirect_uris", "https"),
        ({"redirect_uris": ["https://app.example.fi/cb#frag"]}, "redirect_uris", "fragment"),
        ({"redirect_uris": []}, "redirect_uris", "At least one"),
        ({"auth_method": "private_key_jwt"}, "jwks_uri", "JWKS"),
        ({"auth_method": "none"}, "auth_method", "Unknown"),
    ],
)
def test_bad_oidc_input_is_refused_naming_the_field(provider_a, tech_provider_a, overrides, field, message):
    with pytest.raises(ValidationError) as excinfo:
        services.service_create(
            provider=provider_a, by=tech_provider_a, environment="test", protocol="oidc", data=oidc_data(**overrides)
        )
    assert message in " ".join(excinfo.value.message_dict[field])
    assert not Service.objects.exists()


def test_private_key_jwt_client_has_no_secret(provider_a, tech_provider_a):
    created = services.service_create(
        provider=provider_a, by=tech_provider_a, environment="test", protocol="oidc",
        data=oidc_data(auth_method="private_key_jwt", jwks_uri="https://app.example.fi/jwks.json"),
    )  # fmt: skip
    assert created.client_secret is None and services.oidc_client_secret(created.service) is None


def test_only_service_providers_register_services(org_a, admin_a):
    with pytest.raises(ValidationError):
        services.service_create(provider=org_a, by=admin_a, environment="test", protocol="oidc", data=oidc_data())


def test_staff_are_told_when_a_change_waits_for_review(
    provider_a, tech_provider_a, operator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _create_saml(provider_a, tech_provider_a)
    assert [m.to for m in mail.outbox] == [[operator.email]]
    assert "Review requested" in mail.outbox[0].subject and "new service" in mail.outbox[0].body


def test_staff_dashboard_counts_expiring_certificates(provider_a, operator, as_user, make_saml_service):
    from django.urls import reverse

    make_saml_service(provider_a, signing_certificates=[make_certificate(days=5, cn="soon.example.fi")])
    page = as_user(operator).get(reverse("portal:staff-dashboard"))
    assert page.context["expiring_certificate_count"] == 1
