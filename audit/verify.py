"""Checking the chain: recompute every MAC in order, compare with the stored tip and with the
newest head exported outside the database (audit.heads)."""

from __future__ import annotations

from dataclasses import dataclass

from audit.heads import ExportedHead, ExportedHeadError, last_exported_head
from audit.keys import keys_by_fingerprint, mac
from audit.models import GENESIS_HASH, ChainHead, Entry
from audit.services import payload_of_entry, unkeyed_hash_of_entry


@dataclass(frozen=True)
class ChainProblem:
    entry_id: int | None
    reason: str

    def __str__(self) -> str:
        where = f"entry #{self.entry_id}" if self.entry_id is not None else "chain head"
        return f"{where}: {self.reason}"


@dataclass(frozen=True)
class ChainReport:
    checked: int
    problem: ChainProblem | None
    exported_head: ExportedHead | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


def _entry_problem(entry: Entry, keys: dict[str, bytes], keyed_seen: bool) -> str | None:
    if not entry.key_id:
        # Entries from before the chain was keyed verify by plain SHA-256, but only ahead of the
        # first keyed entry: that one's MAC covers the last unkeyed hash, so the unkeyed part cannot
        # be rewritten either. An unkeyed entry after it is a forgery by someone without the key.
        if keyed_seen:
            return "it carries no MAC although the log is keyed: it was written without the chain key"
        if unkeyed_hash_of_entry(entry) != entry.hash:
            return "its content does not match its hash: it was altered"
        return None
    key = keys.get(entry.key_id)
    if key is None:
        return f"its MAC was made with a key this installation does not have (key {entry.key_id})"
    if mac(key, payload_of_entry(entry)) != entry.hash:
        return "its content does not match its MAC: it was altered"
    return None


def audit_chain_verify(head: ExportedHead | None = None) -> ChainReport:
    """Walk the log oldest first; stop at the first entry that does not fit the chain.

    `head`: a chain head exported earlier (e.g. from a staff email) to check against; by default
    the newest one in the export storage."""
    keys = keys_by_fingerprint()
    exported = head
    if exported is None:
        try:
            exported = last_exported_head()
        except ExportedHeadError as error:
            return ChainReport(0, ChainProblem(None, f"the newest exported chain head cannot be read: {error}"))
    expected_prev = GENESIS_HASH
    checked = 0
    last_id = None
    keyed_seen = False
    exported_found = exported is None or exported.entry_id is None
    for entry in Entry.objects.order_by("id").iterator(chunk_size=2000):
        if entry.prev_hash != expected_prev:
            return ChainReport(
                checked,
                ChainProblem(
                    entry.pk, "its previous-entry hash does not match: an earlier entry was removed or altered"
                ),
                exported,
            )
        problem = _entry_problem(entry, keys, keyed_seen)
        if problem:
            return ChainReport(checked, ChainProblem(entry.pk, problem), exported)
        keyed_seen = keyed_seen or bool(entry.key_id)
        if exported is not None and entry.pk == exported.entry_id:
            if entry.hash != exported.mac:
                return ChainReport(
                    checked,
                    ChainProblem(entry.pk, f"it differs from the chain head exported at {exported.exported_at}"),
                    exported,
                )
            exported_found = True
        expected_prev = entry.hash
        last_id = entry.pk
        checked += 1
    if not exported_found or (exported is not None and checked < exported.length):
        return ChainReport(
            checked,
            ChainProblem(
                last_id,
                f"the log ends here after {checked} entries, but the chain head exported at "
                f"{exported.exported_at} was entry #{exported.entry_id} after {exported.length} entries: "
                "entries were removed",
            ),
            exported,
        )
    head = ChainHead.objects.filter(pk=1).first()
    head_hash = head.last_hash if head else GENESIS_HASH
    head_length = head.length if head else 0
    if head_hash != expected_prev or head_length != checked:
        return ChainReport(
            checked,
            ChainProblem(
                last_id,
                f"the chain ends here, but the recorded tip is entry #{head.last_entry_id if head else '-'} "
                f"after {head_length} entries: newer entries were removed",
            ),
            exported,
        )
    return ChainReport(checked, None, exported)
