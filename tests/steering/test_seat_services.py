"""Staff manage the seats and the voting rule; every change is audited (issue 5 item 1)."""

from __future__ import annotations

import datetime
from fractions import Fraction

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from audit.models import Entry
from steering import services as services
from steering.models import Seat, SteeringGroup
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_default_rule_is_two_thirds_with_half_quorum(group):
    assert group.quorum == Fraction(1, 2)
    assert group.majority == Fraction(2, 3)
    assert group.tally_secret_until_close is True


def test_staff_add_a_seat_and_it_is_audited(group, operator):
    holder, organisation = UserFactory(), OrganisationFactory()
    seat = services.seat_create(
        group=group,
        holder=holder,
        organisation=organisation,
        term_start=datetime.date(2026, 1, 1),
        term_end=None,
        by=operator,
    )
    entry = Entry.objects.get(action="seat.create")
    assert entry.actor == operator and entry.object_id == str(seat.pk)
    assert entry.after["holder_id"] == holder.pk


def test_changing_a_seat_records_before_and_after(group, operator, seats):
    seat = seats[0]
    services.seat_update(
        seat=seat,
        by=operator,
        organisation=seat.organisation,
        term_start=seat.term_start,
        term_end=datetime.date(2026, 12, 31),
    )
    entry = Entry.objects.get(action="seat.update")
    assert entry.before["term_end"] is None and entry.after["term_end"] == "2026-12-31"


def test_term_cannot_end_before_it_starts(group, operator):
    with pytest.raises(ValidationError) as error:
        services.seat_create(
            group=group,
            holder=UserFactory(),
            organisation=OrganisationFactory(),
            term_start=datetime.date(2026, 1, 1),
            term_end=datetime.date(2025, 1, 1),
            by=operator,
        )
    assert "term_end" in error.value.error_dict
    assert not Seat.objects.exists() and not Entry.objects.filter(action="seat.create").exists()


def test_one_person_cannot_hold_two_overlapping_seats(group, operator, seats):
    with pytest.raises(ValidationError) as error:
        services.seat_create(
            group=group,
            holder=seats[0].holder,
            organisation=OrganisationFactory(),
            term_start=datetime.date(2026, 1, 1),
            term_end=None,
            by=operator,
        )
    assert "holder" in error.value.error_dict


def test_voting_rule_is_data_and_audited(group, operator):
    services.steering_group_update(group=group, by=operator, majority_numerator=3, majority_denominator=4)
    group.refresh_from_db()
    assert group.majority == Fraction(3, 4)
    entry = Entry.objects.get(action="steering_group.update")
    assert entry.before["majority_numerator"] == 2 and entry.after["majority_numerator"] == 3


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"quorum_numerator": 3, "quorum_denominator": 2}, "quorum_numerator"),
        ({"majority_denominator": 0}, "majority_denominator"),
        ({"name": "  "}, "name"),
    ],
)
def test_impossible_rules_are_refused(group, operator, changes, field):
    with pytest.raises(ValidationError) as error:
        services.steering_group_update(group=group, by=operator, **changes)
    assert field in error.value.error_dict
    group.refresh_from_db()
    assert group.quorum == Fraction(1, 2) and group.majority == Fraction(2, 3)


def test_database_refuses_a_fraction_over_one(group):
    with pytest.raises(IntegrityError), transaction.atomic():
        SteeringGroup.objects.filter(pk=group.pk).update(majority_numerator=4, majority_denominator=3)
