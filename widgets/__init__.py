"""Form widgets shared by every app."""

from __future__ import annotations

from django import forms
from django.utils.html import format_html


class DatePicker(forms.DateInput):
    """The browser's own date picker (`<input type="date">`), accessible and localised by the browser.

    Its value must be ISO 8601 whatever the page's language: the HTML standard says so, and a
    Finnish-formatted value (`2.3.2027`) makes the browser show an empty field. Submitted values
    are ISO too, which Django always accepts as input.
    """

    input_type = "date"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DateTimePicker(forms.DateTimeInput):
    """The browser's own date and time picker (`<input type="datetime-local">`); the value is
    ISO 8601 (`2027-03-02T14:05`) whatever the page's language, for the reason given above."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


def described_choice(label: str, description: str) -> str:
    """A choice's label in words with a technical name under it (a radio button's label): the
    words say what the choice means, the name (a URN, a protocol value) is what the other side's
    documentation calls it."""
    return format_html('{} <span class="choice-description">{}</span>', label, description)
