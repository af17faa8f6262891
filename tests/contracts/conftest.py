"""Shared set-up for agreement tests: a published version and helpers to sign through the services."""

from __future__ import annotations

import datetime

import pytest

from contracts import services
from members.models import Role
from tests.factories import AgreementVersionFactory, OrganisationRoleFactory

TODAY = datetime.datetime(2027, 3, 15, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture
def version(db):
    return AgreementVersionFactory(
        label="MPASSid-jäsensopimus",
        text_fi="1. Sopimuksen osapuolet.\n\nJäsen ja operaattori sopivat tunnistuksen välityksestä. Åäö.",
        text_sv="1. Avtalets parter.\n\nMedlemmen och operatören avtalar om identifieringsförmedling. Åäö.",
    )


@pytest.fixture
def signatory_b(org_b):
    return OrganisationRoleFactory(organisation=org_b, role=Role.SIGNATORY, user__email="signatory-b@example.org").user


def sign_as_member(organisation, user, version, role="home_organisation", language="fi"):
    return services.signature_member_sign(
        organisation=organisation,
        role=role,
        version=version,
        by=user,
        full_name="Sanna Signeeraaja",
        title="Sivistysjohtaja",
        language=language,
        ip_address="192.0.2.1",
    )


def countersign(membership, operator):
    return services.signature_operator_countersign(
        membership=membership,
        by=operator,
        full_name="Olli Operaattori",
        title="Palvelupäällikkö",
        ip_address="192.0.2.2",
    )


@pytest.fixture
def signed_membership(org_a, signatory_a, operator, version):
    """org_a's home-organisation membership, signed by both parties."""
    membership = sign_as_member(org_a, signatory_a, version).membership
    countersign(membership, operator)
    membership.refresh_from_db()
    return membership
