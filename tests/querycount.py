"""Pinning query counts of list pages at two sizes (DEVELOPERS.md: no query per row)."""

from __future__ import annotations

from collections.abc import Callable

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext


def queries_for(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(context.captured_queries)


def assert_queries_pinned(client: Client, url: str, *, grow: Callable[[], None], expected: int) -> None:
    """The page runs exactly `expected` queries, before and after `grow()` adds many rows."""
    small = queries_for(client, url)
    grow()
    large = queries_for(client, url)
    assert (small, large) == (expected, expected), (
        f"queries: {small} with few rows, {large} with many; pinned {expected}"
    )
