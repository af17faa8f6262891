"""At 375 px nothing scrolls sideways, the navigation folds behind a Menu button that works with the
keyboard (and without script), and the error pages are in the site's layout (issue 16 item 8)."""

from __future__ import annotations

import io
import re
from urllib.parse import urljoin, urlsplit

import pytest
from django.core.management import call_command

from accounts.demo import DEMO_PASSWORD
from members.models import Organisation
from proxy.models import Snapshot
from tests.browser.conftest import assert_accessible, axe_violations, login, tab_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 800}

# Not pages of the site's layout (files, downloads, Django's admin, the proxy's own files), or a
# link that would end the session.
_NOT_PAGES = re.compile(
    r"^/(admin/|media/|static/|language/|accounts/logout/|proxy/(test|production)/|dev/|api/(?!docs/))"
    r"|\.(pdf|xml|json|yaml|csv|ics|pem)$|/export/|/pdf/|/minutes|/download$"
)
# The widest element that reaches past the right edge (to say what to fix, not only where).
_OVERFLOW = """() => {
  const width = window.innerWidth;
  if (document.documentElement.scrollWidth <= width) return null;
  let worst = null;
  for (const el of document.querySelectorAll("body *")) {
    const right = el.getBoundingClientRect().right;
    if (right > width + 1 && (!worst || right > worst.right)) {
      const names = typeof el.className === "string" ? el.className.trim().split(/\\s+/).filter(Boolean) : [];
      const classes = names.map((name) => "." + name).join("");
      worst = {right, what: el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + classes};
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, widest: worst && worst.what};
}"""


def _pattern(path: str) -> str:
    """One visit per kind of page: /members/organisations/7/ and /members/organisations/9/ are one."""
    return re.sub(r"\d+", "N", path)


def _visit_all(page, site: str, start: list[str], *, limit: int = 150) -> tuple[list[str], list[str]]:
    """Visit each of `start` (addresses with their query) and follow the site's links from them, one
    page of each kind, at the page's current size; return the pages visited and the problems found:
    those that scroll sideways, each with its widest element, and axe-core's serious or critical
    violations (so every page the site links to is checked, not only those a test names)."""
    queue, seen, visited, sideways = list(start), set(), [], []
    while queue and len(visited) < limit:
        path = queue.pop(0)
        if path not in start and (_pattern(path) in seen or _NOT_PAGES.search(path)):
            continue
        seen.add(_pattern(path))
        response = page.goto(site + path)
        if response is None or response.status != 200 or "text/html" not in response.headers.get("content-type", ""):
            continue
        visited.append(path)
        overflow = page.evaluate(_OVERFLOW)
        if overflow:
            sideways.append(f"{path}: {overflow['scrollWidth']} px wide, widest {overflow['widest']}")
        for violation in axe_violations(page):
            if path == "/api/docs/" and violation["rule"] == "nested-interactive":
                # Swagger UI (drf-spectacular-sidecar) draws each operation as a button holding
                # buttons; its markup is not ours to change. Every other rule holds there too.
                continue
            sideways.append(f"{path}: axe {violation['impact']} {violation['rule']} at {violation['nodes']}")
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))"):
            url = urlsplit(urljoin(site + path, href))
            if url.netloc == urlsplit(site).netloc and url.path not in visited:
                queue.append(url.path)
    return visited, sideways


@pytest.fixture
def demo(db, settings):
    """The demo data set (every kind of organisation, membership state, service, proposal, snapshot)."""
    call_command("load_demo", stdout=io.StringIO())


def _member_pages(organisation: Organisation) -> list[str]:
    """The pages of one organisation that differ by its kind (a home organisation's schools and login
    sources, a service provider's services and their forms)."""
    pages = [f"/members/organisations/{organisation.pk}/", f"/organisations/{organisation.pk}/people/"]
    if organisation.is_service_provider:
        pages += [f"/members/organisations/{organisation.pk}/services/new/{protocol}/" for protocol in ("saml", "oidc")]
        pages += [f"/members/services/{service.pk}/" for service in organisation.services.all()[:2]]
    return pages


def test_no_page_scrolls_sideways_or_fails_axe_at_375_px(page, site, demo):
    page.set_viewport_size(PHONE)
    report, counts = [], {}
    home = Organisation.objects.get(is_home_organisation=True, people_roles__user__email="admin@helsinki.example")
    provider = Organisation.objects.get(is_service_provider=True, people_roles__user__email="admin@koulupilvi.example")
    snapshots = list(Snapshot.objects.order_by("pk").values_list("pk", flat=True)[:2])
    # Anonymous: the public pages.
    public = ["/", "/register/", "/accounts/login/", "/accounts/password/reset/", "/agreements/verify/", "/api/docs/"]
    visited, sideways = _visit_all(page, site, public)
    report, counts["anonymous"] = report + sideways, len(visited)
    # Members' admins (a home organisation's, a service provider's): dashboard, organisation,
    # services and their forms, people, agreement, agreement changes.
    for email, organisation in [("admin@helsinki.example", home), ("admin@koulupilvi.example", provider)]:
        page.context.clear_cookies()
        login(page, site, email, password=DEMO_PASSWORD)
        start = ["/my/", "/my/agreement-changes/", "/profile/", *_member_pages(organisation)]
        visited, sideways = _visit_all(page, site, start)
        report, counts[email] = report + sideways, len(visited)
    # Operator staff with MFA: every staff section, both kinds of organisation, the proxy's
    # snapshots and their comparison, the API docs.
    page.context.clear_cookies()
    login(page, site, "operator@trustnet.example", password=DEMO_PASSWORD, mfa=True)
    start = ["/staff/", *_member_pages(home), *_member_pages(provider), "/api/docs/"]
    if len(snapshots) == 2:
        start.append(f"/proxy/staff/diff/?a={snapshots[0]}&b={snapshots[1]}")
    visited, sideways = _visit_all(page, site, start)
    report, counts["operator"] = report + sideways, len(visited)
    # Enough pages of each kind were reached that the check means something.
    assert counts["anonymous"] >= 5 and min(counts.values()) >= 5 and counts["operator"] >= 50, counts
    assert not report, "scrolls sideways or fails axe at 375 px:\n" + "\n".join(report)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "375"])
def test_not_found_page_in_the_layout(page, site, viewport):
    page.set_viewport_size(viewport)
    response = page.goto(site + "/no-such-page/")
    assert response.status == 404
    assert page.locator("html").get_attribute("lang") == "fi"
    assert page.locator("header.site-header").is_visible() and page.locator("footer.site-footer").is_visible()
    assert page.get_by_role("heading", level=1).is_visible()
    assert page.evaluate(_OVERFLOW) is None
    assert_accessible(page, f"error-404-{viewport['width']}")


@pytest.mark.urls("tests.portal.error_urls")
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1280", "375"])
def test_server_error_page_in_the_layout(page, site, viewport):
    page.set_viewport_size(viewport)
    response = page.goto(site + "/test-broken/")
    assert response.status == 500
    assert page.locator("header.site-header").is_visible() and page.get_by_role("heading", level=1).is_visible()
    assert page.evaluate(_OVERFLOW) is None
    assert_accessible(page, f"error-500-{viewport['width']}")


def test_forbidden_page_in_the_layout_at_375(page, site, admin_a):
    page.set_viewport_size(PHONE)
    login(page, site, admin_a.email, language="sv")
    response = page.goto(site + "/staff/")
    assert response.status == 403
    assert page.locator("html").get_attribute("lang") == "sv"
    assert page.get_by_role("heading", level=1).is_visible()
    assert_accessible(page, "error-403-375")


def test_navigation_is_folded_at_375_px_and_opens_with_the_keyboard(page, site, operator):
    page.set_viewport_size(PHONE)
    login(page, site, operator.email, mfa=True)
    page.goto(site + "/members/organisations/")
    nav = page.locator("nav.site-nav")
    button = nav.locator("button.nav-toggle")
    links = nav.locator("#site-nav-links")
    # Folded: one line, the Menu button; the links are out of sight and out of the tab order.
    assert button.is_visible() and button.get_attribute("aria-expanded") == "false"
    assert not links.is_visible()
    assert nav.bounding_box()["height"] < 80
    assert_accessible(page, "nav-collapsed-375")

    tab_to(page, button)
    page.keyboard.press("Enter")
    assert button.get_attribute("aria-expanded") == "true" and links.is_visible()
    current = links.locator('a[aria-current="page"]')
    assert current.inner_text() == "Organisaatiot"
    # Open: one link a line, none cut off at the right edge.
    for box in (link.bounding_box() for link in links.locator("a").all()):
        assert box["x"] + box["width"] <= PHONE["width"]
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.closest('#site-nav-links') !== null")
    assert_accessible(page, "nav-open-375")
    # Escape folds it again and gives the focus back to the button.
    page.keyboard.press("Escape")
    assert button.get_attribute("aria-expanded") == "false" and not links.is_visible()
    assert page.evaluate("() => document.activeElement.classList.contains('nav-toggle')")
    # Space works as well as Enter (a real button).
    page.keyboard.press("Space")
    assert links.is_visible()


def test_navigation_is_open_at_1280_px_with_the_current_page_marked(page, site, operator):
    page.set_viewport_size(DESKTOP)
    login(page, site, operator.email, mfa=True)
    page.goto(site + "/staff/")
    nav = page.locator("nav.site-nav")
    assert not nav.locator("button.nav-toggle").is_visible()
    assert nav.locator("#site-nav-links").is_visible()
    assert nav.locator('a[aria-current="page"]').inner_text() == "Operaattori"
    assert nav.bounding_box()["height"] < 100  # the staff navigation on at most two lines
    assert_accessible(page, "nav-1280")


def test_navigation_without_script_shows_the_links_at_375_px(browser, live_server, operator):
    context = browser.new_context(java_script_enabled=False, viewport=PHONE, locale="fi-FI")
    try:
        page = context.new_page()
        page.goto(live_server.url + "/")
        nav = page.locator("nav.site-nav")
        assert not nav.locator("button.nav-toggle").is_visible()
        assert nav.locator("#site-nav-links a").first.is_visible()
    finally:
        context.close()


def test_a_wide_table_scrolls_in_its_own_box_reachable_with_the_keyboard(page, site, operator, org_a, org_b):
    page.set_viewport_size(PHONE)
    login(page, site, operator.email, mfa=True)
    page.goto(site + "/members/organisations/")
    box = page.locator("main .table-scroll").first
    assert box.get_attribute("role") == "region" and box.get_attribute("aria-label")
    tab_to(page, box)
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.querySelector('main .table-scroll').scrollLeft > 0")
    assert page.evaluate(_OVERFLOW) is None
    # Wide enough for the table: an ordinary box again, not a tab stop.
    page.set_viewport_size(DESKTOP)
    page.wait_for_function("() => !document.querySelector('main .table-scroll').hasAttribute('role')")
    assert box.get_attribute("tabindex") is None and box.get_attribute("aria-label") is None
