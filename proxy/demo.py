"""Demo: a signing key and a published snapshot per environment, built from the demo register
the loaders before this one created, so `make run` serves real, signed metadata."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.conf import settings


def ensure_signing_key(*, report: Callable[[str], None]) -> None:
    """Create a signing key for development if none is configured (never in production)."""
    from proxy.signing import generate_key_pair

    key_path, cert_path = Path(settings.PROXY_SIGNING_KEY_FILE), Path(settings.PROXY_SIGNING_CERT_FILE)
    if key_path.exists() and cert_path.exists():
        return
    key_pem, cert_pem = generate_key_pair(common_name="trustnet metadata signing (demo)")
    key_path.parent.mkdir(parents=True, exist_ok=True)
    key_path.write_bytes(key_pem)
    key_path.chmod(0o600)
    cert_path.write_bytes(cert_pem)
    report(f"proxy: signing key written to {key_path}")


def load(*, report: Callable[[str], None]) -> None:
    from proxy.services import snapshot_build

    ensure_signing_key(report=report)
    for environment in ("test", "production"):
        # Built from the demo register the loaders before this one created.
        snapshot = snapshot_build(environment=environment, trigger="demo")
        report(f"proxy: {environment} snapshot #{snapshot.pk} {snapshot.status}")
