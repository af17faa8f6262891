"""The proxy's public key per environment and the JWE that encrypts OIDC client secrets to it.

`joserfc` (pinned in requirements.txt) makes the compact JWE (RSA-OAEP-256 key wrapping,
A256GCM content encryption), the form a stock OP library (joserfc, jwcrypto, Authlib, nimbus)
decrypts with the proxy's private key.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from joserfc import jwe
from joserfc.jwk import RSAKey

# As for SP certificates (DESIGN section 2): RSA below 2048 bits is weak.
MIN_RSA_BITS = 2048
JWE_ALGORITHM = "RSA-OAEP-256"
JWE_ENCRYPTION = "A256GCM"
# RSA-OAEP-256 is not in joserfc's default ("recommended") set: allow exactly what we use.
JWE_REGISTRY = jwe.JWERegistry(algorithms=[JWE_ALGORITHM, JWE_ENCRYPTION])
# A pasted key larger than this is not a public key.
MAX_KEY_TEXT = 20_000


@dataclass(frozen=True)
class ParsedProxyKey:
    pem: str
    fingerprint: str
    key_size: int


def _refuse(message: str) -> ValidationError:
    return ValidationError({"public_key": message})


def _from_jwk(text: str) -> rsa.RSAPublicKey:
    try:
        data = json.loads(text)
    except ValueError as error:
        raise _refuse(_("The public key is neither a PEM public key nor a JSON Web Key.")) from error
    if not isinstance(data, dict) or data.get("kty") != "RSA":
        raise _refuse(_('The public key must be an RSA key (a JSON Web Key with "kty": "RSA").'))
    if "d" in data or "p" in data:
        raise _refuse(_("This is a private key. Paste only the proxy's public key; keep the private key on the proxy."))
    try:
        key = RSAKey.import_key(data)
    except Exception as error:  # joserfc raises several kinds for a malformed JWK
        raise _refuse(_("The JSON Web Key could not be read: %(error)s") % {"error": error}) from error
    return key.public_key


def proxy_key_parse(text: str) -> ParsedProxyKey:
    """A pasted proxy public key (PEM or JWK), checked: RSA of at least 2048 bits, public only.

    Raises a ValidationError naming the `public_key` field; nothing is stored by this function.
    """
    text = (text or "").strip()
    if not text:
        raise _refuse(_("Paste the proxy's public key."))
    if len(text) > MAX_KEY_TEXT:
        raise _refuse(_("The public key is too long to be one."))
    if "PRIVATE KEY" in text:
        raise _refuse(_("This is a private key. Paste only the proxy's public key; keep the private key on the proxy."))
    if text.startswith("{"):
        public = _from_jwk(text)
    else:
        try:
            public = serialization.load_pem_public_key(text.encode())
        except (ValueError, TypeError) as error:
            raise _refuse(
                _(
                    "The public key could not be read. Paste a PEM block starting with "
                    "-----BEGIN PUBLIC KEY----- or a JSON Web Key."
                )
            ) from error
    if not isinstance(public, rsa.RSAPublicKey):
        raise _refuse(_("The public key must be an RSA key: the client register is encrypted with RSA-OAEP-256."))
    if public.key_size < MIN_RSA_BITS:
        raise _refuse(
            _("The public key is too weak: RSA %(bits)s bits, at least %(min)s needed.")
            % {"bits": public.key_size, "min": MIN_RSA_BITS}
        )
    pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return ParsedProxyKey(pem=pem, fingerprint=RSAKey.import_key(pem).thumbprint(), key_size=public.key_size)


def secret_to_jwe(secret: str, *, public_key_pem: str, kid: str) -> str:
    """The client secret as a compact JWE only the holder of the proxy's private key can read."""
    key = RSAKey.import_key(public_key_pem)
    header = {"alg": JWE_ALGORITHM, "enc": JWE_ENCRYPTION, "kid": kid, "cty": "text/plain"}
    return jwe.encrypt_compact(header, secret.encode(), key, registry=JWE_REGISTRY)


def proxy_key_current(environment: str):  # -> ProxyKey | None (models import kept lazy: see below)
    """The key in use for an environment: the newest registered, or None (the register is withheld)."""
    # Imported here so the parsing above stays usable without Django's app registry (scripts).
    from proxy.models import ProxyKey

    return ProxyKey.objects.filter(environment=environment).order_by("-created_at", "-id").first()
