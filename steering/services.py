"""Writes of the steering group: seats, the voting rule, proposals, votes, closing, and what
members do about a change that passed (DESIGN section 3 item 5, issue 5).

Every function runs in one transaction and writes its audit entry; anything refused raises
ValidationError naming the field, with nothing changed.
"""

from __future__ import annotations

import datetime
from collections import Counter
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import User
from audit.services import audit_record, audit_state
from contracts.models import AgreementVersion
from emails.calendar_event import ics_event
from emails.sending import Attachment, email_queue_to_users
from members.access import has_role
from members.models import Organisation, Role
from steering.models import (
    CHANGE_OBJECTION_DAYS,
    ChangeNotice,
    EligibleSeat,
    Proposal,
    ProposalStatus,
    Reaction,
    Seat,
    SteeringGroup,
    Vote,
    VoteChoice,
    proposal_text_sha256,
)
from steering.voting import decide, quorum_reached

SEAT_FIELDS = ("group", "holder", "organisation", "term_start", "term_end")
RULE_FIELDS = (
    "name",
    "quorum_numerator",
    "quorum_denominator",
    "majority_numerator",
    "majority_denominator",
    "tally_secret_until_close",
)
# Who in a member organisation answers for it on an agreement change.
CHANGE_ROLES = (Role.ADMIN, Role.SIGNATORY)
# Seat holders whose seat has not voted are reminded this long before the deadline (issue 16 item 9).
REMINDER_BEFORE_DEADLINE = datetime.timedelta(days=2)
# The deadline's calendar event: a short slot ending at the deadline, since RFC 5545 wants an
# event's end after its start and the deadline is a moment.
DEADLINE_EVENT_LENGTH = datetime.timedelta(minutes=30)


# --- The group and its seats ---------------------------------------------------------------


@transaction.atomic
def steering_group_create(*, name: str, by: User) -> SteeringGroup:
    """A steering group with the default rule (DESIGN 3.5); staff change the rule afterwards."""
    if not name.strip():
        raise ValidationError({"name": _("Give the group a name.")})
    group = SteeringGroup.objects.create(name=name.strip())
    audit_record(actor=by, action="steering_group.create", obj=group, after=audit_state(group, RULE_FIELDS))
    return group


@transaction.atomic
def steering_group_update(*, group: SteeringGroup, by: User, **changes: Any) -> SteeringGroup:
    """Change the group's name or voting rule. Fractions must be between 0 and 1."""
    unknown = set(changes) - set(RULE_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(fields)s.") % {"fields": ", ".join(sorted(unknown))})
    group = SteeringGroup.objects.select_for_update().get(pk=group.pk)
    before = audit_state(group, RULE_FIELDS)
    for field, value in changes.items():
        setattr(group, field, value)
    errors = {}
    for part in ("quorum", "majority"):
        numerator, denominator = getattr(group, f"{part}_numerator"), getattr(group, f"{part}_denominator")
        if not denominator or denominator <= 0:
            errors[f"{part}_denominator"] = _("The denominator must be a positive whole number.")
        elif numerator > denominator:
            errors[f"{part}_numerator"] = _("The fraction may not be more than one.")
    if not group.name.strip():
        errors["name"] = _("Give the group a name.")
    if errors:
        raise ValidationError(errors)
    group.save()
    audit_record(
        actor=by, action="steering_group.update", obj=group, before=before, after=audit_state(group, RULE_FIELDS)
    )
    return group


def _check_seat(seat: Seat) -> None:
    errors = {}
    if seat.term_end is not None and seat.term_start and seat.term_end < seat.term_start:
        errors["term_end"] = _("The term cannot end before it starts.")
    if not seat.holder.is_active:
        errors["holder"] = _("The person's account is not active.")
    if errors:
        raise ValidationError(errors)
    far_future = datetime.date.max
    overlapping = Seat.objects.filter(group_id=seat.group_id, holder_id=seat.holder_id).exclude(pk=seat.pk)
    for other in overlapping:
        if other.term_start <= (seat.term_end or far_future) and seat.term_start <= (other.term_end or far_future):
            raise ValidationError(
                {"holder": _("This person already holds a seat in the group for an overlapping term.")}
            )


@transaction.atomic
def seat_create(
    *,
    group: SteeringGroup,
    holder: User,
    organisation: Organisation,
    term_start: datetime.date,
    term_end: datetime.date | None,
    by: User,
) -> Seat:
    seat = Seat(group=group, holder=holder, organisation=organisation, term_start=term_start, term_end=term_end)
    _check_seat(seat)
    seat.save()
    audit_record(actor=by, action="seat.create", obj=seat, after=audit_state(seat, SEAT_FIELDS))
    return seat


@transaction.atomic
def seat_update(
    *,
    seat: Seat,
    by: User,
    organisation: Organisation,
    term_start: datetime.date,
    term_end: datetime.date | None,
) -> Seat:
    """Change a seat's organisation or term (ending a term is setting its end). Proposals already
    open keep the seats frozen when they opened."""
    seat = Seat.objects.select_for_update().get(pk=seat.pk)
    before = audit_state(seat, SEAT_FIELDS)
    seat.organisation, seat.term_start, seat.term_end = organisation, term_start, term_end
    _check_seat(seat)
    seat.save()
    audit_record(actor=by, action="seat.update", obj=seat, before=before, after=audit_state(seat, SEAT_FIELDS))
    return seat


# --- Proposals -----------------------------------------------------------------------------

PROPOSAL_TEXT_FIELDS = ("title_fi", "title_sv", "title_en", "rationale_fi", "rationale_sv", "rationale_en")
PROPOSAL_FIELDS = (*PROPOSAL_TEXT_FIELDS, "effective_date", "status", "deadline", "version", "previous_version")


def earliest_effective_date(*, notified_on: datetime.date) -> datetime.date:
    """A change takes effect no earlier than 30 days after members are told (DESIGN 3.5)."""
    return notified_on + datetime.timedelta(days=CHANGE_OBJECTION_DAYS)


@transaction.atomic
def proposal_create(
    *,
    group: SteeringGroup,
    version: AgreementVersion,
    title_fi: str,
    title_sv: str,
    rationale_fi: str,
    rationale_sv: str,
    effective_date: datetime.date,
    by: User,
    title_en: str = "",
    rationale_en: str = "",
) -> Proposal:
    """Put a draft agreement version to the group, with its title and rationale in Finnish and
    Swedish (English optional). The version in effect today is what it changes."""
    texts = {
        "title_fi": title_fi, "title_sv": title_sv, "title_en": title_en,
        "rationale_fi": rationale_fi, "rationale_sv": rationale_sv, "rationale_en": rationale_en,
    }  # fmt: skip
    texts = {name: (value or "").strip() for name, value in texts.items()}
    errors = {}
    if version.is_published:
        errors["version"] = _("Only a draft version can be proposed.")
    elif Proposal.objects.filter(version=version).exists():
        errors["version"] = _("This version has already been proposed.")
    # Every member reads the change in Finnish or Swedish (DESIGN 3.5: every member is informed).
    for language in ("fi", "sv"):
        if not texts[f"title_{language}"]:
            errors[f"title_{language}"] = _("Give the proposal a title.")
        if not texts[f"rationale_{language}"]:
            errors[f"rationale_{language}"] = _("Explain why the agreement should change.")
    for name, value in texts.items():
        if name.startswith("title_") and len(value) > 200:
            errors[name] = _("The title may have at most 200 characters.")
    earliest = earliest_effective_date(notified_on=timezone.localdate())
    if effective_date < earliest:
        errors["effective_date"] = _(
            "The change can take effect on %(date)s at the earliest: 30 days after members are told of it."
        ) % {"date": date_format(earliest, "SHORT_DATE_FORMAT")}
    if errors:
        raise ValidationError(errors)
    proposal = Proposal.objects.create(
        group=group,
        version=version,
        previous_version=AgreementVersion.objects.current(),
        effective_date=effective_date,
        created_by=by,
        **texts,
    )
    audit_record(actor=by, action="proposal.create", obj=proposal, after=audit_state(proposal, PROPOSAL_FIELDS))
    return proposal


def _locked(proposal: Proposal) -> Proposal:
    # Casting and closing both take this row lock, so a vote either lands before the close
    # (and is counted) or sees the proposal closed (and is refused).
    return Proposal.objects.select_for_update().select_related("group").get(pk=proposal.pk)


@transaction.atomic
def proposal_open(*, proposal: Proposal, deadline: datetime.datetime, by: User) -> Proposal:
    """Open voting until `deadline`, freezing the seats that may vote to those current today."""
    proposal = _locked(proposal)
    now = timezone.now()
    if proposal.status != ProposalStatus.DRAFT:
        raise ValidationError(_("Voting on this proposal has already been opened."))
    if deadline <= now:
        raise ValidationError({"deadline": _("The deadline must be in the future.")})
    earliest = earliest_effective_date(notified_on=timezone.localdate(deadline))
    if proposal.effective_date < earliest:
        raise ValidationError(
            {
                "deadline": _(
                    "With this deadline members would be told too late: the effective date %(effective)s "
                    "must be at least 30 days after the vote closes (by %(date)s)."
                )
                % {
                    "effective": date_format(proposal.effective_date, "SHORT_DATE_FORMAT"),
                    "date": date_format(
                        proposal.effective_date - datetime.timedelta(days=CHANGE_OBJECTION_DAYS), "SHORT_DATE_FORMAT"
                    ),
                }
            }
        )
    seats = list(Seat.objects.current().filter(group_id=proposal.group_id).select_related("holder", "organisation"))
    if not seats:
        raise ValidationError(_("The group has no seats; nobody could vote."))
    before = audit_state(proposal, PROPOSAL_FIELDS)
    EligibleSeat.objects.bulk_create(
        EligibleSeat(
            proposal=proposal,
            seat=seat,
            holder=seat.holder,
            holder_name=seat.holder.full_name or seat.holder.email,
            organisation_name=seat.organisation.name_fi,
        )
        for seat in seats
    )
    proposal.status, proposal.opened_at, proposal.deadline = ProposalStatus.OPEN, now, deadline
    proposal.text_sha256 = proposal_text_sha256(proposal.version)
    proposal.save(update_fields=["status", "opened_at", "deadline", "text_sha256"])
    audit_record(
        actor=by,
        action="proposal.open",
        obj=proposal,
        before=before,
        after={**audit_state(proposal, PROPOSAL_FIELDS), "eligible_seats": sorted(seat.pk for seat in seats)},
    )
    email_queue_to_users(
        users=_seat_holders(proposal),
        template="steering_voting_opened",
        context={"proposal": proposal, "deadline": proposal.deadline, "url": _proposal_url(proposal)},
        attachments=lambda language: [_deadline_ics(proposal, language=language)],
    )
    return proposal


# --- Mail to seat holders (issue 16 item 9) -------------------------------------------------


def _seat_holders(proposal: Proposal, *, seat_ids: list[int] | None = None):
    """The people who may vote on the proposal: the holders of its frozen seats (those current when
    voting opened, so not former holders nor seats made later), one each, if their account is active."""
    eligible = EligibleSeat.objects.filter(proposal=proposal)
    if seat_ids is not None:
        eligible = eligible.filter(seat_id__in=seat_ids)
    return User.objects.filter(pk__in=eligible.values("holder_id"), is_active=True).order_by("pk")


def _proposal_url(proposal: Proposal) -> str:
    return settings.SITE_URL + reverse("steering:proposal", args=[proposal.pk])


def _deadline_ics(proposal: Proposal, *, language: str) -> Attachment:
    """The voting deadline as a calendar event, its words in `language` (active when called)."""
    host = urlsplit(settings.SITE_URL).hostname or "trustnet.invalid"
    url = _proposal_url(proposal)
    text = ics_event(
        # Stable per proposal, so a calendar that imports the file twice keeps one event.
        uid=f"steering-proposal-{proposal.pk}-deadline@{host}",
        stamp=timezone.now(),
        start=proposal.deadline - DEADLINE_EVENT_LENGTH,
        end=proposal.deadline,
        summary=_("Steering group vote closes: %(title)s") % {"title": proposal.title_in(language)},
        description=_("Vote on the change to the MPASSid membership agreement before the deadline: %(url)s")
        % {"url": url},
        url=url,
    )
    return ("vote-deadline.ics", text, "text/calendar")


@transaction.atomic
def proposals_remind() -> int:
    """Remind the holders of seats that have not voted, once the deadline is two days away (the
    scheduled task; run it as often as you like). Each seat is reminded at most once per proposal:
    its `reminded_at` is set in the same transaction that queues the email, and rows another run
    is handling are skipped. A vote opened less than two days before its deadline gets no reminder:
    the opening email was the reminder. Returns how many seats were reminded."""
    now = timezone.now()
    voted = Vote.objects.filter(proposal_id=OuterRef("proposal_id"), seat_id=OuterRef("seat_id"))
    due = list(
        EligibleSeat.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(
            reminded_at__isnull=True,
            holder__is_active=True,
            proposal__status=ProposalStatus.OPEN,
            proposal__deadline__gt=now,
            proposal__deadline__lte=now + REMINDER_BEFORE_DEADLINE,
            proposal__opened_at__lt=F("proposal__deadline") - REMINDER_BEFORE_DEADLINE,
        )
        .exclude(Exists(voted))
        .order_by("proposal_id", "pk")
    )
    by_proposal: dict[int, list[EligibleSeat]] = {}
    for eligible in due:
        by_proposal.setdefault(eligible.proposal_id, []).append(eligible)
    for proposal in Proposal.objects.filter(pk__in=by_proposal).select_related("group").order_by("pk"):
        seats = by_proposal[proposal.pk]
        seat_ids = [eligible.seat_id for eligible in seats]
        EligibleSeat.objects.filter(pk__in=[eligible.pk for eligible in seats]).update(reminded_at=now)
        email_queue_to_users(
            users=_seat_holders(proposal, seat_ids=seat_ids),
            template="steering_vote_reminder",
            context={"proposal": proposal, "deadline": proposal.deadline, "url": _proposal_url(proposal)},
        )
        audit_record(actor=None, action="proposal.remind", obj=proposal, after={"seats": seat_ids, "reminded_at": now})
    return len(due)


def _mail_result(proposal: Proposal) -> None:
    """Tell the seat holders how the vote ended, in words: passed, or failed for want of the quorum
    or of the qualified majority, with the count."""
    cast = proposal.yes_count + proposal.no_count + proposal.abstain_count
    email_queue_to_users(
        users=_seat_holders(proposal),
        template="steering_vote_result",
        context={
            "proposal": proposal,
            "passed": proposal.passed,
            "quorum_reached": quorum_reached(seats=proposal.seat_count, cast=cast, quorum=proposal.quorum_fraction),
            "seats": proposal.seat_count,
            "yes": proposal.yes_count,
            "no": proposal.no_count,
            "abstain": proposal.abstain_count,
            "not_voted": proposal.seat_count - cast,
            "effective_date": proposal.effective_date,
            "url": _proposal_url(proposal),
        },
    )


@transaction.atomic
def vote_cast(*, proposal: Proposal, by: User, choice: str, seat: Seat | None = None) -> Vote:
    """Cast or change the vote of `by`'s eligible seat. Refused after the deadline, on a closed
    proposal, or for anyone without an eligible seat."""
    if choice not in VoteChoice.values:
        raise ValidationError({"choice": _("Choose yes, no or abstain.")})
    proposal = _locked(proposal)
    if proposal.status == ProposalStatus.CLOSED:
        raise ValidationError(_("Voting on this proposal has closed."))
    if proposal.status != ProposalStatus.OPEN:
        raise ValidationError(_("Voting on this proposal has not opened."))
    if not proposal.is_open(at=timezone.now()):
        raise ValidationError(_("The voting deadline has passed."))
    eligible = EligibleSeat.objects.filter(proposal=proposal, holder=by)
    if seat is not None:
        eligible = eligible.filter(seat=seat)
    eligible_seats = list(eligible)
    if not eligible_seats:
        raise PermissionDenied(_("You do not hold a seat that may vote on this proposal."))
    if len(eligible_seats) > 1:
        raise ValidationError({"seat": _("You hold several seats: choose which one votes.")})
    seat_id = eligible_seats[0].seat_id
    now = timezone.now()
    vote = Vote.objects.filter(proposal=proposal, seat_id=seat_id).first()
    if vote is None:
        vote = Vote.objects.create(
            proposal=proposal, seat_id=seat_id, choice=choice, cast_by=by, cast_at=now, changed_at=now
        )
        _audit_ballot(vote, by=by, action="vote.cast")
    else:
        vote.choice, vote.cast_by, vote.changed_at = choice, by, now
        vote.save(update_fields=["choice", "cast_by", "changed_at"])
        _audit_ballot(vote, by=by, action="vote.change")
    return vote


def _audit_ballot(vote: Vote, *, by: User, action: str) -> None:
    """That a seat voted is logged at once; how it voted only when the vote closes (the
    `proposal.close` entry lists every seat's vote), so the log does not break the ballot's secrecy."""
    audit_record(
        actor=by,
        action=action,
        obj=vote,
        object_label=f"{vote.proposal_id}/{vote.seat_id}",
        after={"proposal": vote.proposal_id, "seat": vote.seat_id},
    )


def tally(proposal: Proposal) -> dict[str, int]:
    """Counts of the votes of the frozen seats: {"yes": n, "no": n, "abstain": n, "seats": n}."""
    eligible = set(EligibleSeat.objects.filter(proposal=proposal).values_list("seat_id", flat=True))
    counts = Counter(
        choice
        for seat_id, choice in Vote.objects.filter(proposal=proposal).values_list("seat_id", "choice")
        if seat_id in eligible
    )
    return {"seats": len(eligible), **{choice: counts.get(choice, 0) for choice in VoteChoice.values}}


@transaction.atomic
def proposal_close(*, proposal: Proposal, by: User | None, effective_date: datetime.date | None = None) -> Proposal:
    """Close voting after the deadline: record the tally and result, make the minutes, and for a
    change that passed publish the version and notify every member.

    A passed change must take effect at least 30 days after today's notification; if the proposed
    date is too early, closing is refused until staff give a later `effective_date`.
    """
    from steering.minutes import minutes_pdf

    proposal = _locked(proposal)
    now = timezone.now()
    if proposal.status != ProposalStatus.OPEN:
        raise ValidationError(_("Only a proposal open for voting can be closed."))
    if now < proposal.deadline:
        raise ValidationError(
            _("Voting is open until %(deadline)s.")
            % {"deadline": date_format(timezone.localtime(proposal.deadline), "SHORT_DATETIME_FORMAT")}
        )
    if (
        proposal.text_sha256
        and proposal_text_sha256(AgreementVersion.objects.get(pk=proposal.version_id)) != proposal.text_sha256
    ):
        raise ValidationError(
            _("The text of the proposed version was changed after voting opened; the vote cannot decide it.")
        )
    before = audit_state(proposal, PROPOSAL_FIELDS)
    counts = tally(proposal)
    group = proposal.group
    passed = decide(
        seats=counts["seats"],
        yes=counts["yes"],
        no=counts["no"],
        abstain=counts["abstain"],
        quorum=group.quorum,
        majority=group.majority,
    )
    if effective_date is not None:
        proposal.effective_date = effective_date
    earliest = earliest_effective_date(notified_on=timezone.localdate(now))
    if passed and proposal.effective_date < earliest:
        raise ValidationError(
            {
                "effective_date": _(
                    "The change passed, but members are told today, so it can take effect on %(date)s at the earliest. "
                    "Give a later effective date."
                )
                % {"date": date_format(earliest, "SHORT_DATE_FORMAT")}
            }
        )
    proposal.status, proposal.closed_at, proposal.passed = ProposalStatus.CLOSED, now, passed
    proposal.seat_count, proposal.yes_count = counts["seats"], counts["yes"]
    proposal.no_count, proposal.abstain_count = counts["no"], counts["abstain"]
    proposal.quorum, proposal.majority = str(group.quorum), str(group.majority)
    proposal.minutes_pdf = minutes_pdf(proposal)
    proposal.save()
    audit_record(
        actor=by,
        action="proposal.close",
        obj=proposal,
        before=before,
        after={
            **audit_state(
                proposal, (*PROPOSAL_FIELDS, "passed", "yes_count", "no_count", "abstain_count", "seat_count")
            ),
            "votes": {str(seat): choice for seat, choice in proposal.votes.values_list("seat_id", "choice")},
        },
    )
    if passed:
        _publish_change(proposal, by=by)
        notify_members(proposal, by=by)
    _mail_result(proposal)
    return proposal


def proposals_close_due(*, by: User | None = None) -> list[Proposal]:
    """Close every open proposal whose deadline has passed (the scheduled task). One that cannot
    close (its effective date has become too early) stays open for staff to deal with."""
    closed = []
    for proposal in Proposal.objects.filter(status=ProposalStatus.OPEN, deadline__lte=timezone.now()):
        try:
            closed.append(proposal_close(proposal=proposal, by=by))
        except ValidationError:
            continue
    return closed


def _publish_change(proposal: Proposal, *, by: User | None) -> None:
    from contracts import services as agreement_services

    agreement_services.version_publish(version=proposal.version, by=by, effective_on=proposal.effective_date)


def notify_members(proposal: Proposal, *, by: User | None) -> None:
    """Tell every member organisation, recording when (DESIGN 3.5: every member is informed)."""
    from contracts.models import MemberRole
    from contracts.selectors import organisation_ids_in_force

    now = proposal.closed_at  # members are told at the moment the result is recorded
    today = timezone.localdate(now)
    organisation_ids = sorted(
        set().union(*(organisation_ids_in_force(role=role, on=today) for role in MemberRole.values))
    )
    ChangeNotice.objects.bulk_create(
        ChangeNotice(proposal=proposal, organisation_id=organisation_id, notified_at=now)
        for organisation_id in organisation_ids
    )
    proposal.notified_at = now
    proposal.save(update_fields=["notified_at"])
    recipients = (
        User.objects.filter(
            is_active=True,
            organisation_roles__organisation_id__in=organisation_ids,
            organisation_roles__role__in=list(CHANGE_ROLES),
        )
        .distinct()
        .order_by("pk")
    )
    email_queue_to_users(
        users=recipients,
        template="agreement_change",
        # The proposal, not its text: each language group's email is rendered with that language
        # active, so `proposal.title` / `proposal.rationale` come out in the reader's language.
        context={
            "proposal": proposal,
            "effective_date": proposal.effective_date,
            "objection_deadline": timezone.localdate(now) + datetime.timedelta(days=CHANGE_OBJECTION_DAYS),
        },
    )
    audit_record(
        actor=by,
        action="proposal.notify",
        obj=proposal,
        after={"notified_at": now, "organisations": organisation_ids, "emails": recipients.count()},
    )


# --- Members' reactions --------------------------------------------------------------------


def _check_may_answer(notice: ChangeNotice, by: User) -> None:
    if not has_role(by, notice.organisation_id, CHANGE_ROLES):
        raise PermissionDenied(_("Only the organisation's administrators and signatories can answer."))


@transaction.atomic
def change_accept(*, notice: ChangeNotice, by: User) -> ChangeNotice:
    """The member says it accepts the change (not required: silence is acceptance too)."""
    _check_may_answer(notice, by)
    notice = ChangeNotice.objects.select_for_update().get(pk=notice.pk)
    if notice.reaction == Reaction.TERMINATED:
        raise ValidationError(_("Your organisation has already terminated its membership because of this change."))
    before = audit_state(notice, ("reaction",))
    notice.reaction, notice.reacted_at, notice.reacted_by = Reaction.ACCEPTED, timezone.now(), by
    notice.save(update_fields=["reaction", "reacted_at", "reacted_by"])
    audit_record(
        actor=by, action="change_notice.accept", obj=notice, before=before, after=audit_state(notice, ("reaction",))
    )
    return notice


@transaction.atomic
def change_terminate(*, notice: ChangeNotice, by: User, reason: str = "") -> ChangeNotice:
    """Terminate the organisation's memberships because of the change: allowed within 30 days of
    the notification, and the membership then ends on the change's effective date (DESIGN 3.5)."""
    from contracts import services as agreement_services
    from contracts.models import Membership

    # Terminating is signing on the organisation's behalf, so only its signatories may (DESIGN 1).
    if not has_role(by, notice.organisation_id, [Role.SIGNATORY]):
        raise PermissionDenied(_("Only the organisation's signatories can terminate its membership."))
    notice = ChangeNotice.objects.select_for_update().select_related("proposal").get(pk=notice.pk)
    today = timezone.localdate()
    if notice.reaction == Reaction.TERMINATED:
        raise ValidationError(_("Your organisation has already terminated its membership because of this change."))
    if not notice.may_terminate(on=today):
        raise ValidationError(
            _(
                "The 30 days for terminating because of this change ended on %(date)s. "
                "You can still give ordinary notice."
            )
            % {"date": date_format(notice.objection_deadline, "SHORT_DATE_FORMAT")}
        )
    memberships = list(
        Membership.objects.in_force(on=today).filter(organisation_id=notice.organisation_id).select_for_update()
    )
    if not memberships:
        raise ValidationError(_("Your organisation has no membership in force."))
    before = audit_state(notice, ("reaction",))
    termination_ids = []
    for membership in memberships:
        termination = agreement_services.termination_create(
            membership=membership,
            kind="change",
            given_by="member",
            ends_on=notice.proposal.effective_date,
            reason=reason or notice.proposal.title,
            by=by,
        )
        termination_ids.append(termination.pk)
    notice.reaction, notice.reacted_at, notice.reacted_by = Reaction.TERMINATED, timezone.now(), by
    notice.save(update_fields=["reaction", "reacted_at", "reacted_by"])
    audit_record(
        actor=by,
        action="change_notice.terminate",
        obj=notice,
        before=before,
        after={**audit_state(notice, ("reaction",)), "terminations": termination_ids},
    )
    return notice


@transaction.atomic
def changes_apply(*, on: datetime.date | None = None) -> int:
    """Move members who did not leave to the new version on the effective date. Idempotent:
    run daily; each notice is moved once (its `moved_at` records when). Returns how many notices moved.

    Every open membership still on an older version moves, not only those of the organisations
    told at the decision: a membership that was awaiting countersignature then, or that came into
    force later on the old text (signed while the new one was published but not yet in effect),
    would otherwise stay on the old version for ever. A pending membership moved this way needs
    the member's signature of the new version before the operator countersigns (the services
    refuse countersigning an outdated version). Memberships ending on or before the effective
    date (those terminated because of the change) stay on the old text until they end.
    """
    from contracts import services as agreement_services
    from contracts.models import Membership

    on = on or timezone.localdate()
    moved = 0
    due = (
        Proposal.objects.select_for_update()
        .filter(passed=True, effective_date__lte=on, applied_at__isnull=True)
        .select_related("version")
        .order_by("effective_date", "version__number")
    )
    for proposal in due:
        notices = ChangeNotice.objects.filter(proposal=proposal, moved_at__isnull=True).exclude(
            reaction=Reaction.TERMINATED
        )
        organisation_ids = [notice.organisation_id for notice in notices]
        terminated_ids = ChangeNotice.objects.filter(proposal=proposal, reaction=Reaction.TERMINATED).values_list(
            "organisation_id", flat=True
        )
        memberships = (
            Membership.objects.filter(ended_at__isnull=True, version__number__lt=proposal.version.number)
            .exclude(ends_on__lte=proposal.effective_date)
            .exclude(organisation_id__in=terminated_ids, in_force_from__isnull=False)
            .order_by("pk")
        )
        membership_ids = []
        for membership in memberships:
            agreement_services.membership_version_move(membership=membership, version=proposal.version, by=None)
            membership_ids.append(membership.pk)
        now = timezone.now()
        moved += notices.update(moved_at=now)
        proposal.applied_at = now
        proposal.save(update_fields=["applied_at"])
        audit_record(
            actor=None,
            action="proposal.apply",
            obj=proposal,
            after={"organisations": organisation_ids, "memberships": membership_ids, "applied_at": now},
        )
    return moved
