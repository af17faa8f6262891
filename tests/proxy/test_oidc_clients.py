"""oidc-clients.json: the OIDC client register a stock OP can use, each secret a JWE to the
environment's proxy key (issue 13 items 4, 5 and 6's second test; DESIGN section 5)."""

from __future__ import annotations

import datetime
import json

import pytest
import time_machine
from joserfc import jwe
from joserfc.jwk import RSAKey

from members import services as register
from members.models import Service as RegisteredService
from members.secrets import secret_sha256
from proxy import build
from proxy.proxy_keys import JWE_REGISTRY
from proxy.services import proxy_key_register, proxy_token_create, snapshot_build
from tests.conftest import client_for
from tests.members.conftest import oidc_data
from tests.proxy.test_register import provider_in_force, saml

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 27)
NOON = datetime.datetime(2026, 11, 27, 12, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def real_register(settings):
    settings.PROXY_COLLECT_INPUTS = "proxy.register.collect_inputs"


@pytest.fixture(scope="module")
def proxy_private_key() -> RSAKey:
    """The proxy's key pair: only its public half is registered with trustnet."""
    return RSAKey.generate_key(2048)


def _register_key(private: RSAKey, environment: str = "production"):
    return proxy_key_register(environment=environment, public_key=private.as_pem(private=False).decode())


def _oidc(provider, operator, **data):
    created = register.service_create(
        provider=provider, by=operator, environment="production", protocol="oidc", data=oidc_data(**data)
    )
    register.service_approve(version=created.version, by=operator)
    return created


def _decrypt(token: str, private: RSAKey) -> str:
    result = jwe.decrypt_compact(token, private, registry=JWE_REGISTRY)
    assert result.protected["alg"] == "RSA-OAEP-256" and result.protected["enc"] == "A256GCM"
    assert result.protected["kid"] == private.thumbprint()
    return result.plaintext.decode()


def _clients(snapshot) -> dict[str, dict]:
    document = json.loads(build.read_file(snapshot, "oidc-clients.json"))
    return {client["client_id"]: client for client in document["clients"]}


def _all_published(snapshot) -> str:
    return "".join(build.read_file(snapshot, name).decode() for name in snapshot.files)


def test_every_client_and_secret_decrypts_with_the_proxys_private_key(operator, proxy_private_key):
    _register_key(proxy_private_key)
    provider = provider_in_force("OIDC Oy")
    basic = _oidc(
        provider, operator, name_sv="Molnet", name_en="The cloud",
        post_logout_redirect_uris=["https://app.example.fi/out"], scope="openid profile email",
        grant_types=["authorization_code", "refresh_token"],
    )  # fmt: skip
    post = _oidc(provider, operator, auth_method="client_secret_post", redirect_uris=["https://post.example.fi/cb"])
    jwt = _oidc(provider, operator, auth_method="private_key_jwt", jwks_uri="https://jwt.example.fi/jwks")
    saml(provider, operator, n=1)

    snapshot = snapshot_build(environment="production", trigger="t", on=TODAY)
    assert snapshot.status == "valid", snapshot.errors
    clients = _clients(snapshot)
    assert set(clients) == {basic.service.client_id, post.service.client_id, jwt.service.client_id}

    first = clients[basic.service.client_id]
    assert _decrypt(first["client_secret"], proxy_private_key) == basic.client_secret
    assert first["client_secret_expires_at"] == 0
    assert first["client_name"] == "Koulupilvi" and first["client_name#fi"] == "Koulupilvi"
    assert first["client_name#sv"] == "Molnet" and first["client_name#en"] == "The cloud"
    assert first["redirect_uris"] == ["https://app.example.fi/callback"]
    assert first["post_logout_redirect_uris"] == ["https://app.example.fi/out"]
    assert first["grant_types"] == ["authorization_code", "refresh_token"]
    assert first["response_types"] == ["code"]
    assert first["scope"] == "openid profile email"
    assert first["token_endpoint_auth_method"] == "client_secret_basic"
    assert first["trustnet_pkce_required"] is True
    assert first["trustnet_previous_client_secrets"] == []

    second = clients[post.service.client_id]
    assert second["token_endpoint_auth_method"] == "client_secret_post"
    assert _decrypt(second["client_secret"], proxy_private_key) == post.client_secret

    third = clients[jwt.service.client_id]
    assert third["jwks_uri"] == "https://jwt.example.fi/jwks" and "client_secret" not in third

    # No plain secret and no hash of one in any published file (config.json included).
    published = _all_published(snapshot)
    for secret in (basic.client_secret, post.client_secret):
        assert secret not in published and secret_sha256(secret) not in published
    assert RegisteredService.objects.get(pk=basic.service.pk).client_secret_encrypted not in published


def test_the_file_is_token_protected_and_stable_between_unchanged_builds(client, operator, proxy_private_key):
    _register_key(proxy_private_key)
    _oidc(provider_in_force("OIDC Oy"), operator)
    snapshot = snapshot_build(environment="production", trigger="t", on=TODAY)
    assert client.get("/proxy/production/oidc-clients.json").status_code == 401
    _, token = proxy_token_create(name="op", environment="production")
    response = client.get("/proxy/production/oidc-clients.json", headers={"Authorization": f"Token {token}"})
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert "private" in response["Cache-Control"]
    assert response.content == build.read_file(snapshot, "oidc-clients.json")
    # The JWEs are randomised, yet an unchanged register keeps the snapshot (and its ETag).
    assert snapshot_build(environment="production", trigger="again", on=TODAY) == snapshot


def test_rotation_carries_both_secrets_until_the_overlap_ends_then_only_the_new(operator, proxy_private_key):
    _register_key(proxy_private_key)
    created = _oidc(provider_in_force("OIDC Oy"), operator)
    service = created.service
    with time_machine.travel(NOON, tick=False):
        new = register.oidc_secret_rotate(service=service, by=operator, overlap_days=7)
        during = snapshot_build(environment="production", trigger="rotated", on=TODAY)
    client = _clients(during)[service.client_id]
    assert _decrypt(client["client_secret"], proxy_private_key) == new
    [previous] = client["trustnet_previous_client_secrets"]
    assert _decrypt(previous["client_secret"], proxy_private_key) == created.client_secret
    assert previous["expires_at"] == int((NOON + datetime.timedelta(days=7)).timestamp())

    # A moment before the end both still work; once it has ended, only the new one is published,
    # even before the cleanup has deleted the old one.
    with time_machine.travel(NOON + datetime.timedelta(days=7, seconds=-1), tick=False):
        still = snapshot_build(environment="production", trigger="t", on=TODAY, force=True)
    assert len(_clients(still)[service.client_id]["trustnet_previous_client_secrets"]) == 1
    with time_machine.travel(NOON + datetime.timedelta(days=7), tick=False):
        after = snapshot_build(environment="production", trigger="t", on=TODAY)
        assert register.previous_secrets_prune() == 1
    assert after.pk != still.pk
    client = _clients(after)[service.client_id]
    assert client["trustnet_previous_client_secrets"] == []
    assert _decrypt(client["client_secret"], proxy_private_key) == new
    assert created.client_secret not in _all_published(after)


def test_without_a_proxy_key_the_register_is_withheld_and_the_rest_published(client, operator):
    created = _oidc(provider_in_force("OIDC Oy"), operator)
    snapshot = snapshot_build(environment="production", trigger="t", on=TODAY)
    assert snapshot.status == "valid", snapshot.errors
    assert "oidc-clients.json" not in snapshot.files
    assert {"metadata.xml", "config.json", "satosa-attribute-policy.yaml"} <= set(snapshot.files)
    assert snapshot.report["oidc_clients_withheld"] is True
    assert created.client_secret not in _all_published(snapshot)
    _, token = proxy_token_create(name="op", environment="production")
    response = client.get("/proxy/production/oidc-clients.json", headers={"Authorization": f"Token {token}"})
    assert response.status_code == 404 and b"no proxy public key is registered" in response.content
    # Staff are told, on the snapshot and in the result of a rebuild.
    page = client_for(operator).get(f"/proxy/staff/snapshots/{snapshot.pk}/").content.decode()
    assert "The OIDC client register (oidc-clients.json) was withheld" in page
    response = client_for(operator).post("/proxy/staff/build/", {"environment": "production"}, follow=True)
    assert "was withheld: no proxy public key is registered" in response.content.decode()


def test_registering_a_key_makes_a_new_snapshot_with_the_register(operator, proxy_private_key):
    created = _oidc(provider_in_force("OIDC Oy"), operator)
    withheld = snapshot_build(environment="production", trigger="t", on=TODAY)
    _register_key(proxy_private_key)
    keyed = snapshot_build(environment="production", trigger="key", on=TODAY)
    assert keyed.pk != withheld.pk and "oidc-clients.json" in keyed.files
    client = _clients(keyed)[created.service.client_id]
    assert _decrypt(client["client_secret"], proxy_private_key) == created.client_secret
    # A test-environment key does not publish production's register, nor the other way round.
    assert snapshot_build(environment="test", trigger="t", on=TODAY).report["oidc_clients_withheld"] is True


def test_a_client_whose_secret_the_register_lacks_is_left_out_and_staff_told(operator, proxy_private_key):
    _register_key(proxy_private_key)
    provider = provider_in_force("OIDC Oy")
    kept = _oidc(provider, operator)
    legacy = _oidc(provider, operator, name_fi="Vanha")
    # From before secrets were kept encrypted: no secret the proxy could be given.
    RegisteredService.objects.filter(pk=legacy.service.pk).update(client_secret_encrypted="")
    snapshot = snapshot_build(environment="production", trigger="t", on=TODAY)
    assert set(_clients(snapshot)) == {kept.service.client_id}
    [left_out] = snapshot.report["oidc_clients_without_secret"]
    assert "Vanha" in left_out and legacy.service.client_id in left_out
    # Once the member generates a new secret, it is published.
    new = register.oidc_secret_rotate(service=RegisteredService.objects.get(pk=legacy.service.pk), by=operator)
    again = snapshot_build(environment="production", trigger="t", on=TODAY)
    assert _decrypt(_clients(again)[legacy.service.client_id]["client_secret"], proxy_private_key) == new
