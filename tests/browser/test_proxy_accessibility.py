"""The proxy's staff pages pass axe-core's WCAG 2.1 A/AA rules."""

import pytest

from tests.browser.conftest import assert_accessible, login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_proxy_staff_pages_are_accessible(page, site, operator):
    from proxy.demo import ensure_signing_key
    from proxy.services import proxy_token_create, snapshot_build
    from tests.proxy.inputs_factory import home_organisation, inputs, oidc_service, saml_service

    register = inputs(saml_service(n=1), oidc_service(n=2), homes=(home_organisation(n=3),))
    ensure_signing_key(report=lambda message: None)
    first = snapshot_build(environment="test", trigger="demo", collect=lambda **kwargs: register)
    second = snapshot_build(environment="test", trigger="again", collect=lambda **kwargs: register, force=True)
    proxy_token_create(name="idp", environment="test")
    login(page, site, operator.email, mfa=True)
    for path, name in [
        ("/proxy/staff/", "proxy-snapshots"),
        (f"/proxy/staff/snapshots/{first.pk}/", "proxy-snapshot"),
        (f"/proxy/staff/diff/?a={first.pk}&b={second.pk}", "proxy-diff"),
        ("/proxy/staff/tokens/", "proxy-tokens"),
    ]:
        page.goto(site + path)
        assert_accessible(page, name)
