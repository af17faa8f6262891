"""The steering group's voting rule as a pure function (DESIGN section 3 item 5).

No database access here, so the rule can be read, tested and reasoned about alone.
"""

from __future__ import annotations

from fractions import Fraction


def decide(
    *,
    seats: int,
    yes: int,
    no: int,
    abstain: int,
    quorum: Fraction = Fraction(1, 2),
    majority: Fraction = Fraction(2, 3),
) -> bool:
    """Does a proposal pass?

    Quorum: the votes cast, abstentions included, must be more than `quorum` × `seats`.
    Qualified majority: `yes` ≥ `majority` × (`yes` + `no`); abstentions do not count as
    votes cast for this. With no votes for or against, nothing passes.
    Negative counts, or more votes than seats, raise ValueError. Exact arithmetic: Fractions.
    """
    for name, value in (("seats", seats), ("yes", yes), ("no", no), ("abstain", abstain)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{name} must be an integer, not {value!r}")
        if value < 0:
            raise ValueError(f"{name} must not be negative, got {value}")
    quorum, majority = Fraction(quorum), Fraction(majority)
    if not (0 <= quorum <= 1) or not (0 <= majority <= 1):
        raise ValueError("quorum and majority must be between 0 and 1")
    cast = yes + no + abstain
    if cast > seats:
        raise ValueError(f"{cast} votes cast but only {seats} seats")
    if not quorum_reached(seats=seats, cast=cast, quorum=quorum):
        return False
    if yes + no == 0:
        return False
    return yes >= majority * (yes + no)


def quorum_reached(*, seats: int, cast: int, quorum: Fraction = Fraction(1, 2)) -> bool:
    """Were enough votes cast (abstentions included): more than `quorum` × `seats`? The result
    email says in words whether a failed proposal lacked the quorum or the majority."""
    return cast > Fraction(quorum) * seats
