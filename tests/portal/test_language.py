import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("language", "expected"), [("fi", "Kirjaudu"), ("sv", "Logga in"), ("en", "Log in")])
def test_language_switcher_changes_the_page_language(language, expected, client):
    response = client.post(reverse("portal:set-language"), {"language": language, "next": "/"}, follow=True)
    content = response.content.decode()
    assert f'<html lang="{language}"' in content
    assert expected in content


def test_logged_in_users_choice_is_saved_for_emails_and_other_devices(admin_a, as_user):
    as_user(admin_a).post(reverse("portal:set-language"), {"language": "sv", "next": "/my/"})
    admin_a.refresh_from_db()
    assert admin_a.language == "sv"
    other_device = as_user(admin_a)
    assert '<html lang="sv"' in other_device.get(reverse("portal:home")).content.decode()


def test_switcher_refuses_to_redirect_off_site(client):
    response = client.post(reverse("portal:set-language"), {"language": "sv", "next": "https://evil.example/"})
    assert response.url == "/"


def test_unknown_language_is_ignored_and_finnish_is_the_default(client, settings):
    settings.LANGUAGE_CODE = "fi"
    response = client.post(reverse("portal:set-language"), {"language": "de", "next": "/"}, follow=True)
    assert '<html lang="fi"' in response.content.decode()
