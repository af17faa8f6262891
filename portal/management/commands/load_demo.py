import os
import sys

from django.conf import settings
from django.core.management.base import BaseCommand
from django.test.utils import override_settings

from portal.demo import demo_load


class Command(BaseCommand):
    help = "Create (or bring up to date) realistic Finnish demo data and print the demo logins."

    def handle(self, *args, **options) -> None:
        # The demo's own notices (signatures, decisions, change notices) would otherwise be
        # printed or sent to made-up addresses; keep them in memory and say how many there were.
        # The proxy configuration is built once, by the last loader, not after every demo change
        # (with no broker those builds would run inline, half-way through the data).
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend", PROXY_BUILD_ON_CHANGE=False
        ):
            from django.core import mail

            mail.outbox = []
            demo_load(report=self.stdout.write)
            sent = len(mail.outbox)
        self.stdout.write(f"({sent} demo notification emails were generated and not sent.)")
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
        # The address and command as they work here: SITE_URL follows `make run PORT=…`, and the
        # interpreter is the one running this (a plain `python` may have none of the packages).
        self.stdout.write(f"Open {settings.SITE_URL}/ and log in with one of the accounts above.")
        self.stdout.write(
            f"Current code for an account with MFA: {_python()} manage.py demo_totp_code operator@trustnet.example"
        )


def _python() -> str:
    relative = os.path.relpath(sys.executable)
    return sys.executable if relative.startswith("..") else relative
