"""Whether an organisation's membership is in force, asked by the register, answered by contracts.

Production needs the membership in force (DESIGN section 2, lifecycle), but the agreements live in
`contracts`, a layer above this one (DESIGN section 6). So members asks through this hook and
contracts connects the answer when its app is ready; with nothing connected the answer is "no",
so a missing connection can never let a service into production.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.utils import timezone

# (organisation id, role "service_provider" or "home_organisation", day) -> in force on that day
MembershipCheck = Callable[[int, str, datetime.date], bool]

SERVICE_PROVIDER = "service_provider"
HOME_ORGANISATION = "home_organisation"

_check: MembershipCheck | None = None


def connect_membership_check(check: MembershipCheck) -> None:
    global _check
    _check = check


def membership_in_force(organisation_id: int, role: str, on: datetime.date | None = None) -> bool:
    """Whether the organisation's membership in `role` is in force on `on` (default today)."""
    if _check is None:
        return False
    return _check(organisation_id, role, on or timezone.localdate())
