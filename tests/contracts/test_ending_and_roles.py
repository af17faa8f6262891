"""After the end: read access stays; an organisation in both roles; emails in each person's language."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from contracts import services
from contracts.models import Membership
from contracts.selectors import organisation_ids_in_force
from contracts.tasks import memberships_end
from members.models import Role
from tests.contracts.conftest import TODAY
from tests.factories import MembershipFactory, OrganisationFactory, OrganisationRoleFactory, TermStartFactory

pytestmark = pytest.mark.django_db


def test_users_keep_read_access_after_the_end(signed_membership, signatory_a, admin_a, as_user):
    with time_machine.travel(
        datetime.datetime.combine(signed_membership.in_force_from, datetime.time(12), datetime.UTC)
    ):
        services.termination_create(membership=signed_membership, kind="notice", given_by="member", by=signatory_a)
    later = datetime.datetime.combine(
        signed_membership.in_force_from, datetime.time(12), datetime.UTC
    ) + datetime.timedelta(days=40)
    with time_machine.travel(later, tick=False):
        memberships_end()
        signed_membership.refresh_from_db()
        assert signed_membership.state == Membership.State.ENDED
        client = as_user(admin_a)
        assert client.get(reverse("contracts:membership-detail", args=[signed_membership.pk])).status_code == 200
        assert client.get(reverse("contracts:membership-pdf", args=[signed_membership.pk])).status_code == 200
        # Nothing further can be done with an ended membership.
        with pytest.raises(ValidationError):
            services.termination_create(membership=signed_membership, kind="notice", given_by="member", by=signatory_a)


@time_machine.travel(TODAY, tick=False)
def test_operator_notice_to_an_organisation_in_both_roles_ends_each_by_its_own_rule(operator):
    TermStartFactory(starts_on=datetime.date(2027, 8, 11))
    organisation = OrganisationFactory(is_home_organisation=True, is_service_provider=True)
    home = MembershipFactory(organisation=organisation, role="home_organisation")
    provider = MembershipFactory(organisation=organisation, role="service_provider", version=home.version)
    for membership in (home, provider):
        services.termination_create(membership=membership, kind="notice", given_by="operator", by=operator)
    home.refresh_from_db()
    provider.refresh_from_db()
    assert provider.ends_on == datetime.date(2027, 6, 15)
    assert home.ends_on == datetime.date(2027, 9, 15)
    on = datetime.date(2027, 7, 1)
    assert organisation.pk in organisation_ids_in_force(role="home_organisation", on=on)
    assert organisation.pk not in organisation_ids_in_force(role="service_provider", on=on)


@time_machine.travel(TODAY, tick=False)
def test_notice_email_reaches_each_person_in_their_language(org_a, signatory_a, django_capture_on_commit_callbacks):
    swede = OrganisationRoleFactory(
        organisation=org_a, role=Role.ADMIN, user__email="admin-sv@example.org", user__language="sv"
    ).user
    membership = MembershipFactory(organisation=org_a)
    with django_capture_on_commit_callbacks(execute=True):
        services.termination_create(membership=membership, kind="notice", given_by="member", by=signatory_a)
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert "Medlemskapet upphör 15 april 2027" in by_recipient[swede.email].subject
    assert "Membership ends on 15 April 2027" in by_recipient[signatory_a.email].subject
    assert "15 april 2027" in by_recipient[swede.email].body


@time_machine.travel(TODAY, tick=False)
def test_breach_notice_needs_a_membership_in_force(org_a, operator, version):
    membership = Membership.objects.create(organisation=org_a, role="home_organisation", version=version)
    with pytest.raises(ValidationError):
        services.breach_notice_create(
            membership=membership,
            notified_by="operator",
            by=operator,
            description="x",
            remedy_by=datetime.date(2027, 6, 1),
        )


@time_machine.travel(TODAY, tick=False)
def test_change_termination_cannot_be_given_by_the_operator_or_without_a_date(org_a, signatory_a, operator):
    membership = MembershipFactory(organisation=org_a)
    with pytest.raises(ValidationError):
        services.termination_create(
            membership=membership, kind="change", given_by="operator", by=operator, ends_on=datetime.date(2027, 6, 1)
        )
    with pytest.raises(ValidationError):
        services.termination_create(membership=membership, kind="change", given_by="member", by=signatory_a)
    with pytest.raises(ValidationError):
        services.termination_create(
            membership=membership, kind="notice", given_by="member", by=signatory_a, ends_on=datetime.date(2027, 6, 1)
        )
    membership.refresh_from_db()
    assert membership.ends_on is None
