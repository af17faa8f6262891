"""The agreement redline's alignment and word marks (contracts/redline.py, issue 16 item 3)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from contracts.redline import Segment, compare, paragraphs_of, word_changes

OLD = (
    "1 § Osapuolet\nOperaattori ja jäsen.\n2 § Kohde\nJäsen liittyy verkostoon.\n"
    "3 § Irtisanominen\nJäsen voi irtisanoa kuukauden irtisanomisajalla."
)


def states(redline):
    return [(row.state, row.old_number, row.new_number) for row in redline.paragraphs]


def test_identical_texts_mark_nothing_and_fold_into_one_unchanged_run():
    redline = compare(OLD, OLD)
    assert not redline.has_changes
    assert {row.state for row in redline.paragraphs} == {"same"}
    assert len(redline.parts) == 1 and len(redline.parts[0].unchanged) == 6
    assert all(segment.kind == "same" for row in redline.paragraphs for segment in row.segments)


def test_blank_lines_and_spacing_are_not_changes_and_never_make_empty_rows():
    spaced = "\n\n" + OLD.replace("\n", "\n\n  ").replace("Jäsen liittyy", "Jäsen   liittyy") + "  \n\n"
    redline = compare(OLD, spaced)
    assert not redline.has_changes
    assert all(row.old.strip() or row.new.strip() for row in compare("a\n\nb", "a\nc\n\n\nb").paragraphs)


def test_a_paragraph_inserted_in_the_middle_shifts_no_other_pair():
    new = OLD.replace("2 § Kohde\n", "2 § Kohde\nUusi kappale tietosuojasta.\n")
    redline = compare(OLD, new)
    assert states(redline) == [
        ("same", 1, 1),
        ("same", 2, 2),
        ("same", 3, 3),
        ("added", None, 4),
        ("same", 4, 5),
        ("same", 5, 6),
        ("same", 6, 7),
    ]
    assert redline.paragraphs[3].segments == (Segment("inserted", "Uusi kappale tietosuojasta."),)
    assert [bool(part.change) for part in redline.parts] == [False, True, False]
    assert [len(part.unchanged) for part in redline.parts] == [3, 0, 3]


def test_a_moved_paragraph_is_marked_as_moved_and_the_rest_stay_paired():
    old = "A alkaa.\nB jatkuu.\nC päättyy.\nD lopuksi."
    new = "A alkaa.\nC päättyy.\nD lopuksi.\nB jatkuu."
    redline = compare(old, new)
    assert states(redline) == [("same", 1, 1), ("removed", 2, None), ("same", 3, 2), ("same", 4, 3), ("added", None, 4)]
    removed, added = redline.paragraphs[1], redline.paragraphs[4]
    assert removed.moved_to == 4 and added.moved_from == 2
    assert redline.changed_count == 0


def test_one_word_changed_marks_only_that_word():
    new = OLD.replace("kuukauden irtisanomisajalla", "kahden kuukauden irtisanomisajalla").replace(
        "Operaattori ja jäsen.", "Operaattori ja jäsenorganisaatio."
    )
    redline = compare(OLD, new)
    assert [row.state for row in redline.paragraphs] == ["same", "changed", "same", "same", "same", "changed"]
    assert redline.paragraphs[1].segments == (
        Segment("same", "Operaattori ja "),
        Segment("deleted", "jäsen"),
        Segment("inserted", "jäsenorganisaatio"),
        Segment("same", "."),
    )
    last = redline.paragraphs[5]
    assert last.segments == (
        Segment("same", "Jäsen voi irtisanoa "),
        Segment("inserted", "kahden "),
        Segment("same", "kuukauden irtisanomisajalla."),
    )
    assert "".join(s.text for s in last.old_segments) == last.old
    assert "".join(s.text for s in last.new_segments) == last.new


def test_an_edited_paragraph_pairs_with_its_own_old_wording_when_another_is_inserted_before_it():
    old = "Otsikko\nJäsen maksaa maksun vuosittain.\nLoppu."
    new = "Otsikko\nOperaattori laskuttaa tammikuussa.\nJäsen maksaa maksun kuukausittain.\nLoppu."
    redline = compare(old, new)
    assert states(redline) == [("same", 1, 1), ("added", None, 2), ("changed", 2, 3), ("same", 3, 4)]


def test_a_rewritten_paragraph_is_removed_and_added_not_changed():
    redline = compare("Otsikko\nVanha ehto koskee maksuja.", "Otsikko\nTäysin toinen määräys tietosuojasta.")
    assert [row.state for row in redline.paragraphs] == ["same", "removed", "added"]


def test_a_first_version_is_all_added():
    redline = compare("", "a\nb")
    assert [row.state for row in redline.paragraphs] == ["added", "added"] and redline.added_count == 2


def test_adjacent_changed_words_read_as_one_deletion_and_one_insertion():
    assert word_changes("yksi kaksi kolme neljä", "yksi viisi kuusi neljä") == (
        Segment("same", "yksi "),
        Segment("deleted", "kaksi kolme"),
        Segment("inserted", "viisi kuusi"),
        Segment("same", " neljä"),
    )


paragraph_texts = st.lists(st.sampled_from(["a b c", "a b d", "x y", "z", "", "p q r s"]), max_size=10)


@given(paragraph_texts, paragraph_texts)
def test_both_texts_can_be_read_back_from_the_redline(old, new):
    redline = compare("\n".join(old), "\n".join(new))
    assert [row.old for row in redline.paragraphs if row.old_number] == paragraphs_of("\n".join(old))
    assert [row.new for row in redline.paragraphs if row.new_number] == paragraphs_of("\n".join(new))
    for row in redline.paragraphs:
        if row.old_number:
            assert "".join(s.text for s in row.old_segments) == row.old
        if row.new_number:
            assert "".join(s.text for s in row.new_segments) == row.new
        assert row.state != "same" or row.old == row.new
    assert sum(len(part.unchanged) + (part.change is not None) for part in redline.parts) == len(redline.paragraphs)
