"""Staff withdraw a live service from the proxy with a reason the member reads (issue 15, item 3)."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from audit.models import Entry
from members import services
from members.models import ReviewPolicy, Service, VersionStatus


def _withdraw(client, service, reason="The entityID breaks the proxy's build."):
    return client.post(reverse("members:service-withdraw", args=[service.pk]), {"reason": reason})


def test_staff_withdraw_a_live_service_and_the_member_is_told_why(
    provider_a, tech_provider_a, operator, as_user, make_saml_service, signals, django_capture_on_commit_callbacks
):
    service = make_saml_service(provider_a)
    live = service.live_version
    signals.clear()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = _withdraw(as_user(operator), service)
    assert response.status_code == 302

    service.refresh_from_db()
    live.refresh_from_db()
    assert service.live_version is None and live.status == VersionStatus.WITHDRAWN
    assert service.withdrawn_by == operator and service.withdrawal_reason == "The entityID breaks the proxy's build."
    assert signals == [("production", "service withdrawn")]
    entry = Entry.objects.get(action="service.withdraw")
    assert entry.actor == operator and entry.after["reason"] == service.withdrawal_reason
    assert [m.to for m in mail.outbox] == [[tech_provider_a.email]]
    assert "withdrawn" in mail.outbox[0].subject and "breaks the proxy" in mail.outbox[0].body

    page = as_user(tech_provider_a).get(reverse("members:service-detail", args=[service.pk])).content.decode()
    assert "Withdrawn from the proxy" in page and "breaks the proxy" in page
    listing = as_user(tech_provider_a).get(reverse("members:service-list")).content.decode()
    assert "withdrawn" in listing


def test_a_withdrawal_needs_a_reason(provider_a, operator, as_user, make_saml_service):
    service = make_saml_service(provider_a)
    _withdraw(as_user(operator), service, reason="  ")
    service.refresh_from_db()
    assert service.live_version is not None and service.withdrawn_at is None


def test_a_member_cannot_withdraw_even_their_own_service(provider_a, tech_provider_a, as_user, make_saml_service):
    service = make_saml_service(provider_a)
    assert _withdraw(as_user(tech_provider_a), service).status_code == 403
    service.refresh_from_db()
    assert service.live_version is not None
    assert not Entry.objects.filter(action="service.withdraw").exists()


def test_staff_without_mfa_are_sent_to_enrol_first(provider_a, operator_without_mfa, as_user, make_saml_service):
    service = make_saml_service(provider_a)
    response = _withdraw(as_user(operator_without_mfa), service)
    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")
    service.refresh_from_db()
    assert service.live_version is not None


def test_only_a_live_service_can_be_withdrawn(provider_a, operator, make_saml_service):
    service = make_saml_service(provider_a, approve=False)
    with pytest.raises(services.ValidationError):
        services.service_withdraw(service=service, by=operator, reason="x")


def test_a_withdrawn_service_returns_only_by_staff_approval_never_automatically(
    provider_a, tech_provider_a, operator, make_saml_service
):
    policy = ReviewPolicy.current()
    policy.auto_approve_test = True
    policy.save()
    service = make_saml_service(provider_a, environment="test")
    services.service_withdraw(service=service, by=operator, reason="Broken entityID")

    version = services.service_change(service=service, by=tech_provider_a, data={"name_fi": "Korjattu"})
    assert version.status == VersionStatus.PENDING  # not auto-approved
    services.service_approve(version=version, by=operator)
    service = Service.objects.get(pk=service.pk)
    assert service.live_version == version
    assert service.withdrawn_at is None and service.withdrawal_reason == ""
