"""Factories of proxy inputs (plain dataclasses), and a switchable register for tests."""

from __future__ import annotations

import datetime
import itertools

from members.attributes import ATTRIBUTES, validate_role_value
from proxy.inputs import (
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

_counter = itertools.count(1)

# An SP certificate (self-signed, 2026–2036); its key was thrown away.
SP_CERT = """-----BEGIN CERTIFICATE-----
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


def attribute(key: str, *, required: bool = True, purpose: str = "login") -> RequestedAttribute:
    # Names and claims from the information model's one table (DESIGN section 4), as the register does.
    model = ATTRIBUTES[key]
    return RequestedAttribute(
        key=key,
        saml_name=model.saml_name,
        friendly_name=model.friendly_name,
        oidc_claim=model.oidc_claim,
        is_required=required,
        purpose=purpose,
    )


def saml_service(
    *, n: int | None = None, environment: str = "test", attributes: tuple[str, ...] = ("uid", "schoolCode"), **overrides
) -> Service:
    n = n if n is not None else next(_counter)
    values = {
        "key": f"svc-{n}",
        "protocol": "saml",
        "environment": environment,
        "name": Localized(fi=f"Palvelu {n}", sv=f"Tjänst {n}", en=f"Service {n}"),
        "description": Localized(fi="Kuvaus", sv="Beskrivning", en="Description"),
        "organisation_name": Localized(fi="Palveluntarjoaja Oy", sv="Tjänsteleverantör Ab", en="Provider Ltd"),
        "organisation_url": Localized(en="https://provider.example.fi/"),
        "logos": (Logo(url=f"https://sp{n}.example.fi/logo.png", width=100, height=50),),
        "information_url": Localized(fi=f"https://sp{n}.example.fi/info"),
        "privacy_statement_url": Localized(fi=f"https://sp{n}.example.fi/privacy"),
        "entity_id": f"https://sp{n}.example.fi/saml",
        "acs_endpoints": (
            Endpoint(
                binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST",
                location=f"https://sp{n}.example.fi/acs",
                index=0,
                is_default=True,
            ),
        ),
        "certificates": (Certificate(pem=SP_CERT, use="signing"), Certificate(pem=SP_CERT, use="encryption")),
        "attributes": tuple(attribute(key, required=key == "uid") for key in attributes),
        "contacts": (
            Contact(
                contact_type="technical", email=f"tech@sp{n}.example.fi", given_name="Maija", surname="Meikäläinen"
            ),
            Contact(contact_type="security", email=f"cert@sp{n}.example.fi"),
        ),
        "registration": RegistrationInfo(
            authority="https://trustnet.example.fi",
            instant=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
            policy_urls=Localized(en="https://trustnet.example.fi/policy"),
        ),
    }
    values.update(overrides)
    return Service(**values)


def oidc_service(
    *, n: int | None = None, environment: str = "test", attributes: tuple[str, ...] = ("uid",), **overrides
) -> Service:
    n = n if n is not None else next(_counter)
    values = {
        "key": f"rp-{n}",
        "protocol": "oidc",
        "environment": environment,
        "name": Localized(fi=f"OIDC-palvelu {n}", en=f"OIDC service {n}"),
        "organisation_name": Localized(fi="RP Oy"),
        "client_id": f"client-{n}",
        "oidc": OidcClient(
            redirect_uris=(f"https://rp{n}.example.fi/cb",),
            auth_method="private_key_jwt",
            jwks_uri=f"https://rp{n}.example.fi/jwks",
        ),
        "attributes": tuple(attribute(key) for key in attributes),
    }
    values.update(overrides)
    return Service(**values)


def home_organisation(*, n: int | None = None, allowed: tuple[str, ...] | None = None) -> HomeOrganisation:
    n = n if n is not None else next(_counter)
    return HomeOrganisation(
        key=f"home-{n}",
        name=Localized(fi=f"Kunta {n}"),
        oid=f"1.2.246.562.10.{10**10 + n}",  # 11 digits, no leading zero (an OID arc has none)
        municipality_codes=("091",),
        schools=(School(code=f"{n:05d}", name=f"Koulu {n}"),),
        login_sources=(
            LoginSource(key="wilma", kind="wilma", identifier=f"kunta{n}.inschool.fi", school_codes=(f"{n:05d}",)),
        ),
        allowed_service_keys=allowed,
    )


def role_value(
    home: HomeOrganisation,
    *,
    school: int = 0,
    group: str = "7B",
    role: str = "Oppilas",
    role_code: str = "1",
    school_oid: str = "",
    office_oid: str = "",
) -> str:
    """The `urn:mpass.id:role` value a user of `home`'s school would carry, checked against the data model."""
    value = ";".join([home.oid, home.schools[school].code, group, role, role_code, school_oid, office_oid])
    validate_role_value(value)
    return value


def inputs(*services: Service, environment: str = "test", homes: tuple[HomeOrganisation, ...] = ()) -> ProxyInputs:
    return ProxyInputs(
        environment=environment, on=datetime.date(2026, 11, 27), services=services, home_organisations=homes
    )


class Register:
    """What `collect_inputs` returns in a test: set `.by_env[env]` to a ProxyInputs."""

    by_env: dict[str, ProxyInputs] = {}
    calls: list[tuple[str, datetime.date]] = []


def collect_inputs(*, environment: str, on: datetime.date) -> ProxyInputs:
    Register.calls.append((environment, on))
    found = Register.by_env.get(environment)
    if found is None:
        return ProxyInputs(environment=environment, on=on)
    return ProxyInputs(
        environment=environment, on=on, services=found.services, home_organisations=found.home_organisations
    )
