"""Issue 16 item 4: a membership's state where people look (organisation page and list)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import resolve, reverse
from django.utils import timezone

from contracts.models import Membership, Party, Signature
from contracts.selectors import NOT_SIGNED, organisations_in_state, role_statuses
from members.models import Organisation
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2027, 3, 15)


def _sign(membership, party, at, user):
    return Signature.objects.create(
        membership=membership,
        version=membership.version,
        party=party,
        user=user,
        full_name="Sanna Signeeraaja",
        title="Sivistysjohtaja",
        organisation_name="x",
        language="fi",
        signed_at=at,
        text_sha256="0" * 64,
    )


def _at(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC)


@pytest.fixture
def one_of_each(db):
    """An organisation for every state, keyed by it."""
    user = UserFactory()
    made = {}
    made[Membership.State.IN_FORCE] = MembershipFactory().organisation
    made[Membership.State.UNDER_NOTICE] = MembershipFactory(ends_on=TODAY + datetime.timedelta(days=90)).organisation
    ended = MembershipFactory(ends_on=TODAY - datetime.timedelta(days=1))
    made[Membership.State.ENDED] = ended.organisation
    awaiting_member = MembershipFactory(in_force_from=None)
    made[Membership.State.AWAITING_MEMBER] = awaiting_member.organisation
    awaiting_operator = MembershipFactory(in_force_from=None)
    _sign(awaiting_operator, Party.MEMBER, _at(TODAY - datetime.timedelta(days=300)), user)
    made[Membership.State.AWAITING_OPERATOR] = awaiting_operator.organisation
    made[NOT_SIGNED] = OrganisationFactory()
    # An ended membership followed by a new one: only the new one counts.
    renewed = MembershipFactory(
        ends_on=datetime.date(2024, 1, 1),
        ended_at=_at(datetime.date(2024, 1, 1)),
        created_at=_at(datetime.date(2019, 1, 1)),
    )
    MembershipFactory(organisation=renewed.organisation, created_at=_at(datetime.date(2025, 1, 1)))
    made["renewed"] = renewed.organisation
    return made


@pytest.mark.parametrize("state", [*Membership.State.values, NOT_SIGNED], ids=[*Membership.State.values, NOT_SIGNED])
def test_the_state_filter_finds_exactly_the_organisations_in_that_state(one_of_each, state):
    with time_machine.travel(_at(TODAY), tick=False):
        found = set(organisations_in_state(Organisation.objects.all(), state=state))
        statuses = role_statuses(Organisation.objects.all())
    expected = {one_of_each[state]}
    if state == Membership.State.IN_FORCE:
        expected.add(one_of_each["renewed"])
    assert found == expected
    # The filter in SQL and the state shown in Python agree.
    assert {pk for pk, items in statuses.items() if any(s.state == state for s in items)} == {o.pk for o in expected}


def test_role_statuses_show_the_newest_membership_per_role_and_unsigned_roles(one_of_each):
    with time_machine.travel(_at(TODAY), tick=False):
        statuses = role_statuses([one_of_each["renewed"], one_of_each[NOT_SIGNED]])
    (renewed,) = statuses[one_of_each["renewed"].pk]
    assert renewed.state == Membership.State.IN_FORCE
    (unsigned,) = statuses[one_of_each[NOT_SIGNED].pk]
    assert (unsigned.state, unsigned.membership, unsigned.label) == (NOT_SIGNED, None, "not signed")


def test_a_countersignature_waiting_over_30_days_is_overdue_and_under_30_is_not(db):
    user = UserFactory()
    long_ago = MembershipFactory(in_force_from=None)
    _sign(long_ago, Party.MEMBER, _at(TODAY - datetime.timedelta(days=31)), user)
    recent = MembershipFactory(in_force_from=None)
    _sign(recent, Party.MEMBER, _at(TODAY - datetime.timedelta(days=29)), user)
    with time_machine.travel(_at(TODAY), tick=False):
        statuses = role_statuses([long_ago.organisation, recent.organisation])
    assert statuses[long_ago.organisation_id][0].overdue
    assert not statuses[recent.organisation_id][0].overdue
    assert statuses[recent.organisation_id][0].waiting_since == _at(TODAY - datetime.timedelta(days=29))


def test_a_service_provider_and_home_organisation_has_a_status_per_role(db):
    organisation = OrganisationFactory(is_service_provider=True)
    MembershipFactory(organisation=organisation, role="service_provider")
    (home, provider) = role_statuses([organisation])[organisation.pk]
    assert (home.role, home.state) == ("home_organisation", NOT_SIGNED)
    assert (provider.role, provider.state) == ("service_provider", Membership.State.IN_FORCE)


# --- The organisation page -------------------------------------------------------------------


def test_organisation_page_shows_state_end_date_and_a_long_wait(org_a, admin_a, as_user):
    home = MembershipFactory(organisation=org_a, in_force_from=None)
    _sign(home, Party.MEMBER, timezone.now() - datetime.timedelta(days=305), admin_a)
    org_a.is_service_provider = True
    org_a.save()
    MembershipFactory(organisation=org_a, role="service_provider", ends_on=datetime.date(2099, 6, 1))
    content = as_user(admin_a).get(reverse("members:organisation-detail", args=[org_a.pk])).content.decode()
    # A long wait replaces the state's words with how long it has waited, marked as a problem.
    assert '<span class="status status-bad">waiting for the operator\'s countersignature for 10' in content
    assert "in force, notice given" in content
    assert "ends on 1 Jun 2099" in content
    assert reverse("contracts:membership-detail", args=[home.pk]) in content


def test_a_recent_signature_is_not_shown_as_a_long_wait(org_a, admin_a, as_user):
    home = MembershipFactory(organisation=org_a, in_force_from=None)
    _sign(home, Party.MEMBER, timezone.now() - datetime.timedelta(days=3), admin_a)
    content = as_user(admin_a).get(reverse("members:organisation-detail", args=[org_a.pk])).content.decode()
    assert "awaiting the operator&#x27;s countersignature" in content
    assert "waiting for the operator" not in content


def test_member_cannot_see_another_organisations_page_or_its_state(org_b, admin_a, as_user):
    MembershipFactory(organisation=org_b)
    assert as_user(admin_a).get(reverse("members:organisation-detail", args=[org_b.pk])).status_code == 404


# --- The organisation list -------------------------------------------------------------------


def test_the_list_address_is_answered_by_the_list_with_membership_states():
    from portal import views

    assert reverse("members:organisation-list") == reverse("portal:organisation-list")
    assert resolve(reverse("members:organisation-list")).func is views.organisation_list


def test_staff_list_shows_each_state_and_filters_by_it(one_of_each, operator, as_user):
    with time_machine.travel(_at(TODAY), tick=False):
        client = as_user(operator)
        response = client.get(reverse("members:organisation-list"))
        content = response.content.decode()
        assert '<select name="membership"' in content
        for label in ("in force", "in force, notice given", "ended", "not signed", "awaiting the member"):
            assert label in content
        assert "waiting for the operator's countersignature for 9\xa0months" in content
        response = client.get(reverse("members:organisation-list"), {"membership": "awaiting_operator"})
    assert [o.pk for o in response.context["page"]] == [one_of_each[Membership.State.AWAITING_OPERATOR].pk]


def test_state_filter_combines_with_the_register_filters(one_of_each, operator, as_user):
    with time_machine.travel(_at(TODAY), tick=False):
        response = as_user(operator).get(
            reverse("members:organisation-list"), {"membership": "in_force", "q": one_of_each["renewed"].name_fi}
        )
    assert [o.pk for o in response.context["page"]] == [one_of_each["renewed"].pk]


def test_an_unknown_state_in_the_address_is_ignored(one_of_each, operator, as_user):
    response = as_user(operator).get(reverse("members:organisation-list"), {"membership": "bogus"})
    assert response.status_code == 200
    assert len(response.context["page"]) == Organisation.objects.count()


def test_member_sees_only_their_own_organisation_in_the_list(org_a, org_b, admin_a, as_user):
    MembershipFactory(organisation=org_b)
    response = as_user(admin_a).get(reverse("members:organisation-list"))
    assert [o.pk for o in response.context["page"]] == [org_a.pk]
    assert org_b.name_en.encode() not in response.content


def test_the_list_runs_a_fixed_number_of_queries(operator, as_user):
    from tests.querycount import assert_queries_pinned

    user = UserFactory()

    def grow():
        for index in range(12):
            membership = MembershipFactory(in_force_from=None if index % 2 else datetime.date(2020, 1, 1))
            _sign(membership, Party.MEMBER, timezone.now(), user)

    MembershipFactory()
    # The register's list (7, tests/members/test_views.py) and the memberships with their signatures.
    assert_queries_pinned(as_user(operator), reverse("members:organisation-list"), grow=grow, expected=9)
