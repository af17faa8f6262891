"""Journey: operator staff (with MFA) invite a service provider's administrator, who accepts,
registers a SAML service by uploading its metadata and an OpenID Connect service, and sees both
waiting for review; staff approve them and they appear in what the proxy pulls (metadata.xml,
config.json), which staff can compare with the configuration before. In Finnish."""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest
from django.core import mail

from members import services as member_services
from members.models import Service
from proxy.services import proxy_token_create
from tests.browser.conftest import assert_accessible, login, published_entity_ids
from tests.factories import MembershipFactory, ServiceProviderOrganisationFactory
from tests.members.certs import sp_metadata
from tests.members.conftest import saml_data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ENTITY_ID = "https://oppimisalusta.example.fi/saml"
NEW_PASSWORD = "Oppimisalusta-2026-salasana"


def _accept_dialogs(page) -> None:
    """The confirmation buttons ask the browser's confirm(); the person answers yes."""
    page.on("dialog", lambda dialog: dialog.accept())


def test_staff_invite_a_provider_admin_whose_services_reach_the_proxy_after_approval(
    page, site, operator, tmp_path, proxy_publishing
):
    provider = ServiceProviderOrganisationFactory(name_fi="Oppimisalusta Oy", name_sv="Lärplattform Ab")
    MembershipFactory(organisation=provider, role="service_provider")
    # The network already has a service in production, so there is published metadata to read.
    other = ServiceProviderOrganisationFactory(name_fi="Sanakirja Oy")
    MembershipFactory(organisation=other, role="service_provider")
    existing = member_services.service_create(
        provider=other, by=operator, environment="production", protocol="saml", data=saml_data(),
        entity_id="https://sanakirja.example.fi/saml",
    )  # fmt: skip
    member_services.service_approve(version=existing.version, by=operator)
    assert published_entity_ids(page, site) == ["https://sanakirja.example.fi/saml"]
    _, proxy_token = proxy_token_create(name="idp", environment="production")
    _accept_dialogs(page)

    # Staff find the provider and invite its administrator.
    login(page, site, operator.email, mfa=True)
    nav = page.get_by_role("navigation", name="Päävalikko")
    nav.get_by_role("link", name="Organisaatiot").click()
    page.get_by_role("link", name="Oppimisalusta Oy").click()
    page.get_by_role("link", name="Henkilöt ja kutsut").click()
    page.wait_for_load_state()
    page.get_by_label("Sähköpostiosoite").fill("paakayttaja@oppimisalusta.example")
    page.get_by_label("pääkäyttäjä").check()
    page.get_by_label("tekninen yhteyshenkilö").check()
    page.get_by_label("Kutsun kieli").select_option("fi")
    page.get_by_role("button", name="Lähetä kutsu").click()
    page.wait_for_load_state()
    assert "Kutsu lähetetty osoitteeseen paakayttaja@oppimisalusta.example." in page.locator(".messages").inner_text()
    (invitation,) = [m for m in mail.outbox if "paakayttaja@oppimisalusta.example" in m.to]
    accept_path = urlparse(re.search(r"https?://\S+/invitation/\S+", invitation.body).group(0)).path

    # The invited person creates their account from the link.
    page.context.clear_cookies()
    page.goto(site + accept_path)
    assert "Oppimisalusta Oy" in page.locator("main").inner_text()
    assert_accessible(page, "journey-sp-invitation-signup")
    page.get_by_label("Koko nimi").fill("Pekka Palvelu")
    page.get_by_label(re.compile(r"^Salasana\b(?! uudelleen)")).fill(NEW_PASSWORD)
    page.get_by_label("Salasana uudelleen").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Luo tunnus ja hyväksy").click()
    page.wait_for_load_state()
    assert "Tervetuloa trustnetiin." in page.locator(".messages").inner_text()

    # SAML by metadata upload.
    page.get_by_role("link", name="Organisaatio, oppilaitokset ja palvelut").click()
    page.get_by_role("link", name="Rekisteröi SAML-palvelu").click()
    page.wait_for_load_state()
    assert_accessible(page, "journey-sp-saml-form")
    page.get_by_label("Ympäristö").select_option("production")
    # First a file with a DOCTYPE (the way entity-expansion attacks come in): refused, named, nothing stored.
    hostile = tmp_path / "hostile.xml"
    hostile.write_bytes(
        b'<?xml version="1.0"?>\n<!DOCTYPE lol [<!ENTITY lol "lol">]>\n'
        + sp_metadata(entity_id=ENTITY_ID).split(b"\n", 1)[1]
    )
    page.get_by_label("Metatietotiedosto").set_input_files(hostile)
    page.get_by_role("button", name="Rekisteröi", exact=True).click()
    page.wait_for_load_state()
    assert "Metatiedoissa on DOCTYPE- tai entiteettimäärittely; niitä ei sallita." in page.locator("main").inner_text()
    assert_accessible(page, "journey-sp-saml-refused")
    assert not Service.objects.filter(provider=provider).exists()
    page.get_by_label("Ympäristö").select_option("production")
    metadata = tmp_path / "metadata.xml"
    metadata.write_bytes(sp_metadata(entity_id=ENTITY_ID, acs="https://oppimisalusta.example.fi/saml/acs"))
    page.get_by_label("Metatietotiedosto").set_input_files(metadata)
    # Production needs signed assertions; this metadata does not say so, so the member ticks it.
    page.get_by_label(re.compile("^Vaatii allekirjoitetut väittämät", re.IGNORECASE)).check()
    page.get_by_label("Käyttäjätunniste (uid)").check()
    page.get_by_label("Käyttötarkoitus: Käyttäjätunniste").fill("Kirjautuminen oppimisalustalle")
    page.get_by_role("button", name="Rekisteröi", exact=True).click()
    page.wait_for_load_state()
    assert "Palvelu rekisteröity." in page.locator(".messages").inner_text()
    main = page.locator("main")
    assert ENTITY_ID in main.inner_text()
    assert "Tarkastusta odottava muutos" in main.inner_text()
    assert_accessible(page, "journey-sp-saml-pending")
    assert ENTITY_ID not in published_entity_ids(page, site)  # a pending service never reaches the proxy

    # OpenID Connect by form; the secret is shown once.
    page.locator("main nav.breadcrumbs").get_by_role("link", name="Oppimisalusta Oy").click()
    page.get_by_role("link", name="Rekisteröi OpenID Connect -palvelu").click()
    page.wait_for_load_state()
    assert_accessible(page, "journey-sp-oidc-form")
    page.get_by_label("Ympäristö").select_option("production")
    page.get_by_label("nimi (suomeksi)").fill("Oppimisalusta-sovellus")
    page.locator("#id_redirect_uris_text").fill("https://app.oppimisalusta.example.fi/callback")
    page.locator("input[name=auth_method][value=client_secret_basic]").check()
    page.get_by_label("Käyttäjätunniste (uid)").check()
    page.get_by_label("Käyttötarkoitus: Käyttäjätunniste").fill("Kirjautuminen")
    page.get_by_role("button", name="Rekisteröi", exact=True).click()
    page.wait_for_load_state()
    secret = page.get_by_role("alert").locator("code").inner_text()
    assert len(secret) >= 32
    page.reload()
    assert secret not in page.content()

    page.locator("main nav.breadcrumbs").get_by_role("link", name="Oppimisalusta Oy").click()
    page.wait_for_load_state()
    services = page.get_by_role("region", name="Palvelut")
    assert services.locator("tbody tr").count() == 2
    assert services.get_by_text("ei vielä käytössä").count() == 2
    assert services.get_by_text("muutos odottaa tarkastusta").count() == 2
    assert_accessible(page, "journey-sp-services-pending")

    # Staff approve both from the review queue.
    page.context.clear_cookies()
    login(page, site, operator.email, mfa=True)
    page.get_by_role("navigation", name="Päävalikko").get_by_role("link", name="Tarkastus").click()
    page.wait_for_load_state()
    assert_accessible(page, "journey-sp-review-queue")
    for name in ["Oppimateriaali", "Oppimisalusta-sovellus"]:
        page.get_by_role("link", name=name).click()
        page.wait_for_load_state()
        assert_accessible(page, f"journey-sp-review-{name}")
        page.get_by_role("button", name="Hyväksy", exact=True).click()
        page.wait_for_load_state()
        assert "Käytössä oleva versio" in page.locator("main").inner_text()
        assert page.get_by_role("heading", name="Tarkastusta odottava muutos").count() == 0
        page.get_by_role("navigation", name="Päävalikko").get_by_role("link", name="Tarkastus").click()
    oidc = Service.objects.get(provider=provider, protocol="oidc")
    assert Service.objects.filter(provider=provider, live_version__isnull=False).count() == 2

    # What the proxy pulls now has both: the SAML entity in the signed metadata, the OIDC client
    # (with its redirect URI) in the token-protected configuration.
    assert ENTITY_ID in published_entity_ids(page, site)
    config = page.request.get(f"{site}/proxy/production/config.json", headers={"Authorization": f"Token {proxy_token}"})
    assert config.ok
    assert oidc.client_id in config.text()
    assert "https://app.oppimisalusta.example.fi/callback" in config.text()

    # Staff see what the last publication changed.
    page.get_by_role("navigation", name="Päävalikko").get_by_role(
        "link", name="Välityspalvelimen konfiguraatio"
    ).click()
    in_service = page.get_by_role("table").first  # snapshots in service, one row per environment
    in_service.get_by_role("row", name=re.compile("tuotanto")).get_by_role("link").click()
    page.get_by_role("link", name="Vertaa edelliseen tilannekuvaan").click()
    page.wait_for_load_state()
    services_section = page.locator("section.proxy-diff").filter(has=page.get_by_role("heading", name="Palvelut"))
    added = services_section.get_by_role("heading", name="Lisätty").locator("xpath=following-sibling::ul[1]")
    assert oidc.client_id in added.inner_text() or "Oppimisalusta" in added.inner_text()
    assert_accessible(page, "journey-sp-snapshot-diff")
