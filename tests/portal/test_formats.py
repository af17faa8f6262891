"""Dates and numbers follow the reader's language, in the conventions used in Finland (issue 8)."""

import datetime

import pytest
from django.utils import formats, translation


@pytest.mark.parametrize(
    ("language", "short", "long"),
    [
        ("fi", "4.1.2027", "4. tammikuuta 2027"),
        ("sv", "4.1.2027", "4 januari 2027"),
        ("en", "4 Jan 2027", "4 January 2027"),
    ],
)
def test_dates_follow_the_language_and_never_put_the_month_first(language, short, long):
    day = datetime.date(2027, 1, 4)
    with translation.override(language):
        assert formats.date_format(day, "SHORT_DATE_FORMAT") == short
        assert formats.date_format(day, "DATE_FORMAT") == long


@pytest.mark.parametrize(("language", "number"), [("fi", "1\xa0234,5"), ("sv", "1\xa0234,5"), ("en", "1,234.5")])
def test_numbers_follow_the_language(language, number):
    with translation.override(language):
        assert formats.number_format(1234.5, decimal_pos=1, use_l10n=True, force_grouping=True) == number
