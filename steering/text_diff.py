"""Side-by-side comparison of two agreement texts, line by line (issue 5: voters see what changes).

Pure: no database, no HTML. Templates render the rows; states are words, not colours only.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass


@dataclass(frozen=True)
class DiffRow:
    """One row of the comparison. `state` is "same", "changed", "removed" or "added"."""

    state: str
    old_number: int | None
    old: str
    new_number: int | None
    new: str


def side_by_side(old: str, new: str) -> list[DiffRow]:
    """Rows pairing the old text's lines with the new text's; unchanged lines pair with themselves."""
    old_lines, new_lines = old.splitlines(), new.splitlines()
    rows: list[DiffRow] = []
    matcher = difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for offset in range(i2 - i1):
                rows.append(
                    DiffRow("same", i1 + offset + 1, old_lines[i1 + offset], j1 + offset + 1, new_lines[j1 + offset])
                )
            continue
        left, right = old_lines[i1:i2], new_lines[j1:j2]
        for offset in range(max(len(left), len(right))):
            has_old, has_new = offset < len(left), offset < len(right)
            state = "changed" if has_old and has_new else ("removed" if has_old else "added")
            rows.append(
                DiffRow(
                    state,
                    i1 + offset + 1 if has_old else None,
                    left[offset] if has_old else "",
                    j1 + offset + 1 if has_new else None,
                    right[offset] if has_new else "",
                )
            )
    return rows
