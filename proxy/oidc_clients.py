"""`oidc-clients.json`: the OIDC client register in RFC 7591 client-metadata form (DESIGN section 5).

Each client secret is a compact JWE (RSA-OAEP-256 + A256GCM) encrypted to the environment's
proxy public key (`proxy.models.ProxyKey`), so a stock OP decrypts it with the proxy's private
key, and a leaked file reveals nothing. No secret is ever written in plain text or hashed.

A JWE is randomised (a new content key each time), so the build's content hash is taken over
the *plan* (`client_register(inputs, encrypt=None)`: each secret replaced by a digest of its
encryption at rest, plus the proxy key's fingerprint) and the file itself is encrypted only
when a snapshot is actually written. Each JWE is also remembered per (secret, key) in this
process, so re-signing unchanged content does not change the file.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from functools import lru_cache

from members.models import SECRET_AUTH_METHODS
from members.secrets import secret_decrypt
from proxy.inputs import ProxyInputs, Service
from proxy.proxy_keys import secret_to_jwe

# Extensions (RFC 7591 section 2 allows more metadata); named so that no stock field is shadowed.
PKCE_FIELD = "trustnet_pkce_required"
PREVIOUS_SECRETS_FIELD = "trustnet_previous_client_secrets"


def _plan_secret(encrypted: str) -> str:
    # Stands for the secret in the plan only (never published): changes when the secret does.
    return "plan:" + hashlib.sha256(encrypted.encode()).hexdigest()


@lru_cache(maxsize=65536)
def _jwe(encrypted: str, public_key_pem: str, kid: str) -> str:
    return secret_to_jwe(secret_decrypt(encrypted), public_key_pem=public_key_pem, kid=kid)


def jwe_encrypter(*, public_key_pem: str, kid: str) -> Callable[[str], str]:
    """What turns a secret encrypted at rest into its JWE for the proxy with this key."""
    return lambda encrypted: _jwe(encrypted, public_key_pem, kid)


def forget_jwes() -> None:
    _jwe.cache_clear()


def _client(service: Service, encrypt: Callable[[str], str]) -> dict:
    oidc = service.oidc
    assert oidc is not None
    client: dict = {
        "client_id": service.client_id,
        "redirect_uris": list(oidc.redirect_uris),
        "post_logout_redirect_uris": list(oidc.post_logout_redirect_uris),
        "grant_types": list(oidc.grant_types),
        "response_types": list(oidc.response_types),
        "scope": oidc.scope,
        "token_endpoint_auth_method": oidc.auth_method,
        PKCE_FIELD: oidc.pkce_required,
    }
    # RFC 7591 section 2.2: the name without a tag, and with BCP 47 language tags.
    name = dict(service.name.items())
    client["client_name"] = service.name.fi or service.name.sv or service.name.en
    for lang, text in name.items():
        client[f"client_name#{lang}"] = text
    if oidc.jwks_uri:
        client["jwks_uri"] = oidc.jwks_uri
    if oidc.auth_method in SECRET_AUTH_METHODS:
        client["client_secret"] = encrypt(oidc.client_secret_encrypted)
        client["client_secret_expires_at"] = 0  # RFC 7591: 0 = does not expire
        client[PREVIOUS_SECRETS_FIELD] = [
            {"client_secret": encrypt(p.client_secret_encrypted), "expires_at": int(p.expires_at.timestamp())}
            for p in oidc.previous_secrets
        ]
    return client


def clients_without_secret(inputs: ProxyInputs) -> list[Service]:
    """Clients that authenticate by a secret the register does not hold (from before secrets
    were kept encrypted): left out of the register until the member generates a new one."""
    return [
        s
        for s in inputs.services
        if s.protocol == "oidc" and s.oidc and s.oidc.auth_method in SECRET_AUTH_METHODS
        and not s.oidc.client_secret_encrypted
    ]  # fmt: skip


def client_register(
    inputs: ProxyInputs, *, encrypt: Callable[[str], str] | None = None, key_fingerprint: str = ""
) -> bytes:
    """The register of `inputs`' OIDC clients (client_id order); `encrypt=None` gives the plan."""
    encrypt = encrypt or _plan_secret
    missing = {s.key for s in clients_without_secret(inputs)}
    clients = [
        _client(service, encrypt)
        for service in sorted(inputs.services, key=lambda s: s.client_id)
        if service.protocol == "oidc" and service.oidc is not None and service.key not in missing
    ]
    document = {
        "environment": inputs.environment,
        # Which proxy key the secrets are encrypted to (RFC 7638 thumbprint, also each JWE's kid).
        "encryption": {"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": key_fingerprint},
        "clients": clients,
    }
    return json.dumps(document, ensure_ascii=False, sort_keys=True, indent=1).encode()
