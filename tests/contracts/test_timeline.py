"""Issue 16 item 4: the membership page's timeline, a picture and the same events in words."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from contracts import services
from contracts.models import BreachNotice, Party, Termination
from contracts.timeline import TimelineEvent, membership_timeline, timeline_drawing
from steering.models import ChangeNotice, Proposal, Reaction
from tests.contracts.conftest import countersign, sign_as_member
from tests.factories import AgreementVersionFactory, MembershipFactory, SteeringGroupFactory, TermStartFactory

pytestmark = pytest.mark.django_db


def _event(kind: str, day: int, label: str = "Something happened", planned: bool = False) -> TimelineEvent:
    at = datetime.datetime(2027, 1, day, 12, tzinfo=datetime.UTC)
    return TimelineEvent(at=at, kind=kind, label=label, detail=label + ".", planned=planned)


# --- The picture (pure) ------------------------------------------------------------------------


def test_drawing_puts_each_event_below_the_previous_and_wraps_long_labels():
    drawing = timeline_drawing(
        [_event("member_signed", 1), _event("countersigned", 2, "A label long enough to need two lines here")]
    )
    first, second = drawing.events
    assert first.y < second.y
    assert len(second.lines) == 2
    assert all(len(text) <= 32 for _, text in second.lines)
    assert first.lines[0][0] < second.y  # the first label ends above the second dot
    assert drawing.height > second.lines[-1][0]


def test_line_between_events_is_drawn_in_the_phase_of_the_membership_then():
    drawing = timeline_drawing(
        [
            _event("member_signed", 1),
            _event("countersigned", 2),
            _event("notice", 3),
            _event("ended", 4, planned=True),
        ]
    )
    assert [(item.phase, item.segment_to is not None) for item in drawing.events] == [
        ("pending", True),
        ("active", True),
        ("planned", True),  # from the notice to the end date still ahead
        ("ended", False),
    ]


def test_an_empty_timeline_has_no_events():
    assert timeline_drawing([]).events == []


# --- The events --------------------------------------------------------------------------------


def test_a_signed_membership_shows_the_members_signature_and_the_countersignature(signed_membership):
    events = membership_timeline(
        signed_membership, signatures=signed_membership.signatures.all(), terminations=[], breach_notices=[]
    )
    # Made by the member's signature: no separate "created" event for the same act.
    assert [event.kind for event in events] == ["member_signed", "countersigned"]
    assert "Sanna Signeeraaja" in events[0].detail
    assert events[1].label == "Countersigned by the operator"


def test_a_membership_created_before_the_members_signature_shows_its_creation(db):
    membership = MembershipFactory(in_force_from=None, created_at=timezone.now() - datetime.timedelta(days=40))
    (event,) = membership_timeline(membership, signatures=[], terminations=[], breach_notices=[])
    assert (event.kind, event.label) == ("created", "Membership created")


def test_notice_withdrawal_breach_and_the_end_ahead_are_events(signed_membership, signatory_a, operator):
    TermStartFactory(starts_on=timezone.localdate() + datetime.timedelta(days=200))
    termination = services.termination_create(
        membership=signed_membership, kind=Termination.Kind.NOTICE, given_by=Party.MEMBER, by=signatory_a
    )
    services.notice_withdraw(termination=termination, by=signatory_a)
    services.termination_create(
        membership=signed_membership, kind=Termination.Kind.NOTICE, given_by=Party.OPERATOR, by=operator
    )
    BreachNotice.objects.create(
        membership=signed_membership,
        notified_by=Party.OPERATOR,
        description="x",
        remedy_by=timezone.localdate() + datetime.timedelta(days=30),
        given_by_user=operator,
    )
    signed_membership.refresh_from_db()
    events = membership_timeline(
        signed_membership,
        signatures=signed_membership.signatures.all(),
        terminations=signed_membership.terminations.all(),
        breach_notices=signed_membership.breach_notices.all(),
    )
    kinds = [event.kind for event in events]
    assert kinds[:2] == ["member_signed", "countersigned"]
    assert sorted(kinds[2:-1]) == ["breach", "notice", "notice", "notice_withdrawn"]
    assert kinds[-1] == "ended" and events[-1].planned  # the end date ahead comes last
    assert "Notice given by the member" in [event.label for event in events]
    assert "Notice given by the operator" in [event.label for event in events]


def test_an_ended_membership_ends_its_timeline(signed_membership):
    signed_membership.ends_on = timezone.localdate() - datetime.timedelta(days=1)
    signed_membership.ended_at = timezone.now()
    signed_membership.save()
    events = membership_timeline(
        signed_membership, signatures=signed_membership.signatures.all(), terminations=[], breach_notices=[]
    )
    assert (events[-1].kind, events[-1].planned, events[-1].label) == ("ended", False, "Membership ended")


def test_an_accepted_agreement_change_is_on_the_timeline(signed_membership, operator, org_a, org_b):
    """Connected by the portal (contracts cannot know the steering group's change notices)."""
    proposal = Proposal.objects.create(
        group=SteeringGroupFactory(),
        version=AgreementVersionFactory(),
        title_fi="Uusi teksti",
        title_sv="Ny text",
        title_en="New text",
        rationale_fi="x",
        rationale_sv="x",
        effective_date=timezone.localdate(),
        created_by=operator,
        status="closed",
        closed_at=timezone.now(),
        passed=True,
    )
    ChangeNotice.objects.create(
        proposal=proposal, organisation=org_a, notified_at=timezone.now(), reaction=Reaction.ACCEPTED,
        reacted_at=timezone.now() + datetime.timedelta(minutes=1),
    )  # fmt: skip
    ChangeNotice.objects.create(
        proposal=proposal, organisation=org_b, notified_at=timezone.now(), reaction=Reaction.ACCEPTED,
        reacted_at=timezone.now(),
    )  # fmt: skip
    events = membership_timeline(
        signed_membership, signatures=signed_membership.signatures.all(), terminations=[], breach_notices=[]
    )
    accepted = [event for event in events if event.kind == "change_accepted"]
    assert len(accepted) == 1
    assert "New text" in accepted[0].detail


# --- The page ----------------------------------------------------------------------------------


def test_membership_page_draws_the_timeline_as_an_accessible_picture_and_a_list(
    signed_membership, signatory_a, as_user
):
    content = as_user(signatory_a).get(reverse("contracts:membership-detail", args=[signed_membership.pk])).content
    content = content.decode()
    svg = re.search(r"<svg[^>]*>.*?</svg>", content, re.S).group(0)
    assert 'role="img"' in svg and 'aria-labelledby="timeline-title timeline-desc"' in svg
    assert '<title id="timeline-title">Timeline of the membership</title>' in svg
    assert "2 events from" in svg
    assert svg.count("<circle") == 2
    assert "style=" not in svg  # the Content-Security-Policy allows no inline styles
    items = re.findall(r"<li><time[^>]*>.*?</li>", content, re.S)
    assert len(items) == 2
    assert "Countersigned by the operator: Olli Operaattori" in items[1]


def test_someone_of_another_organisation_cannot_see_the_timeline(signed_membership, admin_b, as_user):
    response = as_user(admin_b).get(reverse("contracts:membership-detail", args=[signed_membership.pk]))
    assert response.status_code == 404


def test_membership_page_runs_a_fixed_number_of_queries_however_long_the_history(
    org_b, signatory_b, operator, version, as_user
):
    from tests.querycount import assert_queries_pinned

    membership = sign_as_member(org_b, signatory_b, version).membership
    countersign(membership, operator)
    membership.refresh_from_db()
    url = reverse("contracts:membership-detail", args=[membership.pk])

    def grow():
        for _ in range(4):
            BreachNotice.objects.create(
                membership=membership, notified_by=Party.MEMBER, description="x",
                remedy_by=timezone.localdate(), given_by_user=signatory_b,
            )  # fmt: skip
            Termination.objects.create(
                membership=membership, kind=Termination.Kind.NOTICE, given_by=Party.MEMBER,
                given_on=timezone.localdate(), ends_on=timezone.localdate() + datetime.timedelta(days=300),
                created_by=signatory_b, withdrawn_at=timezone.now(),
            )  # fmt: skip

    client = as_user(signatory_b)
    client.get(url)
    # Session, user, roles, membership, terminations, signatures, breach notices, change notices
    # (the portal's timeline source), the current version and the term starts.
    assert_queries_pinned(client, url, grow=grow, expected=10)
