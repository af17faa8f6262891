from __future__ import annotations

import datetime

import pytest
from django.core.cache import cache

from proxy.build import forget_fragments
from proxy.register import forget_services
from proxy.signing import generate_key_pair
from tests.proxy.inputs_factory import Register, home_organisation, inputs, oidc_service, saml_service


@pytest.fixture(scope="session")
def signing_files(tmp_path_factory):
    """One RSA key for the whole session (generating one takes a while)."""
    folder = tmp_path_factory.mktemp("proxy-keys")
    # Valid from long ago, so tests may travel back in time.
    since = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    key_pem, cert_pem = generate_key_pair(common_name="trustnet test signing", valid_from=since)
    next_key, next_cert = generate_key_pair(common_name="trustnet next signing", valid_from=since)
    (folder / "key.pem").write_bytes(key_pem)
    (folder / "cert.pem").write_bytes(cert_pem)
    (folder / "next-key.pem").write_bytes(next_key)
    (folder / "next-cert.pem").write_bytes(next_cert)
    return folder


@pytest.fixture(autouse=True)
def proxy_settings(settings, signing_files):
    settings.PROXY_SIGNING_KEY_FILE = signing_files / "key.pem"
    settings.PROXY_SIGNING_CERT_FILE = signing_files / "cert.pem"
    settings.PROXY_NEXT_SIGNING_CERT_FILE = ""
    settings.PROXY_BUILD_ON_CHANGE = True
    settings.PROXY_COLLECT_INPUTS = "tests.proxy.inputs_factory.collect_inputs"
    settings.PROXY_REGISTRATION_AUTHORITY = "https://trustnet.example.fi"
    settings.PROXY_PUBLISHER = "https://trustnet.example.fi"
    Register.by_env = {}
    Register.calls = []
    cache.clear()  # debounce marks must not leak between tests
    forget_fragments()
    forget_services()
    yield settings


@pytest.fixture
def register():
    """The test register: `register(env, *services, homes=...)` sets what collect_inputs returns."""

    def set_(environment: str, *services, homes=()):
        Register.by_env[environment] = inputs(*services, environment=environment, homes=homes)

    return set_


@pytest.fixture
def small_register(register):
    services = [saml_service(n=1), saml_service(n=2, attributes=("uid", "givenName", "surname")), oidc_service(n=3)]
    register("test", *services, homes=(home_organisation(n=10), home_organisation(n=11, allowed=("svc-1", "gone"))))
    return services
