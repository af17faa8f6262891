"""The Django admin only shows the register: changes there would skip the audit log and register_changed."""

from django.urls import reverse

from members.models import Organisation
from tests.factories import UserFactory


def test_the_members_admin_is_read_only(org_a, as_user):
    superuser = UserFactory(email="root@example.org", is_staff=True, is_superuser=True, mfa=True)
    client = as_user(superuser)
    assert client.get(reverse("admin:members_organisation_add")).status_code == 403
    response = client.post(reverse("admin:members_organisation_change", args=[org_a.pk]), {"name_fi": "Muutettu"})
    assert response.status_code == 403
    delete = client.post(reverse("admin:members_organisation_delete", args=[org_a.pk]), {"post": "yes"})
    assert delete.status_code == 403
    assert Organisation.objects.get(pk=org_a.pk).name_fi == "Kunta A"
    # Looking is still allowed.
    assert client.get(reverse("admin:members_organisation_change", args=[org_a.pk])).status_code == 200
