"""Every main page passes axe-core's WCAG 2.1 A/AA rules with no serious or critical violation."""

import pytest

from tests.browser.conftest import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_public_pages_are_accessible(page, site):
    page.goto(site + "/")
    assert_accessible(page, "home")
    page.goto(site + "/accounts/login/")
    assert_accessible(page, "login")


def test_operator_pages_are_accessible(page, site, operator):
    login(page, site, operator.email, mfa=True)
    for path, name in [("/staff/", "staff-dashboard"), ("/audit/", "audit-log"), ("/staff/team/", "staff-team")]:
        page.goto(site + path)
        assert_accessible(page, name)


def test_member_pages_are_accessible(page, site, admin_a, org_a):
    login(page, site, admin_a.email)
    page.goto(site + "/my/")
    assert_accessible(page, "member-dashboard")
    page.goto(site + f"/organisations/{org_a.pk}/people/")
    assert_accessible(page, "organisation-people")


def test_steering_group_dashboard_is_accessible(page, site, seat_holder):
    login(page, site, seat_holder.email, mfa=True)
    page.goto(site + "/steering/")
    assert_accessible(page, "steering-dashboard")
