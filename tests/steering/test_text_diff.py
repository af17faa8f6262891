"""The side-by-side comparison voters see (issue 5)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from steering.text_diff import side_by_side


def test_unchanged_changed_added_and_removed_lines():
    old = "1 §\nJäsen sitoutuu.\nIrtisanominen kuukausi.\nLoppu."
    new = "1 §\nJäsen sitoutuu.\nIrtisanominen kaksi kuukautta.\nLoppu.\nUusi pykälä."
    rows = side_by_side(old, new)
    assert [row.state for row in rows] == ["same", "same", "changed", "same", "added"]
    assert rows[2].old == "Irtisanominen kuukausi." and rows[2].new == "Irtisanominen kaksi kuukautta."
    assert rows[4].old_number is None and rows[4].new_number == 5


def test_removed_line_keeps_its_number():
    rows = side_by_side("a\nb\nc", "a\nc")
    assert [(row.state, row.old_number, row.new_number) for row in rows] == [
        ("same", 1, 1),
        ("removed", 2, None),
        ("same", 3, 2),
    ]


lines = st.lists(st.sampled_from(["a", "b", "c", "d", ""]), max_size=12)


@given(lines, lines)
def test_both_texts_can_be_read_back_from_the_rows(old, new):
    rows = side_by_side("\n".join(old), "\n".join(new))
    assert [row.old for row in rows if row.old_number] == "\n".join(old).splitlines()
    assert [row.new for row in rows if row.new_number] == "\n".join(new).splitlines()
