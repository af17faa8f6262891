"""Counts over time as SVG (issue 16 item 5): the pure drawing, and the operator dashboard's chart
of members in force at each month's end."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse
from lxml import etree, html

from contracts.selectors import members_in_force_on
from portal.charts import Series as ChartSeries
from portal.charts import axis_top, chart, month_ends
from tests.factories import MembershipFactory, OrganisationFactory

SVG = "{http://www.w3.org/2000/svg}"
HELSINKI = datetime.timezone(datetime.timedelta(hours=2))
TODAY = datetime.date(2026, 6, 15)


def test_month_ends_are_the_last_days_of_the_last_twelve_months_and_today():
    days = month_ends(TODAY)
    assert len(days) == 12
    assert days[0] == datetime.date(2025, 7, 31)
    assert days[7] == datetime.date(2026, 2, 28)
    assert days[-2:] == [datetime.date(2026, 5, 31), TODAY]
    assert month_ends(datetime.date(2028, 3, 1), months=2) == [datetime.date(2028, 2, 29), datetime.date(2028, 3, 1)]


@pytest.mark.parametrize(
    "peak, expected", [(0, (1, 1)), (1, (1, 1)), (5, (5, 1)), (7, (8, 2)), (13, (15, 5)), (49, (50, 10))]
)
def test_the_y_axis_ends_at_a_round_number_at_or_above_the_peak(peak, expected):
    assert axis_top(peak) == expected


def _chart(kind: str, *series: ChartSeries, title: str = "Members"):
    days = month_ends(TODAY)
    return chart(
        id="c", title=title, description="What it shows.", kind=kind, days=days,
        month_labels=[day.isoformat() for day in days], series=series,
    )  # fmt: skip


VALUES = (0, 1, 1, 2, 3, 3, 5, 8, 8, 7, 7, 10)


def _parse(drawn) -> etree._Element:
    return etree.fromstring(str(drawn.svg).encode())  # raises on anything but well-formed XML


def test_a_line_chart_is_well_formed_svg_named_by_its_title_and_description():
    root = _parse(_chart("line", ChartSeries("members", "Members in force", VALUES)))
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert (title.text, desc.text) == ("Members", "What it shows.")
    # The month under each point, and the y axis up to a round number over the peak.
    months = [t.text for t in root.iter(f"{SVG}text") if "chart-x-label" in t.get("class").split()]
    assert months[:2] == ["7/25", "8/25"] and len(months) == 12
    assert [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "chart-y-label"][-1] == "10"


def test_a_line_chart_puts_each_value_at_its_height():
    root = _parse(_chart("line", ChartSeries("members", "Members in force", VALUES)))
    points = [tuple(map(float, p.split(","))) for p in root.find(f".//{SVG}polyline").get("points").split()]
    assert len(points) == 12
    labels = [int(t.text) for t in root.iter(f"{SVG}text") if t.get("class") == "chart-value"]
    assert tuple(labels) == VALUES
    zero, ten = points[0][1], points[-1][1]  # the axis runs 0 to 10 here
    for (_x, y), value in zip(points, VALUES, strict=True):
        assert y == pytest.approx(zero + (ten - zero) * value / 10, abs=0.1)
    assert [x for x, _y in points] == sorted(x for x, _y in points)


def test_bars_are_as_high_as_their_values_and_the_second_series_is_hatched_not_only_coloured():
    production = (0, 0, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4)
    test = (1, 1, 1, 2, 2, 3, 3, 3, 4, 4, 5, 5)
    root = _parse(
        _chart(
            "bars", ChartSeries("production", "In production", production), ChartSeries("test", "In test", test, True)
        )
    )
    # The bars (the legend's swatches are in a group of their own).
    groups = {g.get("class"): g for g in root.findall(f"{SVG}g") if "chart-series" in g.get("class")}
    heights = {
        name: [float(r.get("height")) for r in groups[f"chart-series chart-series-{name}"].iter(f"{SVG}rect")]
        for name in ("production", "test")
    }
    unit = heights["test"][-1] / 5  # the tallest bar: 5 of an axis that runs to 5
    assert [round(h / unit, 3) for h in heights["production"]] == list(production)
    assert [round(h / unit, 3) for h in heights["test"][:-1]] == list(test[:-1])
    hatch = root.find(f".//{SVG}pattern")
    test_fill = {r.get("fill") for r in groups["chart-series chart-series-test"].iter(f"{SVG}rect")}
    assert test_fill == {f"url(#{hatch.get('id')})"}
    legend = [t.text for t in root.iter(f"{SVG}text") if t.get("class") == "chart-legend-label"]
    assert legend == ["In production", "In test"]


def test_labels_are_escaped():
    root = _parse(_chart("line", ChartSeries("members", "<b>&", VALUES), title='<script>"x"</script>'))
    assert root.find(f"{SVG}title").text == '<script>"x"</script>'
    assert root.find(f".//{SVG}script") is None


def test_a_chart_refuses_a_series_of_the_wrong_length():
    with pytest.raises(ValueError):
        _chart("line", ChartSeries("members", "Members", (1, 2)))


@pytest.fixture
def memberships(db):
    """A: in force from January 2026. B: in force until its end on 31 March 2026 (its last day in
    force is the 30th). C: in force in both roles from April (one member). D: never countersigned."""
    MembershipFactory(organisation=OrganisationFactory(), in_force_from=datetime.date(2026, 1, 10))
    MembershipFactory(
        organisation=OrganisationFactory(), in_force_from=datetime.date(2025, 1, 1), ends_on=datetime.date(2026, 3, 31)
    )
    c = OrganisationFactory(is_service_provider=True)
    MembershipFactory(organisation=c, role="home_organisation", in_force_from=datetime.date(2026, 4, 1))
    MembershipFactory(organisation=c, role="service_provider", in_force_from=datetime.date(2026, 4, 1))
    MembershipFactory(organisation=OrganisationFactory(), in_force_from=None)


MEMBERS_BY_MONTH = [1, 1, 1, 1, 1, 1, 2, 2, 1, 2, 2, 2]


def test_members_in_force_at_each_month_end_in_one_query(memberships, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert members_in_force_on(month_ends(TODAY)) == MEMBERS_BY_MONTH


def test_the_dashboard_draws_and_tabulates_the_members_in_force(memberships, operator, as_user):
    with time_machine.travel(datetime.datetime(2026, 6, 15, 12, tzinfo=HELSINKI), tick=False):
        page = as_user(operator).get(reverse("portal:staff-dashboard")).content.decode()
    tree = html.fromstring(page)
    svg = tree.xpath("//svg[@aria-labelledby='members-chart-title members-chart-desc']")[0]
    values = [int(t.text) for t in svg.xpath(".//text[@class='chart-value']")]
    assert values == MEMBERS_BY_MONTH
    table = svg.getparent().xpath(".//table")[0]
    rows = [(tr.xpath("th")[0].text, int(tr.xpath("td")[0].text)) for tr in table.xpath("tbody/tr")]
    assert rows[0] == ("July 2025", 1) and rows[-1] == ("June 2026", 2)
    assert [count for _month, count in rows] == MEMBERS_BY_MONTH
    description = svg.xpath(".//desc")[0].text
    assert "July 2025" in description and "June 2026" in description
