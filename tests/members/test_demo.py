import pytest
from django.core.management import call_command

from members.attribute_mapping import mapping_missing_keys
from members.models import LoginSource, School, Service, ServiceVersion, VersionStatus
from members.selectors import approved_services

pytestmark = pytest.mark.django_db


def test_demo_register_has_every_kind_of_service_and_loads_twice_cleanly(capsys):
    call_command("load_demo")
    counts = (
        School.objects.count(),
        LoginSource.objects.count(),
        Service.objects.count(),
        ServiceVersion.objects.count(),
    )
    call_command("load_demo")
    assert (
        School.objects.count(), LoginSource.objects.count(), Service.objects.count(), ServiceVersion.objects.count()
    ) == counts  # fmt: skip
    assert LoginSource.objects.filter(kind="wilma", hostnames=["espoo.inschool.fi"]).exists()
    assert School.objects.filter(organisation__name_fi="Vantaan kaupunki").count() >= 3
    live = approved_services(environment="production")
    assert {s.protocol for s in live} == {"saml", "oidc"}
    assert approved_services(environment="test")
    assert ServiceVersion.objects.filter(status=VersionStatus.PENDING, service__live_version__isnull=False).exists()
    assert ServiceVersion.objects.filter(status=VersionStatus.REJECTED).exclude(rejection_reason="").exists()


def test_every_demo_source_of_a_mapped_kind_has_a_full_attribute_mapping(capsys):
    from members.attribute_mapping import mapping_missing_keys
    from members.models import MAPPED_KINDS

    call_command("load_demo")
    mapped = list(LoginSource.objects.filter(kind__in=list(MAPPED_KINDS)))
    assert {s.kind for s in mapped} >= {"entra", "google", "adfs", "oidc"}
    assert all(s.attribute_mapping and mapping_missing_keys(s) == [] for s in mapped)
    assert all(mapping_missing_keys(s) == [] for s in LoginSource.objects.all())


def test_the_demo_shows_a_login_source_on_its_way_to_production(capsys):
    call_command("load_demo")
    production = LoginSource.objects.filter(environment="production")
    # Every production source the proxy should use is approved and has a flow name for its test link.
    assert all(source.flow_name for source in LoginSource.objects.all())
    assert production.filter(approved_at__isnull=False).count() >= 7
    # One test source, mapped and with a logo, waits for staff review of its promotion.
    waiting = production.get(approved_at__isnull=True)
    tried = waiting.promoted_from
    assert tried.environment == "test" and tried.kind == "entra" and tried.logo and waiting.logo.name == tried.logo.name
    assert mapping_missing_keys(tried) == [] and list(waiting.schools.all()) == list(tried.schools.all())
    # Its school is listed under no other production source.
    school = tried.schools.get()
    others = production.exclude(pk=waiting.pk).filter(schools=school)
    assert all(other.excluded_schools.filter(pk=school.pk).exists() for other in others)
