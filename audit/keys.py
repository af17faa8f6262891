"""The chain key: an HMAC key that lives in the environment, never in the database.

Whoever can write the database could otherwise rewrite an entry and recompute every hash after it
(issue 15, item 6). With the key outside the database, a rewritten entry no longer carries a MAC
the verifier accepts. AUDIT_CHAIN_KEY lists keys newest first: new entries use the first; older
keys stay listed so entries written under them still verify after a rotation.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings

# What development and the tests use when no key is set; a system check refuses it in production.
DEVELOPMENT_KEY = "dev-only-not-secret-audit-chain-key"


def key_fingerprint(key: str) -> str:
    """A key's public name, stored with each entry: it tells which key to verify with, not the key."""
    return hashlib.sha256(b"trustnet audit chain key id:" + key.encode()).hexdigest()[:16]


def current_key() -> tuple[str, bytes]:
    """(fingerprint, key) of the key new entries are written with."""
    key = settings.AUDIT_CHAIN_KEYS[0]
    return key_fingerprint(key), key.encode()


def keys_by_fingerprint() -> dict[str, bytes]:
    return {key_fingerprint(key): key.encode() for key in settings.AUDIT_CHAIN_KEYS}


def mac(key: bytes, payload: bytes) -> str:
    return hmac.new(key, payload, hashlib.sha256).hexdigest()
