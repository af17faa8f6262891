"""The membership agreement: versions, memberships, signatures, notices and breach (DESIGN section 3)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# --- The membership agreement (DESIGN 3.1–3.4, 3.6) -------------------------------------------


class MemberRole(models.TextChoices):
    """The two ways an organisation takes part in the network; each is its own membership."""

    HOME_ORGANISATION = "home_organisation", _("home organisation")
    SERVICE_PROVIDER = "service_provider", _("service provider")


class Party(models.TextChoices):
    """The two parties of the agreement."""

    MEMBER = "member", _("member")
    OPERATOR = "operator", _("operator")


class AgreementVersionQuerySet(models.QuerySet["AgreementVersion"]):
    def published(self) -> AgreementVersionQuerySet:
        return self.filter(state=AgreementVersion.State.PUBLISHED)

    def current(self, *, on: datetime.date | None = None) -> AgreementVersion | None:
        """The version new members sign: the latest published one already in effect."""
        on = on or timezone.localdate()
        return self.published().filter(effective_on__lte=on).order_by("-effective_on", "-number").first()


class AgreementVersion(models.Model):
    """One version of the agreement text. Drafts are edited by staff; published ones never change."""

    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")

    number = models.PositiveIntegerField(_("version number"), unique=True)
    label = models.CharField(_("label"), max_length=100)
    text_fi = models.TextField(_("text (Finnish)"))
    text_sv = models.TextField(_("text (Swedish)"))
    text_en = models.TextField(_("text (English)"), blank=True)
    changes_fi = models.TextField(_("summary of changes (Finnish)"), blank=True)
    changes_sv = models.TextField(_("summary of changes (Swedish)"), blank=True)
    changes_en = models.TextField(_("summary of changes (English)"), blank=True)
    effective_on = models.DateField(_("takes effect on"))
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.DRAFT)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = AgreementVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("agreement version")
        verbose_name_plural = _("agreement versions")
        ordering = ["-number"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(state="draft", published_at__isnull=True)
                | models.Q(state="published", published_at__isnull=False),
                name="contracts_version_published_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.label}"

    @property
    def is_published(self) -> bool:
        return self.state == self.State.PUBLISHED

    def text_in(self, language: str) -> str:
        """The text in a language; English falls back to nothing (it is optional)."""
        return getattr(self, f"text_{language}", "") if language in SIGNING_LANGUAGES else ""

    def languages(self) -> list[str]:
        """Languages this version can be signed in."""
        return [code for code in SIGNING_LANGUAGES if self.text_in(code).strip()]

    def changes(self) -> str:
        from django.utils.translation import get_language

        language = (get_language() or "fi")[:2]
        return getattr(self, f"changes_{language}", "") or self.changes_fi


SIGNING_LANGUAGES = ("fi", "sv", "en")


def in_force_on(on: datetime.date) -> models.Q:
    """A membership in force on a day: both parties have signed by then and its end date is still
    ahead. The end date is the day the membership ends (DESIGN 3.6: services leave the proxy
    configuration on that day), so a member is in force up to the day before it."""
    return models.Q(in_force_from__lte=on) & (models.Q(ends_on__isnull=True) | models.Q(ends_on__gt=on))


class MembershipQuerySet(models.QuerySet["Membership"]):
    def in_force(self, *, on: datetime.date) -> MembershipQuerySet:
        """In force on a day (`in_force_on`)."""
        return self.filter(in_force_on(on))


class Membership(models.Model):
    """One organisation's membership in one role, under one agreement version at a time."""

    class State(models.TextChoices):
        AWAITING_MEMBER = "awaiting_member", _("awaiting the member's signature")
        AWAITING_OPERATOR = "awaiting_operator", _("awaiting the operator's countersignature")
        IN_FORCE = "in_force", _("in force")
        UNDER_NOTICE = "under_notice", _("in force, notice given")
        ENDED = "ended", _("ended")

    organisation = models.ForeignKey("members.Organisation", on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=MemberRole.choices)
    version = models.ForeignKey(AgreementVersion, on_delete=models.PROTECT, related_name="memberships")
    created_at = models.DateTimeField(default=timezone.now)
    # Set when the operator countersigns: from this day the membership is in force.
    in_force_from = models.DateField(_("in force from"), null=True, blank=True)
    # The day it ends (first day not in force); the earliest end of its terminations.
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    # Set by the daily task (or an immediate termination) once the end has been carried out.
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["organisation__name_fi", "role"]
        constraints = [
            # One living membership per organisation and role; an ended one may be followed by a new one.
            models.UniqueConstraint(
                fields=["organisation", "role"],
                condition=models.Q(ended_at__isnull=True),
                name="contracts_one_open_membership_per_role",
            ),
            models.CheckConstraint(
                condition=models.Q(ended_at__isnull=True) | models.Q(ends_on__isnull=False),
                name="contracts_membership_ended_has_end_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} – {self.get_role_display()}"

    def state_on(self, on: datetime.date | None = None) -> str:
        on = on or timezone.localdate()
        if self.ended_at is not None or (self.ends_on is not None and self.ends_on <= on):
            return self.State.ENDED
        if self.in_force_from is None or self.in_force_from > on:
            if self._signed_by_member():
                return self.State.AWAITING_OPERATOR
            return self.State.AWAITING_MEMBER
        if self.ends_on is not None:
            return self.State.UNDER_NOTICE
        return self.State.IN_FORCE

    @property
    def state(self) -> str:
        return self.state_on()

    def get_state_display(self) -> str:
        return str(self.State(self.state).label)

    def is_in_force(self, on: datetime.date | None = None) -> bool:
        return self.state_on(on) in {self.State.IN_FORCE, self.State.UNDER_NOTICE}

    def _signed_by_member(self) -> bool:
        return self.member_signed_at() is not None

    def member_signed_at(self) -> datetime.datetime | None:
        """When the member signed the version the membership is on, or None.

        Uses prefetched signatures when the caller loaded them (lists), else one query.
        """
        cache = getattr(self, "_prefetched_objects_cache", {})
        if "signatures" in cache:
            times = [
                s.signed_at for s in cache["signatures"] if s.party == Party.MEMBER and s.version_id == self.version_id
            ]
            return min(times, default=None)
        signature = self.signatures.filter(party=Party.MEMBER, version_id=self.version_id).first()
        return signature.signed_at if signature else None

    def awaiting_countersignature_since(self, on: datetime.date | None = None) -> datetime.datetime | None:
        """Since when the member's signature has waited for the operator's, or None if it does not wait."""
        if self.state_on(on) != self.State.AWAITING_OPERATOR:
            return None
        return self.member_signed_at()


class Signature(models.Model):
    """One party's signature of one agreement version for one membership. Never changed."""

    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="signatures")
    version = models.ForeignKey(AgreementVersion, on_delete=models.PROTECT, related_name="signatures")
    party = models.CharField(_("party"), max_length=20, choices=Party.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="signatures")
    full_name = models.CharField(_("full name"), max_length=200)
    title = models.CharField(_("title"), max_length=200)
    organisation = models.ForeignKey(
        "members.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The signer's organisation as it was named when signing (the operator is not a member).
    organisation_name = models.CharField(_("organisation"), max_length=200)
    language = models.CharField(_("language"), max_length=5)
    signed_at = models.DateTimeField(_("signed at"), default=timezone.now)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    text_sha256 = models.CharField(_("SHA-256 of the text"), max_length=64)

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ["signed_at"]
        constraints = [
            # Two signatories clicking at once produce exactly one signature (issue 4).
            models.UniqueConstraint(
                fields=["membership", "version", "party"], name="contracts_one_signature_per_party"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.get_party_display()}) {self.signed_at:%Y-%m-%d}"


class SignedDocument(models.Model):
    """The PDF issued for a signed agreement, kept so the very same file can be verified later."""

    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="documents")
    version = models.ForeignKey(AgreementVersion, on_delete=models.PROTECT, related_name="+")
    pdf = models.FileField(upload_to="agreements/")
    sha256 = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("signed agreement document")
        verbose_name_plural = _("signed agreement documents")
        constraints = [
            models.UniqueConstraint(fields=["membership", "version"], name="contracts_one_document_per_version"),
        ]

    def __str__(self) -> str:
        return f"{self.membership} v{self.version_id} {self.sha256[:12]}"


class TermStart(models.Model):
    """The first day of a school term, kept by staff (DESIGN 3.3: data, not constants)."""

    class Term(models.TextChoices):
        AUTUMN = "autumn", _("autumn term")
        SPRING = "spring", _("spring term")

    starts_on = models.DateField(_("term starts on"), unique=True)
    term = models.CharField(_("term"), max_length=10, choices=Term.choices)

    class Meta:
        verbose_name = _("school term start")
        verbose_name_plural = _("school term starts")
        ordering = ["starts_on"]

    def __str__(self) -> str:
        return f"{self.get_term_display()} {self.starts_on:%Y-%m-%d}"


class BreachNotice(models.Model):
    """A notice of material breach (DESIGN 3.4) with its remedy deadline and how it went."""

    class Outcome(models.TextChoices):
        OPEN = "open", _("open")
        REMEDIED = "remedied", _("remedied")
        NOT_REMEDIED = "not_remedied", _("not remedied")

    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="breach_notices")
    notified_by = models.CharField(_("notified by"), max_length=20, choices=Party.choices)
    description = models.TextField(_("what the breach is"))
    remedy_by = models.DateField(_("remedy by"))
    given_at = models.DateTimeField(default=timezone.now)
    given_by_user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    response = models.TextField(_("response"), blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, default=Outcome.OPEN)
    outcome_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("breach notice")
        verbose_name_plural = _("breach notices")
        ordering = ["-given_at"]

    def __str__(self) -> str:
        return f"{self.membership} – {self.get_notified_by_display()} {self.given_at:%Y-%m-%d}"


class Termination(models.Model):
    """Why and when a membership ends: notice (3.3), breach (3.4) or a refused change (3.5)."""

    class Kind(models.TextChoices):
        NOTICE = "notice", _("notice")
        BREACH = "breach", _("material breach")
        CHANGE = "change", _("refused agreement change")

    membership = models.ForeignKey(Membership, on_delete=models.PROTECT, related_name="terminations")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    given_by = models.CharField(_("given by"), max_length=20, choices=Party.choices)
    given_on = models.DateField(_("given on"))
    ends_on = models.DateField(_("ends on"))
    reason = models.TextField(_("reason"), blank=True)
    breach_notice = models.ForeignKey(
        BreachNotice, on_delete=models.PROTECT, null=True, blank=True, related_name="terminations"
    )
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # A notice may be withdrawn by the party that gave it before its end date; kept, not deleted.
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("termination")
        verbose_name_plural = _("terminations")
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("given_on")), name="contracts_ends_after_given"
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="breach") | models.Q(breach_notice__isnull=False),
                name="contracts_breach_termination_has_notice",
            ),
            # Each party gives notice once; a second notice would change nothing (issue 15, item 9).
            models.UniqueConstraint(
                fields=["membership", "given_by"],
                condition=models.Q(kind="notice", withdrawn_at__isnull=True),
                name="contracts_one_standing_notice_per_party",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.membership}: {self.get_kind_display()} → {self.ends_on:%Y-%m-%d}"

    @property
    def is_standing(self) -> bool:
        return self.withdrawn_at is None
