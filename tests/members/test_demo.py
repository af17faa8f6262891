import pytest
from django.core.management import call_command

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
