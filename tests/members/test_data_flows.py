"""The picture of the data flows (issue 16 item 5): services × attributes on the public register
and the operator dashboard, from approved versions only, in words as well as shading."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse
from lxml import html

from members import services
from members.attributes import ATTRIBUTES
from members.models import Environment, Service, ServiceVersion
from members.selectors import data_flows, live_services, service_counts_on
from portal.charts import month_ends
from tests.factories import MembershipFactory, ServiceProviderOrganisationFactory
from tests.members.conftest import provider_in_force
from tests.querycount import assert_queries_pinned

pytestmark = pytest.mark.django_db

REGISTER = reverse("portal:public-register")
DASHBOARD = reverse("portal:staff-dashboard")
KEYS = list(ATTRIBUTES)
SHADES = ("both", "test", "production")


def _cls(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def _matrix(tree):
    return tree.xpath(f"//table[{_cls('flow-matrix')}]")[0]


def _matrix_rows(page: str) -> dict[str, dict[str, str]]:
    """{row heading's first line: {attribute key: the cell's words}} of the page's data-flow table."""
    tree = html.fromstring(page)
    rows = {}
    for row in _matrix(tree).xpath("tbody/tr"):
        heading = row.xpath("th")[0]
        name = (heading.xpath("a") or [heading])[0].text.strip()
        cells = [cell.xpath(f".//*[{_cls('visually-hidden')}]")[0].text_content().strip() for cell in row.xpath("td")]
        rows[name] = dict(zip(KEYS, cells, strict=True))
    return rows


def _legend(tree) -> list[str]:
    items = tree.xpath(f"//ul[{_cls('flow-legend')}]/li/span[{_cls('flow-legend-text')}]")
    return [item.text.strip() for item in items]


def _received(row: dict[str, str]) -> dict[str, str]:
    return {key: words for key, words in row.items() if words != "not received"}


def test_a_service_with_two_approved_attributes_in_production_shows_exactly_those(client, make_saml_service):
    service = make_saml_service(
        provider_in_force(name_fi="Oppimateriaalit Oy", name_en="Learning Ltd"),
        name_en="Reader",
        requested_attributes=[{"key": "surname", "purpose": "Raportit"}, {"key": "uid", "purpose": "Tunniste"}],
    )
    page = client.get(REGISTER).content.decode()
    rows = _matrix_rows(page)
    assert _received(rows["Reader"]) == {"uid": "production", "surname": "production"}
    cells = _matrix(html.fromstring(page)).xpath("tbody/tr/td")
    assert sum("flow-production" in cell.get("class") for cell in cells) == 2
    assert sum("flow-none" in cell.get("class") for cell in cells) == len(KEYS) - 2
    # The row names its provider and leads to the service's own section below.
    heading = _matrix(html.fromstring(page)).xpath("tbody/tr/th")[0]
    assert "Learning Ltd" in heading.text_content()
    assert heading.xpath("a")[0].get("href") == f"#service-{service.pk}"


def test_a_pending_change_never_shows_its_attributes(client, make_saml_service, tech_provider_a, provider_a):
    service = make_saml_service(provider_a, name_en="Reader")
    services.service_change(
        service=service,
        by=tech_provider_a,
        data={**_live_data(service), "requested_attributes": [{"key": "learnerId", "purpose": "Arviointi"}]},
    )
    assert service.versions.filter(status="pending").exists()
    rows = _matrix_rows(client.get(REGISTER).content.decode())
    assert _received(rows["Reader"]) == {"uid": "production"}


def _live_data(service):
    from tests.members.conftest import saml_data

    return saml_data(name_en=service.live_version.name_en)


def test_a_service_never_approved_has_no_row(client, make_saml_service, provider_a):
    make_saml_service(provider_a, name_en="Draft", approve=False)
    page = client.get(REGISTER).content.decode()
    assert "flow-matrix" not in page and "No approved services yet." in page


def test_the_public_matrix_shows_what_the_register_shows_only(client, make_saml_service, provider_a):
    """Production services of providers in force: no test service, nothing of an ended member."""
    make_saml_service(provider_a, name_en="Public")
    make_saml_service(provider_a, name_en="Only in test", environment="test")
    ended = ServiceProviderOrganisationFactory()
    MembershipFactory(organisation=ended, role="service_provider", ends_on=datetime.date(2021, 1, 1))
    make_saml_service(ended, name_en="Of an ended member", environment="test")
    page = client.get(REGISTER).content.decode()
    assert set(_matrix_rows(page)) == {"Public"}
    legend = _legend(html.fromstring(page))
    assert legend == ["Received in production", "Not received"]


def test_the_staff_matrix_joins_a_promoted_service_with_its_test_service(
    operator, as_user, make_saml_service, provider_a
):
    tested = make_saml_service(
        provider_a,
        environment="test",
        name_en="Reader",
        requested_attributes=[{"key": "uid", "purpose": "Tunniste"}, {"key": "class", "purpose": "Ryhmät"}],
    )
    promoted = services.service_promote(
        service=tested,
        by=operator,
        data={"requested_attributes": [{"key": "uid", "purpose": "Tunniste"}, {"key": "school", "purpose": "Koulu"}]},
    )
    services.service_approve(version=promoted.version, by=operator)
    make_saml_service(provider_a, environment="test", name_en="Trial")
    page = as_user(operator).get(DASHBOARD).content.decode()
    rows = _matrix_rows(page)
    assert set(rows) == {"Reader", "Trial"}
    assert _received(rows["Reader"]) == {"uid": "test and production", "class": "test", "school": "production"}
    assert _received(rows["Trial"]) == {"uid": "test"}
    tree = html.fromstring(page)
    shaded = {shade: len(_matrix(tree).xpath(f"tbody/tr/td[{_cls('flow-' + shade)}]")) for shade in SHADES}
    assert shaded == {"both": 1, "test": 2, "production": 1}
    legend = _legend(tree)
    assert legend == [
        "Received in test only",
        "Received in production",
        "Received in test and in production",
        "Not received",
    ]


def test_the_matrix_is_an_accessible_table(client, make_saml_service, provider_a):
    make_saml_service(provider_a, name_en="Reader")
    tree = html.fromstring(client.get(REGISTER).content.decode())
    region = tree.xpath(f"//div[{_cls('flow-scroll')}]")[0]
    assert (region.get("tabindex"), region.get("role")) == ("0", "region") and region.get("aria-label")
    table = region.xpath("table")[0]
    assert table.xpath("caption")[0].text_content().strip()
    headings = table.xpath("thead/tr/th")
    assert len(headings) == len(KEYS) + 1 and {th.get("scope") for th in headings} == {"col"}
    assert {th.get("scope") for th in table.xpath("tbody/tr/th")} == {"row"}
    # A shortened column name carries the full one.
    abbr = {a.text: a.get("title") for a in table.xpath("thead//abbr")}
    assert abbr["Provider ID"] == "Education provider identifier"
    # The marks are decoration: the words are in the cell.
    assert all(mark.get("aria-hidden") == "true" for mark in table.xpath(f".//*[{_cls('flow-mark')}]"))


def test_column_names_follow_the_language(client, make_saml_service, provider_a):
    make_saml_service(provider_a)
    page = client.get(REGISTER, HTTP_ACCEPT_LANGUAGE="fi").content.decode()
    tree = html.fromstring(page)
    abbr = {a.text: a.get("title") for a in _matrix(tree).xpath("thead//abbr")}
    assert abbr["Järjestäjän tunniste"] == "Koulutuksen järjestäjän tunniste"
    words = _matrix(tree).xpath(f"tbody/tr/td[{_cls('flow-production')}]/span[{_cls('visually-hidden')}]")
    assert words[0].text == "tuotanto"


def test_data_flows_runs_no_query_of_its_own(make_saml_service, provider_a, django_assert_num_queries):
    make_saml_service(provider_a)
    make_saml_service(provider_a, environment="test")
    with django_assert_num_queries(1):
        found = live_services()
    with django_assert_num_queries(0):
        matrix = data_flows(found, environments=Environment.values)
    assert len(matrix.rows) == 2


def test_public_register_with_its_matrix_stays_at_two_queries(client, make_saml_service):
    def grow():
        for _ in range(5):
            make_saml_service(provider_in_force())

    make_saml_service(provider_in_force())
    assert_queries_pinned(client, REGISTER, grow=grow, expected=2)


def test_staff_dashboard_query_count_is_pinned(operator, as_user, make_saml_service, provider_a):
    client = as_user(operator)

    def grow():
        for _ in range(4):
            tested = make_saml_service(provider_in_force(), environment="test")
            services.service_approve(version=services.service_promote(service=tested, by=operator).version, by=operator)
            MembershipFactory(organisation=ServiceProviderOrganisationFactory())

    make_saml_service(provider_a)
    # Of these, five are the data flows' and the charts': the providers in force and ended, the
    # approved services, the members and the services at each month's end; three the login sources
    # on their way to production (tests/members/test_login_source_overview.py).
    assert_queries_pinned(client, DASHBOARD, grow=grow, expected=23)


HELSINKI = datetime.timezone(datetime.timedelta(hours=2))


def _on(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(12), HELSINKI)


def _reviewed_on(service, day: datetime.date) -> None:
    """Date the service's review back (its certificates are valid only from about now)."""
    ServiceVersion.objects.filter(service=service).exclude(reviewed_at=None).update(reviewed_at=_on(day))


def test_services_per_environment_count_from_approval_to_withdrawal(
    operator, make_saml_service, provider_a, django_assert_num_queries
):
    """P1 approved in February and withdrawn in May; T1 a test service approved in April; P2 never
    approved; P3's only version rejected."""
    p1 = make_saml_service(provider_a)
    _reviewed_on(p1, datetime.date(2026, 2, 10))
    p3 = make_saml_service(provider_a, approve=False)
    services.service_reject(version=p3.versions.get(), by=operator, reason="Ei tietosuojaselostetta")
    _reviewed_on(p3, datetime.date(2026, 3, 1))
    _reviewed_on(make_saml_service(provider_a, environment="test"), datetime.date(2026, 4, 5))
    make_saml_service(provider_a, approve=False)
    services.service_withdraw(service=p1, by=operator, reason="Rikkoo konfiguraation")
    Service.objects.filter(pk=p1.pk).update(withdrawn_at=_on(datetime.date(2026, 5, 2)))
    days = month_ends(datetime.date(2026, 6, 15))
    with django_assert_num_queries(1):
        counts = service_counts_on(days)
    assert counts == {
        "test": [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1],
        "production": [0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0],
    }


def test_the_dashboard_draws_the_services_chart_with_its_numbers(operator, as_user, make_saml_service, provider_a):
    _reviewed_on(make_saml_service(provider_a, environment="test"), datetime.date(2026, 4, 5))
    _reviewed_on(make_saml_service(provider_a), datetime.date(2026, 4, 5))
    with time_machine.travel(_on(datetime.date(2026, 6, 15)), tick=False):
        page = as_user(operator).get(DASHBOARD).content.decode()
    tree = html.fromstring(page)
    svg = tree.xpath("//svg[@aria-labelledby='services-chart-title services-chart-desc']")[0]
    bars = {g.get("class").split("-")[-1]: len(g.xpath("rect")) for g in svg.xpath(f"g[{_cls('chart-series')}]")}
    assert bars == {"production": 12, "test": 12}
    table = svg.getparent().xpath(".//table")[0]
    assert [th.text for th in table.xpath("thead/tr/th")] == ["Month", "In production", "In test"]
    rows = [[td.text for td in tr.xpath("td")] for tr in table.xpath("tbody/tr")]
    assert rows[8] == ["0", "0"] and rows[9:] == [["1", "1"]] * 3
