"""Checking the chain: recompute every MAC in order, compare with the stored tip and with the
newest head exported outside the database (audit.heads)."""

from __future__ import annotations

from dataclasses import dataclass

from audit.heads import ExportedHead, ExportedHeadError, exported_heads
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

    Checked against the heads exported out of the database (every one of them), or against `head`
    alone when one is given (e.g. from a staff email)."""
    keys = keys_by_fingerprint()
    if head is not None:
        heads = [head]
    else:
        try:
            heads = exported_heads()
        except ExportedHeadError as error:
            return ChainReport(0, ChainProblem(None, f"an exported chain head cannot be read: {error}"))
    newest = heads[-1] if heads else None
    by_entry = {exported.entry_id: exported for exported in heads if exported.entry_id is not None}
    expected_prev = GENESIS_HASH
    checked = 0
    last_id = None
    keyed_seen = False
    for entry in Entry.objects.order_by("id").iterator(chunk_size=2000):
        if entry.prev_hash != expected_prev:
            return ChainReport(
                checked,
                ChainProblem(
                    entry.pk, "its previous-entry hash does not match: an earlier entry was removed or altered"
                ),
                newest,
            )
        problem = _entry_problem(entry, keys, keyed_seen)
        if problem:
            return ChainReport(checked, ChainProblem(entry.pk, problem), newest)
        keyed_seen = keyed_seen or bool(entry.key_id)
        exported = by_entry.pop(entry.pk, None)
        if exported is not None and entry.hash != exported.mac:
            return ChainReport(
                checked, ChainProblem(entry.pk, f"it differs from the chain head exported at {exported.exported_at}"),
                newest,
            )  # fmt: skip
        expected_prev = entry.hash
        last_id = entry.pk
        checked += 1
    if checked and not keyed_seen:
        # The migration that keyed the chain sealed the older entries with one keyed entry; a log
        # of unkeyed entries only could have been rewritten and recomputed by anyone.
        return ChainReport(checked, ChainProblem(last_id, "no entry carries a MAC: the log is not sealed"), newest)
    missing = next(iter(by_entry.values()), None)
    longest = max(heads, key=lambda exported: exported.length, default=None)
    if missing is not None or (longest is not None and checked < longest.length):
        exported = missing or longest
        return ChainReport(
            checked,
            ChainProblem(
                last_id,
                f"the log ends here after {checked} entries, but the chain head exported at "
                f"{exported.exported_at} was entry #{exported.entry_id} after {exported.length} entries: "
                "entries were removed",
            ),
            newest,
        )
    chain_head = ChainHead.objects.filter(pk=1).first()
    head_hash = chain_head.last_hash if chain_head else GENESIS_HASH
    head_length = chain_head.length if chain_head else 0
    tip = chain_head.last_entry_id if chain_head else "-"
    if head_hash != expected_prev or head_length != checked:
        return ChainReport(
            checked,
            ChainProblem(
                last_id,
                f"the chain ends here, but the recorded tip is entry #{tip} "
                f"after {head_length} entries: newer entries were removed",
            ),
            newest,
        )
    return ChainReport(checked, None, newest)
