"""Closing a vote: the result, the minutes PDF, publishing and notifying members (issue 5 items 4–5)."""

from __future__ import annotations

import datetime
import io

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext
from pypdf import PdfReader

from audit.models import Entry
from members.models import Role
from steering import services as services
from steering.models import ChangeNotice, ProposalStatus, VoteChoice
from tests.factories import OrganisationFactory, OrganisationRoleFactory

pytestmark = pytest.mark.django_db


def vote_all(proposal, seats, choices):
    for seat, choice in zip(seats, choices, strict=False):
        if choice:
            services.vote_cast(proposal=proposal, by=seat.holder, choice=choice)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_closing_before_the_deadline_is_refused(open_proposal, operator):
    with pytest.raises(ValidationError):
        services.proposal_close(proposal=open_proposal, by=operator)
    open_proposal.refresh_from_db()
    assert open_proposal.status == ProposalStatus.OPEN


def test_closing_records_the_result_and_minutes(open_proposal, seats, operator):
    vote_all(open_proposal, seats, ["yes", "yes", "no", "abstain", None])
    with time_machine.travel(open_proposal.deadline):
        proposal = services.proposal_close(proposal=open_proposal, by=operator)
    proposal.refresh_from_db()
    # 4 of 5 voted (quorum); 2 yes / 3 for-or-against is exactly two thirds: passes.
    assert (proposal.seat_count, proposal.yes_count, proposal.no_count, proposal.abstain_count) == (5, 2, 1, 1)
    assert proposal.passed is True and proposal.status == ProposalStatus.CLOSED
    assert (proposal.quorum, proposal.majority) == ("1/2", "2/3")
    text = " ".join(pdf_text(bytes(proposal.minutes_pdf)).split())
    assert proposal.title_fi in text and proposal.title_sv in text  # Finnish minutes, with the Swedish text
    with translation.override("fi"):  # the minutes are in Finnish
        labels = {choice: str(VoteChoice(choice).label) for choice in VoteChoice.values}
        labels[None] = gettext("Did not vote")
        tally_labels = [gettext(word) for word in ("Seats", "Yes", "No", "Abstain")]
    for label, count in zip(tally_labels, (5, 2, 1, 1), strict=True):
        assert f"{label} {count}" in text
    for seat, choice in zip(seats, ["yes", "yes", "no", "abstain", None], strict=True):
        assert f"{seat.holder.full_name} {seat.organisation.name_fi} {labels[choice]}" in text
    assert Entry.objects.filter(action="proposal.close", object_id=str(proposal.pk)).exists()


def test_rejected_change_is_not_published_and_nobody_is_notified(open_proposal, seats, operator, member_in_force):
    member_in_force(OrganisationFactory())
    vote_all(open_proposal, seats, ["yes", "no", "no", None, None])
    with time_machine.travel(open_proposal.deadline):
        proposal = services.proposal_close(proposal=open_proposal, by=operator)
    assert proposal.passed is False
    proposal.version.refresh_from_db()
    assert not proposal.version.is_published
    assert not ChangeNotice.objects.exists() and proposal.notified_at is None


def test_without_quorum_nothing_passes(open_proposal, seats, operator):
    vote_all(open_proposal, seats, ["yes", "yes", None, None, None])
    with time_machine.travel(open_proposal.deadline):
        assert services.proposal_close(proposal=open_proposal, by=operator).passed is False


def test_passed_change_is_published_and_every_member_is_notified(
    open_proposal, seats, operator, member_in_force, django_capture_on_commit_callbacks
):
    members = [OrganisationFactory(), OrganisationFactory()]
    for organisation in members:
        member_in_force(organisation)
    outsider = OrganisationFactory()  # not a member: not notified
    admin = OrganisationRoleFactory(organisation=members[0], role=Role.ADMIN).user
    signatory = OrganisationRoleFactory(organisation=members[1], role=Role.SIGNATORY).user
    technical = OrganisationRoleFactory(organisation=members[0], role=Role.TECHNICAL).user
    OrganisationRoleFactory(organisation=outsider, role=Role.ADMIN)
    vote_all(open_proposal, seats, ["yes"] * 5)
    mail.outbox.clear()
    with time_machine.travel(open_proposal.deadline), django_capture_on_commit_callbacks(execute=True):
        proposal = services.proposal_close(proposal=open_proposal, by=operator)
    closed_at = proposal.closed_at
    proposal.version.refresh_from_db()
    assert proposal.version.is_published and proposal.version.effective_on == proposal.effective_date
    notices = ChangeNotice.objects.filter(proposal=proposal)
    assert {notice.organisation_id for notice in notices} == {organisation.pk for organisation in members}
    assert all(notice.notified_at == closed_at for notice in notices)
    assert proposal.notified_at == closed_at
    # The seat holders get the result (tests/steering/test_mail.py); the members get the change.
    holders = {seat.holder.email for seat in seats}
    change_mails = [message for message in mail.outbox if message.to[0] not in holders]
    recipients = {message.to[0] for message in change_mails}
    assert recipients == {admin.email, signatory.email}
    assert technical.email not in recipients
    assert proposal.title in change_mails[0].body


def test_member_dashboard_shows_the_notice(open_proposal, seats, operator, member_in_force, as_user):
    organisation = OrganisationFactory()
    member_in_force(organisation)
    admin = OrganisationRoleFactory(organisation=organisation, role=Role.ADMIN).user
    vote_all(open_proposal, seats, ["yes"] * 5)
    with time_machine.travel(open_proposal.deadline):
        services.proposal_close(proposal=open_proposal, by=operator)
    content = as_user(admin).get("/my/").content.decode()
    assert open_proposal.title in content


def test_too_early_effective_date_is_refused_at_closing_until_staff_move_it(open_proposal, seats, operator):
    vote_all(open_proposal, seats, ["yes"] * 5)
    late = open_proposal.deadline + datetime.timedelta(days=40)  # closing so late leaves under 30 days
    with time_machine.travel(late):
        with pytest.raises(ValidationError) as error:
            services.proposal_close(proposal=open_proposal, by=operator)
        assert "effective_date" in error.value.error_dict
        open_proposal.refresh_from_db()
        assert open_proposal.status == ProposalStatus.OPEN and not ChangeNotice.objects.exists()
        new_date = timezone.localdate() + datetime.timedelta(days=30)
        proposal = services.proposal_close(proposal=open_proposal, by=operator, effective_date=new_date)
    assert proposal.passed and proposal.effective_date == new_date


def test_scheduled_task_closes_due_proposals(open_proposal, seats):
    from steering.tasks import steering_proposals_close_due

    vote_all(open_proposal, seats, ["no"] * 5)
    assert steering_proposals_close_due() == 0
    with time_machine.travel(open_proposal.deadline + datetime.timedelta(minutes=1)):
        assert steering_proposals_close_due.delay().get() == 1
    open_proposal.refresh_from_db()
    assert open_proposal.status == ProposalStatus.CLOSED and open_proposal.passed is False


def test_a_text_changed_after_opening_cannot_be_decided(open_proposal, seats, operator):
    from contracts.models import AgreementVersion

    vote_all(open_proposal, seats, ["yes"] * 5)
    # The service refuses such an edit (tests/steering/test_version_locked.py); this is the second
    # line of defence, against a change that bypassed it.
    AgreementVersion.objects.filter(pk=open_proposal.version_id).update(text_fi="Jotain muuta.")
    with time_machine.travel(open_proposal.deadline), pytest.raises(ValidationError, match="changed after voting"):
        services.proposal_close(proposal=open_proposal, by=operator)
    open_proposal.version.refresh_from_db()
    assert not open_proposal.version.is_published


def test_scheduled_task_closes_a_passing_vote_as_the_system(open_proposal, seats, member_in_force):
    from steering.tasks import steering_proposals_close_due

    member_in_force(OrganisationFactory())
    vote_all(open_proposal, seats, ["yes"] * 5)
    with time_machine.travel(open_proposal.deadline + datetime.timedelta(minutes=1)):
        assert steering_proposals_close_due.delay().get() == 1
    open_proposal.refresh_from_db()
    assert open_proposal.passed and open_proposal.version.is_published
    assert ChangeNotice.objects.filter(proposal=open_proposal).count() == 1
    assert Entry.objects.get(action="proposal.close", object_id=str(open_proposal.pk)).actor is None
