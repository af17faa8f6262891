"""A build that fails on one service's data names that service to staff (issue 15, item 3)."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail

from members import services as register
from members.models import Service
from proxy.models import Publication, Snapshot
from proxy.services import snapshot_build
from tests.factories import MembershipFactory, ServiceProviderOrganisationFactory
from tests.members.conftest import oidc_data, saml_data
from tests.proxy.helpers import entity_ids, metadata_of

TODAY = datetime.date(2026, 11, 27)


@pytest.fixture(autouse=True)
def real_register(settings):
    settings.PROXY_COLLECT_INPUTS = "proxy.register.collect_inputs"


def live_saml_service(operator, *, provider_name: str, n: int) -> Service:
    provider = ServiceProviderOrganisationFactory(name_fi=provider_name)
    MembershipFactory(organisation=provider, role="service_provider")
    created = register.service_create(
        provider=provider, by=operator, environment="production", protocol="saml",
        data=saml_data(name_fi=f"Palvelu {n}"), entity_id=f"https://sp{n}.example.fi/saml",
    )  # fmt: skip
    register.service_approve(version=created.version, by=operator)
    return created.service


@pytest.mark.parametrize("bad", ["https://sp9.example.fi/\x01saml", "https://sp9.example.fi/\x1bsaml"])
def test_a_control_character_in_legacy_data_fails_the_build_naming_the_service(
    operator, bad, django_capture_on_commit_callbacks
):
    live_saml_service(operator, provider_name="Hyvä Oy", n=1)
    broken = live_saml_service(operator, provider_name="Rikki Oy", n=9)
    # Legacy data, from before the validator: written past every check.
    Service.objects.filter(pk=broken.pk).update(entity_id=bad)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        snapshot = snapshot_build(environment="production", trigger="test", on=TODAY)

    assert snapshot.status == Snapshot.Status.FAILED
    assert any("Palvelu 9" in error and "Rikki Oy" in error for error in snapshot.errors), snapshot.errors
    assert not any("Palvelu 1" in error for error in snapshot.errors)
    assert [m.to for m in mail.outbox] == [[operator.email]]
    body = mail.outbox[0].body
    assert "Palvelu 9" in body and "Rikki Oy" in body
    assert "sp9.example.fi" in body
    assert f"/members/services/{broken.pk}/" in body  # where staff can withdraw it


def test_every_broken_service_is_named_not_only_the_first(operator, django_capture_on_commit_callbacks):
    first = live_saml_service(operator, provider_name="Eka Oy", n=7)
    second = live_saml_service(operator, provider_name="Toka Oy", n=8)
    Service.objects.filter(pk=first.pk).update(entity_id="https://sp7.example.fi/\x02")
    Service.objects.filter(pk=second.pk).update(entity_id="https://sp8.example.fi/\x03")

    snapshot = snapshot_build(environment="production", trigger="test", on=TODAY)

    assert snapshot.status == Snapshot.Status.FAILED
    assert any("Eka Oy" in error for error in snapshot.errors)
    assert any("Toka Oy" in error for error in snapshot.errors)


def test_withdrawing_the_broken_service_lets_the_next_build_through(operator, django_capture_on_commit_callbacks):
    good = live_saml_service(operator, provider_name="Hyvä Oy", n=1)
    broken = live_saml_service(operator, provider_name="Rikki Oy", n=9)
    Service.objects.filter(pk=broken.pk).update(entity_id="https://sp9.example.fi/\x01")
    assert snapshot_build(environment="production", trigger="t", on=TODAY).status == Snapshot.Status.FAILED

    register.service_withdraw(service=broken, by=operator, reason="Virheellinen entityID.")
    snapshot = snapshot_build(environment="production", trigger="t", on=TODAY)

    assert snapshot.status == Snapshot.Status.VALID, snapshot.errors
    assert Publication.objects.get(environment="production").snapshot == snapshot
    assert entity_ids(metadata_of(snapshot)) == [good.entity_id]


def test_a_broken_oidc_service_is_named_when_the_release_rules_fail(operator):
    provider = ServiceProviderOrganisationFactory(name_fi="Oidc Oy")
    MembershipFactory(organisation=provider, role="service_provider")
    created = register.service_create(
        provider=provider, by=operator, environment="production", protocol="oidc",
        data=oidc_data(name_fi="Kirjautuja"),
    )  # fmt: skip
    register.service_approve(version=created.version, by=operator)
    Service.objects.filter(pk=created.service.pk).update(client_id="abc\x04")

    snapshot = snapshot_build(environment="production", trigger="t", on=TODAY)

    assert snapshot.status == Snapshot.Status.FAILED
    assert any("Kirjautuja" in error and "Oidc Oy" in error for error in snapshot.errors), snapshot.errors
