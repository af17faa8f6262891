"""Content-Security-Policy (issue 15 item 8): every page type gets the strict policy, and no page
carries the inline script, inline style or event-handler attribute that the policy would block."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client
from lxml import html

from tests.factories import TEST_PASSWORD, UserFactory

ROOT = Path(__file__).resolve().parents[2]

STRICT = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'"},
    "object-src": {"'none'"},
    "base-uri": {"'none'"},
    "form-action": {"'self'"},
    "frame-ancestors": {"'none'"},
}
# Pages that show data: images, and only those: Swagger UI's icons and the authenticator QR code.
WITH_DATA_IMAGES = {**STRICT, "img-src": {"'self'", "data:"}}


def policy(response) -> dict[str, set[str]]:
    header = response.headers.get("Content-Security-Policy")
    assert header, f"no Content-Security-Policy on {response.request['PATH_INFO']}"
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = set(values)
    return directives


def inline_code(content: bytes) -> list[str]:
    """What in an HTML page the policy would refuse: inline scripts, <style>, style= and on…= attributes."""
    tree = html.fromstring(content)
    found = [
        f"<script> {s.text.strip()[:40]!r}"
        for s in tree.iter("script")
        if not s.get("src") and s.get("type") != "application/json" and (s.text or "").strip()
    ]
    found += [f"<style> {(s.text or '').strip()[:40]!r}" for s in tree.iter("style")]
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        found += [f"{element.tag} {name}=" for name in element.attrib if name == "style" or name.startswith("on")]
        href = element.get("href", "") + element.get("src", "") + element.get("action", "")
        if href.strip().lower().startswith("javascript:"):
            found.append(f"{element.tag} javascript: URL")
    return found


@pytest.fixture
def superuser(db):
    return UserFactory(email="root@example.org", is_staff=True, is_superuser=True, mfa=True)


# (who, URL, expected status): one page of each type.
PAGES = [
    (None, "/", 200),  # public
    (None, "/register/", 200),
    (None, "/agreements/verify/", 200),
    (None, "/accounts/login/", 200),
    ("admin_a", "/my/", 200),  # member
    ("operator", "/staff/", 200),  # staff
    ("operator", "/audit/", 200),
    ("operator", "/members/organisations/", 200),
    ("seat_holder", "/steering/", 200),  # steering group
    ("superuser", "/admin/", 200),  # Django admin
    ("superuser", "/admin/members/organisation/", 200),
    ("superuser", "/admin/accounts/user/add/", 200),
    (None, "/no-such-page/", 404),  # error pages
    ("admin_a", "/staff/", 403),
    (None, "/test-broken/", 500),
]


@pytest.mark.urls("tests.portal.csp_urls")
@pytest.mark.parametrize(("persona", "url", "status"), PAGES)
def test_every_page_type_has_the_strict_policy_and_no_inline_code(persona, url, status, request, org_a):
    client = Client(raise_request_exception=False)
    if persona:
        client.force_login(request.getfixturevalue(persona))
    response = client.get(url)
    assert response.status_code == status
    assert policy(response) == STRICT
    if response["Content-Type"].startswith("text/html") and response.content.strip():
        assert inline_code(response.content) == []


def test_the_api_answers_under_the_policy_too(admin_a, as_user):
    response = as_user(admin_a).get("/api/organisations/")
    assert response.status_code == 200 and policy(response) == STRICT


def test_the_api_docs_load_only_files_of_this_site_and_no_inline_code(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    assert policy(response) == WITH_DATA_IMAGES
    assert inline_code(response.content) == []
    tree = html.fromstring(response.content)
    assets = [e.get("src") or e.get("href") for e in tree.iter("script", "link")]
    assert assets and all(a.startswith("/") and not a.startswith("//") for a in assets), assets
    # Swagger UI itself comes from the pinned drf-spectacular-sidecar package, not a CDN.
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in assets
    # The start script is a file of its own, served by the same view.
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in script.content and b"validatorUrl" in script.content


def test_only_the_authenticator_page_may_show_its_data_qr_code(admin_a, client):
    # allauth shows the set-up page only right after the password is entered again.
    client.force_login(admin_a)
    client.post("/accounts/reauthenticate/", {"password": TEST_PASSWORD})
    response = client.get("/accounts/2fa/totp/activate/")
    assert response.status_code == 200
    assert policy(response) == WITH_DATA_IMAGES
    assert inline_code(response.content) == []
    assert b'src="data:image/svg+xml' in response.content


# Templates rendered to PDF by WeasyPrint (never served as a page) and email text are not HTML pages.
NOT_PAGES = {"contracts/agreement_pdf.html", "contracts/_pdf_signature.html", "steering/minutes.html"}
INLINE = re.compile(
    r"\sstyle\s*=|<style|\son[a-z]+\s*=|<script(?![^>]*\ssrc=)[^>]*>\s*[^<\s]"
    r"""|(?:href|src|action)\s*=\s*["']?\s*javascript:""",
    re.I,
)


def test_no_served_template_has_inline_script_style_or_handlers():
    offenders = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        name = path.relative_to(ROOT / "templates").as_posix()
        if name.startswith("emails/") or name in NOT_PAGES:
            continue
        offenders += [f"{name}: {m.group(0)!r}" for m in INLINE.finditer(path.read_text())]
    assert offenders == []
