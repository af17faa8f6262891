"""The redline of an agreement change: old and new text compared paragraph by paragraph, and word by
word inside a changed paragraph (DESIGN 3.5: every member is told of every change, so what changes
must be readable by a lawyer and by a screen reader alike).

Pure: no database, no HTML, no translation. Pages (a proposal, a member's change notice, staff's
version comparison) render what this returns; the template says "inserted"/"deleted" in words.

How paragraphs are aligned: difflib's SequenceMatcher over whole paragraphs keeps equal paragraphs
paired with themselves, so a paragraph inserted or moved never shifts the pairs after it. Inside
each run it could not match, old and new paragraphs are paired by their similarity (an
order-keeping alignment that maximises the total similarity), so an edited paragraph is shown as
changed against its own earlier wording, and a paragraph with no similar counterpart as added or
removed. A removed paragraph that reappears word for word elsewhere is marked as moved.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Protocol

# Two paragraphs with less in common than this are different paragraphs (one removed, one added),
# not one paragraph changed: a lawyer reads a rewrite as a replacement, not as a tracked edit.
SIMILAR_ENOUGH = 0.5

SAME, CHANGED, ADDED, REMOVED = "same", "changed", "added", "removed"
INSERTED, DELETED = "inserted", "deleted"

# Words (letters, digits, §-signs and the like), runs of white space, and single punctuation marks:
# a changed comma is marked as a comma, not as the whole word before it.
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)
_WORD = re.compile(r"\w+|[^\w\s]", re.UNICODE)


@dataclass(frozen=True)
class Segment:
    """A piece of a paragraph: `kind` is "same", "inserted" or "deleted"."""

    kind: str
    text: str


@dataclass(frozen=True)
class Paragraph:
    """One aligned row. `state` is "same", "changed", "added" or "removed"; numbers count the
    paragraphs of each text from 1 (None on the side where the paragraph does not exist)."""

    state: str
    old_number: int | None
    old: str
    new_number: int | None
    new: str
    segments: tuple[Segment, ...] = ()
    # For a removed paragraph that is added word for word elsewhere: where it went (and back).
    moved_to: int | None = None
    moved_from: int | None = None

    @property
    def old_segments(self) -> tuple[Segment, ...]:
        """The old side: what stayed and what was deleted."""
        return tuple(segment for segment in self.segments if segment.kind != INSERTED)

    @property
    def new_segments(self) -> tuple[Segment, ...]:
        """The new side: what stayed and what was inserted."""
        return tuple(segment for segment in self.segments if segment.kind != DELETED)

    @property
    def is_moved(self) -> bool:
        return self.moved_to is not None or self.moved_from is not None


@dataclass(frozen=True)
class Part:
    """What a page shows in order: either a run of unchanged paragraphs (collapsible) or one
    paragraph that changed."""

    unchanged: tuple[Paragraph, ...] = ()
    change: Paragraph | None = None


@dataclass(frozen=True)
class Redline:
    paragraphs: tuple[Paragraph, ...]
    parts: tuple[Part, ...] = field(default=())

    @property
    def has_changes(self) -> bool:
        return any(paragraph.state != SAME for paragraph in self.paragraphs)

    def count(self, state: str) -> int:
        return sum(1 for paragraph in self.paragraphs if paragraph.state == state)

    @property
    def changed_count(self) -> int:
        return self.count(CHANGED)

    @property
    def added_count(self) -> int:
        return self.count(ADDED)

    @property
    def removed_count(self) -> int:
        return self.count(REMOVED)


def paragraphs_of(text: str) -> list[str]:
    """The text's paragraphs: its non-blank lines with white space collapsed. Blank lines and
    trailing spaces carry no meaning in an agreement, so they never show as a change."""
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def similarity(old: str, new: str) -> float:
    """0..1: how much two paragraphs have in common, word by word (white space left out: the spaces
    of any two sentences would otherwise make them look alike)."""
    return difflib.SequenceMatcher(a=_WORD.findall(old), b=_WORD.findall(new), autojunk=False).ratio()


def word_changes(old: str, new: str) -> tuple[Segment, ...]:
    """The words of `old` and `new` in reading order, each marked same, deleted or inserted.
    Adjacent pieces of one kind are joined, and a deletion comes before the insertion replacing it."""
    old_tokens, new_tokens = _TOKEN.findall(old), _TOKEN.findall(new)
    matcher = difflib.SequenceMatcher(a=old_tokens, b=new_tokens, autojunk=False)
    pieces: list[Segment] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            pieces.append(Segment(SAME, "".join(old_tokens[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(Segment(DELETED, "".join(old_tokens[i1:i2])))
        if j2 > j1:
            pieces.append(Segment(INSERTED, "".join(new_tokens[j1:j2])))
    return _merged(_absorb_lone_spaces(pieces))


def compare(old: str, new: str) -> Redline:
    """The redline of `new` against `old` (either may be empty: a first version is all added)."""
    old_paragraphs, new_paragraphs = paragraphs_of(old), paragraphs_of(new)
    rows: list[Paragraph] = []
    matcher = difflib.SequenceMatcher(a=old_paragraphs, b=new_paragraphs, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            rows.extend(
                Paragraph(SAME, i + 1, old_paragraphs[i], j + 1, new_paragraphs[j], (Segment(SAME, old_paragraphs[i]),))
                for i, j in zip(range(i1, i2), range(j1, j2), strict=True)
            )
        else:
            rows.extend(_align_run(old_paragraphs, i1, i2, new_paragraphs, j1, j2))
    rows = _mark_moves(rows)
    return Redline(paragraphs=tuple(rows), parts=tuple(_parts(rows)))


class _HasTexts(Protocol):
    def text_in(self, language: str) -> str: ...


def compare_versions(
    old: _HasTexts | None, new: _HasTexts, languages: Iterable[str] = ("fi", "sv")
) -> list[dict[str, object]]:
    """One redline per language the agreement is signed in (DESIGN 3.1): [{"language", "redline"}]."""
    return [
        {"language": language, "redline": compare(old.text_in(language) if old else "", new.text_in(language))}
        for language in languages
    ]


# --- alignment inside a run SequenceMatcher could not match ------------------------------------


def _align_run(old: list[str], i1: int, i2: int, new: list[str], j1: int, j2: int) -> list[Paragraph]:
    """Pair old[i1:i2] with new[j1:j2] in order, maximising the total similarity of the pairs
    (each at least SIMILAR_ENOUGH); the rest are removed or added where they stand."""
    left, right = old[i1:i2], new[j1:j2]
    n, m = len(left), len(right)
    score = [[similarity(a, b) for b in right] for a in left]
    # best[i][j]: the best total for left[i:] against right[j:] (the runs are a few paragraphs long).
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            pair = score[i][j] + best[i + 1][j + 1] if score[i][j] >= SIMILAR_ENOUGH else -1.0
            best[i][j] = max(pair, best[i + 1][j], best[i][j + 1])
    rows: list[Paragraph] = []
    i = j = 0
    while i < n or j < m:
        if i < n and j < m and score[i][j] >= SIMILAR_ENOUGH and best[i][j] == score[i][j] + best[i + 1][j + 1]:
            rows.append(Paragraph(CHANGED, i1 + i + 1, left[i], j1 + j + 1, right[j], word_changes(left[i], right[j])))
            i, j = i + 1, j + 1
        elif i < n and (j == m or best[i][j] == best[i + 1][j]):
            rows.append(Paragraph(REMOVED, i1 + i + 1, left[i], None, "", (Segment(DELETED, left[i]),)))
            i += 1
        else:
            rows.append(Paragraph(ADDED, None, "", j1 + j + 1, right[j], (Segment(INSERTED, right[j]),)))
            j += 1
    return rows


def _mark_moves(rows: list[Paragraph]) -> list[Paragraph]:
    """A removed paragraph added word for word elsewhere is one paragraph moved: say where."""
    added: dict[str, list[int]] = {}
    for index, row in enumerate(rows):
        if row.state == ADDED:
            added.setdefault(row.new, []).append(index)
    result = list(rows)
    for index, row in enumerate(rows):
        if row.state == REMOVED and added.get(row.old):
            target = added[row.old].pop(0)
            result[index] = replace(row, moved_to=rows[target].new_number)
            result[target] = replace(rows[target], moved_from=row.old_number)
    return result


def _parts(rows: list[Paragraph]) -> list[Part]:
    parts: list[Part] = []
    run: list[Paragraph] = []
    for row in rows:
        if row.state == SAME:
            run.append(row)
            continue
        if run:
            parts.append(Part(unchanged=tuple(run)))
            run = []
        parts.append(Part(change=row))
    if run:
        parts.append(Part(unchanged=tuple(run)))
    return parts


# --- word-level clean-up ------------------------------------------------------------------------


def _absorb_lone_spaces(pieces: list[Segment]) -> list[Segment]:
    """A single space kept between two changes ("a b" -> "c d") would chop the change into
    word-sized bits; fold it into both sides so the reader sees one deletion and one insertion."""
    result: list[Segment] = []
    for index, piece in enumerate(pieces):
        before = pieces[index - 1] if index else None
        after = pieces[index + 1] if index + 1 < len(pieces) else None
        if (
            piece.kind == SAME
            and not piece.text.strip()
            and before is not None
            and after is not None
            and before.kind != SAME
            and after.kind != SAME
        ):
            result.extend([Segment(DELETED, piece.text), Segment(INSERTED, piece.text)])
        else:
            result.append(piece)
    return _grouped(result)


def _grouped(pieces: list[Segment]) -> list[Segment]:
    """Within each stretch between unchanged text, all deletions first, then all insertions."""
    result: list[Segment] = []
    deleted: list[str] = []
    inserted: list[str] = []

    def flush() -> None:
        if deleted:
            result.append(Segment(DELETED, "".join(deleted)))
        if inserted:
            result.append(Segment(INSERTED, "".join(inserted)))
        deleted.clear()
        inserted.clear()

    for piece in pieces:
        if piece.kind == SAME:
            flush()
            result.append(piece)
        elif piece.kind == DELETED:
            deleted.append(piece.text)
        else:
            inserted.append(piece.text)
    flush()
    return result


def _merged(pieces: list[Segment]) -> tuple[Segment, ...]:
    result: list[Segment] = []
    for piece in pieces:
        if not piece.text:
            continue
        if result and result[-1].kind == piece.kind:
            result[-1] = Segment(piece.kind, result[-1].text + piece.text)
        else:
            result.append(piece)
    return tuple(result)
