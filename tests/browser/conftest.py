"""Browser tests: Debian's Chromium driven by Playwright against the live test server.

Never a downloaded browser: `.ci/run` installs the `chromium` package. Screenshots of key pages
go to `test-artifacts/` (ignored by git).
"""

from __future__ import annotations

import datetime
import json
import os
import time
from pathlib import Path

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.core.cache import cache
from lxml import etree

from accounts.models import User
from tests.factories import TEST_PASSWORD, TEST_TOTP_SECRET

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# Playwright's sync API keeps an event loop running in this thread; the test's own database
# calls are still ordinary synchronous ones.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    if CHROMIUM.exists() and AXE.exists():
        return
    if os.environ.get("CI"):
        raise pytest.UsageError("CI must run the browser tests: install chromium and run `npm ci` (see .ci/run).")
    skip = pytest.mark.skip(reason="needs /usr/bin/chromium (apt) and node_modules/axe-core (npm ci)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """A Finnish browser: the journeys run in Finnish unless a test switches language."""
    return {**browser_context_args, "locale": "fi-FI"}


@pytest.fixture
def english_by_default():
    """Browser journeys run in the site's default language, Finnish."""
    yield


@pytest.fixture(autouse=True)
def _fail_fast(page):
    """A missing element fails in seconds, not Playwright's default 30 s: every page here is local."""
    page.set_default_timeout(10_000)


# Reports every Content-Security-Policy violation on the console, where the fixture below sees it
# (Chromium's own "Refused to …" log lines are caught too; this also names the directive).
_REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI || "inline code"}`
    + ` at ${event.sourceFile || event.documentURI}:${event.lineNumber}`);
}, true);
"""


def is_csp_violation(text: str) -> bool:
    return "Content Security Policy" in text or text.startswith("CSP violation:")


@pytest.fixture(autouse=True)
def csp_violations(context):
    """Every journey runs under the site's Content-Security-Policy: any violation on any page of the
    test fails it (issue 15 item 8). Tests that provoke one on purpose may clear the list."""
    violations: list[str] = []
    context.add_init_script(_REPORT_CSP_VIOLATIONS)
    context.on("console", lambda message: is_csp_violation(message.text) and violations.append(message.text))
    yield violations
    assert not violations, "Content-Security-Policy violations:\n" + "\n".join(violations)


@pytest.fixture(scope="session")
def _proxy_signing_files(tmp_path_factory):
    """One metadata-signing key for the session (valid since 2020, so journeys may travel in time)."""
    from proxy.signing import generate_key_pair

    folder = tmp_path_factory.mktemp("journey-proxy-keys")
    key_pem, cert_pem = generate_key_pair(
        common_name="trustnet journeys", valid_from=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    )
    (folder / "key.pem").write_bytes(key_pem)
    (folder / "cert.pem").write_bytes(cert_pem)
    return folder


@pytest.fixture
def proxy_publishing(settings, _proxy_signing_files):
    """The proxy configuration is rebuilt and published on every register or membership change, as
    in production (tasks run eagerly here, in the thread that made the change)."""
    settings.PROXY_SIGNING_KEY_FILE = _proxy_signing_files / "key.pem"
    settings.PROXY_SIGNING_CERT_FILE = _proxy_signing_files / "cert.pem"
    settings.PROXY_NEXT_SIGNING_CERT_FILE = ""
    settings.PROXY_BUILD_ON_CHANGE = True
    cache.clear()  # no debounce mark left from another test
    return settings


def published_entity_ids(page, site: str, environment: str = "production") -> list[str]:
    """The entityIDs in the metadata the proxy pulls right now (over HTTP, as the proxy does)."""
    response = page.request.get(f"{site}/proxy/{environment}/metadata.xml")
    assert response.ok, response.status
    root = etree.fromstring(response.body())
    return [e.get("entityID") for e in root.iter("{urn:oasis:names:tc:SAML:2.0:metadata}EntityDescriptor")]


@pytest.fixture
def site(live_server):
    """The live server's base URL."""
    return live_server.url


def login(
    page,
    site: str,
    email: str,
    *,
    password: str = TEST_PASSWORD,
    mfa: bool = False,
    language: str = "fi",
    keyboard: bool = False,
) -> None:
    """Log in through the real form as a person who reads `language`; with MFA, type the current code.

    With `keyboard`, every field is reached with Tab and every form sent with Enter.
    """
    User.objects.filter(email=email).update(language=language)
    page.goto(f"{site}/accounts/login/")

    def fill(locator, text: str) -> None:
        keyboard_fill(page, locator, text) if keyboard else locator.fill(text)

    def submit(locator) -> None:
        keyboard_press(page, locator) if keyboard else locator.click()

    fill(page.locator("input[name=login]"), email)
    fill(page.locator("input[name=password]"), password)
    submit(page.locator("form:has(input[name=password]) button[type=submit]"))
    if mfa:
        cache.clear()  # a code may be used once per period; tests log the same people in repeatedly
        fill(page.locator("input[name=code]"), _current_totp_code())
        submit(page.locator("form:has(input[name=code]) button[type=submit]:not([form])"))
    page.wait_for_load_state()


def _current_totp_code() -> str:
    """The code of the current 30-second period, never one about to expire: the server accepts
    only the current period, so a code typed in its last moment could fail by the time it arrives."""
    left = 30 - time.time() % 30
    if left < 2:
        time.sleep(left + 0.1)
    return format_hotp_value(hotp_value(TEST_TOTP_SECRET, int(time.time()) // 30))


def axe_violations(page) -> list[dict]:
    """axe-core's WCAG 2.1 A/AA rules on the current page: its serious and critical violations."""
    # Evaluated, not added as an inline <script>: the site's CSP refuses inline scripts.
    page.evaluate(AXE.read_text())
    result = page.evaluate("async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS)
    return [
        {"rule": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"][:5]]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def assert_accessible(page, name: str) -> None:
    """axe-core's WCAG 2.1 A/AA rules: no serious or critical violation. Also keeps a screenshot."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    report = axe_violations(page)
    assert not report, f"{name}: {json.dumps(report, indent=1)}"


def tab_to(page, locator, *, max_presses: int = 150) -> None:
    """Move the keyboard focus to `locator` with the Tab key only, as a keyboard user would.

    Fails if the element cannot be reached by tabbing (not focusable, hidden, or trapped focus).
    """
    target = locator.element_handle()
    for _ in range(max_presses):
        if page.evaluate("(el) => el === document.activeElement", target):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"could not reach {locator} with the Tab key in {max_presses} presses")


def keyboard_fill(page, locator, text: str) -> None:
    """Tab to a field and type into it."""
    tab_to(page, locator)
    page.keyboard.type(text)


def keyboard_press(page, locator, key: str = "Enter") -> None:
    """Tab to a control and activate it with the keyboard (Enter for links and buttons, Space for checkboxes)."""
    tab_to(page, locator)
    page.keyboard.press(key)
