"""Agreement pages: who may see and do what, and what each action records (issue 4)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils.formats import date_format

from audit.models import Entry
from contracts.models import BreachNotice, Membership, Signature, Termination, TermStart
from members.models import Role
from tests.contracts.conftest import TODAY, countersign, sign_as_member
from tests.factories import TEST_PASSWORD, MembershipFactory, OrganisationRoleFactory, TermStartFactory
from tests.querycount import assert_queries_pinned

pytestmark = pytest.mark.django_db


def sign_url(organisation, role="home_organisation"):
    return reverse("contracts:membership-sign", args=[organisation.pk, role])


def sign_data(version, **overrides):
    data = {
        "version": version.pk,
        "language": "fi",
        "full_name": "Sanna Signeeraaja",
        "title": "Sivistysjohtaja",
        "confirm": "on",
        "password": TEST_PASSWORD,
    }
    return {**data, **overrides}


# --- signing page ---


@pytest.mark.parametrize(
    ("persona", "status"), [("signatory_a", 200), ("admin_a", 403), ("signatory_b", 404), (None, 302)]
)
def test_sign_page_is_for_the_organisations_signatory(persona, status, org_a, version, request, as_user):
    user = request.getfixturevalue(persona) if persona else None
    assert as_user(user).get(sign_url(org_a)).status_code == status


def test_sign_page_shows_the_text_in_the_chosen_language(org_a, signatory_a, version, as_user):
    response = as_user(signatory_a).get(sign_url(org_a) + "?language=sv")
    assert "Avtalets parter" in response.content.decode()


def test_signatory_signs_after_reentering_the_password(org_a, signatory_a, version, as_user):
    response = as_user(signatory_a).post(sign_url(org_a), sign_data(version), REMOTE_ADDR="198.51.100.7")
    signature = Signature.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("contracts:membership-detail", args=[signature.membership_id])
    assert (signature.full_name, signature.title, signature.language) == ("Sanna Signeeraaja", "Sivistysjohtaja", "fi")
    assert signature.ip_address == "198.51.100.7"
    assert signature.organisation == org_a
    assert signature.user == signatory_a


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"password": "wrong"}, "password"),
        ({"confirm": ""}, "confirm"),
        ({"title": ""}, "title"),
        ({"language": "de"}, "language"),
    ],
)
def test_bad_signing_input_names_the_field_and_records_nothing(overrides, field, org_a, signatory_a, version, as_user):
    response = as_user(signatory_a).post(sign_url(org_a), sign_data(version, **overrides))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Signature.objects.exists()
    assert not Membership.objects.exists()


def test_signing_an_outdated_version_via_the_page_is_refused(org_a, signatory_a, version, as_user):
    from tests.factories import AgreementVersionFactory

    AgreementVersionFactory(effective_on=datetime.date(2021, 1, 1))
    response = as_user(signatory_a).post(sign_url(org_a), sign_data(version))
    assert response.status_code == 200
    assert "current agreement version" in str(response.context["form"].errors)
    assert not Signature.objects.exists()


def test_signing_twice_via_the_page_is_refused(org_a, signatory_a, version, as_user):
    client = as_user(signatory_a)
    client.post(sign_url(org_a), sign_data(version))
    response = client.post(sign_url(org_a), sign_data(version))
    assert "already been signed" in str(response.context["form"].errors)
    assert Signature.objects.count() == 1


# --- countersigning ---


def test_operator_countersigns_from_the_membership_page(org_a, signatory_a, operator, version, as_user):
    membership = sign_as_member(org_a, signatory_a, version).membership
    page = as_user(operator).get(reverse("contracts:membership-detail", args=[membership.pk]))
    assert b"Countersign the agreement" in page.content
    response = as_user(operator).post(
        reverse("contracts:membership-countersign", args=[membership.pk]),
        {"full_name": "Olli Operaattori", "title": "Palvelupäällikkö", "password": TEST_PASSWORD},
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.state == Membership.State.IN_FORCE


def test_countersigning_before_the_member_signed_shows_an_error(org_a, operator, version, as_user):
    membership = Membership.objects.create(organisation=org_a, role="home_organisation", version=version)
    response = as_user(operator).post(
        reverse("contracts:membership-countersign", args=[membership.pk]),
        {"full_name": "Olli Operaattori", "title": "Palvelupäällikkö", "password": TEST_PASSWORD},
        follow=True,
    )
    assert "has not signed yet" in response.content.decode()
    assert not Signature.objects.exists()


@pytest.mark.parametrize(("persona", "status"), [("signatory_a", 403), ("admin_a", 403), (None, 302)])
def test_only_staff_countersign(persona, status, org_a, signatory_a, version, request, as_user):
    membership = sign_as_member(org_a, signatory_a, version).membership
    user = request.getfixturevalue(persona) if persona else None
    response = as_user(user).post(
        reverse("contracts:membership-countersign", args=[membership.pk]),
        {"full_name": "X", "title": "Y", "password": TEST_PASSWORD},
    )
    assert response.status_code == status
    assert not Signature.objects.filter(party="operator").exists()


# --- membership page ---


@pytest.mark.parametrize(
    ("persona", "status"),
    [("operator", 200), ("signatory_a", 200), ("admin_a", 200), ("technical_a", 200), ("admin_b", 404), (None, 302)],
)
def test_membership_page_is_for_its_organisation_and_staff(persona, status, signed_membership, request, as_user):
    user = request.getfixturevalue(persona) if persona else None
    response = as_user(user).get(reverse("contracts:membership-detail", args=[signed_membership.pk]))
    assert response.status_code == status


@pytest.mark.parametrize(("persona", "status"), [("admin_a", 200), ("admin_b", 404), (None, 302)])
def test_pdf_is_for_its_organisation(persona, status, signed_membership, request, as_user):
    user = request.getfixturevalue(persona) if persona else None
    response = as_user(user).get(reverse("contracts:membership-pdf", args=[signed_membership.pk]))
    assert response.status_code == status


# --- notice ---


@time_machine.travel(TODAY, tick=False)
def test_signatory_gives_notice(org_a, signatory_a, as_user):
    membership = MembershipFactory(organisation=org_a)
    page = as_user(signatory_a).get(reverse("contracts:membership-detail", args=[membership.pk]))
    assert "ends on 15 Apr 2027" in page.content.decode()
    response = as_user(signatory_a).post(
        reverse("contracts:membership-notice", args=[membership.pk]), {"confirm": "on", "reason": "Palvelu ei käytössä"}
    )
    assert response.status_code == 302
    termination = Termination.objects.get()
    assert (termination.given_by, termination.ends_on) == ("member", datetime.date(2027, 4, 15))


@time_machine.travel(TODAY, tick=False)
def test_operator_gives_notice_to_a_service_provider(operator, as_user):
    from tests.factories import ServiceProviderOrganisationFactory

    membership = MembershipFactory(organisation=ServiceProviderOrganisationFactory(), role="service_provider")
    as_user(operator).post(reverse("contracts:membership-notice", args=[membership.pk]), {"confirm": "on"})
    assert Termination.objects.get().ends_on == datetime.date(2027, 6, 15)


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize("persona", ["admin_a", "technical_a", "signatory_b", "admin_b"])
def test_notice_by_the_wrong_person_is_403_and_nothing_recorded(persona, org_a, request, as_user):
    membership = MembershipFactory(organisation=org_a)
    user = request.getfixturevalue(persona)
    entries = Entry.objects.count()
    for data in ({"confirm": "on"}, {}):
        response = as_user(user).post(reverse("contracts:membership-notice", args=[membership.pk]), data)
        assert response.status_code == 403
    assert not Termination.objects.exists()
    assert Entry.objects.count() == entries


# --- breach ---


@time_machine.travel(TODAY, tick=False)
def test_breach_notice_under_30_days_is_refused(org_a, operator, as_user):
    membership = MembershipFactory(organisation=org_a)
    response = as_user(operator).post(
        reverse("contracts:breach-notice-create", args=[membership.pk]),
        {"description": "Tietosuojaseloste puuttuu", "remedy_by": "2027-04-13"},
        follow=True,
    )
    assert "at least 30 days" in response.content.decode()
    assert not BreachNotice.objects.exists()


@pytest.mark.parametrize("persona", ["admin_a", "signatory_b", "technical_a"])
def test_breach_actions_by_the_wrong_person_are_403(persona, org_a, request, as_user):
    with time_machine.travel(TODAY, tick=False):
        membership = MembershipFactory(organisation=org_a)
        user = request.getfixturevalue(persona)
        response = as_user(user).post(
            reverse("contracts:breach-notice-create", args=[membership.pk]),
            {"description": "x", "remedy_by": "2027-06-01"},
        )
        assert response.status_code == 403
        assert not BreachNotice.objects.exists()


def test_breach_procedure_from_notice_to_immediate_termination(org_a, signatory_a, operator, as_user):
    with time_machine.travel(TODAY, tick=False):
        membership = MembershipFactory(organisation=org_a)
        as_user(operator).post(
            reverse("contracts:breach-notice-create", args=[membership.pk]),
            {"description": "Palvelu luovuttaa tietoja ilman perustetta", "remedy_by": "2027-04-14"},
        )
        notice = BreachNotice.objects.get()
        assert notice.notified_by == "operator"
        # The member answers; the operator may not answer its own notice, the member may not decide the outcome.
        assert (
            as_user(operator).post(reverse("contracts:breach-respond", args=[notice.pk]), {"response": "x"}).status_code
            == 403
        )
        as_user(signatory_a).post(reverse("contracts:breach-respond", args=[notice.pk]), {"response": "Korjaamme."})
        assert (
            as_user(signatory_a)
            .post(reverse("contracts:breach-outcome", args=[notice.pk]), {"remedied": "yes"})
            .status_code
            == 403
        )
        # Too early to terminate.
        as_user(operator).post(reverse("contracts:breach-terminate", args=[notice.pk]))
        assert not Termination.objects.exists()
    with time_machine.travel(datetime.datetime(2027, 4, 20, 9, 0, tzinfo=datetime.UTC), tick=False):
        as_user(operator).post(reverse("contracts:breach-outcome", args=[notice.pk]), {"remedied": "no"})
        response = as_user(operator).post(reverse("contracts:breach-terminate", args=[notice.pk]))
        assert response.status_code == 302
        membership.refresh_from_db()
        assert membership.state == Membership.State.ENDED
        assert membership.ends_on == datetime.date(2027, 4, 20)
        assert Termination.objects.get().kind == "breach"
    notice.refresh_from_db()
    assert notice.response == "Korjaamme."
    assert notice.outcome == "not_remedied"


def test_remedied_breach_cannot_end_the_membership(org_a, signatory_a, operator, as_user):
    with time_machine.travel(TODAY, tick=False):
        membership = MembershipFactory(organisation=org_a)
        as_user(signatory_a).post(
            reverse("contracts:breach-notice-create", args=[membership.pk]),
            {"description": "Operaattorin palvelu ei ole saatavilla", "remedy_by": "2027-04-14"},
        )
        notice = BreachNotice.objects.get()
        assert notice.notified_by == "member"
        as_user(signatory_a).post(reverse("contracts:breach-outcome", args=[notice.pk]), {"remedied": "yes"})
    with time_machine.travel(datetime.datetime(2027, 5, 1, tzinfo=datetime.UTC), tick=False):
        as_user(signatory_a).post(reverse("contracts:breach-terminate", args=[notice.pk]))
    assert not Termination.objects.exists()


# --- staff pages ---

STAFF_PAGES = [
    "contracts:staff-membership-list",
    "contracts:staff-version-list",
    "contracts:staff-version-create",
    "contracts:staff-term-starts",
]


@pytest.mark.parametrize("page", STAFF_PAGES)
@pytest.mark.parametrize(
    ("persona", "status"), [("operator", 200), ("signatory_a", 403), ("operator_without_mfa", 302), (None, 302)]
)
def test_staff_pages_need_staff_with_mfa(page, persona, status, request, as_user, org_a):
    user = request.getfixturevalue(persona) if persona else None
    assert as_user(user).get(reverse(page)).status_code == status


def test_staff_create_edit_and_publish_a_version(operator, as_user):
    client = as_user(operator)
    data = {
        "number": 3,
        "label": "Jäsensopimus 2028",
        "effective_on": "2028-01-01",
        "text_fi": "Teksti",
        "text_sv": "Text",
    }
    response = client.post(reverse("contracts:staff-version-create"), data)
    from contracts.models import AgreementVersion

    version = AgreementVersion.objects.get(number=3)
    assert response.url == reverse("contracts:staff-version-edit", args=[version.pk])
    client.post(reverse("contracts:staff-version-edit", args=[version.pk]), {**data, "text_fi": "Parempi teksti"})
    client.post(reverse("contracts:staff-version-publish", args=[version.pk]))
    version.refresh_from_db()
    assert version.is_published and version.text_fi == "Parempi teksti"
    client.post(reverse("contracts:staff-version-edit", args=[version.pk]), {**data, "text_fi": "Salaa muutettu"})
    version.refresh_from_db()
    assert version.text_fi == "Parempi teksti"


def test_staff_version_form_names_missing_fields(operator, as_user):
    response = as_user(operator).post(reverse("contracts:staff-version-create"), {"number": 1, "label": "x"})
    assert {"text_fi", "text_sv", "effective_on"} <= set(response.context["form"].errors)


def test_staff_maintain_term_starts(operator, as_user):
    client = as_user(operator)
    client.post(reverse("contracts:staff-term-starts"), {"starts_on": "2027-08-11", "term": "autumn"})
    response = client.post(reverse("contracts:staff-term-starts"), {"starts_on": "2027-08-11", "term": "autumn"})
    assert "starts_on" in response.context["form"].errors
    term_start = TermStart.objects.get()
    client.post(reverse("contracts:staff-term-start-delete", args=[term_start.pk]))
    assert not TermStart.objects.exists()
    assert Entry.objects.filter(action__startswith="term_start.").count() == 2


def test_member_cannot_change_term_starts(signatory_a, as_user):
    term_start = TermStartFactory()
    assert (
        as_user(signatory_a).post(reverse("contracts:staff-term-start-delete", args=[term_start.pk])).status_code == 403
    )
    assert TermStart.objects.exists()


def test_staff_membership_list_runs_a_fixed_number_of_queries(operator, version, as_user):
    MembershipFactory(version=version)

    def grow():
        for _ in range(10):
            membership = MembershipFactory(version=version)
            OrganisationRoleFactory(organisation=membership.organisation, role=Role.SIGNATORY)

    assert_queries_pinned(as_user(operator), reverse("contracts:staff-membership-list"), grow=grow, expected=7)


def test_staff_membership_list_filters_by_state(operator, version, as_user):
    MembershipFactory(version=version)
    MembershipFactory(version=version, ends_on=datetime.date(2100, 1, 1))
    response = as_user(operator).get(reverse("contracts:staff-membership-list") + "?state=under_notice")
    assert len(response.context["memberships"]) == 1


# --- dashboards ---


def test_member_dashboard_shows_state_and_dates(signed_membership, admin_a, as_user):
    content = as_user(admin_a).get(reverse("portal:member-dashboard")).content.decode()
    assert "In force" in content or "in force" in content
    assert date_format(signed_membership.in_force_from, "SHORT_DATE_FORMAT") in content


def test_member_dashboard_offers_signing_to_the_signatory(org_a, signatory_a, version, as_user):
    content = as_user(signatory_a).get(reverse("portal:member-dashboard")).content.decode()
    assert sign_url(org_a) in content


def test_member_dashboard_with_memberships_runs_a_fixed_number_of_queries(admin_a, org_a, version, as_user):
    MembershipFactory(organisation=org_a, version=version)

    def grow():
        for _ in range(5):
            role = OrganisationRoleFactory(user=admin_a, role=Role.ADMIN)
            MembershipFactory(organisation=role.organisation, version=version)

    # 11: the login sources and services waiting for the member (issue 16); 13: the login sources'
    # way to production and the memberships in force (issue 14).
    assert_queries_pinned(as_user(admin_a), reverse("portal:member-dashboard"), grow=grow, expected=13)


def test_staff_dashboard_counts_memberships(operator, org_a, signatory_a, version, as_user):
    sign_as_member(org_a, signatory_a, version)
    MembershipFactory(version=version)
    response = as_user(operator).get(reverse("portal:staff-dashboard"))
    counts = response.context["membership_counts"]
    assert (counts["awaiting_operator"], counts["in_force"]) == (1, 1)


def test_countersign_helper_is_shared(org_a, signatory_a, operator, version):
    membership = sign_as_member(org_a, signatory_a, version).membership
    assert countersign(membership, operator).party == "operator"


# --- password guessing on the signing pages ---


def test_password_guessing_on_the_sign_page_is_rate_limited(org_a, signatory_a, version, as_user, settings):
    settings.ACCOUNT_RATE_LIMITS = {"reauthenticate": "2/m/user"}
    client = as_user(signatory_a)
    for _attempt in range(2):
        client.post(sign_url(org_a), sign_data(version, password="guess"))
    response = client.post(sign_url(org_a), sign_data(version))
    assert response.status_code == 200
    assert "Too many attempts" in response.content.decode()
    assert not Signature.objects.exists()


def test_password_guessing_on_countersigning_is_rate_limited(org_a, signatory_a, operator, version, as_user, settings):
    settings.ACCOUNT_RATE_LIMITS = {"reauthenticate": "2/m/user"}
    membership = sign_as_member(org_a, signatory_a, version).membership
    client = as_user(operator)
    url = reverse("contracts:membership-countersign", args=[membership.pk])
    data = {"full_name": "Olli Operaattori", "title": "Palvelupäällikkö"}
    for _attempt in range(2):
        client.post(url, {**data, "password": "guess"})
    response = client.post(url, {**data, "password": TEST_PASSWORD}, follow=True)
    assert "Too many attempts" in response.content.decode()
    membership.refresh_from_db()
    assert membership.in_force_from is None


# --- DESIGN 3.5: later versions only by a steering-group decision ---


def test_staff_cannot_publish_an_unproposed_later_version(operator, version, as_user):
    from contracts.models import AgreementVersion

    client = as_user(operator)
    data = {"number": 9, "label": "Jäsensopimus 2029", "effective_on": "2029-01-01", "text_fi": "T", "text_sv": "T"}
    client.post(reverse("contracts:staff-version-create"), data)
    draft = AgreementVersion.objects.get(number=9)
    page = client.get(reverse("contracts:staff-version-edit", args=[draft.pk])).content.decode()
    assert "Publish this version" not in page and "published only by a steering-group decision" in page
    response = client.post(reverse("contracts:staff-version-publish", args=[draft.pk]), follow=True)
    assert "can only be published by a steering-group decision" in response.content.decode()
    draft.refresh_from_db()
    assert not draft.is_published
    assert AgreementVersion.objects.current() == version
