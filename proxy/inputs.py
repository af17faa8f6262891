"""What the proxy configuration is built from, as plain frozen values (DESIGN section 5).

`register.collect_inputs` reads these from the members and contracts apps; everything after that
(rendering, signing, validating, storing) works on these values only, so it can be tested and
benchmarked without a database and the domain apps never depend on the proxy.

Every field is hashable, so an entity's inputs can be fingerprinted (`fingerprint`) and its
rendered XML reused across builds while they do not change.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field
from typing import Any

ENVIRONMENTS = ("test", "production")


@dataclass(frozen=True)
class Localized:
    """One text in the three languages of the network; empty strings are left out of outputs."""

    fi: str = ""
    sv: str = ""
    en: str = ""

    def items(self) -> list[tuple[str, str]]:
        return [(lang, text) for lang, text in (("fi", self.fi), ("sv", self.sv), ("en", self.en)) if text]


@dataclass(frozen=True)
class Logo:
    url: str
    width: int
    height: int
    lang: str = ""


@dataclass(frozen=True)
class Endpoint:
    """A SAML AssertionConsumerService."""

    binding: str
    location: str
    index: int
    is_default: bool = False


@dataclass(frozen=True)
class Certificate:
    """PEM of an SP certificate; `use` is "signing", "encryption" or "" (both)."""

    pem: str
    use: str = ""


@dataclass(frozen=True)
class RequestedAttribute:
    """One approved attribute release. Names come from `members/attributes.py` (DESIGN section 4)."""

    key: str
    saml_name: str
    friendly_name: str
    oidc_claim: str
    is_required: bool = True
    purpose: str = ""


@dataclass(frozen=True)
class Contact:
    """`contact_type`: technical, support, administrative, billing, other or security (REFEDS)."""

    contact_type: str
    email: str
    given_name: str = ""
    surname: str = ""
    company: str = ""
    phone: str = ""


@dataclass(frozen=True)
class RegistrationInfo:
    authority: str
    instant: datetime.datetime
    # mdrpi:RegistrationPolicy by language (settings.REGISTRATION_POLICY_URLS).
    policy_urls: Localized = field(default_factory=Localized)


@dataclass(frozen=True)
class PreviousSecret:
    """A rotated-out client secret still valid until `expires_at` (encrypted as at rest)."""

    client_secret_encrypted: str
    expires_at: datetime.datetime


@dataclass(frozen=True)
class OidcClient:
    redirect_uris: tuple[str, ...]
    auth_method: str  # client_secret_basic | client_secret_post | private_key_jwt
    jwks_uri: str = ""
    # The secret as the register keeps it at rest (encrypted with the application's key,
    # members/secrets.py). Never published as such: `oidc-clients.json` carries it re-encrypted
    # to the proxy's public key, and no other file carries it in any form.
    client_secret_encrypted: str = ""
    pkce_required: bool = True
    post_logout_redirect_uris: tuple[str, ...] = ()
    scope: str = "openid profile"
    grant_types: tuple[str, ...] = ("authorization_code",)
    response_types: tuple[str, ...] = ("code",)
    previous_secrets: tuple[PreviousSecret, ...] = ()


@dataclass(frozen=True)
class Service:
    """An approved service whose provider's service-provider membership is in force.

    `key` is stable across builds (the register's primary key or a slug); `protocol` is "saml"
    (then `entity_id` is set) or "oidc" (then `client_id` and `oidc` are set).
    """

    key: str
    protocol: str
    environment: str
    name: Localized
    organisation_name: Localized
    # The provider organisation's own website (md:OrganizationURL); never a service's page.
    organisation_url: Localized = field(default_factory=Localized)
    description: Localized = field(default_factory=Localized)
    display_name: Localized = field(default_factory=Localized)
    logos: tuple[Logo, ...] = ()
    information_url: Localized = field(default_factory=Localized)
    privacy_statement_url: Localized = field(default_factory=Localized)
    entity_id: str = ""
    acs_endpoints: tuple[Endpoint, ...] = ()
    certificates: tuple[Certificate, ...] = ()
    name_id_format: str = ""
    authn_requests_signed: bool = False
    want_assertions_signed: bool = False
    # Whether the proxy may release test learner numbers to it (DESIGN section 2), both protocols.
    test_learner_numbers_allowed: bool = False
    client_id: str = ""
    oidc: OidcClient | None = None
    attributes: tuple[RequestedAttribute, ...] = ()
    contacts: tuple[Contact, ...] = ()
    registration: RegistrationInfo | None = None

    @property
    def requester(self) -> str:
        """What the proxy matches a request on: the SAML entityID or the OIDC client_id."""
        return self.entity_id if self.protocol == "saml" else self.client_id


@dataclass(frozen=True)
class Office:
    """A school's office (toimipiste): the role value's last part is its OID (DESIGN section 4)."""

    oid: str
    name: str
    closed: bool = False


@dataclass(frozen=True)
class School:
    """`oid`: the organisation register's (blank if not known yet), for the role value and the OID
    form of schoolInfo; a closed school stays listed, marked, while login sources may serve it."""

    code: str  # 5-digit oppilaitosnumero
    name: str
    oid: str = ""
    closed: bool = False
    offices: tuple[Office, ...] = ()


@dataclass(frozen=True)
class LoginSource:
    """`kind`: wilma, google, adfs, saml, entra, oidc, opinsys. `identifier` is the hostname
    (Opinsys: the organisation name), entityID, tenant ID or issuer; `metadata_url` where the proxy
    fetches its metadata; `school_codes` it serves."""

    key: str
    kind: str
    identifier: str
    name: str = ""
    metadata_url: str = ""
    school_codes: tuple[str, ...] = ()
    # Wilma: every hostname (the first is `identifier`); `flow_name` picks the source directly
    # (authnContextClassRef urn:mpass.id:authnsource:<flow_name>).
    hostnames: tuple[str, ...] = ()
    flow_name: str = ""
    # Its effective attribute mapping (members.attribute_mapping), in the catalogue's order:
    # (MPASSid attribute key, "source" or "value", the attribute's name or the static value).
    attribute_mapping: tuple[tuple[str, str, str], ...] = ()
    # What the MPASSid login page shows (discovery.json; issue 14): display names (each falls back
    # to `name` there), titles, the logo's absolute URL ("" = none) and the served schools left off
    # its list. Part of the value, so a change to any of them makes a new snapshot.
    display_name: Localized = field(default_factory=Localized)
    title: Localized = field(default_factory=Localized)
    logo_url: str = ""
    excluded_school_codes: tuple[str, ...] = ()

    @property
    def listed_school_codes(self) -> tuple[str, ...]:
        """The schools listed under it on the login page: those it serves, less those excluded."""
        excluded = set(self.excluded_school_codes)
        return tuple(code for code in self.school_codes if code not in excluded)


@dataclass(frozen=True)
class HomeOrganisation:
    """A home organisation whose membership is in force. `allowed_service_keys`: None means all."""

    key: str
    name: Localized
    oid: str = ""
    municipality_codes: tuple[str, ...] = ()
    login_sources: tuple[LoginSource, ...] = ()
    schools: tuple[School, ...] = ()
    allowed_service_keys: tuple[str, ...] | None = None


@dataclass(frozen=True)
class ProxyInputs:
    environment: str
    on: datetime.date
    services: tuple[Service, ...] = ()
    home_organisations: tuple[HomeOrganisation, ...] = ()


def fingerprint(value: Any, *, salt: str = "") -> str:
    """SHA-256 identifying a frozen dataclass value (for caching what is rendered from it).

    `repr` of these dataclasses is deterministic (fields in declaration order; str, int, bool,
    tuple and datetime reprs) and several times faster than a JSON form, which matters when a
    build fingerprints every service.
    """
    return hashlib.sha256(f"{salt}\0{value!r}".encode()).hexdigest()
