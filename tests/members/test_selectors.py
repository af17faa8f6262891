"""The proxy's read functions: complete, approved-only and a fixed number of queries."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from members import services
from members.models import Contact, LoginSource, School
from members.selectors import approved_services, home_organisations_register
from tests.factories import OrganisationFactory, ServiceProviderOrganisationFactory


def _count(function, **kwargs):
    with CaptureQueriesContext(connection) as context:
        result = function(**kwargs)
        # Touch everything the proxy reads.
        for item in result:
            if hasattr(item, "live_version"):
                item.live_version.released_attributes()
                list(item.provider.contacts.all())
            else:
                list(item.municipality_codes.all())
                list(item.schools.all())
                list(item.allowed_services.all())
                for source in item.login_sources.all():
                    list(source.schools.all())
    return len(context.captured_queries), result


def test_approved_services_runs_two_queries_whatever_the_number(operator, make_saml_service, make_oidc_service):
    def grow(n):
        for _ in range(n):
            provider = ServiceProviderOrganisationFactory()
            Contact.objects.create(organisation=provider, kind="security", name="CERT", email="cert@example.fi")
            make_saml_service(provider)
            make_oidc_service(provider)

    grow(1)
    small, _ = _count(approved_services, environment="production")
    grow(4)
    large, result = _count(approved_services, environment="production")
    assert (small, large) == (2, 2)
    assert len(result) == 10
    assert all(service.live_version.status == "approved" for service in result)


def test_pending_and_other_environment_services_are_left_out(provider_a, make_saml_service, make_oidc_service):
    make_saml_service(provider_a, approve=False)
    make_oidc_service(provider_a, environment="test")
    assert approved_services(environment="production") == []
    assert len(approved_services(environment="test")) == 1


def test_home_organisations_register_runs_eight_queries_whatever_the_number(operator, provider_a, make_saml_service):
    service = make_saml_service(provider_a)

    def grow(n, offset):
        for i in range(n):
            organisation = OrganisationFactory()
            services.organisation_save(by=operator, organisation=organisation, data={}, municipality_codes=["091"])
            school = School.objects.create(
                organisation=organisation, code=f"{offset + i:05d}", name="Koulu", school_type="basic"
            )
            source = LoginSource.objects.create(
                organisation=organisation, kind="wilma", name="Wilma", hostnames=["x.fi"]
            )
            source.schools.add(school)
            organisation.allowed_services.add(service)

    grow(1, 10000)
    small, _ = _count(home_organisations_register)
    grow(4, 20000)
    large, result = _count(home_organisations_register)
    assert (small, large) == (8, 8)  # the schools' offices, the login sources' excluded schools
    first = result[0]
    assert [c.code for c in first.municipality_codes.all()] == ["091"]
    assert [s.code for s in first.login_sources.all()[0].schools.all()] == [first.schools.all()[0].code]
    assert list(first.allowed_services.all()) == [service]
    assert provider_a not in result
