import pytest
from django.core.management import call_command

from accounts.models import User
from members.models import Organisation, OrganisationRole
from steering.models import Seat

pytestmark = pytest.mark.django_db


def test_load_demo_is_idempotent_and_prints_logins(capsys):
    call_command("load_demo")
    first = capsys.readouterr().out
    counts = (
        Organisation.objects.count(),
        User.objects.count(),
        OrganisationRole.objects.count(),
        Seat.objects.count(),
    )
    call_command("load_demo")
    assert (
        Organisation.objects.count(),
        User.objects.count(),
        OrganisationRole.objects.count(),
        Seat.objects.count(),
    ) == counts
    assert "operator@trustnet.example" in first and "Password for every demo account" in first
    assert Organisation.objects.filter(is_home_organisation=True).count() >= 3
    assert User.objects.filter(is_staff=True).exists()
    assert Seat.objects.exists()
