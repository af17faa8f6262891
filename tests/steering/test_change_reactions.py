"""After a change passes: accept, leave within 30 days, or move on the effective date (issue 5 item 5)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.models import Entry
from contracts.models import Membership, Termination
from members.models import Role
from steering import services as services
from steering.models import ChangeNotice, Reaction
from steering.tasks import steering_changes_apply
from tests.factories import OrganisationFactory, OrganisationRoleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def passed(open_proposal, seats, operator, member_in_force):
    """A passed change, closed at the deadline; three members in force were told then."""
    organisations = [OrganisationFactory() for _ in range(3)]
    memberships = [member_in_force(organisation) for organisation in organisations]
    for seat in seats:
        services.vote_cast(proposal=open_proposal, by=seat.holder, choice="yes")
    with time_machine.travel(open_proposal.deadline):
        proposal = services.proposal_close(proposal=open_proposal, by=operator)
    return proposal, organisations, memberships


def at(day: datetime.date, time: datetime.time) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, time))


def notice_of(proposal, organisation):
    return ChangeNotice.objects.get(proposal=proposal, organisation=organisation)


def test_member_terminates_within_30_days_and_leaves_on_the_effective_date(passed, signatory_of):
    proposal, organisations, memberships = passed
    signatory = signatory_of(organisations[0])
    notice = notice_of(proposal, organisations[0])
    with time_machine.travel(notice.notified_at + datetime.timedelta(days=30)):
        services.change_terminate(notice=notice, by=signatory, reason="Emme hyväksy")
    termination = Termination.objects.get(membership=memberships[0])
    assert termination.kind == "change" and termination.ends_on == proposal.effective_date
    memberships[0].refresh_from_db()
    assert memberships[0].ends_on == proposal.effective_date  # not the ordinary one-month notice
    notice.refresh_from_db()
    assert notice.reaction == Reaction.TERMINATED and notice.reacted_by == signatory
    assert Entry.objects.filter(action="change_notice.terminate").exists()


def test_termination_after_the_30_days_is_refused(passed, signatory_of):
    proposal, organisations, _ = passed
    signatory = signatory_of(organisations[0])
    notice = notice_of(proposal, organisations[0])
    too_late = notice.notified_at + datetime.timedelta(days=31)
    with time_machine.travel(too_late), pytest.raises(ValidationError, match="ordinary notice"):
        services.change_terminate(notice=notice, by=signatory)
    assert not Termination.objects.exists()
    notice.refresh_from_db()
    assert notice.reaction == Reaction.PENDING


def test_only_a_signatory_may_terminate(passed):
    proposal, organisations, _ = passed
    admin = OrganisationRoleFactory(organisation=organisations[0], role=Role.ADMIN).user
    other_signatory = OrganisationRoleFactory(organisation=organisations[1], role=Role.SIGNATORY).user
    for user in (admin, other_signatory):
        with pytest.raises(PermissionDenied):
            services.change_terminate(notice=notice_of(proposal, organisations[0]), by=user)
    assert not Termination.objects.exists()


def test_admin_may_accept(passed):
    proposal, organisations, _ = passed
    admin = OrganisationRoleFactory(organisation=organisations[1], role=Role.ADMIN).user
    notice = services.change_accept(notice=notice_of(proposal, organisations[1]), by=admin)
    assert notice.reaction == Reaction.ACCEPTED


def test_members_who_stay_move_on_the_effective_date_once(passed, signatory_of):
    proposal, organisations, memberships = passed
    services.change_terminate(notice=notice_of(proposal, organisations[0]), by=signatory_of(organisations[0]))
    admin = OrganisationRoleFactory(organisation=organisations[1], role=Role.ADMIN).user
    services.change_accept(notice=notice_of(proposal, organisations[1]), by=admin)
    old_version = memberships[0].version

    day_before = at(proposal.effective_date - datetime.timedelta(days=1), datetime.time(12))
    with time_machine.travel(day_before):
        assert steering_changes_apply.delay().get() == 0
    assert set(Membership.objects.values_list("version", flat=True)) == {old_version.pk}

    on_the_day = at(proposal.effective_date, datetime.time(0, 10))
    with time_machine.travel(on_the_day):
        assert steering_changes_apply.delay().get() == 2  # accepted + not reacted
        assert steering_changes_apply.delay().get() == 0  # idempotent
    versions = dict(Membership.objects.values_list("organisation_id", "version_id"))
    assert versions[organisations[0].pk] == old_version.pk  # left: stays on the old text until it ends
    assert versions[organisations[1].pk] == proposal.version_id
    assert versions[organisations[2].pk] == proposal.version_id
    moved = ChangeNotice.objects.filter(proposal=proposal, moved_at__isnull=False)
    assert {notice.organisation_id for notice in moved} == {organisations[1].pk, organisations[2].pk}
    assert Entry.objects.filter(action="proposal.apply").count() == 1


def test_after_the_30_days_ordinary_notice_is_still_possible(passed, signatory_of):
    from contracts import services as agreement_services

    proposal, organisations, memberships = passed
    signatory = signatory_of(organisations[0])
    notice = notice_of(proposal, organisations[0])
    with time_machine.travel(notice.notified_at + datetime.timedelta(days=31)):
        with pytest.raises(ValidationError):
            services.change_terminate(notice=notice, by=signatory)
        termination = agreement_services.termination_create(
            membership=memberships[0], kind="notice", given_by="member", by=signatory
        )
    assert termination.kind == "notice" and termination.ends_on != proposal.effective_date
