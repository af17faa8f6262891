"""Every main page passes axe-core's WCAG 2.1 A/AA rules with no serious or critical violation."""

import pytest

from tests.browser.conftest import assert_accessible, keyboard_fill, keyboard_press, login
from tests.factories import TEST_PASSWORD

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


def test_account_pages_are_accessible(page, site, operator_without_mfa):
    page.goto(site + "/accounts/password/reset/")
    assert_accessible(page, "password-reset")
    login(page, site, operator_without_mfa.email)
    page.goto(site + "/staff/")
    # Staff without MFA are sent to set it up (after confirming their password).
    page.locator("input[name=password]").fill("correct horse battery staple")
    page.locator("form:has(input[name=password]) button[type=submit]:not([form])").click()
    assert "/2fa/totp/activate/" in page.url
    assert_accessible(page, "mfa-activate")
    page.goto(site + "/accounts/2fa/")
    assert_accessible(page, "mfa-index")
    page.goto(site + "/profile/")
    assert_accessible(page, "profile")


def test_login_works_with_the_keyboard_alone(page, site, admin_a):
    page.goto(site + "/accounts/login/")
    keyboard_fill(page, page.locator("input[name=login]"), admin_a.email)
    keyboard_fill(page, page.locator("input[name=password]"), TEST_PASSWORD)
    keyboard_press(page, page.locator("form:has(input[name=password]) button[type=submit]"))
    page.wait_for_url(f"{site}/my/**")
    assert page.locator("main h1").is_visible()
