"""The voting rule `steering.voting.decide` (DESIGN 3.5): a table, then properties."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from steering.voting import decide

# (seats, yes, no, abstain, quorum, majority, passes, why)
TABLE = [
    (9, 6, 3, 0, None, None, True, "exactly two thirds in favour"),
    (9, 5, 3, 0, None, None, False, "5/8 is under two thirds"),
    (9, 4, 2, 0, None, None, True, "6 of 9 voted: quorum met, 4/6 = 2/3"),
    (10, 4, 1, 0, None, None, False, "5 of 10 is not more than half"),
    (10, 4, 1, 1, None, None, True, "abstention counts towards quorum"),
    (10, 2, 1, 3, None, None, True, "abstentions do not count as votes cast: 2/3"),
    (10, 1, 1, 4, None, None, False, "1/2 in favour"),
    (10, 0, 0, 10, None, None, False, "only abstentions: nothing for or against"),
    (5, 0, 0, 0, None, None, False, "nobody voted"),
    (0, 0, 0, 0, None, None, False, "no seats"),
    (3, 2, 0, 0, None, None, True, "2 of 3 voted, both yes"),
    (4, 2, 0, 0, None, None, False, "2 of 4 is exactly half: no quorum"),
    (7, 4, 0, 0, Fraction(1, 2), Fraction(1, 1), True, "unanimity rule met"),
    (7, 4, 1, 0, Fraction(1, 2), Fraction(1, 1), False, "unanimity rule broken"),
    (6, 2, 1, 0, Fraction(1, 3), Fraction(1, 2), True, "looser rule as data"),
    (6, 2, 0, 0, Fraction(1, 3), Fraction(1, 2), False, "2 of 6 = exactly a third: no quorum"),
    (6, 2, 2, 0, Fraction(1, 3), Fraction(1, 2), True, "simple majority, tie passes at ≥ 1/2"),
    (3, 2, 1, 0, None, None, True, "two thirds of three"),
]


@pytest.mark.parametrize(("seats", "yes", "no", "abstain", "quorum", "majority", "passes", "why"), TABLE)
def test_decide_table(seats, yes, no, abstain, quorum, majority, passes, why):
    rule = {}
    if quorum is not None:
        rule["quorum"] = quorum
    if majority is not None:
        rule["majority"] = majority
    assert decide(seats=seats, yes=yes, no=no, abstain=abstain, **rule) is passes, why


@pytest.mark.parametrize(
    ("seats", "yes", "no", "abstain"),
    [(-1, 0, 0, 0), (5, -1, 0, 0), (5, 0, -1, 0), (5, 0, 0, -1), (5, 3, 2, 1), (0, 1, 0, 0)],
)
def test_decide_refuses_impossible_counts(seats, yes, no, abstain):
    with pytest.raises(ValueError):
        decide(seats=seats, yes=yes, no=no, abstain=abstain)


def test_decide_is_keyword_only():
    with pytest.raises(TypeError):
        decide(9, 6, 3, 0)  # type: ignore[misc]


def test_decide_refuses_floats():
    with pytest.raises(ValueError):
        decide(seats=9.0, yes=6, no=3, abstain=0)  # type: ignore[arg-type]


counts = st.integers(min_value=0, max_value=500)
fractions_01 = st.fractions(min_value=0, max_value=1, max_denominator=20)


@st.composite
def ballots(draw):
    seats = draw(counts)
    yes = draw(st.integers(0, seats))
    no = draw(st.integers(0, seats - yes))
    abstain = draw(st.integers(0, seats - yes - no))
    return seats, yes, no, abstain


@given(ballots(), fractions_01, fractions_01)
def test_decide_matches_the_rule_in_integers(ballot, quorum, majority):
    """Cross-multiplied integer form of the rule: no division, so no rounding anywhere."""
    seats, yes, no, abstain = ballot
    cast = yes + no + abstain
    quorum_met = cast * quorum.denominator > quorum.numerator * seats
    majority_met = yes + no > 0 and yes * majority.denominator >= majority.numerator * (yes + no)
    assert decide(seats=seats, yes=yes, no=no, abstain=abstain, quorum=quorum, majority=majority) is (
        quorum_met and majority_met
    )


@given(ballots())
def test_one_more_yes_never_hurts(ballot):
    seats, yes, no, abstain = ballot
    assume(yes + no + abstain < seats)
    if decide(seats=seats, yes=yes, no=no, abstain=abstain):
        assert decide(seats=seats, yes=yes + 1, no=no, abstain=abstain)


@given(ballots())
def test_turning_a_yes_into_a_no_never_helps(ballot):
    seats, yes, no, abstain = ballot
    assume(yes > 0)
    if not decide(seats=seats, yes=yes, no=no, abstain=abstain):
        assert not decide(seats=seats, yes=yes - 1, no=no + 1, abstain=abstain)


@given(ballots())
def test_unanimous_yes_with_quorum_passes(ballot):
    seats, yes, _, _ = ballot
    assume(yes > 0 and 2 * yes > seats)
    assert decide(seats=seats, yes=yes, no=0, abstain=0)


@given(st.integers(min_value=1, max_value=300))
def test_exactly_two_thirds_passes_and_one_less_fails(k):
    # 3k seats, all vote: 2k yes / k no is exactly two thirds.
    assert decide(seats=3 * k, yes=2 * k, no=k, abstain=0)
    assert not decide(seats=3 * k, yes=2 * k - 1, no=k + 1, abstain=0)
