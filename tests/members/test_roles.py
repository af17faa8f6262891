import pytest
from django.urls import reverse

from audit.models import Entry
from members.models import OrganisationRole, Role
from tests.factories import OrganisationRoleFactory
from tests.querycount import assert_queries_pinned

pytestmark = pytest.mark.django_db


def test_admin_removes_a_role_in_own_organisation_and_it_is_logged(admin_a, technical_a, org_a, as_user):
    role = OrganisationRole.objects.get(user=technical_a)
    response = as_user(admin_a).post(reverse("members:role-revoke", args=[role.pk]))
    assert response.status_code == 302
    assert not OrganisationRole.objects.filter(pk=role.pk).exists()
    entry = Entry.objects.get(action="accounts.role.revoke")
    assert entry.before["role"] == "technical" and entry.actor == admin_a


def test_the_last_admin_cannot_be_removed(admin_a, org_a, as_user):
    role = OrganisationRole.objects.get(user=admin_a, role=Role.ADMIN)
    as_user(admin_a).post(reverse("members:role-revoke", args=[role.pk]))
    assert OrganisationRole.objects.filter(pk=role.pk).exists()


def test_admin_of_another_organisation_cannot_remove_roles(admin_b, technical_a, as_user):
    role = OrganisationRole.objects.get(user=technical_a)
    response = as_user(admin_b).post(reverse("members:role-revoke", args=[role.pk]))
    assert response.status_code == 404
    assert OrganisationRole.objects.filter(pk=role.pk).exists()


@pytest.mark.parametrize("persona", ["admin_b", "technical_a", "seat_holder", None])
def test_people_page_is_only_for_the_organisations_admins_and_staff(persona, request, org_a, admin_a, as_user):
    user = request.getfixturevalue(persona) if persona else None
    response = as_user(user).get(reverse("members:organisation-people", args=[org_a.pk]))
    expected = {"admin_b": 404, "technical_a": 403, "seat_holder": 404, None: 302}[persona]
    assert response.status_code == expected


def test_people_page_lists_people_with_a_fixed_number_of_queries(admin_a, org_a, as_user):
    def grow():
        OrganisationRoleFactory.create_batch(30, organisation=org_a, role=Role.TECHNICAL)

    assert_queries_pinned(
        as_user(admin_a), reverse("members:organisation-people", args=[org_a.pk]), grow=grow, expected=7
    )
