"""A party gives notice once and may withdraw it before its end date (issue 15, item 9)."""

from __future__ import annotations

import datetime
import threading

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from audit.models import Entry
from contracts import services
from contracts.models import Membership, Termination, TermStart
from members.models import Role
from tests.contracts.conftest import TODAY
from tests.factories import MembershipFactory, OrganisationFactory, OrganisationRoleFactory

pytestmark = pytest.mark.django_db


def _notice(membership, user):
    return services.termination_create(membership=membership, kind="notice", given_by="member", by=user)


@time_machine.travel(TODAY, tick=False)
def test_a_second_notice_by_the_same_party_is_refused(org_a, signatory_a):
    membership = MembershipFactory(organisation=org_a)
    _notice(membership, signatory_a)
    with pytest.raises(ValidationError, match="Notice has already been given; the membership ends on"):
        _notice(membership, signatory_a)
    assert Termination.objects.count() == 1


@time_machine.travel(TODAY, tick=False)
def test_the_other_party_may_still_give_notice(org_a, signatory_a, operator):
    TermStart.objects.create(starts_on=datetime.date(2027, 8, 15), term="autumn")
    membership = MembershipFactory(organisation=org_a)
    _notice(membership, signatory_a)
    services.termination_create(membership=membership, kind="notice", given_by="operator", by=operator)
    assert Termination.objects.count() == 2
    membership.refresh_from_db()
    assert membership.ends_on == datetime.date(2027, 4, 15)


@time_machine.travel(TODAY, tick=False)
def test_the_page_offers_withdrawal_instead_of_a_second_notice(org_a, signatory_a, as_user):
    membership = MembershipFactory(organisation=org_a)
    url = reverse("contracts:membership-detail", args=[membership.pk])
    assert (
        reverse("contracts:membership-notice", args=[membership.pk]) in as_user(signatory_a).get(url).content.decode()
    )
    termination = _notice(membership, signatory_a)
    page = as_user(signatory_a).get(url).content.decode()
    assert reverse("contracts:membership-notice", args=[membership.pk]) not in page
    assert reverse("contracts:notice-withdraw", args=[termination.pk]) in page
    response = as_user(signatory_a).post(
        reverse("contracts:membership-notice", args=[membership.pk]), {"confirm": "on"}, follow=True
    )
    assert "Notice has already been given" in response.content.decode()
    assert Termination.objects.count() == 1


@time_machine.travel(TODAY, tick=False)
def test_member_withdraws_its_notice_and_the_membership_continues(
    org_a, signatory_a, as_user, django_capture_on_commit_callbacks
):
    membership = MembershipFactory(organisation=org_a)
    termination = _notice(membership, signatory_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(signatory_a).post(reverse("contracts:notice-withdraw", args=[termination.pk]), follow=True)
    assert "Notice withdrawn. The membership continues." in response.content.decode()
    membership.refresh_from_db()
    termination.refresh_from_db()
    assert membership.ends_on is None and membership.state == Membership.State.IN_FORCE
    assert termination.withdrawn_at is not None and termination.withdrawn_by == signatory_a
    entry = Entry.objects.filter(action="membership.notice_withdraw").get()
    assert entry.actor_id == signatory_a.pk
    assert Entry.objects.filter(action="membership.end_date", object_id=str(membership.pk)).count() == 2
    withdrawn = [message for message in mail.outbox if "Notice withdrawn" in message.subject]
    assert signatory_a.email in withdrawn[0].to and "The membership continues." in withdrawn[0].body
    # Withdrawn, it may be given again.
    _notice(membership, signatory_a)


@time_machine.travel(TODAY, tick=False)
def test_withdrawal_keeps_the_end_date_of_a_notice_still_standing(org_a, signatory_a, operator):
    TermStart.objects.create(starts_on=datetime.date(2027, 8, 15), term="autumn")
    membership = MembershipFactory(organisation=org_a)
    own = _notice(membership, signatory_a)
    services.termination_create(membership=membership, kind="notice", given_by="operator", by=operator)
    membership = services.notice_withdraw(termination=own, by=signatory_a)
    assert membership.ends_on == datetime.date(2027, 9, 15)


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize("persona", ["admin_a", "signatory_b", "operator"])
def test_only_the_party_that_gave_notice_may_withdraw_it(persona, org_a, signatory_a, request, as_user):
    membership = MembershipFactory(organisation=org_a)
    termination = _notice(membership, signatory_a)
    user = request.getfixturevalue(persona)
    response = as_user(user).post(reverse("contracts:notice-withdraw", args=[termination.pk]))
    # Another organisation's people do not see it (404); the rest may not act for the member (403).
    assert response.status_code == (404 if persona == "signatory_b" else 403)
    termination.refresh_from_db()
    assert termination.withdrawn_at is None


def test_a_notice_cannot_be_withdrawn_once_its_period_has_ended(org_a, signatory_a):
    with time_machine.travel(TODAY, tick=False):
        membership = MembershipFactory(organisation=org_a)
        termination = _notice(membership, signatory_a)
    with (
        time_machine.travel(TODAY + datetime.timedelta(days=31), tick=False),
        pytest.raises(ValidationError, match="can no longer be withdrawn"),
    ):
        services.notice_withdraw(termination=termination, by=signatory_a)


@time_machine.travel(TODAY, tick=False)
def test_a_withdrawn_notice_cannot_be_withdrawn_again(org_a, signatory_a):
    membership = MembershipFactory(organisation=org_a)
    termination = _notice(membership, signatory_a)
    services.notice_withdraw(termination=termination, by=signatory_a)
    with pytest.raises(ValidationError, match="already been withdrawn"):
        services.notice_withdraw(termination=termination, by=signatory_a)


@pytest.mark.django_db(transaction=True)
def test_two_notices_sent_at_once_make_one():
    assert connection.vendor == "postgresql"
    with time_machine.travel(TODAY, tick=False):
        organisation = OrganisationFactory()
        membership = MembershipFactory(organisation=organisation)
    signatories = [
        OrganisationRoleFactory(organisation=organisation, role=Role.SIGNATORY, user__email=f"n{n}@example.org").user
        for n in range(3)
    ]
    url = reverse("contracts:membership-notice", args=[membership.pk])
    barrier = threading.Barrier(len(signatories))
    statuses: list[int] = []

    def give(user):
        try:
            client = Client()
            client.force_login(user)
            barrier.wait(timeout=10)
            statuses.append(client.post(url, {"confirm": "on"}).status_code)
        finally:
            connections.close_all()

    with time_machine.travel(TODAY, tick=False):
        threads = [threading.Thread(target=give, args=(user,)) for user in signatories]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    assert Termination.objects.count() == 1
    assert statuses == [302, 302, 302]
