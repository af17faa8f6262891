"""CSV exports of the public register and the member list (issue 16 item 5): UTF-8 with a byte
order mark, formulas escaped, in the pages' words; the member list for operator staff only."""

from __future__ import annotations

import codecs
import csv
import datetime
import io

import pytest
from django.urls import reverse

from contracts.models import Party, Signature
from tests.factories import MembershipFactory, OrganisationFactory, ServiceProviderOrganisationFactory
from tests.members.conftest import provider_in_force
from tests.querycount import assert_queries_pinned

pytestmark = pytest.mark.django_db

REGISTER_EXPORT = reverse("portal:public-register-export")
MEMBERS_EXPORT = reverse("portal:organisation-export")


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment; filename=")
    assert response.content.startswith(codecs.BOM_UTF8)
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))


def test_the_register_export_has_a_row_per_service_and_attribute(client, make_saml_service):
    provider = provider_in_force(name_fi="Oppimateriaalit Oy", name_en="Learning Ltd")
    make_saml_service(
        provider,
        name_en="Reader",
        privacy_url="https://sp.example.fi/tietosuoja",
        requested_attributes=[{"key": "surname", "purpose": "Raportit"}, {"key": "uid", "purpose": "=1+1"}],
    )
    make_saml_service(provider, name_en="Anonymous", requested_attributes=[])
    header, *rows = _csv(client.get(REGISTER_EXPORT))
    assert header == [
        "Service", "Provider", "Privacy statement", "Attribute", "SAML FriendlyName", "SAML name",
        "OpenID Connect claim", "Purpose",
    ]  # fmt: skip
    assert sorted(rows) == sorted(
        [
            ["Anonymous", "Learning Ltd", "", "", "", "", "", ""],
            ["Reader", "Learning Ltd", "https://sp.example.fi/tietosuoja", "User identifier", "mpassUsername",
             "urn:mpass.id:uid", "sub", "'=1+1"],
            ["Reader", "Learning Ltd", "https://sp.example.fi/tietosuoja", "Surname", "sn", "urn:oid:2.5.4.4",
             "family_name", "Raportit"],
        ]
    )  # fmt: skip


def test_the_register_export_has_only_what_the_register_shows(client, make_saml_service, provider_a):
    make_saml_service(provider_a, name_en="Public")
    make_saml_service(provider_a, name_en="In test", environment="test")
    make_saml_service(provider_a, name_en="Not approved", approve=False)
    unsigned = ServiceProviderOrganisationFactory()
    make_saml_service(unsigned, name_en="Of a provider not in force")
    _header, *rows = _csv(client.get(REGISTER_EXPORT))
    assert {row[0] for row in rows} == {"Public"}


def test_the_register_export_is_public_and_linked_from_the_register(client):
    assert client.get(REGISTER_EXPORT).status_code == 200
    assert f'href="{REGISTER_EXPORT}"' in client.get(reverse("portal:public-register")).content.decode()


def test_the_register_export_runs_two_queries_whatever_its_length(client, make_saml_service):
    def grow():
        for _ in range(4):
            make_saml_service(provider_in_force())

    make_saml_service(provider_in_force())
    assert_queries_pinned(client, REGISTER_EXPORT, grow=grow, expected=2)


@pytest.mark.parametrize("persona", ["admin_a", "signatory_a", "seat_holder"])
def test_the_member_list_export_is_for_operator_staff_only(persona, request, as_user):
    assert as_user(request.getfixturevalue(persona)).get(MEMBERS_EXPORT).status_code == 403


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(MEMBERS_EXPORT)
    assert response.status_code == 302 and reverse("account_login") in response.url


def test_staff_without_mfa_enrol_first(operator_without_mfa, as_user):
    response = as_user(operator_without_mfa).get(MEMBERS_EXPORT)
    assert response.status_code == 302 and MEMBERS_EXPORT not in response.url


@pytest.fixture
def members(db, org_a, signatory_a):
    """org_a: a home organisation in force, ending on 31 December 2027. Provider Oy: a service
    provider awaiting the operator's countersignature. Unsigned Oy: registered, nothing signed."""
    MembershipFactory(organisation=org_a, ends_on=datetime.date(2027, 12, 31))
    provider = ServiceProviderOrganisationFactory(name_en="Provider Oy", business_id="1234567-1")
    waiting = MembershipFactory(organisation=provider, role="service_provider", in_force_from=None)
    Signature.objects.create(
        membership=waiting, version=waiting.version, party=Party.MEMBER, user=signatory_a, full_name="S",
        title="T", organisation_name="Provider Oy", language="fi", text_sha256="0" * 64,
    )  # fmt: skip
    OrganisationFactory(name_en="=Unsigned Oy", is_home_organisation=True)
    return provider


HEADER = [
    "Name", "Business ID", "Kind", "Roles", "Schools", "Services",
    "Home organisation membership", "Home organisation membership ends on",
    "Service provider membership", "Service provider membership ends on",
]  # fmt: skip


def test_the_member_list_export_has_each_membership_state_in_words_and_its_end(members, operator, org_a, as_user):
    header, *rows = _csv(as_user(operator).get(MEMBERS_EXPORT))
    assert header == HEADER
    by_name = {row[0]: row for row in rows}
    assert by_name["Municipality A"][3:] == [
        "home organisation",
        "0",
        "0",
        "in force, notice given",
        "2027-12-31",
        "",
        "",
    ]
    assert by_name["Provider Oy"][1] == "1234567-1"
    assert by_name["Provider Oy"][6:] == ["", "", "awaiting the operator's countersignature", ""]
    # A name that a spreadsheet would run as a formula is escaped.
    assert by_name["'=Unsigned Oy"][6:8] == ["not signed", ""]


def test_the_member_list_export_follows_the_lists_filters(members, operator, as_user):
    _header, *rows = _csv(as_user(operator).get(MEMBERS_EXPORT, {"membership": "awaiting_operator"}))
    assert [row[0] for row in rows] == ["Provider Oy"]
    _header, *rows = _csv(as_user(operator).get(MEMBERS_EXPORT, {"q": "Municipality"}))
    assert [row[0] for row in rows] == ["Municipality A"]


def test_the_member_list_links_to_its_export_with_its_filters(members, operator, admin_a, as_user):
    page = as_user(operator).get(reverse("members:organisation-list"), {"q": "Provider"}).content.decode()
    assert f'href="{MEMBERS_EXPORT}?q=Provider"' in page
    assert MEMBERS_EXPORT not in as_user(admin_a).get(reverse("members:organisation-list")).content.decode()


def test_the_member_list_export_runs_a_fixed_number_of_queries(members, operator, as_user):
    def grow():
        for _ in range(5):
            MembershipFactory(organisation=OrganisationFactory())

    # The session, the user, their authenticator; the organisations, their memberships, the signatures.
    assert_queries_pinned(as_user(operator), MEMBERS_EXPORT, grow=grow, expected=6)
