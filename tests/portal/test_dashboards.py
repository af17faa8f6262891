import pytest
from django.urls import reverse

from members.models import Role
from tests.factories import OrganisationRoleFactory

pytestmark = pytest.mark.django_db

PERSONAS = ["operator", "admin_a", "admin_b", "seat_holder", None]
# Who gets what on each dashboard: 200 shown, 403 refused, 302 sent to login.
EXPECTED = {
    "portal:staff-dashboard": {"operator": 200, "admin_a": 403, "admin_b": 403, "seat_holder": 403, None: 302},
    "portal:steering-dashboard": {"operator": 403, "admin_a": 403, "admin_b": 403, "seat_holder": 200, None: 302},
    "portal:member-dashboard": {"operator": 200, "admin_a": 200, "admin_b": 200, "seat_holder": 200, None: 302},
}


@pytest.mark.parametrize("page", EXPECTED)
@pytest.mark.parametrize("persona", PERSONAS)
def test_each_dashboard_is_for_its_role(page, persona, request, as_user):
    user = request.getfixturevalue(persona) if persona else None
    assert as_user(user).get(reverse(page)).status_code == EXPECTED[page][persona]


def test_member_dashboard_shows_only_the_users_own_organisations(admin_a, org_a, org_b, as_user):
    response = as_user(admin_a).get(reverse("portal:member-dashboard"))
    assert list(response.context["organisations"]) == [org_a]
    assert org_b.name_fi.encode() not in response.content


def test_member_dashboard_runs_a_fixed_number_of_queries(admin_a, as_user):
    from tests.querycount import assert_queries_pinned

    def grow():
        for _ in range(10):
            OrganisationRoleFactory(user=admin_a, role=Role.TECHNICAL)

    # 10: the login sources and services waiting for the member (test_member_dashboard_needs_you.py);
    # 12: the login sources' way to production and the memberships in force (issue 14).
    assert_queries_pinned(as_user(admin_a), reverse("portal:member-dashboard"), grow=grow, expected=12)


@pytest.mark.parametrize(
    ("persona", "target"),
    [
        ("operator", "portal:staff-dashboard"),
        ("admin_a", "portal:member-dashboard"),
        ("seat_holder", "portal:steering-dashboard"),
    ],
)
def test_dashboard_link_leads_to_the_main_role(persona, target, request, as_user):
    response = as_user(request.getfixturevalue(persona)).get(reverse("portal:dashboard"))
    assert response.url == reverse(target)


@pytest.mark.parametrize(
    ("persona", "shown", "hidden"),
    [
        ("operator", ["/staff/", "/audit/"], ["/steering/"]),
        ("admin_a", ["/my/"], ["/staff/", "/audit/", "/steering/"]),
        ("seat_holder", ["/steering/"], ["/staff/", "/audit/", "/my/"]),
    ],
)
def test_navigation_shows_links_by_role(persona, shown, hidden, request, as_user):
    content = as_user(request.getfixturevalue(persona)).get(reverse("portal:home")).content.decode()
    for path in shown:
        assert f'href="{path}"' in content
    for path in hidden:
        assert f'href="{path}"' not in content


def test_home_page_is_public_and_has_landmarks(client, settings):
    settings.LANGUAGE_CODE = "fi"
    content = client.get(reverse("portal:home")).content.decode()
    for landmark in ("<header", "<nav", "<main", "<footer", 'class="skip-link"', '<html lang="fi"'):
        assert landmark in content
