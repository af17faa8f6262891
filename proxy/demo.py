"""Demo: a signing key, a proxy key for the test environment and a published snapshot per
environment, built from the demo register the loaders before this one created, so `make run`
serves real, signed metadata and an `oidc-clients.json` whose secrets the demo proxy key decrypts."""

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


# The environment the demo registers a proxy key for; production has none, so the demo also
# shows the client register withheld (and staff told) as it is until staff register a key.
DEMO_PROXY_KEY_ENVIRONMENT = "test"


def demo_proxy_key_path() -> Path:
    """Where the demo keeps the private half of its proxy key: beside the signing key (under
    var/proxy/ by default, which git ignores), never in the repository."""
    return Path(settings.PROXY_SIGNING_KEY_FILE).parent / f"demo-proxy-key-{DEMO_PROXY_KEY_ENVIRONMENT}.pem"


def ensure_demo_proxy_key(*, report: Callable[[str], None]) -> None:
    """Generate the demo proxy's key pair once and register its public key for the test
    environment (again only if the registered key is not this one), as staff would."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    from proxy.proxy_keys import proxy_key_current, proxy_key_parse
    from proxy.services import proxy_key_register

    path = demo_proxy_key_path()
    if path.exists():
        private = serialization.load_pem_private_key(path.read_bytes(), password=None)
    else:
        private = rsa.generate_private_key(public_exponent=65537, key_size=3072)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_bytes(
            private.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        path.chmod(0o600)
    public_pem = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    current = proxy_key_current(DEMO_PROXY_KEY_ENVIRONMENT)
    if current is None or current.fingerprint != proxy_key_parse(public_pem).fingerprint:
        proxy_key_register(environment=DEMO_PROXY_KEY_ENVIRONMENT, public_key=public_pem)
        report(
            f"proxy: demo proxy key registered for {DEMO_PROXY_KEY_ENVIRONMENT}; its private key "
            f"(decrypts oidc-clients.json) is {path}"
        )


def load(*, report: Callable[[str], None]) -> None:
    from proxy.services import snapshot_build

    ensure_signing_key(report=report)
    ensure_demo_proxy_key(report=report)
    for environment in ("test", "production"):
        # Built from the demo register the loaders before this one created.
        snapshot = snapshot_build(environment=environment, trigger="demo")
        report(f"proxy: {environment} snapshot #{snapshot.pk} {snapshot.status}")
