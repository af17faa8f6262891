"""The notice-period rule of DESIGN 3.3, checked case by case and by its properties."""

from __future__ import annotations

import calendar
import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts.notice import NoKnownTermStart, add_months, notice_period_end

D = datetime.date
# Finnish school term starts (autumn mid-August, spring early January).
TERMS = [D(2026, 8, 12), D(2027, 1, 7), D(2027, 8, 11), D(2028, 1, 10), D(2028, 8, 9), D(2029, 1, 8)]

CASES = [
    # given_by, member_role, notice_date, expected end, why
    ("member", "home_organisation", D(2027, 3, 15), D(2027, 4, 15), "member: one month"),
    ("member", "service_provider", D(2027, 3, 15), D(2027, 4, 15), "member: one month, whatever the role"),
    ("member", "service_provider", D(2027, 1, 31), D(2027, 2, 28), "31 January + 1 month: end of February"),
    ("member", "home_organisation", D(2028, 1, 31), D(2028, 2, 29), "leap year"),
    ("member", "service_provider", D(2027, 3, 31), D(2027, 4, 30), "31st into a 30-day month"),
    ("member", "service_provider", D(2027, 12, 31), D(2028, 1, 31), "over the year end"),
    ("operator", "service_provider", D(2027, 3, 15), D(2027, 6, 15), "operator to service provider: three months"),
    ("operator", "service_provider", D(2026, 11, 30), D(2027, 2, 28), "30 November + 3 months: end of February"),
    ("operator", "service_provider", D(2027, 5, 31), D(2027, 8, 31), "31 May + 3 months: 31 August"),
    ("operator", "service_provider", D(2027, 3, 31), D(2027, 6, 30), "31 March + 3 months: 30 June"),
    ("operator", "service_provider", D(2027, 10, 15), D(2028, 1, 15), "over the year end"),
    # operator to a home organisation: six months or the next term start, whichever is later
    ("operator", "home_organisation", D(2027, 1, 15), D(2027, 8, 11), "January: next term start (August) is later"),
    ("operator", "home_organisation", D(2027, 1, 31), D(2027, 8, 11), "31 January: term start later than 31 July"),
    ("operator", "home_organisation", D(2027, 1, 3), D(2027, 7, 3), "before spring term: 7 January is sooner"),
    ("operator", "home_organisation", D(2027, 1, 7), D(2027, 8, 11), "on the term start day: the next one counts"),
    ("operator", "home_organisation", D(2027, 3, 15), D(2027, 9, 15), "March: six months is later than August"),
    ("operator", "home_organisation", D(2027, 2, 11), D(2027, 8, 11), "both fall on the same day"),
    ("operator", "home_organisation", D(2027, 2, 10), D(2027, 8, 11), "one day before: term start is later"),
    ("operator", "home_organisation", D(2027, 8, 31), D(2028, 2, 29), "31 August + 6 months: 29 February (leap)"),
    ("operator", "home_organisation", D(2026, 8, 31), D(2027, 2, 28), "31 August + 6 months: 28 February"),
    ("operator", "home_organisation", D(2027, 12, 31), D(2028, 6, 30), "31 December + 6 months: 30 June"),
    (
        "operator",
        "home_organisation",
        D(2027, 7, 1),
        D(2028, 1, 1),
        "July: August term start is sooner than six months",
    ),
]


@pytest.mark.parametrize(("given_by", "role", "notice_date", "expected", "why"), CASES, ids=[c[4] for c in CASES])
def test_notice_period_end(given_by, role, notice_date, expected, why):
    assert (
        notice_period_end(given_by=given_by, member_role=role, notice_date=notice_date, term_starts=TERMS) == expected
    )


def test_term_starts_may_be_any_iterable_in_any_order():
    result = notice_period_end(
        given_by="operator",
        member_role="home_organisation",
        notice_date=D(2027, 1, 15),
        term_starts=iter(reversed(TERMS)),
    )
    assert result == D(2027, 8, 11)


def test_term_starts_do_not_matter_except_for_operator_notice_to_home_organisation():
    for given_by, role in [
        ("member", "home_organisation"),
        ("member", "service_provider"),
        ("operator", "service_provider"),
    ]:
        assert notice_period_end(given_by=given_by, member_role=role, notice_date=D(2027, 1, 15), term_starts=[])


def test_no_known_term_start_after_the_notice_is_an_error():
    with pytest.raises(NoKnownTermStart):
        notice_period_end(
            given_by="operator", member_role="home_organisation", notice_date=D(2029, 2, 1), term_starts=TERMS
        )


@pytest.mark.parametrize(("given_by", "role"), [("staff", "home_organisation"), ("member", "both"), ("", "")])
def test_unknown_party_or_role_is_an_error(given_by, role):
    with pytest.raises(ValueError):
        notice_period_end(given_by=given_by, member_role=role, notice_date=D(2027, 1, 1), term_starts=TERMS)


# --- properties ---

dates = st.dates(min_value=D(2000, 1, 1), max_value=D(2090, 12, 31))
term_lists = st.lists(st.dates(min_value=D(2000, 1, 1), max_value=D(2100, 12, 31)), min_size=1, max_size=8)


@given(day=dates, months=st.integers(min_value=0, max_value=24))
def test_add_months_keeps_the_day_or_clamps_to_month_end(day, months):
    result = add_months(day, months)
    assert (result.year * 12 + result.month) - (day.year * 12 + day.month) == months
    last = calendar.monthrange(result.year, result.month)[1]
    assert result.day == min(day.day, last)


@given(day=dates, role=st.sampled_from(["home_organisation", "service_provider"]))
def test_member_notice_is_always_one_calendar_month(day, role):
    result = notice_period_end(given_by="member", member_role=role, notice_date=day, term_starts=[])
    assert result == add_months(day, 1)
    assert 28 <= (result - day).days <= 31


@given(day=dates)
def test_operator_notice_to_service_provider_is_three_months(day):
    result = notice_period_end(given_by="operator", member_role="service_provider", notice_date=day, term_starts=[])
    assert result == add_months(day, 3)
    assert 89 <= (result - day).days <= 92


@given(day=dates, terms=term_lists)
def test_operator_notice_to_home_organisation_is_the_later_of_six_months_and_next_term(day, terms):
    upcoming = [t for t in terms if t > day]
    if not upcoming:
        with pytest.raises(NoKnownTermStart):
            notice_period_end(given_by="operator", member_role="home_organisation", notice_date=day, term_starts=terms)
        return
    result = notice_period_end(given_by="operator", member_role="home_organisation", notice_date=day, term_starts=terms)
    assert result >= add_months(day, 6)
    assert result >= min(upcoming)
    assert result in {add_months(day, 6), min(upcoming)}


@given(first=dates, second=dates, role=st.sampled_from(["home_organisation", "service_provider"]))
def test_later_notice_never_ends_sooner(first, second, role):
    first, second = sorted([first, second])
    terms = [D(year, 8, 10) for year in range(2000, 2100)] + [D(year, 1, 8) for year in range(2000, 2100)]
    for given_by in ("member", "operator"):
        a = notice_period_end(given_by=given_by, member_role=role, notice_date=first, term_starts=terms)
        b = notice_period_end(given_by=given_by, member_role=role, notice_date=second, term_starts=terms)
        assert a <= b


@given(day=dates, role=st.sampled_from(["home_organisation", "service_provider"]))
def test_operator_notice_is_never_shorter_than_the_members(day, role):
    terms = [D(year, 8, 10) for year in range(2000, 2100)]
    member = notice_period_end(given_by="member", member_role=role, notice_date=day, term_starts=terms)
    operator = notice_period_end(given_by="operator", member_role=role, notice_date=day, term_starts=terms)
    assert operator > member > day
