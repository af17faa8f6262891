"""`manage.py proxy_signing_key`: generate the metadata signing key and certificate."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from proxy.signing import generate_key_pair


class Command(BaseCommand):
    help = (
        "Generate an RSA-3072 key and self-signed certificate for signing the proxy metadata, at "
        "PROXY_SIGNING_KEY_FILE / PROXY_SIGNING_CERT_FILE (or --next for a key rollover)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--common-name", default="trustnet metadata signing")
        parser.add_argument("--days", type=int, default=3650)
        parser.add_argument("--force", action="store_true", help="Replace an existing key.")
        parser.add_argument("--if-missing", action="store_true", help="Do nothing if a key exists (make run).")
        parser.add_argument(
            "--next",
            metavar="DIR",
            help="Write the next key and certificate into DIR instead, for a rollover "
            "(then point PROXY_NEXT_SIGNING_CERT_FILE at DIR/signing-cert.pem).",
        )

    def handle(self, *args: object, **options: object) -> None:
        if options["next"]:
            folder = Path(str(options["next"]))
            key_path, cert_path = folder / "signing-key.pem", folder / "signing-cert.pem"
        else:
            key_path, cert_path = Path(settings.PROXY_SIGNING_KEY_FILE), Path(settings.PROXY_SIGNING_CERT_FILE)
        if key_path.exists() and options["if_missing"]:
            return
        if key_path.exists() and not options["force"]:
            raise CommandError(f"{key_path} exists; use --force to replace it")
        key_pem, cert_pem = generate_key_pair(common_name=str(options["common_name"]), days=int(options["days"]))
        key_path.parent.mkdir(parents=True, exist_ok=True)
        key_path.touch(mode=0o600)
        key_path.write_bytes(key_pem)
        cert_path.write_bytes(cert_pem)
        self.stdout.write(f"Wrote {key_path} and {cert_path}")
