"""Failed logins and second-factor codes lock out an account, not everyone behind one address
(issue 15, item 7): a school's NAT puts many people behind one address."""

import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from tests.factories import TEST_PASSWORD, TEST_TOTP_SECRET, UserFactory

pytestmark = pytest.mark.django_db

SCHOOL = "192.0.2.10"


@pytest.fixture(autouse=True)
def clean_rate_limits():
    cache.clear()
    yield
    cache.clear()


def _login(client: Client, email: str, password: str, address: str):
    return client.post(reverse("account_login"), {"login": email, "password": password}, REMOTE_ADDR=address)


def _logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def _fail(email: str, address: str, times: int) -> None:
    client = Client()
    for _ in range(times):
        response = _login(client, email, "wrong password", address)
        assert response.status_code == 200 and not _logged_in(client)


def _totp() -> str:
    return format_hotp_value(hotp_value(TEST_TOTP_SECRET, int(time.time()) // 30))


def test_wrong_passwords_for_one_account_do_not_lock_out_others_behind_the_same_address(admin_a, admin_b):
    _fail(admin_a.email, SCHOOL, 5)
    other = Client()
    _login(other, admin_b.email, TEST_PASSWORD, SCHOOL)
    assert _logged_in(other)


def test_an_account_is_locked_out_from_the_address_that_guessed_at_it(admin_a):
    _fail(admin_a.email, SCHOOL, 5)
    client = Client()
    response = _login(client, admin_a.email, TEST_PASSWORD, SCHOOL)
    assert not _logged_in(client)
    assert "Too many failed login attempts" in response.content.decode()


def test_an_account_is_locked_out_everywhere_after_its_limit_across_addresses(admin_a):
    for n in range(4):
        _fail(admin_a.email, f"198.51.100.{n}", 5)
    client = Client()
    _login(client, admin_a.email, TEST_PASSWORD, "203.0.113.7")
    assert not _logged_in(client)


def test_the_per_address_ceiling_still_holds(admin_a):
    for n in range(20):
        _fail(f"nobody{n}@example.org", SCHOOL, 5)
    client = Client()
    _login(client, admin_a.email, TEST_PASSWORD, SCHOOL)
    assert not _logged_in(client)
    # The ceiling is the address's: the same account elsewhere logs in.
    _login(client, admin_a.email, TEST_PASSWORD, "203.0.113.7")
    assert _logged_in(client)


def test_a_successful_login_does_not_count_as_a_failure(admin_a):
    for _ in range(3):
        client = Client()
        _login(client, admin_a.email, TEST_PASSWORD, SCHOOL)
        assert _logged_in(client)
    _fail(admin_a.email, SCHOOL, 4)
    client = Client()
    _login(client, admin_a.email, TEST_PASSWORD, SCHOOL)
    assert _logged_in(client)


def test_forwarded_for_header_is_not_trusted_by_default(admin_a):
    client = Client()
    for n in range(5):
        response = client.post(
            reverse("account_login"),
            {"login": admin_a.email, "password": "wrong password"},
            REMOTE_ADDR=SCHOOL,
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        )
        assert response.status_code == 200
    _login(client, admin_a.email, TEST_PASSWORD, SCHOOL)
    assert not _logged_in(client)


def _half_way(user, address: str) -> Client:
    client = Client()
    response = _login(client, user.email, TEST_PASSWORD, address)
    assert response.status_code == 302 and response.url == reverse("mfa_authenticate")
    return client


def _code(client: Client, code: str, address: str):
    return client.post(reverse("mfa_authenticate"), {"code": code}, REMOTE_ADDR=address)


def test_wrong_codes_for_one_user_do_not_lock_out_others_behind_the_same_address(operator):
    other_operator = UserFactory(email="other-operator@example.org", is_staff=True, mfa=True)
    guesser = _half_way(operator, SCHOOL)
    for _ in range(5):
        assert _code(guesser, "000000", SCHOOL).status_code == 200
    other = _half_way(other_operator, SCHOOL)
    response = _code(other, _totp(), SCHOOL)
    assert response.status_code == 302 and _logged_in(other)


def test_a_user_is_locked_out_of_codes_from_the_address_that_guessed(operator):
    guesser = _half_way(operator, SCHOOL)
    for _ in range(5):
        _code(guesser, "000000", SCHOOL)
    response = _code(guesser, _totp(), SCHOOL)
    assert response.status_code == 200 and not _logged_in(guesser)
    assert "Too many failed login attempts" in response.content.decode()


def test_a_user_is_locked_out_of_codes_everywhere_after_the_limit_across_addresses(operator):
    for address in ("198.51.100.1", "198.51.100.2"):
        guesser = _half_way(operator, address)
        for _ in range(5):
            _code(guesser, "000000", address)
    client = _half_way(operator, "203.0.113.7")
    _code(client, _totp(), "203.0.113.7")
    assert not _logged_in(client)
