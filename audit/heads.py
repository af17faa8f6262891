"""Exporting the chain head to somewhere the application cannot rewrite (issue 15, item 6).

The key stops a database writer from forging entries; it does not stop one from cutting the newest
entries off and rewinding the chain head row to match. So the head (newest entry, its MAC, the
count) is exported on a schedule: a line in the log, an email to staff, and an object in the
storage named by STORAGES["audit_heads"] (in production an append-only bucket, e.g. S3 with
Object Lock; by default a folder under var/). Each export is a new object; none is overwritten.
`audit_verify` then checks the chain against the newest exported head.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import asdict, dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.utils import timezone

from audit.models import ChainHead, Entry

logger = logging.getLogger("audit.heads")
STORAGE_ALIAS = "audit_heads"
NAME = re.compile(r"audit-head-\d{8}T\d{12}Z-\d+\.json")


class ExportedHeadError(Exception):
    """The newest exported head cannot be read: verification cannot rely on it."""


@dataclass(frozen=True)
class ExportedHead:
    entry_id: int | None
    mac: str
    length: int
    exported_at: str

    def __str__(self) -> str:
        return f"entry #{self.entry_id}, {self.length} entries, MAC {self.mac} (exported {self.exported_at})"


def chain_head_export() -> tuple[ExportedHead, str]:
    """Write the current head as a new storage object and a log line; (head, object name)."""
    head = ChainHead.objects.filter(pk=1).first()
    now = timezone.now()
    exported = ExportedHead(
        entry_id=head.last_entry_id if head else None,
        mac=head.last_hash if head else "",
        length=head.length if head else 0,
        exported_at=now.isoformat(timespec="seconds"),
    )
    storage = storages[STORAGE_ALIAS]
    name = f"audit-head-{now:%Y%m%dT%H%M%S%f}Z-{exported.entry_id or 0}.json"
    if storage.exists(name):  # never overwrite: an append-only bucket would refuse it anyway
        raise ExportedHeadError(f"{name} exists already")
    stored = storage.save(name, ContentFile(json.dumps(asdict(exported), sort_keys=True).encode()))
    logger.info("Audit chain head exported to %s: %s", stored, exported)
    return exported, stored


def exported_heads() -> list[ExportedHead]:
    """Every head in the storage, oldest first. All of them are checked, not only the newest: a
    forged "newer" head for a shortened log must not hide the genuine ones before it."""
    storage = storages[STORAGE_ALIAS]
    try:
        _folders, files = storage.listdir("")
    except FileNotFoundError:
        return []
    heads = []
    for name in sorted(name for name in files if NAME.fullmatch(name)):
        try:
            with storage.open(name) as file:
                data = json.loads(file.read())
            heads.append(
                ExportedHead(
                    entry_id=None if data["entry_id"] is None else int(data["entry_id"]),
                    mac=str(data["mac"]),
                    length=int(data["length"]),
                    exported_at=str(data["exported_at"]),
                )
            )
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise ExportedHeadError(f"{name} cannot be read: {error}") from error
    return heads


def last_exported_head() -> ExportedHead | None:
    """The newest head in the storage, or None if nothing was exported yet."""
    heads = exported_heads()
    return heads[-1] if heads else None


def entry_exists_with(entry_id: int, mac: str) -> bool:
    return Entry.objects.filter(pk=entry_id, hash=mac).exists()
