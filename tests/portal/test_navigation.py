"""The header navigation marks where the reader is (aria-current) and folds behind a Menu button
on narrow screens (issue 16 items 7 and 8; the folding itself: tests/browser/test_mobile_and_errors.py)."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _nav(content: str) -> str:
    return re.search(r'<nav class="site-nav".*?</nav>', content, re.S).group(0)


def _current(content: str) -> list[tuple[str, str]]:
    """(href, aria-current) of every marked link in the navigation."""
    return re.findall(r'<a href="([^"]+)" aria-current="([^"]+)"', _nav(content))


def test_the_current_page_is_marked_in_the_navigation(operator, as_user):
    content = as_user(operator).get(reverse("members:organisation-list")).content.decode()
    assert _current(content) == [(reverse("members:organisation-list"), "page")]


def test_a_page_inside_a_section_marks_that_section(operator, org_a, as_user):
    content = as_user(operator).get(reverse("members:organisation-detail", args=[org_a.pk])).content.decode()
    assert _current(content) == [(reverse("members:organisation-list"), "true")]


def test_a_section_inside_another_marks_only_the_inner_one(operator, as_user):
    # The steering group's staff pages live under /staff/, the operator dashboard's address.
    content = as_user(operator).get(reverse("steering:staff-home")).content.decode()
    assert _current(content) == [(reverse("steering:staff-home"), "page")]


def test_member_and_account_pages_are_marked(admin_a, as_user):
    client = as_user(admin_a)
    assert _current(client.get(reverse("portal:member-dashboard")).content.decode()) == [
        (reverse("portal:member-dashboard"), "page")
    ]
    assert _current(client.get(reverse("accounts:profile")).content.decode()) == [(reverse("accounts:profile"), "page")]


def test_a_page_outside_the_navigation_marks_nothing(admin_a, as_user):
    assert _current(as_user(admin_a).get(reverse("portal:public-register")).content.decode()) == []


def test_anonymous_login_page_is_marked(client):
    assert _current(client.get(reverse("account_login")).content.decode()) == [(reverse("account_login"), "page")]


def test_operator_sees_every_operator_section_and_members_do_not(operator, admin_a, as_user):
    staff_nav = _nav(as_user(operator).get(reverse("portal:staff-dashboard")).content.decode())
    for name in ["portal:staff-dashboard", "members:review-queue", "proxy:snapshot-list", "portal:audit-log"]:
        assert f'href="{reverse(name)}"' in staff_nav
    member_nav = _nav(as_user(admin_a).get(reverse("portal:member-dashboard")).content.decode())
    assert f'href="{reverse("portal:audit-log")}"' not in member_nav
    assert f'href="{reverse("portal:member-dashboard")}"' in member_nav


def test_menu_button_controls_the_links_and_starts_closed(client):
    nav = _nav(client.get("/").content.decode())
    button = re.search(r'<button type="button" class="nav-toggle"[^>]*>', nav).group(0)
    assert 'aria-expanded="false"' in button and 'aria-controls="site-nav-links"' in button
    assert '<ul class="wrap" id="site-nav-links">' in nav
    assert '<script src="/static/js/nav.js" defer></script>' in client.get("/").content.decode()
