"""System checks: production must not run with the development chain key (issue 15, item 6)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks

from audit.keys import DEVELOPMENT_KEY

MIN_KEY_LENGTH = 32


@checks.register(checks.Tags.security)
def audit_chain_key_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    keys = list(getattr(settings, "AUDIT_CHAIN_KEYS", []))
    if not keys:
        return [checks.Error("AUDIT_CHAIN_KEY is empty: the audit log cannot be keyed.", id="audit.E001")]
    if not getattr(settings, "PRODUCTION", False):
        return []
    problems: list[checks.CheckMessage] = []
    if DEVELOPMENT_KEY in keys:
        problems.append(checks.Error("AUDIT_CHAIN_KEY holds the development key; set a secret key.", id="audit.E002"))
    if len(keys[0]) < MIN_KEY_LENGTH:
        problems.append(
            checks.Error(f"The first AUDIT_CHAIN_KEY is shorter than {MIN_KEY_LENGTH} characters.", id="audit.E003")
        )
    if settings.STORAGES.get("audit_heads", {}).get("BACKEND", "").endswith("FileSystemStorage"):
        problems.append(
            checks.Warning(
                "The audit chain head is exported to a local folder the application can rewrite.",
                hint="Set AUDIT_HEAD_STORAGE_BACKEND to an append-only bucket (e.g. S3 with Object Lock).",
                id="audit.W001",
            )
        )
    return problems
