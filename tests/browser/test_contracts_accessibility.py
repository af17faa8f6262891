"""The agreement pages pass axe-core's WCAG 2.1 A/AA rules (no serious or critical violation)."""

import pytest

from tests.browser.conftest import assert_accessible, login
from tests.factories import AgreementVersionFactory, MembershipFactory, TermStartFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_verification_page_is_accessible(page, site):
    page.goto(site + "/agreements/verify/")
    assert_accessible(page, "agreement-verify")
    page.locator("input[name=sha256]").fill("ab" * 32)
    page.locator("main form button[type=submit]").click()
    assert_accessible(page, "agreement-verify-result")


def test_signing_and_membership_pages_are_accessible(page, site, signatory_a, org_a):
    version = AgreementVersionFactory()
    login(page, site, signatory_a.email)
    page.goto(site + f"/agreements/organisations/{org_a.pk}/home_organisation/sign/")
    assert_accessible(page, "agreement-sign")
    membership = MembershipFactory(organisation=org_a, version=version)
    page.goto(site + f"/agreements/memberships/{membership.pk}/")
    assert_accessible(page, "membership-detail")


def test_operator_agreement_pages_are_accessible(page, site, operator, org_a):
    version = AgreementVersionFactory()
    MembershipFactory(organisation=org_a, version=version)
    TermStartFactory()
    login(page, site, operator.email, mfa=True)
    for path, name in [
        ("/agreements/staff/memberships/", "staff-memberships"),
        ("/agreements/staff/versions/", "staff-versions"),
        ("/agreements/staff/versions/new/", "staff-version-new"),
        (f"/agreements/staff/versions/{version.pk}/", "staff-version-published"),
        ("/agreements/staff/term-starts/", "staff-term-starts"),
    ]:
        page.goto(site + path)
        assert_accessible(page, name)
