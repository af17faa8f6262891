import pytest
from django.core.cache import cache
from django.urls import reverse

from accounts.models import User
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clean_rate_limits():
    cache.clear()
    yield
    cache.clear()


def test_member_logs_in_with_email_and_password(admin_a, client):
    response = client.post(reverse("account_login"), {"login": "ADMIN-A@example.org", "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("portal:member-dashboard")).status_code == 200


def test_repeated_failed_logins_are_rate_limited_even_with_the_right_password(admin_a, client):
    for _ in range(5):
        response = client.post(reverse("account_login"), {"login": admin_a.email, "password": "wrong"})
        assert response.status_code == 200
    response = client.post(reverse("account_login"), {"login": admin_a.email, "password": TEST_PASSWORD})
    # allauth answers 429 (or re-shows the form) once the limit is hit; either way no session.
    assert response.status_code in (200, 429)
    assert client.get(reverse("portal:member-dashboard")).status_code == 302


def test_nobody_can_sign_up_without_an_invitation(client):
    response = client.get(reverse("account_signup"))
    assert "account/signup_closed.html" in [t.name for t in response.templates]
    client.post(
        reverse("account_signup"),
        {"email": "x@example.org", "password1": "a long enough one", "password2": "a long enough one"},
    )
    assert not User.objects.filter(email="x@example.org").exists()


def test_password_reset_sends_a_link_to_a_known_address(admin_a, client, mailoutbox):
    response = client.post(reverse("account_reset_password"), {"email": admin_a.email})
    assert response.status_code == 302
    assert len(mailoutbox) == 1 and admin_a.email in mailoutbox[0].to


def test_django_admin_login_goes_through_allauth(client):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_django_admin_is_refused_to_non_staff(admin_a, as_user):
    assert as_user(admin_a).get(reverse("admin:login")).status_code == 403
    response = as_user(admin_a).get(reverse("admin:index"))
    assert response.status_code in (302, 403)
    assert as_user(admin_a).get(reverse("admin:index"), follow=True).status_code == 403
