"""Demo: a signing key and a published snapshot per environment, so `make run` serves real,
signed metadata. Until the register seam (`register.collect_inputs`) reads the members app,
the demo uses the fixed inputs below; once it does, the demo builds from the register."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path

from django.conf import settings

from trustnet.proxy.inputs import (
    Certificate,
    Contact,
    Endpoint,
    HomeOrganisation,
    Localized,
    LoginSource,
    Logo,
    OidcClient,
    ProxyInputs,
    RegistrationInfo,
    RequestedAttribute,
    School,
    Service,
)

# A demo SP certificate (self-signed, 2026–2036); its key was thrown away.
DEMO_SP_CERT = """-----BEGIN CERTIFICATE-----
MIICvjCCAaagAwIBAgICA+gwDQYJKoZIhvcNAQELBQAwIjEgMB4GA1UEAwwXc3Au
b3BpbnNhdW5hLmV4YW1wbGUuZmkwHhcNMjYwMTAxMDAwMDAwWhcNMzYwMTAxMDAw
MDAwWjAiMSAwHgYDVQQDDBdzcC5vcGluc2F1bmEuZXhhbXBsZS5maTCCASIwDQYJ
KoZIhvcNAQEBBQADggEPADCCAQoCggEBALi44W6wENfcOib9cSqQfg+PutATV9LE
OAoacVOlLzgz7VyMMy5SySHZ7MuGDE3uV9aOpGXvwEKeFy3HaGj0m9gzxor4xDKw
hW0xsUK9NWIEPIWYtsSeoQ8//H7bFV4//PGKdKe+GbAlY72J62vQQDghFp8g9Pyg
+qIHJKIvslhZIqiPhvTeVYLLAFyEEpq/Pjqt9pmGFxCVSs6W+Ykv5Lzk6tpcX6yy
ekojiqT8PL9Cps5ZrX4tIBgUXoZd2ZP4M4B6ubpW3DbqyO6BiRdIQcnmFfBbplbl
XL+A6mnouN4jhGLWtDsfUR7YogObBQCzWqN82HI4GIWG06PnXb4Cxp8CAwEAATAN
BgkqhkiG9w0BAQsFAAOCAQEAhsiaS0z4u7a4c4SnPpYEt4p7hN0a660ejLLRUR7W
rDZYGnisOjIhhH9F1wjF2a605LkC3gbK9Q/uROBemHGibLkEqOAxd+yf1b54lcPB
VIBRgnVV98WskiUOIsxbzQhSLYCP4kyDwLX73BRZhbOAQFKVytpGpakajI6z1gfC
4VuusquosLppmwQ5BRys+SUv4TbsaZ6wv8cG+EUdJVuz/axRqSQG4TIf3nj4WIiv
2wWbp2UkWqH5uGaQpuRye/5MiiSOv+zXfDpcKq4wjHXKfiEGFRILvfg3v7WdmUBz
6lVF3oezuWsXBs6qBRVSWZHhW7ps3dEUQ9CxPJJEpgPukQ==
-----END CERTIFICATE-----
"""

# Demo only: in a real build the register supplies these from members/attributes.py.
_DEMO_ATTRIBUTES = {
    "uid": ("urn:mpass.id:uid", "sub"),
    "givenName": ("urn:oid:2.5.4.42", "given_name"),
    "surname": ("urn:oid:2.5.4.4", "family_name"),
    "schoolCode": ("urn:mpass.id:schoolCode", "urn:mpass.id:schoolCode"),
    "role": ("urn:mpass.id:role", "urn:mpass.id:role"),
}


def _attribute(key: str, purpose: str, required: bool = True) -> RequestedAttribute:
    saml_name, claim = _DEMO_ATTRIBUTES[key]
    return RequestedAttribute(
        key=key, saml_name=saml_name, friendly_name=key, oidc_claim=claim, is_required=required, purpose=purpose
    )


def demo_inputs(*, environment: str, on: datetime.date) -> ProxyInputs:
    registered = datetime.datetime(2026, 1, 15, 9, 0, tzinfo=datetime.UTC)
    host = "test." if environment == "test" else ""
    opinsauna = Service(
        key="demo-opinsauna",
        protocol="saml",
        environment=environment,
        name=Localized(fi="Opinsauna", sv="Studiebastun", en="Study Sauna"),
        description=Localized(
            fi="Harjoitustehtäviä perusopetukseen",
            sv="Övningsuppgifter för grundskolan",
            en="Exercises for basic education",
        ),
        organisation_name=Localized(
            fi="Esimerkki Oppimateriaalit Oy", sv="Exempel Läromedel Ab", en="Example Learning Ltd"
        ),
        organisation_url=Localized(en="https://www.opinsauna.example.fi/"),
        logos=(Logo(url="https://www.opinsauna.example.fi/logo.png", width=120, height=60),),
        information_url=Localized(fi="https://www.opinsauna.example.fi/tietoa"),
        privacy_statement_url=Localized(fi="https://www.opinsauna.example.fi/tietosuoja"),
        entity_id=f"https://{host}opinsauna.example.fi/sp",
        acs_endpoints=(
            Endpoint(
                binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST",
                location=f"https://{host}opinsauna.example.fi/saml/acs",
                index=0,
                is_default=True,
            ),
        ),
        certificates=(Certificate(pem=DEMO_SP_CERT),),
        attributes=(
            _attribute("uid", "Käyttäjän tunnistaminen"),
            _attribute("schoolCode", "Koulun tehtävien näyttäminen"),
            _attribute("givenName", "Nimen näyttäminen opettajalle", required=False),
        ),
        contacts=(
            Contact(
                contact_type="technical", email="tuki@opinsauna.example.fi", given_name="Matti", surname="Virtanen"
            ),
            Contact(contact_type="security", email="security@opinsauna.example.fi"),
        ),
        registration=RegistrationInfo(authority=settings.PROXY_REGISTRATION_AUTHORITY, instant=registered),
    )
    kirjasto = Service(
        key="demo-kirjasto",
        protocol="oidc",
        environment=environment,
        name=Localized(fi="Koulukirjasto", sv="Skolbiblioteket", en="School Library"),
        organisation_name=Localized(fi="Kirjastopalvelut Oy", en="Library Services Ltd"),
        client_id=f"{environment}-koulukirjasto-7f3a",
        oidc=OidcClient(
            redirect_uris=(f"https://{host}koulukirjasto.example.fi/oidc/callback",),
            auth_method="client_secret_basic",
            client_secret_hash="pbkdf2_sha256$demo",  # noqa: S106  (not a secret: a demo placeholder)
        ),
        attributes=(_attribute("uid", "Lainaajan tunnistaminen"), _attribute("role", "Opettajan oikeudet")),
        contacts=(Contact(contact_type="technical", email="it@koulukirjasto.example.fi"),),
    )
    espoo = HomeOrganisation(
        key="demo-esimerkkila",
        name=Localized(fi="Esimerkkilän kaupunki", sv="Exempelby stad", en="City of Esimerkkilä"),
        oid="1.2.246.562.10.00000000001",
        municipality_codes=("049",),
        schools=(School(code="03101", name="Esimerkkilän koulu"), School(code="03102", name="Mäntymäen lukio")),
        login_sources=(
            LoginSource(
                key="wilma",
                kind="wilma",
                identifier="esimerkkila.inschool.fi",
                name="Wilma",
                school_codes=("03101", "03102"),
            ),
        ),
    )
    return ProxyInputs(environment=environment, on=on, services=(opinsauna, kirjasto), home_organisations=(espoo,))


def ensure_signing_key(*, report: Callable[[str], None]) -> None:
    """Create a signing key for development if none is configured (never in production)."""
    from trustnet.proxy.signing import generate_key_pair

    key_path, cert_path = Path(settings.PROXY_SIGNING_KEY_FILE), Path(settings.PROXY_SIGNING_CERT_FILE)
    if key_path.exists() and cert_path.exists():
        return
    key_pem, cert_pem = generate_key_pair(common_name="trustnet metadata signing (demo)")
    key_path.parent.mkdir(parents=True, exist_ok=True)
    key_path.write_bytes(key_pem)
    key_path.chmod(0o600)
    cert_path.write_bytes(cert_pem)
    report(f"proxy: signing key written to {key_path}")


def load(*, report: Callable[[str], None]) -> None:
    from trustnet.proxy.services import snapshot_build

    ensure_signing_key(report=report)
    for environment in ("test", "production"):
        # Built from the demo register the loaders before this one created.
        snapshot = snapshot_build(environment=environment, trigger="demo")
        report(f"proxy: {environment} snapshot #{snapshot.pk} {snapshot.status}")
