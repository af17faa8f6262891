"""Proxy pages for people (issue 16 item 2), in a real browser at 1280 and 375 px: the build list
with reasons in words and a rebuild that changes nothing saying so, a snapshot's files page, and
a diff naming what changed; each passes axe and does not scroll sideways on a phone."""

from __future__ import annotations

import dataclasses

import pytest

from tests.browser.conftest import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture
def two_snapshots(proxy_publishing):
    from proxy.inputs import LoginSource
    from proxy.services import snapshot_build
    from tests.proxy.inputs_factory import Register, home_organisation, inputs, oidc_service, saml_service

    proxy_publishing.PROXY_COLLECT_INPUTS = "tests.proxy.inputs_factory.collect_inputs"
    home = home_organisation(n=3)
    Register.by_env = {"test": inputs(saml_service(n=1), oidc_service(n=2), saml_service(n=4), homes=(home,))}
    first = snapshot_build(environment="test", trigger="register: service approved")
    rp = oidc_service(n=2)
    entra = LoginSource(key="entra", kind="entra", identifier="0f6c1a52-tenant", name="Kunnan Entra ID")
    Register.by_env = {
        "test": inputs(
            saml_service(n=1, attributes=("uid", "schoolCode", "learnerId")),
            dataclasses.replace(rp, oidc=dataclasses.replace(rp.oidc, redirect_uris=("https://rp2.example.fi/new",))),
            saml_service(n=5),
            homes=(dataclasses.replace(home, login_sources=(*home.login_sources, entra)), home_organisation(n=6)),
        )
    }
    second = snapshot_build(environment="test", trigger="membership: in_force")
    return first, second


@pytest.mark.parametrize("width", [1280, 375])
def test_proxy_pages_read_in_words_at_each_width(page, site, operator, two_snapshots, width):
    first, second = two_snapshots
    page.set_viewport_size({"width": width, "height": 900})
    login(page, site, operator.email, mfa=True, language="en")

    # The build list: reasons in words; a rebuild with nothing changed says so and publishes nothing.
    page.goto(f"{site}/proxy/staff/")
    page.get_by_role("button", name="Rebuild test").click()
    page.wait_for_load_state()
    assert f"No change; snapshot {second.pk} stays in service." in page.content()
    page.goto(f"{site}/proxy/staff/")
    body = page.locator("main").inner_text()
    assert "Membership change: a membership came into force" in body
    assert "The register changed: a service was approved" in body and "Rebuilt by staff" in body
    assert "in_force" not in body and "manual rebuild" not in body
    assert page.evaluate(NO_SIDEWAYS_SCROLL), "the build list scrolls sideways"
    assert_accessible(page, f"proxy-builds-{width}")

    # A snapshot's files: listed with sizes in kB, each viewable and downloadable.
    page.goto(f"{site}/proxy/staff/snapshots/{second.pk}/")
    assert "Reading the register" in page.locator("main").inner_text()
    page.get_by_role("link", name="metadata.xml", exact=True).click()
    page.wait_for_load_state()
    content = page.locator("pre.proxy-file").inner_text()
    assert "<md:EntityDescriptor" in content and "https://sp5.example.fi/saml" in content
    assert page.evaluate(NO_SIDEWAYS_SCROLL), "the files page scrolls sideways"
    assert_accessible(page, f"proxy-files-{width}")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download metadata.xml").click()
    assert download.value.suggested_filename == f"snapshot-{second.pk}-metadata.xml"

    # The diff names each service, home organisation and login source with what changed.
    page.goto(f"{site}/proxy/staff/diff/?a={first.pk}&b={second.pk}")
    diff = page.locator("main").inner_text()
    assert "Service 5" in diff and "Service 4" in diff
    assert "attributes added: learnerId" in diff
    assert "redirect URIs added: https://rp2.example.fi/new" in diff
    assert "Kunta 6" in diff and "Kunnan Entra ID" in diff
    assert page.evaluate(NO_SIDEWAYS_SCROLL), "the diff scrolls sideways"
    assert_accessible(page, f"proxy-diff-{width}")
