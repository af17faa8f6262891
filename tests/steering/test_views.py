"""Steering-group pages: who may open each, and what they do (issue 5)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from members.models import Role
from steering import services as services
from steering.models import ChangeNotice, EligibleSeat, Proposal, Seat, Vote
from tests.factories import OrganisationFactory, OrganisationRoleFactory, SeatFactory, UserFactory
from tests.querycount import assert_queries_pinned

pytestmark = pytest.mark.django_db

STAFF_PAGES = ["steering:staff-home"]


@pytest.fixture
def closed_passed(open_proposal, seats, operator, member_in_force):
    organisation = OrganisationFactory()
    member_in_force(organisation)
    for seat in seats:
        services.vote_cast(proposal=open_proposal, by=seat.holder, choice="yes")
    with time_machine.travel(open_proposal.deadline):
        services.proposal_close(proposal=open_proposal, by=operator)
    open_proposal.refresh_from_db()
    return open_proposal, organisation


# --- Staff pages ---------------------------------------------------------------------------


@pytest.mark.parametrize(("persona", "status"), [("operator", 200), ("admin_a", 403), ("seat_holder", 403)])
def test_staff_pages_are_for_operator_staff(persona, status, request, as_user, proposal, group):
    client = as_user(request.getfixturevalue(persona))
    for url in (
        reverse("steering:staff-home"),
        reverse("steering:group-edit", args=[group.pk]),
        reverse("steering:seat-create", args=[group.pk]),
        reverse("steering:proposal-create", args=[group.pk]),
        reverse("steering:staff-proposal", args=[proposal.pk]),
        reverse("steering:seat-edit", args=[Seat.objects.first().pk]),
    ):
        assert client.get(url).status_code == status, url


def test_staff_without_mfa_are_sent_to_set_it_up(operator_without_mfa, as_user):
    response = as_user(operator_without_mfa).get(reverse("steering:staff-home"))
    assert response.status_code == 302 and response.url == reverse("mfa_activate_totp")


def test_anonymous_is_sent_to_login(client, proposal):
    for url in (reverse("steering:staff-home"), reverse("steering:proposal", args=[proposal.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response.url


def test_staff_add_a_seat_through_the_form(operator, as_user, group):
    holder, organisation = UserFactory(), OrganisationFactory()
    response = as_user(operator).post(
        reverse("steering:seat-create", args=[group.pk]),
        {"holder": holder.pk, "organisation": organisation.pk, "term_start": "2026-01-01", "term_end": ""},
    )
    assert response.status_code == 302
    assert Seat.objects.filter(group=group, holder=holder).exists()


def test_seat_form_names_the_bad_field(operator, as_user, group):
    response = as_user(operator).post(
        reverse("steering:seat-create", args=[group.pk]),
        {
            "holder": UserFactory().pk,
            "organisation": OrganisationFactory().pk,
            "term_start": "2026-01-01",
            "term_end": "2025-01-01",
        },
    )
    assert response.status_code == 200
    assert "term_end" in response.context["form"].errors
    assert not Seat.objects.exists()


def test_staff_make_and_open_a_proposal(operator, as_user, group, seats, draft_version):
    client = as_user(operator)
    effective = timezone.localdate() + datetime.timedelta(days=60)
    response = client.post(
        reverse("steering:proposal-create", args=[group.pk]),
        {
            "version": draft_version.pk,
            "title_fi": "Muutos",
            "title_sv": "Ändring",
            "rationale_fi": "Syy",
            "rationale_sv": "Orsak",
            "effective_date": effective.isoformat(),
        },
    )
    proposal = Proposal.objects.get()
    assert response.url == reverse("steering:staff-proposal", args=[proposal.pk])
    deadline = timezone.localtime() + datetime.timedelta(days=7)
    response = client.post(
        reverse("steering:proposal-open", args=[proposal.pk]), {"deadline": deadline.strftime("%Y-%m-%dT%H:%M")}
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == "open"


def test_open_form_refuses_a_deadline_too_close_to_the_effective_date(operator, as_user, proposal):
    deadline = timezone.localtime() + datetime.timedelta(days=45)
    response = as_user(operator).post(
        reverse("steering:proposal-open", args=[proposal.pk]), {"deadline": deadline.strftime("%Y-%m-%dT%H:%M")}
    )
    assert response.status_code == 400
    assert "deadline" in response.context["open_form"].errors


def test_staff_see_who_accepted_left_and_has_not_reacted(
    operator, as_user, closed_passed, signatory_of, member_in_force
):
    proposal, organisation = closed_passed
    response = as_user(operator).get(reverse("steering:staff-proposal", args=[proposal.pk]))
    assert response.context["pending"] == 1
    notice = ChangeNotice.objects.get(organisation=organisation)
    services.change_terminate(notice=notice, by=signatory_of(organisation))
    response = as_user(operator).get(reverse("steering:staff-proposal", args=[proposal.pk]))
    assert (response.context["terminated"], response.context["pending"]) == (1, 0)
    assert str(organisation) in response.content.decode()


def test_staff_home_runs_a_fixed_number_of_queries(operator, as_user, group, seats, proposal):
    def grow():
        for _ in range(6):
            SeatFactory(group=group)

    assert_queries_pinned(as_user(operator), reverse("steering:staff-home"), grow=grow, expected=8)


def test_reactions_list_runs_a_fixed_number_of_queries(operator, as_user, closed_passed):
    proposal, _ = closed_passed

    def grow():
        for _ in range(6):
            ChangeNotice.objects.create(
                proposal=proposal, organisation=OrganisationFactory(), notified_at=timezone.now()
            )

    url = reverse("steering:staff-proposal", args=[proposal.pk])
    assert_queries_pinned(as_user(operator), url, grow=grow, expected=11)


# --- Seat holders --------------------------------------------------------------------------


def test_voter_sees_the_redline_in_finnish_and_swedish(open_proposal, seats, as_user):
    response = as_user(seats[0].holder).get(reverse("steering:proposal", args=[open_proposal.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert [item["language"] for item in response.context["redlines"]] == ["fi", "sv"]
    # One word inserted in the Finnish paragraph; the Swedish one has words deleted and inserted.
    assert '<span class="redline-label" lang="en">inserted: </span>kahden </ins>' in content
    assert '<span class="redline-label" lang="en">deleted: </span>en månads</del>' in content
    assert '<span class="redline-label" lang="en">inserted: </span>två månaders</ins>' in content


def test_voter_votes_through_the_page_and_the_count_stays_secret(open_proposal, seats, as_user):
    client = as_user(seats[0].holder)
    url = reverse("steering:vote", args=[open_proposal.pk])
    assert client.post(url, {"choice": "yes"}).status_code == 302
    response = client.post(url, {"choice": "abstain"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert Vote.objects.get().choice == "abstain"
    page = client.get(reverse("steering:proposal", args=[open_proposal.pk]))
    assert page.context["show_tally"] is False and page.context["tally"] is None


def test_count_is_shown_while_open_when_the_group_says_so(open_proposal, seats, as_user, group):
    group.tally_secret_until_close = False
    group.save()
    services.vote_cast(proposal=open_proposal, by=seats[1].holder, choice="no")
    page = as_user(seats[0].holder).get(reverse("steering:proposal", args=[open_proposal.pk]))
    assert page.context["tally"]["no"] == 1


def test_vote_after_the_deadline_is_refused_with_a_message(open_proposal, seats, as_user):
    with time_machine.travel(open_proposal.deadline):
        response = as_user(seats[0].holder).post(reverse("steering:vote", args=[open_proposal.pk]), {"choice": "yes"})
    assert response.status_code == 400
    assert "The voting deadline has passed." in response.content.decode()
    assert not Vote.objects.exists()


def test_seat_holder_of_another_group_gets_404(open_proposal, as_user):
    other = SeatFactory().holder
    assert as_user(other).get(reverse("steering:proposal", args=[open_proposal.pk])).status_code == 404
    assert as_user(other).post(reverse("steering:vote", args=[open_proposal.pk]), {"choice": "yes"}).status_code == 404
    assert not Vote.objects.exists()


def test_draft_proposal_is_hidden_from_seat_holders(proposal, seats, as_user):
    assert as_user(seats[0].holder).get(reverse("steering:proposal", args=[proposal.pk])).status_code == 404


def test_seat_given_after_opening_may_read_but_not_vote(open_proposal, make_seats, as_user):
    late = make_seats(1)[0].holder
    client = as_user(late)
    assert client.get(reverse("steering:proposal", args=[open_proposal.pk])).status_code == 200
    assert client.post(reverse("steering:vote", args=[open_proposal.pk]), {"choice": "yes"}).status_code == 403
    assert not Vote.objects.exists()


def test_member_user_cannot_vote(open_proposal, admin_a, as_user):
    assert (
        as_user(admin_a).post(reverse("steering:vote", args=[open_proposal.pk]), {"choice": "yes"}).status_code == 403
    )


def test_minutes_are_for_staff_and_the_groups_seat_holders(closed_passed, seats, operator, admin_a, as_user):
    proposal, _ = closed_passed
    url = reverse("steering:minutes", args=[proposal.pk])
    for user in (operator, seats[0].holder):
        response = as_user(user).get(url)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
    assert as_user(admin_a).get(url).status_code == 403
    assert as_user(SeatFactory().holder).get(url).status_code == 404


def test_steering_dashboard_lists_proposals(open_proposal, seats, as_user):
    response = as_user(seats[0].holder).get(reverse("portal:steering-dashboard"))
    assert open_proposal.title in response.content.decode()


# --- Members -------------------------------------------------------------------------------


def test_member_signatory_terminates_through_the_page(closed_passed, signatory_of, as_user):
    _, organisation = closed_passed
    notice = ChangeNotice.objects.get(organisation=organisation)
    client = as_user(signatory_of(organisation))
    assert client.get(reverse("steering:member-changes")).status_code == 200
    assert client.get(reverse("steering:member-change", args=[notice.pk])).status_code == 200
    response = client.post(reverse("steering:member-change-terminate", args=[notice.pk]), {"confirm": "on"})
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.reaction == "terminated"


def test_member_terminating_too_late_sees_why(closed_passed, signatory_of, as_user):
    _, organisation = closed_passed
    notice = ChangeNotice.objects.get(organisation=organisation)
    with time_machine.travel(notice.notified_at + datetime.timedelta(days=31)):
        response = as_user(signatory_of(organisation)).post(
            reverse("steering:member-change-terminate", args=[notice.pk]), {"confirm": "on"}
        )
    assert response.status_code == 400
    assert "ordinary notice" in response.content.decode()
    notice.refresh_from_db()
    assert notice.reaction == "pending"


def test_admin_who_is_not_a_signatory_is_told_who_can_terminate_instead_of_getting_a_form(
    closed_passed, signatory_of, as_user
):
    _, organisation = closed_passed
    admin = OrganisationRoleFactory(organisation=organisation, role=Role.ADMIN).user
    notice = ChangeNotice.objects.get(organisation=organisation)
    url = reverse("steering:member-change", args=[notice.pk])
    page = as_user(admin).get(url).content.decode()
    assert "signatories can terminate" in page
    assert reverse("steering:member-change-terminate", args=[notice.pk]) not in page
    assert (
        reverse("steering:member-change-terminate", args=[notice.pk])
        in as_user(signatory_of(organisation)).get(url).content.decode()
    )


def test_admin_accepts_through_the_page(closed_passed, as_user):
    _, organisation = closed_passed
    admin = OrganisationRoleFactory(organisation=organisation, role=Role.ADMIN).user
    notice = ChangeNotice.objects.get(organisation=organisation)
    assert as_user(admin).post(reverse("steering:member-change-accept", args=[notice.pk])).status_code == 302
    notice.refresh_from_db()
    assert notice.reaction == "accepted"


def test_another_organisations_user_gets_404(closed_passed, as_user, admin_a):
    _, organisation = closed_passed
    notice = ChangeNotice.objects.get(organisation=organisation)
    for name in ("steering:member-change", "steering:member-change-accept", "steering:member-change-terminate"):
        method = "get" if name == "steering:member-change" else "post"
        assert getattr(as_user(admin_a), method)(reverse(name, args=[notice.pk])).status_code == 404
    assert list(as_user(admin_a).get(reverse("steering:member-changes")).context["notices"]) == []
    notice.refresh_from_db()
    assert notice.reaction == "pending"


def test_technical_contact_cannot_answer(closed_passed, as_user):
    _, organisation = closed_passed
    technical = OrganisationRoleFactory(organisation=organisation, role=Role.TECHNICAL).user
    notice = ChangeNotice.objects.get(organisation=organisation)
    assert as_user(technical).post(reverse("steering:member-change-accept", args=[notice.pk])).status_code == 404


def test_member_changes_list_runs_a_fixed_number_of_queries(closed_passed, signatory_of, as_user, open_proposal):
    proposal, organisation = closed_passed
    user = signatory_of(organisation)

    def grow():
        for _ in range(5):
            other = OrganisationFactory()
            OrganisationRoleFactory(organisation=other, role=Role.ADMIN, user=user)
            ChangeNotice.objects.create(proposal=proposal, organisation=other, notified_at=timezone.now())

    assert_queries_pinned(as_user(user), reverse("steering:member-changes"), grow=grow, expected=5)


def test_closed_proposal_page_runs_a_fixed_number_of_queries(closed_passed, seats, as_user, group):
    proposal, _ = closed_passed

    def grow():
        for seat in SeatFactory.create_batch(6, group=group):
            EligibleSeat.objects.create(
                proposal=proposal, seat=seat, holder=seat.holder, holder_name="X", organisation_name="Y"
            )
            Vote.objects.create(proposal=proposal, seat=seat, choice="no", cast_by=seat.holder)

    url = reverse("steering:proposal", args=[proposal.pk])
    assert_queries_pinned(as_user(seats[0].holder), url, grow=grow, expected=13)


def test_frozen_seat_whose_term_ended_may_still_vote(open_proposal, seats, operator, as_user):
    seat = seats[0]
    services.seat_update(
        seat=seat,
        by=operator,
        organisation=seat.organisation,
        term_start=seat.term_start,
        term_end=timezone.localdate() - datetime.timedelta(days=1),
    )
    client = as_user(seat.holder)
    assert client.post(reverse("steering:vote", args=[open_proposal.pk]), {"choice": "yes"}).status_code == 302
    assert Vote.objects.get().seat == seat


def test_seat_holder_without_mfa_must_set_it_up_first(open_proposal, group, as_user):
    seat = SeatFactory(group=group, holder=UserFactory(mfa=False))
    response = as_user(seat.holder).get(reverse("steering:proposal", args=[open_proposal.pk]))
    assert response.status_code == 302 and response.url == reverse("mfa_activate_totp")


def test_staff_create_the_steering_group(operator, as_user):
    from audit.models import Entry
    from steering.models import SteeringGroup

    client = as_user(operator)
    assert b"New steering group" in client.get(reverse("steering:staff-home")).content
    response = client.post(reverse("steering:group-create"), {"name": "Ohjausryhmä"})
    assert response.status_code == 302
    assert SteeringGroup.objects.get().name == "Ohjausryhmä"
    assert Entry.objects.filter(action="steering_group.create").exists()


def test_member_cannot_create_a_steering_group(admin_a, as_user):
    from steering.models import SteeringGroup

    assert as_user(admin_a).post(reverse("steering:group-create"), {"name": "X"}).status_code == 403
    assert not SteeringGroup.objects.exists()


@pytest.mark.parametrize("htmx", [False, True])
def test_vote_on_a_closed_proposal_is_refused_with_a_message(open_proposal, seats, operator, as_user, htmx):
    with time_machine.travel(open_proposal.deadline):
        services.proposal_close(proposal=open_proposal, by=operator)
        headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
        response = as_user(seats[0].holder).post(
            reverse("steering:vote", args=[open_proposal.pk]), {"choice": "yes"}, **headers
        )
    assert response.status_code == 400
    assert "Voting on this proposal has closed." in response.content.decode()
    assert not Vote.objects.exists()
