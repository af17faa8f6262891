"""Sizes on the proxy pages: one unit (kB, one decimal) from one helper."""

from __future__ import annotations

import pytest
from django.utils import translation

from proxy.templatetags.proxy_format import kilobytes


@pytest.mark.parametrize(
    ("size", "shown"),
    [(0, "0.0 kB"), (999, "1.0 kB"), (1234, "1.2 kB"), (40_123_456, "40,123.5 kB"), (None, "–")],
)
def test_sizes_are_kilobytes_with_one_decimal(size, shown):
    with translation.override("en"):
        assert kilobytes(size) == shown


def test_sizes_use_the_languages_number_format():
    with translation.override("fi"):
        assert kilobytes(1234) == "1,2 kB"


def test_the_proxy_templates_format_sizes_only_through_the_helper():
    from pathlib import Path

    folder = Path(__file__).resolve().parents[2] / "templates" / "proxy"
    for template in folder.glob("*.html"):
        text = template.read_text()
        assert "filesizeformat" not in text, template.name
        if ".size" in text:
            assert "|kilobytes" in text, template.name
