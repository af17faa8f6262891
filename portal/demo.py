"""The demo data set, built by each app's `demo.load` in dependency order."""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction
from django.utils.module_loading import import_string

# Each loader is idempotent and may rely on what the loaders before it created.
DEMO_LOADERS = [
    "accounts.demo.load",
    "members.demo.load",
    "members.demo.load_login_source_mappings",
    "members.demo.load_login_source_login_pages",
    "contracts.demo_agreements.load",
    "members.demo.load_login_source_promotion",
    "members.demo.load_promotions",
    "steering.demo.load",
    "proxy.demo.load",
]


def demo_load(*, report: Callable[[str], None]) -> None:
    for dotted in DEMO_LOADERS:
        with transaction.atomic():
            import_string(dotted)(report=report)
