"""Service providers, their people and services for the register's tests."""

from __future__ import annotations

import pytest

from members import services
from members.models import Role
from members.signals import register_changed
from tests.factories import MembershipFactory, OrganisationRoleFactory, ServiceProviderOrganisationFactory
from tests.members.certs import good_certificate
from tests.members.register_server import register_server  # noqa: F401 - the local Organisaatiopalvelu


def saml_data(**overrides):
    data = {
        "name_fi": "Oppimateriaalipalvelu",
        "name_sv": "Läromaterialtjänst",
        "name_en": "Learning materials",
        "acs_endpoints": [
            {
                "binding": "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST",
                "location": "https://sp.example.fi/acs",
                "index": 0,
                "is_default": True,
            }
        ],
        "signing_certificates": [good_certificate()],
        # Production needs signed assertions (DESIGN section 2, rules by environment).
        "want_assertions_signed": True,
        "requested_attributes": [{"key": "uid", "purpose": "Käyttäjän tunnistaminen"}],
    }
    data.update(overrides)
    return data


def oidc_data(**overrides):
    data = {
        "name_fi": "Koulupilvi",
        "redirect_uris": ["https://app.example.fi/callback"],
        "auth_method": "client_secret_basic",
        "requested_attributes": [{"key": "uid", "purpose": "Kirjautuminen"}, {"key": "schoolCode", "purpose": "Koulu"}],
    }
    data.update(overrides)
    return data


def provider_in_force(**fields):
    """A service provider whose membership agreement is in force, so it may have production services."""
    provider = ServiceProviderOrganisationFactory(**fields)
    MembershipFactory(organisation=provider, role="service_provider")
    return provider


@pytest.fixture
def provider_a(db):
    return provider_in_force(name_fi="Palveluntarjoaja A")


@pytest.fixture
def provider_b(db):
    return provider_in_force(name_fi="Palveluntarjoaja B")


@pytest.fixture
def tech_provider_a(provider_a):
    return OrganisationRoleFactory(organisation=provider_a, role=Role.TECHNICAL, user__email="tech-pa@example.org").user


@pytest.fixture
def tech_provider_b(provider_b):
    return OrganisationRoleFactory(organisation=provider_b, role=Role.TECHNICAL, user__email="tech-pb@example.org").user


@pytest.fixture
def make_saml_service(operator):
    counter = {"n": 0}

    def make(provider, *, environment="production", approve=True, **overrides):
        counter["n"] += 1
        created = services.service_create(
            provider=provider,
            by=operator,
            environment=environment,
            protocol="saml",
            data=saml_data(**overrides),
            entity_id=f"https://sp{counter['n']}-{provider.pk}.example.fi/saml",
        )
        if approve and created.service.live_version_id is None:
            services.service_approve(version=created.version, by=operator)
        created.service.refresh_from_db()
        return created.service

    return make


@pytest.fixture
def make_oidc_service(operator):
    def make(provider, *, environment="production", approve=True, **overrides):
        created = services.service_create(
            provider=provider, by=operator, environment=environment, protocol="oidc", data=oidc_data(**overrides)
        )
        if approve:
            services.service_approve(version=created.version, by=operator)
        created.service.refresh_from_db()
        return created.service

    return make


@pytest.fixture
def signals():
    """(environment, reason) of each register_changed sent during the test."""
    received = []

    def handler(sender, **kwargs):
        received.append((kwargs["environment"], kwargs["reason"]))

    register_changed.connect(handler, weak=False)
    yield received
    register_changed.disconnect(handler)
