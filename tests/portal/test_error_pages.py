"""The 400/403/404/500 pages and the CSRF failure page are in the site's layout and the reader's
language (issue 16 item 8), with DEBUG off as in production."""

import pytest
from django.template import loader
from django.test import Client
from django.urls import reverse

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.portal.error_urls")]

# (path, status, English heading)
ERRORS = [
    ("/no-such-page/", 404, "Page not found"),
    ("/test-forbidden/", 403, "No access to this page"),
    ("/test-bad/", 400, "The request could not be handled"),
    ("/test-broken/", 500, "Something went wrong"),
]
# A sentence of the layout's footer, as each catalogue has it.
FOOTER = {
    "fi": "trustnet on MPASSid-luottamusverkoston jäsenrekisteri.",
    "sv": "trustnet är medlemsregistret för MPASSid-förtroendenätet.",
    "en": "trustnet is the member register of the MPASSid trust network.",
}


@pytest.fixture(autouse=True)
def _production_like(settings):
    settings.DEBUG = False


def _client(**kwargs) -> Client:
    # Exceptions become the error pages, as for a real visitor, instead of failing the test.
    return Client(raise_request_exception=False, **kwargs)


def _assert_in_layout(content: str, heading: str | None = None) -> None:
    assert '<header class="site-header">' in content
    assert 'class="site-footer"' in content
    assert 'href="/static/css/site.css"' in content
    if heading:
        assert f"<h1>{heading}</h1>" in content
    assert "Traceback" not in content and "developer&#x27;s reason" not in content


@pytest.mark.parametrize(("path", "status", "heading"), ERRORS)
def test_error_pages_are_in_the_layout(path, status, heading):
    response = _client(HTTP_ACCEPT_LANGUAGE="en").get(path)
    assert response.status_code == status
    content = response.content.decode()
    _assert_in_layout(content, heading)
    assert '<html lang="en">' in content
    assert FOOTER["en"] in content


@pytest.mark.parametrize(("path", "status", "_heading"), ERRORS)
@pytest.mark.parametrize("language", ["fi", "sv"])
def test_error_pages_are_in_the_browsers_language(path, status, _heading, language):
    response = _client(HTTP_ACCEPT_LANGUAGE=f"{language},en;q=0.5").get(path)
    assert response.status_code == status
    content = response.content.decode()
    _assert_in_layout(content)
    assert f'<html lang="{language}">' in content
    assert FOOTER[language] in content


@pytest.mark.parametrize(("path", "status", "_heading"), ERRORS)
def test_error_pages_are_in_the_users_own_language_over_the_browsers(path, status, _heading, admin_a):
    admin_a.language = "sv"
    admin_a.save(update_fields=["language"])
    client = _client(HTTP_ACCEPT_LANGUAGE="fi")
    client.force_login(admin_a)
    response = client.get(path)
    assert response.status_code == status
    content = response.content.decode()
    assert '<html lang="sv">' in content and FOOTER["sv"] in content


def test_not_found_page_offers_a_logged_in_user_their_dashboard(admin_a):
    client = _client()
    client.force_login(admin_a)
    content = client.get("/no-such-page/").content.decode()
    assert f'href="{reverse("portal:dashboard")}"' in content
    # The navigation is the ordinary one: the reader can go on from here.
    assert f'href="{reverse("portal:member-dashboard")}"' in content


def test_server_error_page_renders_with_no_context_and_no_database(django_assert_num_queries):
    # django.views.defaults.server_error renders it so: no request, no user, no context processors.
    with django_assert_num_queries(0):
        content = loader.get_template("500.html").render()
    _assert_in_layout(content, "Something went wrong")
    # Nothing that needs the request: no language form (its CSRF token) and no navigation.
    assert "language-switcher" not in content and "site-nav" not in content


def test_csrf_failure_page_is_in_the_layout_and_language():
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="sv")
    response = client.post(reverse("account_login"), {"login": "someone@example.org", "password": "x"})
    assert response.status_code == 403
    content = response.content.decode()
    _assert_in_layout(content)
    assert '<html lang="sv">' in content and FOOTER["sv"] in content
    assert "CSRF verification failed" not in content  # not Django's own page


def test_csrf_failure_page_says_what_to_do_in_english():
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    content = client.post(reverse("account_login"), {"login": "a@example.org"}).content.decode()
    assert "<h1>The form could not be sent</h1>" in content
    assert "reload the page and send the form again" in content


def test_favicon_ico_leads_to_the_sites_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response.url == "/static/favicon.svg"


def test_every_page_names_the_icon(client):
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in client.get("/").content.decode()
