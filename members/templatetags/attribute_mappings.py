"""The attribute mapping of a login source, for templates that have only the source in context."""

from __future__ import annotations

from typing import Any

from django import template

from accounts.models import User
from members.access import can_edit_technical
from members.attribute_mapping import is_fixed, mapping_rows
from members.models import LoginSource

register = template.Library()


@register.simple_tag
def login_source_mapping_summary(login_source: LoginSource, user: User | None = None) -> dict[str, Any]:
    """`{% login_source_mapping_summary source request.user as summary %}`: its effective mapping
    (one row per attribute), the mandatory attributes still missing, whether the mapping is fixed,
    and whether `user` may change it (the mapping page is theirs only)."""
    rows = mapping_rows(login_source)
    return {
        "rows": rows,
        "missing": [row.attribute for row in rows if row.is_missing],
        "fixed": is_fixed(login_source.kind),
        "may_edit": user is not None and can_edit_technical(user, login_source.organisation_id),
    }
