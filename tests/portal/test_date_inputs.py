"""Date fields use the browser's date picker, whose value is ISO 8601 in every language."""

import datetime
import importlib
import inspect
from pathlib import Path

import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.utils import translation

from widgets import DatePicker, DateTimePicker

DAY = datetime.date(2027, 3, 2)
MOMENT = datetime.datetime(2027, 3, 2, 14, 5)
ISO = {"date": (DAY, "2027-03-02"), "datetime-local": (MOMENT, "2027-03-02T14:05")}


def _project_form_classes() -> list[type[forms.BaseForm]]:
    found = []
    for config in apps.get_app_configs():
        if not Path(config.path).is_relative_to(settings.BASE_DIR) or ".venv" in Path(config.path).parts:
            continue  # third-party apps
        for path in Path(config.path).glob("*forms.py"):
            module = importlib.import_module(f"{config.name}.{path.stem}")
            found += [
                cls
                for _, cls in inspect.getmembers(module, inspect.isclass)
                if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__
            ]
    return found


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_date_picker_value_is_iso_in_every_language(language):
    with translation.override(language):
        html = DatePicker().render("day", DAY)
    assert 'type="date"' in html
    assert 'value="2027-03-02"' in html


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_date_time_picker_value_is_iso_in_every_language(language):
    with translation.override(language):
        html = DateTimePicker().render("moment", MOMENT)
    assert 'type="datetime-local"' in html
    assert 'value="2027-03-02T14:05"' in html


def test_every_date_input_of_the_project_keeps_an_iso_value_in_finnish():
    """A Finnish-formatted value (2.3.2027) in <input type=date> shows as an empty field."""
    date_fields = [
        (form.__name__, name, field)
        for form in _project_form_classes()
        for name, field in form.base_fields.items()
        if getattr(field.widget, "input_type", "") in ISO
    ]
    assert {field.widget.input_type for _, _, field in date_fields} == set(ISO), "expected both kinds of field"
    with translation.override("fi"):
        wrong = [
            (form, name)
            for form, name, field in date_fields
            if field.widget.format_value(ISO[field.widget.input_type][0]) != ISO[field.widget.input_type][1]
        ]
    assert not wrong, f"use widgets.DatePicker / DateTimePicker for {wrong}"
