"""Each login source's way to production at a glance (issue 14): the organisation page, the member's
and the operator's dashboards, with a fixed number of queries whatever the number of sources."""

from __future__ import annotations

import itertools

import pytest
from django.urls import reverse
from django.utils import timezone

from members import services
from members.models import LoginSource, Role, School
from tests.factories import MembershipFactory, OrganisationFactory, OrganisationRoleFactory
from tests.querycount import assert_queries_pinned

pytestmark = pytest.mark.django_db

_numbers = itertools.count(1)


def _sources(organisation, by, reviewer) -> list[LoginSource]:
    """A test source of each kind of progress: plain, promoted and waiting, approved, refused."""
    number = next(_numbers)
    made = []
    for index, kind in enumerate(("plain", "waiting", "approved", "refused")):
        # A school of its own: one school is listed under one production source only.
        school = School.objects.create(
            organisation=organisation, code=f"{10000 + 4 * number + index}", name=f"Koulu {number}-{index}",
            school_type="basic",
        )  # fmt: skip
        source = services.login_source_save(
            organisation=organisation, by=by, schools=[school],
            data={"kind": "saml", "name": f"IdP {number}-{kind}", "entity_id": f"https://{number}-{index}.fi/idp",
                  "metadata_url": f"https://{number}-{index}.fi/md"},
        )  # fmt: skip
        LoginSource.objects.filter(pk=source.pk).update(
            metadata_ok=True, metadata_checked_at=timezone.now(), display_name_fi="Kirjautuminen"
        )
        source.refresh_from_db()
        if kind != "plain":
            copy = services.login_source_promote(login_source=source, by=by)
            if kind == "approved":
                services.login_source_approve(login_source=copy, by=reviewer)
            elif kind == "refused":
                services.login_source_reject(login_source=copy, reason="Korjaa", by=reviewer)
        made.append(source)
    return made


@pytest.fixture
def in_force(org_a):
    return MembershipFactory(organisation=org_a, role="home_organisation")


def test_the_organisation_page_runs_a_fixed_number_of_queries(org_a, technical_a, operator, in_force, as_user):
    _sources(org_a, technical_a, operator)
    client = as_user(technical_a)
    url = reverse("members:organisation-detail", args=[org_a.pk])
    # 14: the page's own (tests/members/test_views.py pins it with services too); the sources with
    # their promoted copies and school counts are one query and the membership one more.
    assert_queries_pinned(
        client, url, grow=lambda: [_sources(org_a, technical_a, operator) for _ in range(4)], expected=14
    )


def test_the_member_dashboard_runs_a_fixed_number_of_queries(org_a, admin_a, operator, in_force, as_user):
    _sources(org_a, admin_a, operator)
    client = as_user(admin_a)
    url = reverse("portal:member-dashboard")

    def grow():
        for _ in range(3):
            _sources(org_a, admin_a, operator)
            other = OrganisationFactory()
            OrganisationRoleFactory(user=admin_a, organisation=other, role=Role.TECHNICAL)
            MembershipFactory(organisation=other, role="home_organisation")
            _sources(other, admin_a, operator)

    # 13: the dashboard's twelve (tests/portal/test_dashboards.py) and the memberships' signatures.
    assert_queries_pinned(client, url, grow=grow, expected=13)


def test_the_staff_dashboard_runs_a_fixed_number_of_queries(org_a, org_b, admin_a, admin_b, operator, as_user):
    MembershipFactory(organisation=org_a, role="home_organisation")
    MembershipFactory(organisation=org_b, role="home_organisation")
    _sources(org_a, admin_a, operator)
    client = as_user(operator)
    url = reverse("portal:staff-dashboard")
    assert_queries_pinned(
        client, url, grow=lambda: [_sources(org, by, operator) for org, by in ((org_a, admin_a), (org_b, admin_b))],
        # The sources on their way, their count and the memberships in force: three; the data flows'
        # and the charts' five (tests/members/test_data_flows.py).
        expected=21,
    )  # fmt: skip


def test_the_member_dashboard_shows_each_sources_stage_and_what_is_missing(org_a, admin_a, as_user):
    source = services.login_source_save(
        organisation=org_a, by=admin_a, schools=[], data={"kind": "wilma", "name": "Wilma", "hostnames": ["a.fi"]}
    )
    page = as_user(admin_a).get(reverse("portal:member-dashboard")).content.decode()
    detail = reverse("members:login-source-detail", args=[org_a.pk, source.pk])
    assert detail in page and "In testing" in page
    assert "3 items:" in page and "The schools it serves are chosen" in page


def test_people_other_than_admins_and_technical_contacts_do_not_see_it(org_a, admin_a, signatory_a, as_user):
    services.login_source_save(
        organisation=org_a, by=admin_a, schools=[], data={"kind": "wilma", "name": "Wilma", "hostnames": ["a.fi"]}
    )
    page = as_user(signatory_a).get(reverse("portal:member-dashboard")).content.decode()
    assert "Missing before production" not in page
    page = as_user(signatory_a).get(reverse("members:organisation-detail", args=[org_a.pk])).content.decode()
    assert "Missing before production" not in page and "In testing" in page


def test_the_staff_dashboard_lists_the_sources_on_their_way(org_a, admin_a, operator, in_force, as_user):
    plain, waiting, _approved, refused = _sources(org_a, admin_a, operator)
    response = as_user(operator).get(reverse("portal:staff-dashboard"))
    listed = {source.pk for source in response.context["login_sources_on_the_way"]}
    copy = LoginSource.objects.get(promoted_from=waiting)
    assert listed == {plain.pk, waiting.pk, copy.pk, refused.pk}
    assert response.context["login_source_promotion_count"] == 1
    assert "staff refused the promotion to production: Korjaa" in response.content.decode()
