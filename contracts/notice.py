"""Notice periods of the membership agreement (DESIGN 3.3), as a pure function.

No database access here, so the rule can be read and checked against the agreement alone.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable

GIVEN_BY = frozenset({"member", "operator"})
MEMBER_ROLES = frozenset({"home_organisation", "service_provider"})

# Months of notice by (who gives notice, the member's role).
MEMBER_NOTICE_MONTHS = 1
OPERATOR_NOTICE_MONTHS = {"service_provider": 3, "home_organisation": 6}


class NoKnownTermStart(ValueError):
    """The operator's notice to a home organisation needs the next term start, and none is known."""


def add_months(day: datetime.date, months: int) -> datetime.date:
    """Calendar months later; a day the target month lacks becomes its last day (Jan 31 + 1 → Feb 28/29)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def notice_period_end(
    *,
    given_by: str,
    member_role: str,
    notice_date: datetime.date,
    term_starts: Iterable[datetime.date],
) -> datetime.date:
    """The day the membership ends after notice given on `notice_date`.

    - the member gives notice: one month;
    - the operator, to a service provider: three months;
    - the operator, to a home organisation: six months, or the start of the next school term
      after the notice (strictly after the notice day), whichever is later.

    An organisation that is both has one membership per role, each ending by its own rule.
    Raises ValueError for unknown parties or roles, and NoKnownTermStart when the operator's
    notice to a home organisation cannot be computed because no term start after it is known.
    """
    if given_by not in GIVEN_BY:
        raise ValueError(f"given_by must be one of {sorted(GIVEN_BY)}, not {given_by!r}")
    if member_role not in MEMBER_ROLES:
        raise ValueError(f"member_role must be one of {sorted(MEMBER_ROLES)}, not {member_role!r}")
    if given_by == "member":
        return add_months(notice_date, MEMBER_NOTICE_MONTHS)
    months_later = add_months(notice_date, OPERATOR_NOTICE_MONTHS[member_role])
    if member_role == "service_provider":
        return months_later
    upcoming = [start for start in term_starts if start > notice_date]
    if not upcoming:
        raise NoKnownTermStart(f"no school term start after {notice_date.isoformat()} is known")
    return max(months_later, min(upcoming))
