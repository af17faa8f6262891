"""The staff steering page's proposal tables sort by their columns (issue 16 item 7)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse

from contracts import services as agreement_services
from steering import services as steering_services
from tests.querycount import assert_queries_pinned
from tests.steering.conftest import NEW_FI, NEW_SV, in_days


@pytest.fixture
def later_proposal(group, operator, proposal):
    version = agreement_services.version_draft_create(
        by=operator, number=3, label="2028", text_fi=NEW_FI + "\nLisäys.", text_sv=NEW_SV + "\nTillägg.",
        effective_on=datetime.date(2028, 1, 1),
    )  # fmt: skip
    return steering_services.proposal_create(
        group=group, version=version, title_fi="Aikaisempi voimaantulo", title_sv="Ö-ändring",
        rationale_fi="Perustelu.", rationale_sv="Motivering.", effective_date=in_days(30), by=operator,
    )  # fmt: skip


def _titles(client, query: str = "") -> list[str]:
    body = client.get(reverse("steering:staff-home") + query).content.decode()
    return re.findall(r'href="/staff/steering/proposals/\d+/">([^<]+)</a>', body)


def test_proposals_are_newest_first_and_sort_by_title_and_effective_date(operator, as_user, proposal, later_proposal):
    client = as_user(operator)
    assert _titles(client) == ["Aikaisempi voimaantulo", "Pidempi irtisanomisaika"]
    assert _titles(client, "?sort=-title") == ["Pidempi irtisanomisaika", "Aikaisempi voimaantulo"]
    assert _titles(client, "?sort=effective") == ["Aikaisempi voimaantulo", "Pidempi irtisanomisaika"]
    assert _titles(client, "?sort=-effective") == ["Pidempi irtisanomisaika", "Aikaisempi voimaantulo"]
    assert _titles(client, "?sort=title;DELETE") == ["Aikaisempi voimaantulo", "Pidempi irtisanomisaika"]
    body = client.get(reverse("steering:staff-home") + "?sort=-effective").content.decode()
    assert re.search(
        r'aria-sort="descending" class="sortable"><a class="sort-link" href="\?sort=effective">Effective date', body
    )


def test_a_sorted_staff_steering_page_runs_as_many_queries_as_the_default(operator, as_user, group, seats, proposal):
    def grow():
        for n in range(4, 8):
            version = agreement_services.version_draft_create(
                by=operator, number=n, label=str(n), text_fi=f"{NEW_FI}\n{n}", text_sv=f"{NEW_SV}\n{n}",
                effective_on=datetime.date(2030, 1, n),
            )  # fmt: skip
            steering_services.proposal_create(
                group=group, version=version, title_fi=f"Ehdotus {n}", title_sv=f"Förslag {n}",
                rationale_fi="P.", rationale_sv="M.", effective_date=in_days(60 + n), by=operator,
            )  # fmt: skip

    url = reverse("steering:staff-home") + "?sort=-votes"
    assert_queries_pinned(as_user(operator), url, grow=grow, expected=8)
