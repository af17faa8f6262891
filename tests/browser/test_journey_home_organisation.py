"""Journey: a home organisation's administrator imports schools from CSV (a bad file first: the
errors are shown row by row and nothing is saved), then restricts which services the users may
use; the proxy's configuration follows. In Finnish."""

from __future__ import annotations

import json

import pytest

from members import services as member_services
from members.models import School
from proxy.services import proxy_token_create
from tests.browser.conftest import assert_accessible, login
from tests.factories import MembershipFactory, ServiceProviderOrganisationFactory
from tests.members.conftest import saml_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BAD_CSV = "koodi;nimi;tyyppi\n01234;Mattilan koulu;perusopetus\n1234;Kalliolan koulu;perusopetus\n03456;;lukio\n"
GOOD_CSV = (
    "koodi;nimi;tyyppi\n"
    "01234;Mattilan koulu;perusopetus\n"
    "02345;Kalliolan koulu;perusopetus\n"
    "03456;Keskustan lukio;lukio\n"
)


def _live_service(provider, operator, *, name: str, entity_id: str):
    created = member_services.service_create(
        provider=provider, by=operator, environment="production", protocol="saml",
        data=saml_data(name_fi=name), entity_id=entity_id,
    )  # fmt: skip
    member_services.service_approve(version=created.version, by=operator)
    return created.service


def test_home_organisation_admin_imports_schools_and_restricts_services(
    page, site, tmp_path, org_a, admin_a, operator, proxy_publishing
):
    MembershipFactory(organisation=org_a, role="home_organisation")
    provider = ServiceProviderOrganisationFactory(name_fi="Oppimisalusta Oy")
    MembershipFactory(organisation=provider, role="service_provider")
    allowed = _live_service(provider, operator, name="Oppimisalusta", entity_id="https://oppimisalusta.example.fi/saml")
    _live_service(provider, operator, name="Pelialusta", entity_id="https://pelialusta.example.fi/saml")
    _, proxy_token = proxy_token_create(name="idp", environment="production")

    login(page, site, admin_a.email)
    page.get_by_role("link", name="Organisaatio, oppilaitokset ja palvelut").click()
    page.get_by_role("link", name="Tuo oppilaitokset CSV-tiedostosta").click()
    page.wait_for_load_state()
    assert_accessible(page, "journey-home-import")

    # A bad file: every problem named on its line, no way to import, nothing saved.
    bad = tmp_path / "oppilaitokset-virheellinen.csv"
    bad.write_text(BAD_CSV, encoding="utf-8")
    page.get_by_label("CSV-tiedosto").set_input_files(bad)
    page.get_by_role("button", name="Esikatsele").click()
    page.wait_for_load_state()
    assert "nothing has been saved" not in page.content()  # the page is in Finnish
    assert page.get_by_role("alert").is_visible()
    rows = page.locator("main table tbody tr")
    assert rows.count() == 3
    assert "koodi: oppilaitosnumerossa on täsmälleen viisi numeroa" in rows.nth(1).inner_text()
    assert "virhe" in rows.nth(2).inner_text()
    assert "perusopetus" in rows.nth(0).inner_text()  # the school type in the reader's language
    assert page.get_by_role("button", name="Tuo nämä oppilaitokset").count() == 0
    assert_accessible(page, "journey-home-import-errors")
    assert not School.objects.filter(organisation=org_a).exists()

    # The fixed file: preview, then import.
    good = tmp_path / "oppilaitokset.csv"
    good.write_text(GOOD_CSV, encoding="utf-8")
    page.get_by_label("CSV-tiedosto").set_input_files(good)
    page.get_by_role("button", name="Esikatsele").click()
    page.wait_for_load_state()
    assert page.get_by_role("alert").count() == 0
    page.get_by_role("button", name="Tuo nämä oppilaitokset").click()
    page.wait_for_load_state()
    assert "3 oppilaitosta tuotu." in page.locator(".messages").inner_text()
    schools = page.get_by_role("region", name="Oppilaitokset")
    for name in ["Mattilan koulu", "Kalliolan koulu", "Keskustan lukio"]:
        assert schools.get_by_role("cell", name=name).is_visible()
    assert_accessible(page, "journey-home-organisation")

    # Only one of the services for this organisation's users.
    page.get_by_role("link", name="Muuta sallittuja palveluja").click()
    page.wait_for_load_state()
    assert_accessible(page, "journey-home-allowed-services")
    page.get_by_label("Oppimisalusta – Oppimisalusta Oy (tuotanto)").check()
    page.get_by_role("button", name="Tallenna").click()
    page.wait_for_load_state()
    assert "Sallitut palvelut tallennettu." in page.locator(".messages").inner_text()
    assert "Oppimisalusta" in page.get_by_role("region", name="Tunnistuslähteet").inner_text()

    # The proxy's configuration carries the schools and the allow-list.
    response = page.request.get(
        f"{site}/proxy/production/config.json", headers={"Authorization": f"Token {proxy_token}"}
    )
    assert response.ok
    (home,) = [o for o in json.loads(response.text())["home_organisations"] if o["key"] == f"organisation-{org_a.pk}"]
    assert [s["code"] for s in home["schools"]] == ["01234", "02345", "03456"]
    assert home["allowed_services"] == [f"service-{allowed.pk}"]
