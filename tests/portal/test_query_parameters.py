"""Issue 15 item 4: no query parameter a person can type makes a staff or list page fail.

Every page that reads `request.GET` (page numbers, filters, the snapshot diff's ids) gets the
values a hand-edited address or a probe sends. Each answers 200, or 400/404 with a message; never 500.
"""

from __future__ import annotations

import pytest
from django.test import Client

from proxy.models import Snapshot

pytestmark = pytest.mark.django_db

HOSTILE = ["abc", "-1", "0", "1.5", "99999999999999999999", "1e400", "NaN", "\x00", "\u0663", "a" * 5000, ""]

PAGES = [
    # A list ignores a filter or page number it cannot use (and shows the first or last page).
    ("/audit/", ("page", "object_type", "object_id", "actor", "action"), {200}),
    ("/members/organisations/", ("page", "q", "kind", "role", "sort"), {200}),
    ("/members/services/", ("page", "sort"), {200}),
    ("/members/review/", ("page", "sort"), {200}),
    ("/proxy/staff/", ("page", "environment", "sort"), {200}),
    ("/staff/steering/", ("sort",), {200}),
    ("/agreements/staff/memberships/", ("state",), {200}),
    # The diff cannot compare without two snapshot numbers: 400 with a message (or 404: no such snapshot).
    ("/proxy/staff/diff/", ("a", "b"), {400, 404}),
]


@pytest.fixture
def staff(operator) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(operator)
    return client


@pytest.mark.parametrize(("path", "names", "expected"), PAGES)
def test_hostile_query_parameters_never_make_a_page_fail(staff, path, names, expected):
    Snapshot.objects.all().delete()
    failures = []
    for name in names:
        for value in HOSTILE:
            response = staff.get(path, {name: value})
            if response.status_code not in expected:
                failures.append((name, value[:20], response.status_code))
    assert not failures, failures


def test_the_snapshot_diff_names_the_parameter_it_refuses(staff):
    body = staff.get("/proxy/staff/diff/", {"a": "abc", "b": "1"})
    assert body.status_code == 400 and "Earlier snapshot" in body.content.decode()
