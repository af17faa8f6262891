"""OIDC client secrets: generated here, shown once, stored encrypted (Fernet, key from the environment).

The key is `TRUSTNET_SECRET_KEY` in settings (environment variable `MEMBERS_SECRET_KEY`, a Fernet key);
rotating it means re-encrypting with `MultiFernet` (see docs/member-register.md).
"""

from __future__ import annotations

import hashlib
import secrets

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings


def _fernet() -> MultiFernet:
    keys = [k for k in settings.TRUSTNET_SECRET_KEYS if k]
    return MultiFernet([Fernet(k) for k in keys])


def client_id_generate() -> str:
    return "trustnet-" + secrets.token_hex(12)


def client_secret_generate() -> str:
    return secrets.token_urlsafe(32)


def secret_encrypt(plain: str) -> str:
    return _fernet().encrypt(plain.encode()).decode()


def secret_decrypt(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode()


def secret_sha256(plain: str) -> str:
    return hashlib.sha256(plain.encode()).hexdigest()
