"""Writes to the membership agreement (DESIGN section 3): versions, signatures, notice, breach, ending.

Every function runs in one transaction, records an audit entry, and sends `membership_changed`
and emails only after commit.
"""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from audit.services import audit_record, audit_state
from contracts.decisions import DecisionStage, version_decision
from contracts.models import (
    AgreementVersion,
    BreachNotice,
    MemberRole,
    Membership,
    Party,
    Signature,
    Termination,
    TermStart,
)
from contracts.notice import NoKnownTermStart, notice_period_end
from contracts.signals import membership_changed
from emails.sending import email_queue_to_users
from members.access import has_role, users_with_role
from members.models import Organisation, Role

VERSION_FIELDS = (
    "number",
    "label",
    "text_fi",
    "text_sv",
    "text_en",
    "changes_fi",
    "changes_sv",
    "changes_en",
    "effective_on",
)
MEMBERSHIP_FIELDS = ("organisation", "role", "version", "in_force_from", "ends_on", "ended_at")
# Who on the member's side hears about their agreement.
MEMBER_CONTACT_ROLES = (Role.SIGNATORY, Role.ADMIN)
# Minimum time to remedy a material breach (DESIGN 3.4).
BREACH_MINIMUM_DAYS = 30


def text_sha256(text: str) -> str:
    """The SHA-256 of the exact text signed (UTF-8), as lowercase hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _staff_users() -> Any:
    return get_user_model().objects.filter(is_staff=True, is_active=True)


def _notify_change(membership: Membership, reason: str) -> None:
    organisation_id, role = membership.organisation_id, membership.role
    transaction.on_commit(
        lambda: membership_changed.send(sender=Membership, organisation_id=organisation_id, role=role, reason=reason)
    )


def _email_both_sides(membership: Membership, template: str, context: dict[str, Any]) -> None:
    context = {
        "organisation_name": membership.organisation.name_fi,
        "role": MemberRole(membership.role).label,
        "membership_id": membership.pk,
        "organisation_id": membership.organisation_id,
        **context,
    }
    users = list(users_with_role(membership.organisation_id, MEMBER_CONTACT_ROLES)) + list(_staff_users())
    email_queue_to_users(users={u.pk: u for u in users}.values(), template=template, context=context)


# --- Versions ------------------------------------------------------------------------------


def _validate_version_fields(fields: dict[str, Any], *, instance: AgreementVersion | None = None) -> None:
    errors: dict[str, str] = {}
    for name in ("label", "text_fi", "text_sv"):
        if name in fields and not str(fields[name] or "").strip():
            errors[name] = _("This field is required.")
    if "effective_on" in fields and not isinstance(fields["effective_on"], datetime.date):
        errors["effective_on"] = _("Enter a valid date.")
    if "number" in fields:
        clash = AgreementVersion.objects.filter(number=fields["number"])
        if instance is not None:
            clash = clash.exclude(pk=instance.pk)
        if clash.exists():
            errors["number"] = _("A version with this number already exists.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def version_draft_create(
    *,
    by: Any,
    number: int,
    label: str,
    text_fi: str,
    text_sv: str,
    effective_on: datetime.date,
    text_en: str = "",
    changes_fi: str = "",
    changes_sv: str = "",
    changes_en: str = "",
) -> AgreementVersion:
    """A new draft version (operator staff)."""
    fields = {
        "number": number,
        "label": label,
        "text_fi": text_fi,
        "text_sv": text_sv,
        "text_en": text_en,
        "changes_fi": changes_fi,
        "changes_sv": changes_sv,
        "changes_en": changes_en,
        "effective_on": effective_on,
    }
    _validate_version_fields(fields)
    version = AgreementVersion.objects.create(created_by=by, **fields)
    audit_record(actor=by, action="agreement_version.create", obj=version, after=audit_state(version, VERSION_FIELDS))
    return version


@transaction.atomic
def version_draft_update(*, version: AgreementVersion, by: Any, **fields: Any) -> AgreementVersion:
    """Change a draft; a published version is immutable, and so is a draft the steering group is
    voting on or has decided on (DESIGN 3.5: the text decided is the text voted on)."""
    version = AgreementVersion.objects.select_for_update().get(pk=version.pk)
    if version.is_published:
        raise ValidationError(_("A published agreement version cannot be changed."))
    # Locking the proposal too makes opening a vote wait for this edit, so the hash taken when
    # voting opens is of the text as it is after the edit.
    decision = version_decision(version, lock=True)
    if decision is not None and decision.stage == DecisionStage.VOTING:
        raise ValidationError(
            _(
                "This draft is the subject of the proposal “%(title)s”, which is open for voting: its text cannot "
                "change. Make a new draft and propose it instead."
            )
            % {"title": decision.title}
        )
    if decision is not None and decision.stage in (DecisionStage.PASSED, DecisionStage.REJECTED):
        raise ValidationError(
            _(
                "This draft is the subject of the proposal “%(title)s”, which the steering group has decided: its "
                "text cannot change. Make a new draft and propose it instead."
            )
            % {"title": decision.title}
        )
    unknown = set(fields) - set(VERSION_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    _validate_version_fields(fields, instance=version)
    before = audit_state(version, VERSION_FIELDS)
    for name, value in fields.items():
        setattr(version, name, value)
    version.save()
    audit_record(
        actor=by,
        action="agreement_version.update",
        obj=version,
        before=before,
        after=audit_state(version, VERSION_FIELDS),
    )
    return version


def may_publish_without_proposal() -> bool:
    """Only the very first version is published by staff directly; every later one is a change to
    the agreement, which the steering group decides (DESIGN 3.5)."""
    return not AgreementVersion.objects.published().exists()


@transaction.atomic
def version_publish(
    *, version: AgreementVersion, by: Any, effective_on: datetime.date | None = None
) -> AgreementVersion:
    """Publish a draft; from now on it never changes. Publishing twice is refused.

    `effective_on` sets the date it takes effect in the same step (a steering-group decision
    publishes the version voted on with the decided date, without reopening it for edits).
    """
    version = AgreementVersion.objects.select_for_update().get(pk=version.pk)
    if version.is_published:
        raise ValidationError(_("This agreement version has already been published."))
    # A proposed version is published by the steering group's decision only (DESIGN 3.5): the
    # decision closes the proposal as passed and then publishes, in the same transaction.
    decision = version_decision(version)
    if decision is not None and decision.stage != DecisionStage.PASSED:
        raise ValidationError(
            _(
                "This version has been proposed to the steering group (“%(title)s”); it is published only if "
                "the group decides the change."
            )
            % {"title": decision.title}
        )
    if decision is None and not may_publish_without_proposal():
        # DESIGN 3.5: once members have an agreement, it changes only by a steering-group decision.
        raise ValidationError(
            _(
                "An agreement version has already been published, so a new version can only be published by a "
                "steering-group decision. Propose this draft to the steering group instead."
            )
        )
    version.state = AgreementVersion.State.PUBLISHED
    version.published_at = timezone.now()
    version.published_by = by
    if effective_on is not None:
        version.effective_on = effective_on
    version.save(update_fields=["state", "published_at", "published_by", "effective_on"])
    audit_record(
        actor=by,
        action="agreement_version.publish",
        obj=version,
        after={**audit_state(version, VERSION_FIELDS), "text_sha256_fi": text_sha256(version.text_fi)},
    )
    return version


# --- Signing -------------------------------------------------------------------------------


def _role_allowed(organisation: Organisation, role: str) -> bool:
    if role == MemberRole.HOME_ORGANISATION:
        return organisation.is_home_organisation
    if role == MemberRole.SERVICE_PROVIDER:
        return organisation.is_service_provider
    return False


def open_membership(*, organisation: Organisation, role: str) -> Membership | None:
    return Membership.objects.filter(organisation=organisation, role=role, ended_at__isnull=True).first()


@transaction.atomic
def signature_member_sign(
    *,
    organisation: Organisation,
    role: str,
    version: AgreementVersion,
    by: Any,
    full_name: str,
    title: str,
    language: str,
    ip_address: str | None = None,
) -> Signature:
    """The member's signatory signs the current version for their organisation in one role.

    The caller has re-authenticated the user. Two signatories at once: the membership row is
    locked, and the unique constraint on (membership, version, party) backs it up.
    """
    if not has_role(by, organisation.pk, [Role.SIGNATORY]):
        raise PermissionDenied
    if not _role_allowed(organisation, role):
        raise ValidationError({"role": _("The organisation is not registered in this role.")})
    errors: dict[str, str] = {}
    current = AgreementVersion.objects.current()
    if current is None or version.pk != current.pk:
        errors["version"] = _("This is not the current agreement version; reload the page and read the current one.")
    elif language not in version.languages():
        errors["language"] = _("The agreement has no text in this language.")
    if not full_name.strip():
        errors["full_name"] = _("This field is required.")
    if not title.strip():
        errors["title"] = _("This field is required.")
    if errors:
        raise ValidationError(errors)

    membership, _created = Membership.objects.get_or_create(
        organisation=organisation, role=role, ended_at__isnull=True, defaults={"version": version}
    )
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.signatures.filter(party=Party.MEMBER, version=version).exists() or (
        membership.in_force_from is not None
    ):
        raise ValidationError(_("The agreement has already been signed for this organisation."))
    if membership.version_id != version.pk:
        # Nobody has signed the older version yet: the membership simply moves to the current one.
        membership.version = version
        membership.save(update_fields=["version"])
    signature = _signature_create(
        membership=membership,
        version=version,
        party=Party.MEMBER,
        user=by,
        full_name=full_name.strip(),
        title=title.strip(),
        organisation=organisation,
        organisation_name=organisation.name_fi,
        language=language,
        ip_address=ip_address,
    )
    audit_record(actor=by, action="agreement.sign", obj=signature, after=audit_state(signature))
    return signature


def _signature_create(**fields: Any) -> Signature:
    text = fields["version"].text_in(fields["language"])
    try:
        with transaction.atomic():
            return Signature.objects.create(text_sha256=text_sha256(text), **fields)
    except IntegrityError as error:
        raise ValidationError(_("The agreement has already been signed for this organisation.")) from error


@transaction.atomic
def signature_operator_countersign(
    *, membership: Membership, by: Any, full_name: str, title: str, ip_address: str | None = None
) -> Signature:
    """Operator staff countersign what the member signed; the membership is in force from today."""
    if not by.is_staff:
        raise PermissionDenied
    membership = Membership.objects.select_for_update().select_related("organisation", "version").get(pk=membership.pk)
    errors: dict[str, str] = {}
    if not full_name.strip():
        errors["full_name"] = _("This field is required.")
    if not title.strip():
        errors["title"] = _("This field is required.")
    if errors:
        raise ValidationError(errors)
    if membership.ended_at is not None or membership.in_force_from is not None:
        raise ValidationError(_("The agreement has already been countersigned."))
    # Issue 4: only the version in effect today is countersigned. If a newer version has taken
    # effect since the member signed, the member signs the current one first (nothing changes here).
    current = AgreementVersion.objects.current()
    if current is None or membership.version_id != current.pk:
        raise ValidationError(
            _(
                "The member signed %(signed)s, which is no longer the current agreement version (%(current)s is). "
                "The member must sign the current version before the operator can countersign."
            )
            % {"signed": membership.version, "current": current}
        )
    member_signature = membership.signatures.filter(party=Party.MEMBER, version=membership.version).first()
    if member_signature is None:
        if membership.signatures.filter(party=Party.MEMBER).exists():
            # The membership was moved to a newer version after the member signed an older one.
            raise ValidationError(
                _(
                    "The member signed an earlier agreement version; %(current)s is now in effect. The member must "
                    "sign the current version before the operator can countersign."
                )
                % {"current": current}
            )
        raise ValidationError(_("The member has not signed yet; the operator countersigns after the member."))
    signature = _signature_create(
        membership=membership,
        version=membership.version,
        party=Party.OPERATOR,
        user=by,
        full_name=full_name.strip(),
        title=title.strip(),
        organisation=None,
        organisation_name=_("Operator of the MPASSid trust network"),
        language=member_signature.language,
        ip_address=ip_address,
    )
    before = audit_state(membership, MEMBERSHIP_FIELDS)
    membership.in_force_from = timezone.localdate()
    membership.save(update_fields=["in_force_from"])
    audit_record(actor=by, action="agreement.countersign", obj=signature, after=audit_state(signature))
    audit_record(
        actor=by,
        action="membership.in_force",
        obj=membership,
        before=before,
        after=audit_state(membership, MEMBERSHIP_FIELDS),
    )
    _notify_change(membership, "in_force")
    _email_both_sides(
        membership,
        "contracts_countersigned",
        {"version": str(membership.version), "in_force_from": membership.in_force_from},
    )
    return signature


@transaction.atomic
def membership_version_move(*, membership: Membership, version: AgreementVersion, by: Any) -> Membership:
    """Move a membership to another (published) version, e.g. when a change takes effect (DESIGN 3.5).

    Idempotent: moving to the version it already has changes nothing and records nothing.
    """
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.version_id == version.pk:
        return membership
    if not version.is_published:
        raise ValidationError({"version": _("Only a published agreement version can be used.")})
    before = audit_state(membership, MEMBERSHIP_FIELDS)
    membership.version = version
    membership.save(update_fields=["version"])
    audit_record(
        actor=by,
        action="membership.version_move",
        obj=membership,
        before=before,
        after=audit_state(membership, MEMBERSHIP_FIELDS),
    )
    return membership


# --- Notice, breach and ending --------------------------------------------------------------


def _check_party(*, membership: Membership, given_by: str, by: Any) -> None:
    """403 unless `by` may act for `given_by`: the member's signatory, or operator staff."""
    if given_by == Party.MEMBER:
        if not has_role(by, membership.organisation_id, [Role.SIGNATORY]):
            raise PermissionDenied
    elif given_by == Party.OPERATOR:
        if not by.is_staff:
            raise PermissionDenied
    else:
        raise ValidationError({"given_by": _("Unknown party.")})


def term_start_dates() -> list[datetime.date]:
    return list(TermStart.objects.values_list("starts_on", flat=True))


@transaction.atomic
def termination_create(
    *,
    membership: Membership,
    kind: str,
    given_by: str,
    by: Any,
    ends_on: datetime.date | None = None,
    reason: str = "",
    breach_notice: BreachNotice | None = None,
) -> Termination:
    """End a membership in force.

    - kind="notice": the end date follows DESIGN 3.3 (`notice_period_end`), counted from today;
    - kind="breach": immediate effect, only by the party that gave an unremedied breach notice
      whose deadline has passed (DESIGN 3.4);
    - kind="change": the member refuses an agreement change; `ends_on` is the change's effective
      date (DESIGN 3.5, used by the steering group's decisions).

    The membership's end date is the earliest of its terminations. An end date of today or
    earlier is carried out at once.
    """
    _check_party(membership=membership, given_by=given_by, by=by)
    membership = Membership.objects.select_for_update().select_related("organisation").get(pk=membership.pk)
    today = timezone.localdate()
    if not membership.is_in_force(today):
        raise ValidationError(_("Only a membership in force can be terminated."))
    if kind == Termination.Kind.NOTICE:
        if ends_on is not None:
            raise ValidationError({"ends_on": _("The end of a notice period is computed, not chosen.")})
        # Checked under the membership's row lock, so two notices sent at once cannot both pass.
        standing = _standing_notice(membership, given_by)
        if standing is not None:
            raise ValidationError(
                _("Notice has already been given; the membership ends on %(date)s.")
                % {"date": date_format(standing.ends_on, "SHORT_DATE_FORMAT")}
            )
        try:
            ends_on = notice_period_end(
                given_by=given_by, member_role=membership.role, notice_date=today, term_starts=term_start_dates()
            )
        except NoKnownTermStart as error:
            raise ValidationError(
                _("No school term start after today is known; operator staff must add the term start dates first.")
            ) from error
    elif kind == Termination.Kind.BREACH:
        if breach_notice is None or breach_notice.membership_id != membership.pk:
            raise ValidationError({"breach_notice": _("Choose the breach notice this termination is based on.")})
        breach_notice = BreachNotice.objects.select_for_update().get(pk=breach_notice.pk)
        if breach_notice.notified_by != given_by:
            raise PermissionDenied
        if breach_notice.remedy_by >= today:
            raise ValidationError(_("The time to remedy the breach has not run out yet."))
        if breach_notice.outcome == BreachNotice.Outcome.REMEDIED:
            raise ValidationError(_("The breach has been remedied; the agreement cannot be terminated for it."))
        ends_on = today
    elif kind == Termination.Kind.CHANGE:
        if given_by != Party.MEMBER:
            raise ValidationError({"given_by": _("Only the member can refuse an agreement change.")})
        if ends_on is None:
            raise ValidationError({"ends_on": _("Give the date the change takes effect.")})
        if ends_on < today:
            raise ValidationError({"ends_on": _("The date cannot be in the past.")})
    else:
        raise ValidationError({"kind": _("Unknown kind of termination.")})

    termination = Termination.objects.create(
        membership=membership,
        kind=kind,
        given_by=given_by,
        given_on=today,
        ends_on=ends_on,
        reason=reason.strip(),
        breach_notice=breach_notice,
        created_by=by,
    )
    before = audit_state(membership, MEMBERSHIP_FIELDS)
    if membership.ends_on is None or ends_on < membership.ends_on:
        membership.ends_on = ends_on
        membership.save(update_fields=["ends_on"])
    audit_record(actor=by, action="membership.terminate", obj=termination, after=audit_state(termination))
    audit_record(
        actor=by,
        action="membership.end_date",
        obj=membership,
        before=before,
        after=audit_state(membership, MEMBERSHIP_FIELDS),
    )
    _notify_change(membership, "notice")
    _email_both_sides(
        membership,
        "contracts_notice",
        {
            "kind": Termination.Kind(termination.kind).label,
            "given_by": Party(termination.given_by).label,
            "ends_on": membership.ends_on,
        },
    )
    if membership.ends_on <= today:
        _membership_end_locked(membership, by=by)
    return termination


def _standing_notice(membership: Membership, given_by: str) -> Termination | None:
    return (
        membership.terminations.filter(kind=Termination.Kind.NOTICE, given_by=given_by, withdrawn_at__isnull=True)
        .order_by("created_at")
        .first()
    )


def _earliest_standing_end(membership: Membership) -> datetime.date | None:
    ends = membership.terminations.filter(withdrawn_at__isnull=True).values_list("ends_on", flat=True)
    return min(ends, default=None)


@transaction.atomic
def notice_withdraw(*, termination: Termination, by: Any) -> Membership:
    """Withdraw a notice before its end date, by the party that gave it.

    The membership's end date becomes the earliest of its remaining terminations (none: it
    continues). The notice is kept, marked withdrawn; both sides hear of it as of the notice.
    """
    membership = Membership.objects.select_for_update().select_related("organisation").get(pk=termination.membership_id)
    termination = Termination.objects.select_for_update().get(pk=termination.pk)
    _check_party(membership=membership, given_by=termination.given_by, by=by)
    today = timezone.localdate()
    if termination.kind != Termination.Kind.NOTICE:
        raise ValidationError(_("Only a notice can be withdrawn."))
    if termination.withdrawn_at is not None:
        raise ValidationError(_("This notice has already been withdrawn."))
    if membership.ended_at is not None or termination.ends_on <= today:
        raise ValidationError(_("The notice period has ended; the notice can no longer be withdrawn."))
    before_termination = audit_state(termination)
    termination.withdrawn_at = timezone.now()
    termination.withdrawn_by = by
    termination.save(update_fields=["withdrawn_at", "withdrawn_by"])
    audit_record(
        actor=by,
        action="membership.notice_withdraw",
        obj=termination,
        before=before_termination,
        after=audit_state(termination),
    )
    before = audit_state(membership, MEMBERSHIP_FIELDS)
    membership.ends_on = _earliest_standing_end(membership)
    membership.save(update_fields=["ends_on"])
    audit_record(
        actor=by,
        action="membership.end_date",
        obj=membership,
        before=before,
        after=audit_state(membership, MEMBERSHIP_FIELDS),
    )
    _notify_change(membership, "notice_withdrawn")
    _email_both_sides(
        membership,
        "contracts_notice_withdrawn",
        {"given_by": Party(termination.given_by).label, "ends_on": membership.ends_on},
    )
    return membership


def _membership_end_locked(membership: Membership, *, by: Any) -> bool:
    if membership.ended_at is not None or membership.ends_on is None or membership.ends_on > timezone.localdate():
        return False
    before = audit_state(membership, MEMBERSHIP_FIELDS)
    membership.ended_at = timezone.now()
    membership.save(update_fields=["ended_at"])
    audit_record(
        actor=by,
        action="membership.end",
        obj=membership,
        before=before,
        after=audit_state(membership, MEMBERSHIP_FIELDS),
    )
    _notify_change(membership, "ended")
    _email_both_sides(membership, "contracts_ended", {"ends_on": membership.ends_on})
    return True


@transaction.atomic
def membership_end(*, membership: Membership, by: Any = None) -> bool:
    """Carry out a due end (idempotent): True if this call ended it."""
    membership = Membership.objects.select_for_update().select_related("organisation").get(pk=membership.pk)
    return _membership_end_locked(membership, by=by)


def memberships_end_due() -> int:
    """End every membership whose end date has come; safe to run twice or days late."""
    due = Membership.objects.filter(ended_at__isnull=True, ends_on__lte=timezone.localdate()).values_list(
        "pk", flat=True
    )
    ended = 0
    for pk in list(due):
        # One transaction each, so one failure does not hold back the others.
        with transaction.atomic():
            membership = (
                Membership.objects.select_for_update(skip_locked=True)
                .select_related("organisation")
                .filter(pk=pk)
                .first()
            )
            if membership is not None and _membership_end_locked(membership, by=None):
                ended += 1
    return ended


@transaction.atomic
def breach_notice_create(
    *, membership: Membership, notified_by: str, by: Any, description: str, remedy_by: datetime.date
) -> BreachNotice:
    """Notify the other party of a material breach; the time to remedy is never under 30 days."""
    _check_party(membership=membership, given_by=notified_by, by=by)
    membership = Membership.objects.select_for_update().select_related("organisation").get(pk=membership.pk)
    today = timezone.localdate()
    errors: dict[str, str] = {}
    if not membership.is_in_force(today):
        raise ValidationError(_("Only a membership in force can have a breach notice."))
    if not description.strip():
        errors["description"] = _("This field is required.")
    earliest = today + datetime.timedelta(days=BREACH_MINIMUM_DAYS)
    if remedy_by < earliest:
        errors["remedy_by"] = _("The time to remedy must be at least %(days)s days, so %(date)s or later.") % {
            "days": BREACH_MINIMUM_DAYS,
            "date": date_format(earliest, "SHORT_DATE_FORMAT"),
        }
    if errors:
        raise ValidationError(errors)
    notice = BreachNotice.objects.create(
        membership=membership,
        notified_by=notified_by,
        description=description.strip(),
        remedy_by=remedy_by,
        given_by_user=by,
    )
    audit_record(actor=by, action="breach_notice.create", obj=notice, after=audit_state(notice))
    _email_both_sides(
        membership,
        "contracts_breach",
        {"notified_by": Party(notice.notified_by).label, "remedy_by": remedy_by},
    )
    return notice


def _other_party(party: str) -> str:
    return Party.OPERATOR if party == Party.MEMBER else Party.MEMBER


@transaction.atomic
def breach_response_record(*, breach_notice: BreachNotice, by: Any, response: str) -> BreachNotice:
    """The notified party answers the breach notice."""
    notice = BreachNotice.objects.select_for_update().select_related("membership").get(pk=breach_notice.pk)
    _check_party(membership=notice.membership, given_by=_other_party(notice.notified_by), by=by)
    if not response.strip():
        raise ValidationError({"response": _("This field is required.")})
    if notice.outcome != BreachNotice.Outcome.OPEN:
        raise ValidationError(_("This breach notice has been closed."))
    before = audit_state(notice)
    notice.response = response.strip()
    notice.responded_at = timezone.now()
    notice.responded_by = by
    notice.save(update_fields=["response", "responded_at", "responded_by"])
    audit_record(actor=by, action="breach_notice.respond", obj=notice, before=before, after=audit_state(notice))
    return notice


@transaction.atomic
def breach_outcome_record(*, breach_notice: BreachNotice, by: Any, remedied: bool) -> BreachNotice:
    """The notifying party records whether the breach was remedied."""
    notice = BreachNotice.objects.select_for_update().select_related("membership").get(pk=breach_notice.pk)
    _check_party(membership=notice.membership, given_by=notice.notified_by, by=by)
    if notice.outcome != BreachNotice.Outcome.OPEN:
        raise ValidationError(_("The outcome has already been recorded."))
    if not remedied and notice.remedy_by >= timezone.localdate():
        raise ValidationError(_("The time to remedy the breach has not run out yet."))
    before = audit_state(notice)
    notice.outcome = BreachNotice.Outcome.REMEDIED if remedied else BreachNotice.Outcome.NOT_REMEDIED
    notice.outcome_at = timezone.now()
    notice.save(update_fields=["outcome", "outcome_at"])
    audit_record(actor=by, action="breach_notice.outcome", obj=notice, before=before, after=audit_state(notice))
    return notice


# --- School term starts ----------------------------------------------------------------------


@transaction.atomic
def term_start_create(*, by: Any, starts_on: datetime.date, term: str) -> TermStart:
    if term not in TermStart.Term.values:
        raise ValidationError({"term": _("Choose autumn or spring term.")})
    if TermStart.objects.filter(starts_on=starts_on).exists():
        raise ValidationError({"starts_on": _("This date is already a term start.")})
    term_start = TermStart.objects.create(starts_on=starts_on, term=term)
    audit_record(actor=by, action="term_start.create", obj=term_start, after=audit_state(term_start))
    return term_start


@transaction.atomic
def term_start_delete(*, term_start: TermStart, by: Any) -> None:
    before = audit_state(term_start)
    audit_record(actor=by, action="term_start.delete", obj=term_start, before=before)
    term_start.delete()
