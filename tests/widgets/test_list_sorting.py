"""The shared list sorting rule (widgets/list_sorting.py): only allowed keys ever sort a list."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.db.models import F
from django.test import RequestFactory
from hypothesis import given
from hypothesis import strategies as st

from widgets.list_sorting import list_sorting

ALLOWED = {"name": "name_fi", "services": ("service_count", "name_fi"), "id": "pk"}


def _sorting(query: str = "", default: str = "name"):
    return list_sorting(RequestFactory().get(f"/list/?{query}"), ALLOWED, default)


def _query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_no_sort_parameter_gives_the_default_order_with_the_primary_key_breaking_ties():
    sorting = _sorting()
    assert (sorting.key, sorting.descending) == ("name", False)
    assert sorting.order_by == (F("name_fi").asc(nulls_last=True), F("pk").asc(nulls_last=True))


def test_a_minus_sign_sorts_descending_every_field_of_the_key():
    sorting = _sorting("sort=-services")
    assert (sorting.key, sorting.descending, sorting.value) == ("services", True, "-services")
    assert sorting.order_by == (
        F("service_count").desc(nulls_last=True),
        F("name_fi").desc(nulls_last=True),
        F("pk").desc(nulls_last=True),
    )


def test_a_key_sorting_by_the_primary_key_gets_no_second_one():
    assert _sorting("sort=id").order_by == (F("pk").asc(nulls_last=True),)


def test_a_descending_default_is_allowed():
    sorting = _sorting(default="-services")
    assert (sorting.key, sorting.descending) == ("services", True)


@pytest.mark.parametrize(
    "value",
    [
        "unknown",
        "name_fi",  # a real field, but not a key the list allows
        "--name",
        "-",
        "",
        " name",
        "NAME",
        "name;DROP TABLE members_organisation",
        "name' OR '1'='1",
        "(SELECT 1)",
        "provider__users__password",
        "\x00",
        "a" * 5000,
    ],
)
def test_an_unknown_key_or_an_injection_attempt_gives_the_default_order(value):
    sorting = list_sorting(RequestFactory().get("/list/", {"sort": value}), ALLOWED, "name")
    assert (sorting.key, sorting.descending) == ("name", False)


@given(st.text(max_size=200))
def test_whatever_the_parameter_the_order_uses_only_allowed_fields(value):
    sorting = list_sorting(RequestFactory().get("/list/", {"sort": value}), ALLOWED, "-services")
    assert sorting.key in ALLOWED
    names = {item.expression.name for item in sorting.order_by}
    assert names <= {"name_fi", "service_count", "pk"}


def test_a_default_that_is_not_allowed_is_a_programming_error():
    with pytest.raises(ValueError, match="default"):
        _sorting(default="nonsense")


def test_the_headers_say_which_column_sorts_the_list_and_which_way():
    columns = _sorting("sort=-services").columns
    assert {key: column.state for key, column in columns.items()} == {
        "name": "none",
        "services": "descending",
        "id": "none",
    }
    assert columns["services"].next_state == "ascending"
    assert columns["name"].next_state == "ascending"


def test_the_sorted_column_links_to_the_other_direction_and_the_others_to_ascending():
    columns = _sorting("sort=name").columns
    assert _query(columns["name"].url)["sort"] == ["-name"]
    assert _query(columns["services"].url)["sort"] == ["services"]
    assert _query(_sorting("sort=-name").columns["name"].url)["sort"] == ["name"]


def test_header_links_keep_the_filters_and_go_back_to_the_first_page():
    columns = _sorting("q=kunta&kind=municipality&page=3&sort=name").columns
    query = _query(columns["services"].url)
    assert query == {"q": ["kunta"], "kind": ["municipality"], "sort": ["services"]}


def test_header_links_escape_what_the_filters_hold():
    url = _sorting("q=a%26sort%3Dx%22%3E").columns["name"].url
    assert _query(url) == {"q": ['a&sort=x">'], "sort": ["-name"]}
