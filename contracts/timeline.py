"""A membership's history as a timeline, and how it is drawn (issue 16 item 4).

`membership_timeline` collects the events from what contracts keeps (signatures, notices, breach
notices, the end). Agreement changes are decided above this app (DESIGN section 6), so an app that
knows them registers an event source here (`timeline_source_register`), as `contracts.decisions`
does for the decisions themselves. `timeline_drawing` is pure: it lays the events out for the
server-rendered SVG picture, so it can be tested without a database.
"""

from __future__ import annotations

import datetime
import itertools
import textwrap
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from contracts.models import BreachNotice, Membership, Signature, Termination


@dataclass(frozen=True)
class TimelineEvent:
    """One thing that happened to a membership (or will: `planned`), in words."""

    at: datetime.datetime  # when, for ordering; `on` is what the page shows
    kind: str  # created, member_signed, countersigned, notice, notice_withdrawn, breach, change_accepted, ended
    label: str  # short, for the picture
    detail: str  # the full sentence, for the list under it
    planned: bool = False

    @property
    def on(self) -> datetime.date:
        return timezone.localdate(self.at)


EventSource = Callable[["Membership"], list[TimelineEvent]]
_sources: list[EventSource] = []


def timeline_source_register(source: EventSource) -> None:
    """Called by an app above contracts that knows more events of a membership (agreement changes)."""
    if source not in _sources:
        _sources.append(source)


def _date(day: datetime.date) -> str:
    return date_format(day, "SHORT_DATE_FORMAT")


def _start_of(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())


def membership_timeline(
    membership: Membership,
    *,
    signatures: Iterable[Signature],
    terminations: Iterable[Termination],
    breach_notices: Iterable[BreachNotice],
    on: datetime.date | None = None,
) -> list[TimelineEvent]:
    """Every event of the membership, oldest first, the end date ahead (if any) last as planned."""
    from contracts.models import Party, Termination

    on = on or timezone.localdate()
    signatures = list(signatures)
    events: list[TimelineEvent] = []
    first_member_signature = min((s.signed_at for s in signatures if s.party == Party.MEMBER), default=None)
    # A membership is usually made by the member's first signature; a separate "created" event
    # only when it was made earlier (by the operator or the demo), so one act is not shown twice.
    if first_member_signature is None or timezone.localdate(membership.created_at) < timezone.localdate(
        first_member_signature
    ):
        events.append(
            TimelineEvent(
                at=membership.created_at,
                kind="created",
                label=_("Membership created"),
                detail=_("The membership was created, waiting for the member's signature."),
            )
        )
    for signature in signatures:
        names = {"name": signature.full_name, "title": signature.title, "version": signature.version.number}
        if signature.party == Party.MEMBER:
            label = _("Signed by the member")
            detail = _("Signed by the member: %(name)s, %(title)s (agreement version %(version)s).") % names
            kind = "member_signed"
        else:
            label = _("Countersigned by the operator")
            detail = _("Countersigned by the operator: %(name)s, %(title)s (agreement version %(version)s).") % names
            kind = "countersigned"
        events.append(TimelineEvent(at=signature.signed_at, kind=kind, label=label, detail=detail))
    for termination in terminations:
        by_member = termination.given_by == Party.MEMBER
        if termination.kind == Termination.Kind.NOTICE:
            label = _("Notice given by the member") if by_member else _("Notice given by the operator")
        elif termination.kind == Termination.Kind.BREACH:
            label = (
                _("Terminated for material breach by the member")
                if by_member
                else _("Terminated for material breach by the operator")
            )
        else:
            label = _("Terminated because of the agreement change")
        events.append(
            TimelineEvent(
                at=termination.created_at,
                kind="notice",
                label=label,
                detail=_("%(label)s; the membership ends on %(date)s.")
                % {"label": label, "date": _date(termination.ends_on)},
            )
        )
        if termination.withdrawn_at is not None:
            events.append(
                TimelineEvent(
                    at=termination.withdrawn_at,
                    kind="notice_withdrawn",
                    label=_("Notice withdrawn"),
                    detail=_("The member withdrew its notice.")
                    if by_member
                    else _("The operator withdrew its notice."),
                )
            )
    for breach in breach_notices:
        label = (
            _("Notice of material breach by the member")
            if breach.notified_by == Party.MEMBER
            else _("Notice of material breach by the operator")
        )
        events.append(
            TimelineEvent(
                at=breach.given_at,
                kind="breach",
                label=label,
                detail=_("%(label)s; to be remedied by %(date)s.") % {"label": label, "date": _date(breach.remedy_by)},
            )
        )
    for source in _sources:
        events.extend(source(membership))
    if membership.ended_at is not None or (membership.ends_on is not None and membership.ends_on <= on):
        at = membership.ended_at or _start_of(membership.ends_on)
        events.append(
            TimelineEvent(at=at, kind="ended", label=_("Membership ended"), detail=_("The membership ended."))
        )
    elif membership.ends_on is not None:
        events.append(
            TimelineEvent(
                at=_start_of(membership.ends_on),
                kind="ended",
                label=_("Membership ends"),
                detail=_("The membership will end on this day."),
                planned=True,
            )
        )
    return sorted(events, key=lambda event: (event.planned, event.at))


# --- The picture ------------------------------------------------------------------------------

# The phase a membership is in after each kind of event, for the line's colour and dash (the
# list under the picture says the same in words, so colour is never the only cue).
_PHASE_AFTER = {
    "created": "pending",
    "member_signed": "pending",
    "countersigned": "active",
    "notice": "notice",
    "notice_withdrawn": "active",
    "ended": "ended",
}

WIDTH = 320  # viewBox units; the picture scales to its column, so 375 px phones read it 1:1
AXIS_X = 20
TEXT_X = 40
LINE_HEIGHT = 18
WRAP_AT = 32  # characters of a label per line at the picture's font size


@dataclass
class DrawnEvent:
    event: TimelineEvent
    y: int  # the dot's centre, and the baseline of the date beside it
    lines: list[tuple[int, str]]  # (baseline, text) of each line of the label
    phase: str  # the phase the line below this event is drawn in
    segment_to: int | None = None  # where that line ends (the next event's y), None for the last


@dataclass
class TimelineDrawing:
    width: int
    height: int
    events: list[DrawnEvent] = field(default_factory=list)
    axis_x: int = AXIS_X
    text_x: int = TEXT_X


def timeline_drawing(events: list[TimelineEvent]) -> TimelineDrawing:
    """Lay the events out top to bottom: a dot on the line for each, its date and its label beside
    it (wrapped, SVG has no wrapping), and the line between two events drawn in the phase the
    membership was in then."""
    drawn: list[DrawnEvent] = []
    y = 24
    phase = "pending"
    for event in events:
        phase = _PHASE_AFTER.get(event.kind, phase)
        wrapped = textwrap.wrap(event.label, WRAP_AT) or [""]
        lines = [(y + LINE_HEIGHT * (index + 1), text) for index, text in enumerate(wrapped)]
        drawn.append(DrawnEvent(event=event, y=y, lines=lines, phase=phase))
        y += LINE_HEIGHT * (len(lines) + 1) + 14
    for current, following in itertools.pairwise(drawn):
        current.segment_to = following.y
        if following.event.planned:
            current.phase = "planned"
    return TimelineDrawing(width=WIDTH, height=max(y - 8, 48), events=drawn)
