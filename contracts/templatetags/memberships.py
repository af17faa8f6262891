"""A membership's state on the pages of the register (issue 16 item 4).

The organisation page belongs to `members`, which may not know the agreement (DESIGN section 6);
its template asks this tag instead, so the knowledge stays here.
"""

from __future__ import annotations

import datetime

from django import template
from django.utils.timesince import timesince

from contracts.selectors import RoleStatus, role_statuses
from members.models import Organisation

register = template.Library()


@register.simple_tag
def organisation_role_statuses(organisation: Organisation) -> list[RoleStatus]:
    """The organisation's membership state in each role (two queries; lists attach theirs instead)."""
    return role_statuses([organisation]).get(organisation.pk, [])


@register.filter
def waited(since: datetime.datetime) -> str:
    """How long something has waited, in the largest unit only ("10 months"), in the reader's language."""
    return timesince(since, depth=1)
