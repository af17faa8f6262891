"""The steering group: its seats, proposals to change the agreement, the seats eligible to vote on
them, votes, and the notice every member gets of a change that passed (DESIGN section 3 item 5).

These models were first made in the `contracts` app; their tables keep the names they had there
(`db_table`), so moving them into this app changed no table and no row.
"""

from __future__ import annotations

import datetime
from fractions import Fraction

from django.conf import settings
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

# A member may leave because of a change within this many days of being told of it, and the
# change takes effect no earlier than this many days after the notification (DESIGN 3.5).
CHANGE_OBJECTION_DAYS = 30
# Languages a proposal's title and rationale are written in; fi and sv are required.
PROPOSAL_LANGUAGES = ("fi", "sv", "en")


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
        db_table = "contracts_steeringgroup"
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
        db_table = "contracts_seat"
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


class ProposalStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open for voting")
    CLOSED = "closed", _("Closed")


class Proposal(models.Model):
    """A new agreement version put to the steering group, with its rationale and effective date."""

    group = models.ForeignKey(SteeringGroup, on_delete=models.PROTECT, related_name="proposals")
    version = models.OneToOneField(
        "contracts.AgreementVersion", on_delete=models.PROTECT, related_name="proposal", verbose_name=_("new version")
    )
    # The version the change replaces, fixed when the proposal is made so the diff voters saw
    # stays the diff in the minutes.
    previous_version = models.ForeignKey(
        "contracts.AgreementVersion",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("current version"),
    )
    # Every member is told of a change (DESIGN 3.5), in Finnish or Swedish as they read: both are
    # required; English is optional. Read them through `title_in` / `rationale_in`.
    title_fi = models.CharField(_("title in Finnish"), max_length=200)
    title_sv = models.CharField(_("title in Swedish"), max_length=200)
    title_en = models.CharField(_("title in English"), max_length=200, blank=True)
    rationale_fi = models.TextField(_("rationale in Finnish"))
    rationale_sv = models.TextField(_("rationale in Swedish"))
    rationale_en = models.TextField(_("rationale in English"), blank=True)
    effective_date = models.DateField(_("proposed effective date"))
    status = models.CharField(max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.DRAFT)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(null=True, blank=True)
    # SHA-256 of the new version's Finnish and Swedish text when voting opened: closing checks
    # that the text voted on is still the text that will be published.
    text_sha256 = models.CharField(max_length=64, blank=True)
    deadline = models.DateTimeField(_("voting deadline"), null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # The result, recorded once at closing; the rule used is copied so later changes to the
    # group's rule cannot rewrite history.
    seat_count = models.PositiveIntegerField(null=True, blank=True)
    yes_count = models.PositiveIntegerField(null=True, blank=True)
    no_count = models.PositiveIntegerField(null=True, blank=True)
    abstain_count = models.PositiveIntegerField(null=True, blank=True)
    quorum = models.CharField(max_length=20, blank=True)
    majority = models.CharField(max_length=20, blank=True)
    passed = models.BooleanField(null=True, blank=True)
    minutes_pdf = models.BinaryField(null=True, blank=True, editable=False)
    notified_at = models.DateTimeField(null=True, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "contracts_proposal"
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="open") | models.Q(opened_at__isnull=False, deadline__isnull=False),
                name="contracts_proposal_open_has_deadline",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="closed") | models.Q(closed_at__isnull=False, passed__isnull=False),
                name="contracts_proposal_closed_has_result",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def _in_language(self, field: str, language: str | None) -> str:
        language = (language or translation.get_language() or "fi")[:2]
        if language not in PROPOSAL_LANGUAGES:
            language = "fi"
        return getattr(self, f"{field}_{language}") or getattr(self, f"{field}_fi")

    def title_in(self, language: str | None = None) -> str:
        """The title in `language` (default: the active language), or the Finnish one if it has none."""
        return self._in_language("title", language)

    def rationale_in(self, language: str | None = None) -> str:
        """The rationale in `language` (default: the active language), or the Finnish one if it has none."""
        return self._in_language("rationale", language)

    @property
    def title(self) -> str:
        """The title in the active language: what pages and emails show."""
        return self.title_in()

    @property
    def rationale(self) -> str:
        return self.rationale_in()

    def is_open(self, *, at: datetime.datetime) -> bool:
        return self.status == ProposalStatus.OPEN and self.deadline is not None and at < self.deadline

    @property
    def is_closed(self) -> bool:
        return self.status == ProposalStatus.CLOSED

    @property
    def quorum_fraction(self) -> Fraction:
        return Fraction(self.quorum) if self.quorum else self.group.quorum

    @property
    def majority_fraction(self) -> Fraction:
        return Fraction(self.majority) if self.majority else self.group.majority


def proposal_text_sha256(version) -> str:
    """One hash over both signed languages of a version, as voters saw them."""
    import hashlib

    return hashlib.sha256(f"{version.text_fi}\x00{version.text_sv}".encode()).hexdigest()


class EligibleSeat(models.Model):
    """A seat that may vote on a proposal, frozen when voting opens: later seat changes do not
    change who decides. Holder and organisation are copied for the minutes."""

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="eligible_seats")
    seat = models.ForeignKey(Seat, on_delete=models.PROTECT, related_name="+")
    holder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    holder_name = models.CharField(max_length=200)
    organisation_name = models.CharField(max_length=300)
    # When the holder was reminded that the seat has not voted yet: set once, so the scheduled
    # reminder never mails the same seat twice about the same proposal (issue 16 item 9).
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "contracts_eligibleseat"
        ordering = ["organisation_name", "holder_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "seat"], name="contracts_eligible_seat_once"),
        ]

    def __str__(self) -> str:
        return f"{self.holder_name} ({self.organisation_name})"


class VoteChoice(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    ABSTAIN = "abstain", _("Abstain")


class Vote(models.Model):
    """A seat's vote on a proposal; changed in place until the deadline."""

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="votes")
    seat = models.ForeignKey(Seat, on_delete=models.PROTECT, related_name="votes")
    choice = models.CharField(_("vote"), max_length=10, choices=VoteChoice.choices)
    cast_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    cast_at = models.DateTimeField(default=timezone.now)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "contracts_vote"
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [
            # One vote per seat per proposal (issue 5, "Integrity").
            models.UniqueConstraint(fields=["proposal", "seat"], name="contracts_one_vote_per_seat"),
            models.CheckConstraint(
                condition=models.Q(choice__in=["yes", "no", "abstain"]), name="contracts_vote_choice_valid"
            ),
        ]

    def __str__(self) -> str:
        # No choice here: the label appears in the audit log while the ballot is still secret.
        return f"{self.proposal_id}/{self.seat_id}"


class Reaction(models.TextChoices):
    PENDING = "pending", _("Has not reacted")
    ACCEPTED = "accepted", _("Accepted")
    TERMINATED = "terminated", _("Terminated because of the change")


class ChangeNotice(models.Model):
    """One member organisation told of one passed change, and what it did about it."""

    proposal = models.ForeignKey(Proposal, on_delete=models.PROTECT, related_name="notices")
    organisation = models.ForeignKey("members.Organisation", on_delete=models.PROTECT, related_name="change_notices")
    notified_at = models.DateTimeField()
    reaction = models.CharField(max_length=12, choices=Reaction.choices, default=Reaction.PENDING)
    reacted_at = models.DateTimeField(null=True, blank=True)
    reacted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    moved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "contracts_changenotice"
        verbose_name = _("change notice")
        verbose_name_plural = _("change notices")
        ordering = ["organisation__name_fi", "id"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "organisation"], name="contracts_change_notice_once"),
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id} → {self.organisation_id}"

    @property
    def objection_deadline(self) -> datetime.date:
        """The last day on which the member may terminate because of the change."""
        return timezone.localdate(self.notified_at) + datetime.timedelta(days=CHANGE_OBJECTION_DAYS)

    def may_terminate(self, *, on: datetime.date) -> bool:
        return self.reaction != Reaction.TERMINATED and on <= self.objection_deadline
