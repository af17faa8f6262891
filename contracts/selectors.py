"""Reads about memberships that other apps (the proxy, dashboards) share."""

from __future__ import annotations

import datetime

from contracts.models import Membership


def organisation_ids_in_force(*, role: str, on: datetime.date) -> set[int]:
    """Organisations whose membership in `role` is in force on `on`, in one query.

    In force: both parties have signed (`in_force_from` <= on) and the end date, if any, is
    still ahead. A member under notice is in force up to the day before its end date; on the
    end date itself its services leave the proxy configuration (DESIGN 3.6).
    """
    return set(Membership.objects.in_force(on=on).filter(role=role).values_list("organisation_id", flat=True))
