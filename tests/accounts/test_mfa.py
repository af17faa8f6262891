"""MFA is required for operator staff and steering-group members (DESIGN section 1)."""

import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.test import Client, override_settings
from django.urls import reverse

from tests.factories import TEST_PASSWORD, TEST_TOTP_SECRET, SeatFactory, UserFactory

pytestmark = pytest.mark.django_db

STAFF_PAGES = ["portal:staff-dashboard", "portal:audit-log", "members:staff-team", "admin:index"]


@pytest.mark.parametrize("page", STAFF_PAGES)
def test_staff_without_mfa_are_sent_to_mfa_setup_from_every_staff_page(page, operator_without_mfa, as_user):
    response = as_user(operator_without_mfa).get(reverse(page), follow=True)
    # (allauth then asks for the password again before showing the set-up page.)
    assert reverse("mfa_activate_totp") in [url for url, _status in response.redirect_chain]
    assert response.resolver_match.url_name in {"account_reauthenticate", "activate_totp"}


@pytest.mark.parametrize("page", STAFF_PAGES)
def test_staff_with_mfa_reach_every_staff_page(page, operator, as_user):
    assert as_user(operator).get(reverse(page)).status_code == 200


def test_seat_holder_without_mfa_cannot_reach_the_steering_group_pages(as_user):
    holder = SeatFactory(holder=UserFactory(email="no-mfa-seat@example.org")).holder
    response = as_user(holder).get(reverse("portal:steering-dashboard"))
    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")


def test_seat_holder_with_mfa_reaches_the_steering_group_pages(seat_holder, as_user):
    assert as_user(seat_holder).get(reverse("portal:steering-dashboard")).status_code == 200


def test_member_users_do_not_need_mfa_by_default(admin_a, as_user):
    assert as_user(admin_a).get(reverse("portal:member-dashboard")).status_code == 200


@override_settings(TRUSTNET_MEMBER_MFA_REQUIRED=True)
def test_deployment_can_require_mfa_of_member_users(admin_a, as_user):
    response = as_user(admin_a).get(reverse("portal:member-dashboard"))
    assert response.status_code == 302 and response.url == reverse("mfa_activate_totp")


def test_staff_login_asks_for_the_second_factor_before_any_staff_page(operator, client):
    response = client.post(reverse("account_login"), {"login": operator.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("mfa_authenticate")
    # Half-way through login: not yet logged in, so staff pages are out of reach.
    assert client.get(reverse("portal:staff-dashboard")).status_code == 302
    code = format_hotp_value(hotp_value(TEST_TOTP_SECRET, int(time.time()) // 30))
    response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 302
    assert client.get(reverse("portal:staff-dashboard")).status_code == 200


def test_wrong_second_factor_does_not_log_in(operator, client):
    client.post(reverse("account_login"), {"login": operator.email, "password": TEST_PASSWORD})
    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert response.status_code == 200
    assert client.get(reverse("portal:staff-dashboard")).status_code == 302


def _current_code() -> str:
    # Not in a period's last two seconds: both posts below must fall in the same period.
    left = 30 - time.time() % 30
    if left < 2:
        time.sleep(left + 0.1)
    return format_hotp_value(hotp_value(TEST_TOTP_SECRET, int(time.time()) // 30))


def test_a_code_already_used_says_so_instead_of_incorrect_code(operator, client):
    code = _current_code()
    client.post(reverse("account_login"), {"login": operator.email, "password": TEST_PASSWORD})
    assert client.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302
    client.post(reverse("account_logout"))

    other = Client()
    other.post(reverse("account_login"), {"login": operator.email, "password": TEST_PASSWORD})
    response = other.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 200
    assert response.context["form"].errors["code"] == ["This code has already been used; wait for the next code."]
    assert other.get(reverse("portal:staff-dashboard")).status_code == 302


def test_a_wrong_code_still_says_incorrect_code(operator, client):
    client.post(reverse("account_login"), {"login": operator.email, "password": TEST_PASSWORD})
    response = client.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert response.context["form"].errors["code"] == ["Incorrect code."]


def test_a_used_code_on_reauthentication_says_so(operator, client):
    code = _current_code()
    client.post(reverse("account_login"), {"login": operator.email, "password": TEST_PASSWORD})
    assert client.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302
    response = client.post(reverse("mfa_reauthenticate"), {"code": code})
    assert response.status_code == 200
    assert response.context["form"].errors["code"] == ["This code has already been used; wait for the next code."]
