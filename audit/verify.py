"""Checking the chain: recompute every hash in order and compare with the stored tip."""

from __future__ import annotations

from dataclasses import dataclass

from audit.models import GENESIS_HASH, ChainHead, Entry
from audit.services import hash_of_entry


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

    @property
    def ok(self) -> bool:
        return self.problem is None


def audit_chain_verify() -> ChainReport:
    """Walk the log oldest first; stop at the first entry that does not fit the chain."""
    expected_prev = GENESIS_HASH
    checked = 0
    last_id = None
    for entry in Entry.objects.order_by("id").iterator(chunk_size=2000):
        if entry.prev_hash != expected_prev:
            return ChainReport(
                checked,
                ChainProblem(
                    entry.pk, "its previous-entry hash does not match: an earlier entry was removed or altered"
                ),
            )
        if hash_of_entry(entry) != entry.hash:
            return ChainReport(checked, ChainProblem(entry.pk, "its content does not match its hash: it was altered"))
        expected_prev = entry.hash
        last_id = entry.pk
        checked += 1
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
        )
    return ChainReport(checked, None)
