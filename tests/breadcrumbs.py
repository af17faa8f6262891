"""Reading a page's breadcrumbs (templates/_breadcrumbs.html) in tests."""

from __future__ import annotations

import html
import re

TRAIL = re.compile(r'<nav class="breadcrumbs" aria-label="Breadcrumb">\s*<ol>(.*?)</ol>\s*</nav>', re.S)
CRUMB = re.compile(r'<li><a href="([^"]*)"( aria-current="page")?>(.*?)</a></li>', re.S)


def breadcrumbs(body: str) -> list[tuple[str, str, bool]]:
    """(label, href, is the current page) of each crumb; [] when the page has none."""
    found = TRAIL.findall(body)
    assert len(found) <= 1, "more than one breadcrumb trail"
    if not found:
        return []
    return [
        (html.unescape(label), html.unescape(href), bool(current)) for href, current, label in CRUMB.findall(found[0])
    ]


def assert_trail(body: str, *labels: str) -> list[tuple[str, str, bool]]:
    """The page's crumbs read `labels`, and only the last is marked as the current page."""
    trail = breadcrumbs(body)
    assert [label for label, _href, _current in trail] == list(labels), trail
    assert [current for _label, _href, current in trail] == [False] * (len(labels) - 1) + [True], trail
    return trail
