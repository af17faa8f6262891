"""The member register's pages pass axe-core's WCAG 2.1 A/AA rules (no serious or critical violation)."""

import pytest

from members import services
from tests.browser.conftest import assert_accessible, login
from tests.factories import MembershipFactory, OrganisationRoleFactory, ServiceProviderOrganisationFactory
from tests.members.conftest import oidc_data, saml_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def register(operator, org_a):
    provider = ServiceProviderOrganisationFactory(name_fi="Oppimisaarre Oy")
    MembershipFactory(organisation=provider, role="service_provider")  # in force: listed publicly
    saml = services.service_create(
        provider=provider, by=operator, environment="production", protocol="saml", data=saml_data(),
        entity_id="https://sp.example.fi/saml",
    )  # fmt: skip
    services.service_approve(version=saml.version, by=operator)
    oidc = services.service_create(
        provider=provider, by=operator, environment="test", protocol="oidc", data=oidc_data()
    )
    school = services.school_save(
        organisation=org_a, by=operator, code="12345", name="Mattilan koulu", school_type="basic",
        oid="1.2.246.562.10.12345678901",
    )  # fmt: skip
    services.office_save(school=school, by=operator, oid="1.2.246.562.10.12345678902", name="Mattilan sivukoulu")
    return {"provider": provider, "saml": saml.service, "oidc": oidc.service, "school": school}


def test_public_register_is_accessible(page, site, register):
    page.goto(site + "/register/")
    assert_accessible(page, "public-register")


def test_operator_register_pages_are_accessible(page, site, operator, register, org_a):
    login(page, site, operator.email, mfa=True)
    for path, name in [
        ("/members/organisations/", "organisation-list"),
        (f"/members/organisations/{org_a.pk}/", "organisation-detail"),
        (f"/members/organisations/{org_a.pk}/edit/", "organisation-edit"),
        ("/members/services/", "service-list"),
        (f"/members/services/{register['oidc'].pk}/", "service-detail-pending"),
        ("/members/review/", "review-queue"),
        (f"/members/organisations/{org_a.pk}/schools/{register['school'].pk}/", "school-with-offices"),
        (f"/members/organisations/{org_a.pk}/schools/import/", "school-import"),
        # The organisation register is not reachable from the tests: the page says so in words.
        (f"/members/organisations/{org_a.pk}/register/", "organisation-register-sync"),
    ]:
        page.goto(site + path)
        assert_accessible(page, name)


def test_member_service_pages_are_accessible(page, site, register):
    user = OrganisationRoleFactory(organisation=register["provider"], role="technical").user
    login(page, site, user.email)
    for path, name in [
        (f"/members/organisations/{register['provider'].pk}/", "provider-detail"),
        (f"/members/services/{register['saml'].pk}/", "service-detail"),
        (f"/members/services/{register['saml'].pk}/edit/", "service-edit-saml"),
        (f"/members/organisations/{register['provider'].pk}/services/new/oidc/", "service-create-oidc"),
    ]:
        page.goto(site + path)
        assert_accessible(page, name)
