from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from proxy import signing
from proxy.models import Publication, Snapshot

pytestmark = pytest.mark.django_db


def test_load_demo_builds_and_publishes_both_environments_idempotently(client, capsys, settings):
    settings.PROXY_COLLECT_INPUTS = "proxy.register.collect_inputs"
    call_command("load_demo")
    assert set(Publication.objects.values_list("environment", flat=True)) == {"test", "production"}
    # Built once from the finished demo register, not half-way through loading it.
    assert not Snapshot.objects.filter(status="failed").exists()
    count = Snapshot.objects.count()
    call_command("load_demo")
    assert Snapshot.objects.count() == count
    response = client.get("/proxy/production/metadata.xml")
    assert response.status_code == 200
    assert signing.verify(response.content, signing.signing_material().cert_pem) is not None
    assert b"https://oppi.oppimisaarre.example/saml" in response.content
    # The demo's learning-materials service requests data model 1.3's attributes.
    assert b'FriendlyName="learningMaterialsCharge" Name="urn:mpass.id:learningMaterialsCharge"' in response.content
    assert b'FriendlyName="mpassEducationProviderOid" Name="urn:mpass.id:educationProviderId"' in response.content


def test_proxy_signing_key_writes_a_matching_key_and_certificate(settings, tmp_path, capsys):
    settings.PROXY_SIGNING_KEY_FILE = tmp_path / "k.pem"
    settings.PROXY_SIGNING_CERT_FILE = tmp_path / "c.pem"
    call_command("proxy_signing_key")
    material = signing.signing_material()
    assert material.key.key_size == 3072
    assert (tmp_path / "k.pem").stat().st_mode & 0o077 == 0
    with pytest.raises(CommandError, match="exists"):
        call_command("proxy_signing_key")
    call_command("proxy_signing_key", "--if-missing")
    assert signing.signing_material().cert_fingerprint == material.cert_fingerprint


def test_proxy_signing_key_next_for_rollover(tmp_path, capsys):
    call_command("proxy_signing_key", "--next", str(tmp_path))
    assert (tmp_path / "signing-cert.pem").read_text().startswith("-----BEGIN CERTIFICATE-----")


def test_a_weak_or_mismatched_key_is_refused(settings, signing_files):
    settings.PROXY_SIGNING_CERT_FILE = signing_files / "next-cert.pem"
    with pytest.raises(signing.SigningKeyMissing, match="does not match"):
        signing.signing_material()


def test_missing_key_names_the_command(settings, tmp_path):
    settings.PROXY_SIGNING_KEY_FILE = tmp_path / "none.pem"
    with pytest.raises(signing.SigningKeyMissing, match="proxy_signing_key"):
        signing.signing_material()


def test_proxy_token_create_validates_its_arguments():
    with pytest.raises(CommandError):
        call_command("proxy_token", "create", " ", "--env", "test")


def test_load_demo_registers_a_test_proxy_key_whose_private_half_decrypts_oidc_clients_json(client, capsys, settings):
    import json

    from joserfc import jwe
    from joserfc.jwk import RSAKey

    from members.models import Service
    from members.services import oidc_client_secret
    from proxy.demo import demo_proxy_key_path
    from proxy.models import ProxyKey
    from proxy.proxy_keys import JWE_REGISTRY
    from proxy.services import proxy_token_create

    settings.PROXY_COLLECT_INPUTS = "proxy.register.collect_inputs"
    call_command("load_demo")
    path = demo_proxy_key_path()
    # Beside the signing key (tests keep both outside the worktree), readable by its owner only.
    assert path.parent == settings.PROXY_SIGNING_KEY_FILE.parent
    assert path.stat().st_mode & 0o077 == 0
    assert list(ProxyKey.objects.values_list("environment", flat=True)) == ["test"]
    call_command("load_demo")
    assert ProxyKey.objects.count() == 1  # the same key, not registered again

    private = RSAKey.import_key(path.read_bytes())
    _, token = proxy_token_create(name="demo proxy", environment="test")
    response = client.get("/proxy/test/oidc-clients.json", headers={"Authorization": f"Token {token}"})
    assert response.status_code == 200
    clients = json.loads(response.content)["clients"]
    # Every test client with a secret: one of a provider that has not signed its agreement yet.
    by_id = {c["client_id"]: c for c in clients}
    assert sorted(by_id) == ["demo-aapiskukko-test", "demo-koulupilvi-kehitys"]
    assert by_id["demo-koulupilvi-kehitys"]["token_endpoint_auth_method"] == "client_secret_post"
    for client_id, entry in by_id.items():
        secret = jwe.decrypt_compact(entry["client_secret"], private, registry=JWE_REGISTRY).plaintext.decode()
        assert secret == oidc_client_secret(Service.objects.get(client_id=client_id))
    # Production has no key in the demo: its client register is withheld, never sent in the clear.
    _, token = proxy_token_create(name="demo proxy", environment="production")
    response = client.get("/proxy/production/oidc-clients.json", headers={"Authorization": f"Token {token}"})
    assert response.status_code == 404
    assert b"withheld" in response.content
