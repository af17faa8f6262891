"""Fixtures of the steering-group tests: a group with seats, agreement versions, members in force."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from contracts import services as agreement_services
from contracts.models import MemberRole, Membership
from members.models import Role
from steering import services as steering_services
from steering.models import Seat, SteeringGroup
from tests.factories import OrganisationFactory, OrganisationRoleFactory, UserFactory

OLD_FI = "1 § Osapuolet\nJäsen ja operaattori.\n2 § Irtisanominen\nJäsen voi irtisanoa kuukauden irtisanomisajalla."
OLD_SV = "1 § Parter\nMedlem och operatör.\n2 § Uppsägning\nMedlemmen kan säga upp med en månads uppsägningstid."
NEW_FI = (
    "1 § Osapuolet\nJäsen ja operaattori.\n2 § Irtisanominen\n"
    "Jäsen voi irtisanoa kahden kuukauden irtisanomisajalla.\n3 § Tietosuoja\nUusi pykälä."
)
NEW_SV = (
    "1 § Parter\nMedlem och operatör.\n2 § Uppsägning\n"
    "Medlemmen kan säga upp med två månaders uppsägningstid.\n3 § Dataskydd\nNy paragraf."
)


@pytest.fixture
def group(db):
    return SteeringGroup.objects.create(name="Ohjausryhmä")


@pytest.fixture
def make_seats(group):
    def make(count: int, *, target=None):
        seats = []
        for _ in range(count):
            holder = UserFactory(mfa=True)
            seats.append(
                Seat.objects.create(
                    group=target or group,
                    holder=holder,
                    organisation=OrganisationFactory(),
                    term_start=datetime.date(2020, 1, 1),
                )
            )
        return seats

    return make


@pytest.fixture
def seats(make_seats):
    return make_seats(5)


@pytest.fixture
def current_version(operator):
    version = agreement_services.version_draft_create(
        by=operator, number=1, label="2024", text_fi=OLD_FI, text_sv=OLD_SV, effective_on=datetime.date(2024, 1, 1)
    )
    return agreement_services.version_publish(version=version, by=operator)


@pytest.fixture
def draft_version(operator, current_version):
    return agreement_services.version_draft_create(
        by=operator, number=2, label="2027", text_fi=NEW_FI, text_sv=NEW_SV, effective_on=datetime.date(2027, 6, 1)
    )


def in_days(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


@pytest.fixture
def proposal(group, draft_version, operator, seats):
    return steering_services.proposal_create(
        group=group,
        version=draft_version,
        title_fi="Pidempi irtisanomisaika",
        title_sv="Längre uppsägningstid",
        rationale_fi="Jäsenet tarvitsevat enemmän aikaa siirtymään.",
        rationale_sv="Medlemmarna behöver mer tid för övergången.",
        effective_date=in_days(60),
        by=operator,
    )


@pytest.fixture
def open_proposal(proposal, operator):
    return steering_services.proposal_open(
        proposal=proposal, deadline=timezone.now() + datetime.timedelta(days=7), by=operator
    )


@pytest.fixture
def member_in_force(current_version):
    """make(organisation) → a home-organisation membership in force since 2024 under version 1."""

    def make(organisation):
        return Membership.objects.create(
            organisation=organisation,
            role=MemberRole.HOME_ORGANISATION,
            version=current_version,
            in_force_from=datetime.date(2024, 1, 1),
        )

    return make


@pytest.fixture
def signatory_of():
    def make(organisation, email=None):
        kwargs = {"user__email": email} if email else {}
        return OrganisationRoleFactory(organisation=organisation, role=Role.SIGNATORY, **kwargs).user

    return make
