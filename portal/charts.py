"""Counts over time as pictures: server-rendered SVG, no script (issue 16 item 5).

Pure: no database, no request. The dashboards pass the numbers in; `chart_svg` draws them as a
line or as bars, with a title and a description for assistive technology, and the page gives the
same numbers as a table for those who cannot see the picture.
"""

from __future__ import annotations

import calendar
import datetime
import math
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.safestring import SafeString, mark_safe

SVG_NS = "http://www.w3.org/2000/svg"
WIDTH, HEIGHT = 640, 280
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 16, 34
LEGEND_HEIGHT = 36
VALUE_ROOM = 16


def month_ends(today: datetime.date, *, months: int = 12) -> list[datetime.date]:
    """The last day of each of the `months` months up to this one, oldest first; today for this one
    (its end has not come yet)."""
    days = []
    year, month = today.year, today.month
    for _ in range(months):
        days.append(datetime.date(year, month, calendar.monthrange(year, month)[1]))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    days.reverse()
    days[-1] = today
    return days


def short_month(day: datetime.date) -> str:
    """An axis label that fits under a month's slot in every language: "3/26"."""
    return f"{day.month}/{day.year % 100:02d}"


@dataclass(frozen=True)
class Series:
    name: str  # the drawing's class (chart-series-<name>): "members", "test", "production"
    label: str  # in words, for the legend and the table's heading
    values: tuple[int, ...]
    hatched: bool = False  # drawn with a pattern too, so two series differ by more than colour


@dataclass(frozen=True)
class Chart:
    id: str  # unique in the page: the title's and description's ids start with it
    title: str
    description: str
    kind: str  # "line" or "bars"
    days: tuple[datetime.date, ...]
    month_labels: tuple[str, ...]  # in words, for the table
    series: tuple[Series, ...]

    @property
    def svg(self) -> SafeString:
        return chart_svg(self)

    @property
    def rows(self) -> list[tuple[str, list[int]]]:
        """(month, [value of each series]) for the table of the same numbers."""
        return [(label, [s.values[i] for s in self.series]) for i, label in enumerate(self.month_labels)]


def axis_top(peak: int) -> tuple[int, int]:
    """(the y axis's top, the step between its labels): a round step, at most five of them, the
    top at or above `peak` (and above 0, so an empty chart still has an axis)."""
    peak = max(peak, 1)
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            step = factor * magnitude
            if math.ceil(peak / step) <= 5:
                return math.ceil(peak / step) * step, step
        magnitude *= 10


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attributes: object) -> ET.Element:
    element = ET.SubElement(parent, tag, {k.rstrip("_").replace("_", "-"): str(v) for k, v in attributes.items()})
    if text is not None:
        element.text = text
    return element


def _number(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def chart_svg(chart: Chart) -> SafeString:
    """The chart as an inline <svg> element: role="img", named by its <title> and <desc>.

    Built as an element tree, so every label is escaped and the result is well-formed XML.
    """
    legend = len(chart.series) > 1
    # Room above the plot for the legend, and for a line's value labels over its highest point.
    top = TOP + (LEGEND_HEIGHT if legend else 0) + (VALUE_ROOM if chart.kind == "line" else 0)
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - top - BOTTOM
    slots = max(len(chart.days), 1)
    slot = plot_width / slots
    peak = max((v for s in chart.series for v in s.values), default=0)
    y_top, y_step = axis_top(peak)

    def y_of(value: int) -> float:
        return top + plot_height * (1 - value / y_top)

    title_id, desc_id = f"{chart.id}-title", f"{chart.id}-desc"
    svg = ET.Element(
        "svg",
        {
            "xmlns": SVG_NS,
            "class": f"chart chart-kind-{chart.kind}",
            "role": "img",
            "aria-labelledby": f"{title_id} {desc_id}",
            "viewBox": f"0 0 {WIDTH} {HEIGHT}",
            "preserveAspectRatio": "xMinYMin meet",
        },
    )
    _sub(svg, "title", chart.title, id=title_id)
    _sub(svg, "desc", chart.description, id=desc_id)
    if any(s.hatched for s in chart.series):
        defs = _sub(svg, "defs")
        pattern = _sub(
            defs, "pattern", id=f"{chart.id}-hatch", width=6, height=6,
            patternUnits="userSpaceOnUse", patternTransform="rotate(45)",
        )  # fmt: skip
        _sub(pattern, "rect", class_="chart-hatch-ground", width=6, height=6)
        _sub(pattern, "line", class_="chart-hatch-line", x1=0, y1=0, x2=0, y2=6)

    axes = _sub(svg, "g", class_="chart-axes")
    for value in range(0, y_top + 1, y_step):
        y = _number(y_of(value))
        _sub(axes, "line", class_="chart-gridline", x1=LEFT, y1=y, x2=WIDTH - RIGHT, y2=y)
        _sub(axes, "text", str(value), class_="chart-y-label", x=LEFT - 6, y=y, dy=4)
    for index, day in enumerate(chart.days):
        x = _number(LEFT + (index + 0.5) * slot)
        # Every other month's label is "-odd": a narrow screen shows only the others, larger.
        label_class = "chart-x-label" + (" chart-x-label-odd" if (len(chart.days) - 1 - index) % 2 else "")
        _sub(axes, "text", short_month(day), class_=label_class, x=x, y=HEIGHT - BOTTOM + 20)
    _sub(axes, "line", class_="chart-axis", x1=LEFT, y1=top + plot_height, x2=WIDTH - RIGHT, y2=top + plot_height)

    if chart.kind == "bars":
        group = slot * 0.7
        width = group / max(len(chart.series), 1)
        for number, series in enumerate(chart.series):
            bars = _sub(svg, "g", class_=f"chart-series chart-series-{series.name}")
            for index, value in enumerate(series.values):
                x = LEFT + index * slot + (slot - group) / 2 + number * width
                bar = _sub(
                    bars, "rect", x=_number(x), y=_number(y_of(value)), width=_number(width - 1),
                    height=_number(plot_height - (y_of(value) - top)), class_="chart-bar",
                )  # fmt: skip
                if series.hatched:
                    bar.set("fill", f"url(#{chart.id}-hatch)")
    else:
        for series in chart.series:
            line = _sub(svg, "g", class_=f"chart-series chart-series-{series.name}")
            points = [(LEFT + (i + 0.5) * slot, y_of(v)) for i, v in enumerate(series.values)]
            path = " ".join(f"{_number(x)},{_number(y)}" for x, y in points)
            _sub(line, "polyline", class_="chart-line", points=path)
            for (x, y), value in zip(points, series.values, strict=True):
                _sub(line, "circle", class_="chart-point", cx=_number(x), cy=_number(y), r=4)
                _sub(line, "text", str(value), class_="chart-value", x=_number(x), y=_number(y - 9))

    if legend:
        key = _sub(svg, "g", class_="chart-legend")
        x = LEFT
        for series in chart.series:
            swatch = _sub(key, "g", class_=f"chart-series chart-series-{series.name}")
            rect = _sub(swatch, "rect", class_="chart-bar", x=x, y=TOP - 4, width=16, height=16)
            if series.hatched:
                rect.set("fill", f"url(#{chart.id}-hatch)")
            _sub(key, "text", series.label, class_="chart-legend-label", x=x + 22, y=TOP + 10)
            x += 60 + 15 * len(series.label)  # room for the label at the larger size of a narrow screen
    return mark_safe(ET.tostring(svg, encoding="unicode"))  # noqa: S308 - built by ElementTree, escaped


def chart(
    *, id: str, title: str, description: str, kind: str, days: Sequence[datetime.date],
    month_labels: Sequence[str], series: Sequence[Series],
) -> Chart:  # fmt: skip
    """A `Chart`, checked: one value per day in every series."""
    if kind not in ("line", "bars"):
        raise ValueError(f"unknown chart kind {kind!r}")
    for s in series:
        if len(s.values) != len(days):
            raise ValueError(f"series {s.name} has {len(s.values)} values for {len(days)} days")
    return Chart(id, title, description, kind, tuple(days), tuple(month_labels), tuple(series))
