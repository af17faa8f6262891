"""Agreements and the steering group (DESIGN section 3)."""

from __future__ import annotations

import datetime
from fractions import Fraction

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SteeringGroup(models.Model):
    """The body that decides changes to the agreement; its voting rule is data (DESIGN 3.5)."""

    name = models.CharField(_("name"), max_length=200)
    # Quorum: more than quorum × seats must cast a vote (abstentions count).
    quorum_numerator = models.PositiveSmallIntegerField(default=1)
    quorum_denominator = models.PositiveSmallIntegerField(default=2)
    # Qualified majority: yes ≥ majority × (yes + no).
    majority_numerator = models.PositiveSmallIntegerField(default=2)
    majority_denominator = models.PositiveSmallIntegerField(default=3)
    # Voters see the running count only after closing unless staff turn this off (issue 5).
    tally_secret_until_close = models.BooleanField(_("keep the count secret until closing"), default=True)

    class Meta:
        verbose_name = _("steering group")
        verbose_name_plural = _("steering groups")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quorum_denominator__gt=0) & models.Q(majority_denominator__gt=0),
                name="contracts_rule_denominators_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(quorum_numerator__lte=models.F("quorum_denominator"))
                & models.Q(majority_numerator__lte=models.F("majority_denominator")),
                name="contracts_rule_fractions_at_most_one",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def quorum(self) -> Fraction:
        return Fraction(self.quorum_numerator, self.quorum_denominator)

    @property
    def majority(self) -> Fraction:
        return Fraction(self.majority_numerator, self.majority_denominator)


class SeatQuerySet(models.QuerySet["Seat"]):
    def current(self, *, on: datetime.date | None = None) -> SeatQuerySet:
        on = on or timezone.localdate()
        return self.filter(term_start__lte=on).filter(models.Q(term_end__isnull=True) | models.Q(term_end__gte=on))


class Seat(models.Model):
    """A seat in the steering group: who holds it, for which organisation, for which term."""

    group = models.ForeignKey(SteeringGroup, on_delete=models.PROTECT, related_name="seats")
    holder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="seats")
    organisation = models.ForeignKey("members.Organisation", on_delete=models.PROTECT, related_name="steering_seats")
    term_start = models.DateField(_("term starts"))
    term_end = models.DateField(_("term ends"), null=True, blank=True)

    objects = SeatQuerySet.as_manager()

    class Meta:
        verbose_name = _("seat")
        verbose_name_plural = _("seats")
        ordering = ["group", "organisation__name_fi"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(term_end__isnull=True) | models.Q(term_end__gte=models.F("term_start")),
                name="contracts_seat_term_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.holder} ({self.organisation})"


# The steering group's proposals and votes live in their own module; imported here so Django
# registers them with this app.
from contracts.steering_models import (  # noqa: E402, F401
    ChangeNotice,
    EligibleSeat,
    Proposal,
    ProposalStatus,
    Reaction,
    Vote,
    VoteChoice,
)
