"""Issue 16 item 4: the member dashboard lists everything that waits for the member, each a link."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from members.models import LoginSource, Role, ServiceVersion
from steering.models import ChangeNotice, Proposal, Reaction
from tests.factories import (
    AgreementVersionFactory,
    MembershipFactory,
    OrganisationFactory,
    OrganisationRoleFactory,
    SteeringGroupFactory,
)
from tests.members.conftest import make_saml_service  # noqa: F401 (a fixture)

pytestmark = pytest.mark.django_db


def _tasks(client) -> list:
    return client.get(reverse("portal:member-dashboard")).context["needs_you"]


def _change_notice(organisation, operator, *, notified_days_ago: int, reaction=Reaction.PENDING) -> ChangeNotice:
    proposal = Proposal.objects.create(
        group=SteeringGroupFactory(),
        version=AgreementVersionFactory(),
        title_fi="Pidempi irtisanomisaika",
        title_sv="Längre uppsägningstid",
        title_en="Longer notice period",
        rationale_fi="x",
        rationale_sv="x",
        effective_date=timezone.localdate() + datetime.timedelta(days=60),
        created_by=operator,
        status="closed",
        closed_at=timezone.now() - datetime.timedelta(days=notified_days_ago),
        passed=True,
    )
    return ChangeNotice.objects.create(
        proposal=proposal,
        organisation=organisation,
        notified_at=timezone.now() - datetime.timedelta(days=notified_days_ago),
        reaction=reaction,
    )


def _expiring(service, days: int) -> None:
    ServiceVersion.objects.filter(pk=service.live_version_id).update(
        signing_certificate_expires_at=timezone.now() + datetime.timedelta(days=days)
    )


def test_nothing_waiting_says_so(org_a, admin_a, as_user):
    MembershipFactory(organisation=org_a)
    response = as_user(admin_a).get(reverse("portal:member-dashboard"))
    assert response.context["needs_you"] == []
    assert "Nothing waits for you now." in response.content.decode()


def test_an_unsigned_role_links_the_signatory_to_the_signing_page(org_a, signatory_a, admin_a, as_user):
    (task,) = _tasks(as_user(signatory_a))
    assert task.url == reverse("contracts:membership-sign", args=[org_a.pk, "home_organisation"])
    assert task.text == "Municipality A, home organisation: the membership agreement is not signed yet"
    # Someone who may not sign is sent to the organisation page instead of a page they cannot use.
    (task,) = _tasks(as_user(admin_a))
    assert task.url == reverse("members:organisation-detail", args=[org_a.pk])


def test_a_membership_awaiting_the_members_signature_is_listed(org_a, signatory_a, as_user):
    MembershipFactory(organisation=org_a, in_force_from=None)
    (task,) = _tasks(as_user(signatory_a))
    assert "waits for your organisation's signature" in task.text
    assert task.url == reverse("contracts:membership-sign", args=[org_a.pk, "home_organisation"])


def test_login_sources_with_a_metadata_problem_or_expiring_certificate(org_a, admin_a, as_user):
    MembershipFactory(organisation=org_a)
    LoginSource.objects.create(
        organisation=org_a, kind="saml", name="Broken IdP", entity_id="https://a.example.fi/idp",
        metadata_url="https://a.example.fi/md", metadata_ok=False, metadata_error="the signature does not verify",
    )  # fmt: skip
    LoginSource.objects.create(
        organisation=org_a, kind="saml", name="Expiring IdP", entity_id="https://b.example.fi/idp",
        metadata_url="https://b.example.fi/md", metadata_ok=True,
        metadata_certificate_expires_at=timezone.now() + datetime.timedelta(days=5),
    )  # fmt: skip
    LoginSource.objects.create(
        organisation=org_a, kind="saml", name="Fine IdP", entity_id="https://c.example.fi/idp",
        metadata_url="https://c.example.fi/md", metadata_ok=True,
        metadata_certificate_expires_at=timezone.now() + datetime.timedelta(days=400),
    )  # fmt: skip
    texts = [task.text for task in _tasks(as_user(admin_a))]
    assert texts[0] == (
        "Login source Broken IdP (Municipality A): its metadata has a problem: the signature does not verify"
    )
    assert texts[1].startswith(
        "Login source Expiring IdP (Municipality A): its metadata's signing certificate expires on"
    )
    assert len(texts) == 2


def test_services_whose_certificates_expire_within_30_days(operator, make_saml_service, as_user):  # noqa: F811
    provider = OrganisationFactory(is_home_organisation=False, is_service_provider=True, kind="company")
    MembershipFactory(organisation=provider, role="service_provider")
    user = OrganisationRoleFactory(organisation=provider, role=Role.TECHNICAL).user
    soon, later, expired = make_saml_service(provider), make_saml_service(provider), make_saml_service(provider)
    _expiring(soon, 10)
    _expiring(later, 45)
    _expiring(expired, -2)
    tasks = _tasks(as_user(user))
    assert [task.url for task in tasks] == [
        reverse("members:service-detail", args=[soon.pk]),
        reverse("members:service-detail", args=[expired.pk]),
    ]
    assert tasks[0].text.endswith("in 10 days") or tasks[0].text.endswith("in 9 days")
    assert "has expired on" in tasks[1].text


def test_open_change_notices_show_the_days_left(org_a, admin_a, operator, as_user):
    MembershipFactory(organisation=org_a)
    notice = _change_notice(org_a, operator, notified_days_ago=10)
    _change_notice(org_a, operator, notified_days_ago=5, reaction=Reaction.ACCEPTED)
    _change_notice(org_a, operator, notified_days_ago=45)  # too late to decide
    (task,) = _tasks(as_user(admin_a))
    assert task.url == reverse("steering:member-change", args=[notice.pk])
    assert task.text.startswith("Agreement change Longer notice period (Municipality A): 20 days left to decide")


def test_a_member_sees_only_their_own_organisations_tasks(org_a, org_b, admin_a, operator, as_user):
    MembershipFactory(organisation=org_a)
    _change_notice(org_b, operator, notified_days_ago=1)
    LoginSource.objects.create(
        organisation=org_b, kind="saml", name="B IdP", entity_id="https://b.example.fi/idp",
        metadata_url="https://b.example.fi/md", metadata_ok=False,
    )  # fmt: skip
    assert _tasks(as_user(admin_a)) == []


def test_each_task_is_a_link_with_words_on_the_page(org_a, signatory_a, as_user):
    content = as_user(signatory_a).get(reverse("portal:member-dashboard")).content.decode()
    url = reverse("contracts:membership-sign", args=[org_a.pk, "home_organisation"])
    assert (
        f'<a href="{url}">Municipality A, home organisation: the membership agreement is not signed yet</a>' in content
    )


def test_the_dashboard_runs_a_fixed_number_of_queries_however_much_waits(org_a, admin_a, operator, as_user):
    from tests.querycount import assert_queries_pinned

    def grow():
        for index in range(5):
            _change_notice(org_a, operator, notified_days_ago=index)
            LoginSource.objects.create(
                organisation=org_a, kind="saml", name=f"IdP {index}", entity_id=f"https://{index}.example.fi/idp",
                metadata_url=f"https://{index}.example.fi/md", metadata_ok=False,
            )  # fmt: skip
            MembershipFactory(organisation=OrganisationRoleFactory(user=admin_a, role=Role.ADMIN).organisation)

    _change_notice(org_a, operator, notified_days_ago=1)
    MembershipFactory(organisation=org_a)
    # The dashboard's twelve (tests/portal/test_dashboards.py) and the memberships' signatures.
    assert_queries_pinned(as_user(admin_a), reverse("portal:member-dashboard"), grow=grow, expected=13)
