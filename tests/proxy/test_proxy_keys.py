"""The proxy public key per environment, registered by staff (issue 13 items 5 and Bad input)."""

from __future__ import annotations

import json

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from joserfc.jwk import RSAKey

from audit.models import Entry
from proxy.models import ProxyKey
from tests.conftest import client_for

URL = "/proxy/staff/keys/"


def _public_pem(bits: int = 2048) -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


@pytest.mark.django_db
def test_staff_register_a_pem_key_and_it_is_audited(operator):
    pem = _public_pem()
    response = client_for(operator).post(URL, {"environment": "test", "public_key": pem}, follow=True)
    assert response.status_code == 200
    key = ProxyKey.objects.get()
    assert key.environment == "test" and key.key_size == 2048
    assert key.fingerprint == RSAKey.import_key(pem).thumbprint()
    assert Entry.objects.filter(action="proxy.key_registered").count() == 1
    assert key.fingerprint in response.content.decode()


@pytest.mark.django_db
def test_a_public_jwk_is_accepted(operator):
    jwk = RSAKey.generate_key(3072).as_dict(private=False)
    client_for(operator).post(URL, {"environment": "production", "public_key": json.dumps(jwk)})
    assert ProxyKey.objects.get().key_size == 3072


def _private_jwk() -> str:
    return json.dumps(RSAKey.generate_key(2048).as_dict(private=True))


def _private_pem() -> str:
    return (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        .private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        .decode()
    )


def _ec_pem() -> str:
    return (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (lambda: _public_pem(1024), "too weak: RSA 1024 bits"),
        (_private_pem, "This is a private key"),
        (_private_jwk, "This is a private key"),
        (lambda: "-----BEGIN PUBLIC KEY-----\nnot base64\n-----END PUBLIC KEY-----", "could not be read"),
        (lambda: '{"kty": "RSA", "n": "AQAB"}', "could not be read"),
        (lambda: "{not json", "neither a PEM public key nor a JSON Web Key"),
        (_ec_pem, "must be an RSA key"),
    ],
)
def test_bad_keys_are_refused_with_the_field_named_and_nothing_stored(operator, text, problem):
    response = client_for(operator).post(URL, {"environment": "test", "public_key": text()})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == ["public_key"]
    assert problem in " ".join(errors["public_key"])
    assert not ProxyKey.objects.exists()
    assert not Entry.objects.filter(action="proxy.key_registered").exists()


@pytest.mark.django_db
def test_the_key_page_needs_mfa(operator_without_mfa):
    response = client_for(operator_without_mfa).post(URL, {"environment": "test", "public_key": _public_pem()})
    assert response.status_code == 302
    assert not ProxyKey.objects.exists()


@pytest.mark.django_db
def test_staff_are_told_the_client_register_is_withheld_without_a_key(operator):
    page = client_for(operator).get("/proxy/staff/").content.decode()
    assert page.count("its OIDC client register (oidc-clients.json) is withheld") == 2
    client_for(operator).post(URL, {"environment": "test", "public_key": _public_pem()})
    page = client_for(operator).get("/proxy/staff/").content.decode()
    assert page.count("its OIDC client register (oidc-clients.json) is withheld") == 1


@pytest.mark.django_db
def test_registering_a_key_schedules_a_build_of_its_environment(
    operator, django_capture_on_commit_callbacks, monkeypatch
):
    from proxy import tasks

    scheduled = []
    monkeypatch.setattr(tasks.proxy_build, "apply_async", lambda **kwargs: scheduled.append(kwargs["kwargs"]))
    with django_capture_on_commit_callbacks(execute=True):
        client_for(operator).post(URL, {"environment": "production", "public_key": _public_pem()})
    assert scheduled == [{"environment": "production", "trigger": "proxy key registered"}]
