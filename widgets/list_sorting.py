"""Sortable list columns (issue 16 item 7), the same on every staff and member list.

A list reads `?sort=<key>` (ascending) or `?sort=-<key>` (descending) through `list_sorting`. Only
the keys the view allows are ever turned into an ORDER BY; anything else a person or a probe can
type (an unknown key, a field name, SQL) quietly gives the list's default order: a list never
fails on its sort parameter, and the parameter never reaches the database as text.

The header of each sortable column is `templates/components/sortable_th.html`, given the
`SortColumn` of its key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.db.models import Expression, F, OrderBy, Value
from django.db.models.functions import Coalesce, NullIf
from django.http import HttpRequest
from django.utils.translation import get_language

SORT_PARAMETER = "sort"

# What a key may stand for: one field (Django's lookup path, "provider__name_fi"), an expression,
# or several of them (the first decides, the next ones break its ties).
SortFields = str | Expression | tuple[str | Expression, ...]


@dataclass(frozen=True)
class SortColumn:
    """One sortable column's header: how the list is sorted by it now and the link that sorts it."""

    key: str
    # aria-sort's own words: "ascending", "descending" or "none" (not the column the list is sorted by).
    state: str
    # The address of the same list sorted by this column: ascending, or descending if it already is ascending.
    url: str

    @property
    def next_state(self) -> str:
        return "descending" if self.state == "ascending" else "ascending"


@dataclass(frozen=True)
class ListSorting:
    key: str
    descending: bool
    # For QuerySet.order_by(*order_by): the column's fields, then the primary key, so rows that
    # tie keep one order from page to page.
    order_by: tuple[OrderBy, ...]
    columns: dict[str, SortColumn]

    @property
    def value(self) -> str:
        """The sort parameter as it stands (for a filter form's hidden field, so filtering keeps the order)."""
        return f"-{self.key}" if self.descending else self.key


def in_page_language(field: str, languages: tuple[str, ...] = ("fi", "sv", "en")) -> Expression:
    """`<field>_<language>` in the page's language, or the Finnish one where that is empty: what a
    page shows as a translated name or title, so a column of them sorts as it reads."""
    language = (get_language() or "fi")[:2]
    finnish = F(f"{field}_fi")
    if language == "fi" or language not in languages:
        return finnish
    return Coalesce(NullIf(F(f"{field}_{language}"), Value("")), finnish)


def _parse(value: str, allowed: Mapping[str, SortFields]) -> tuple[str, bool] | None:
    descending = value.startswith("-")
    key = value[1:] if descending else value
    if key not in allowed:
        return None
    return key, descending


def _ordering(fields: SortFields, *, descending: bool) -> tuple[OrderBy, ...]:
    if not isinstance(fields, tuple):
        fields = (fields,)
    expressions = [F(field) if isinstance(field, str) else field for field in fields]
    if not any(isinstance(field, str) and field in ("pk", "id") for field in fields):
        expressions.append(F("pk"))
    # Empty values (no certificate, never signed) go last whichever way the column is sorted.
    return tuple(
        expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)
        for expression in expressions
    )


def list_sorting(request: HttpRequest, allowed: Mapping[str, SortFields], default: str) -> ListSorting:
    """How the list at `request` is to be sorted, and each allowed column's header link.

    `allowed` maps the keys the address may name to what they sort by; `default` is the order when
    the address names none or one not allowed (a key, "-" before it for descending). The header
    links keep the other query parameters (the filters) and go back to the first page: the page a
    person was on means nothing in the new order.
    """
    parsed = _parse(request.GET.get(SORT_PARAMETER, ""), allowed) or _parse(default, allowed)
    if parsed is None:
        raise ValueError(f"The default sort {default!r} is not one of the allowed keys.")
    key, descending = parsed
    current_state = "descending" if descending else "ascending"
    columns = {}
    for column_key in allowed:
        state = current_state if column_key == key else "none"
        query = request.GET.copy()
        query.pop("page", None)
        query[SORT_PARAMETER] = f"-{column_key}" if state == "ascending" else column_key
        columns[column_key] = SortColumn(key=column_key, state=state, url=f"?{query.urlencode()}")
    return ListSorting(
        key=key,
        descending=descending,
        order_by=_ordering(allowed[key], descending=descending),
        columns=columns,
    )
