"""The one seam between the register and the proxy: what is approved and in force on a day.

`collect_inputs` is looked up through the `PROXY_COLLECT_INPUTS` setting, so tests can supply
inputs without the domain apps. The rules (DESIGN sections 2, 3 and 5):

- services: the approved (live) version only, so a pending change never shows and the last
  approved data stays; of the given environment; in production only those whose provider's
  service-provider membership is in force on `on` (a member under notice stays until the day
  before its end date), in test those of every provider whose membership has not ended;
- home organisations: by the same rule per environment, with that environment's login sources,
  schools and allowed services (None = all);
- attribute names and claims come from `members/attributes.py` (DESIGN section 4).

A fixed number of queries whatever the size of the register (pinned in the tests). Services
are read as values, not model instances, and their converted values kept between builds
(see `_services`).
"""

from __future__ import annotations

import dataclasses
import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from contracts.models import MemberRole
from contracts.selectors import organisation_ids_ended, organisation_ids_in_force
from members.attribute_mapping import effective_mapping
from members.attributes import ATTRIBUTES
from members.models import Contact as RegisteredContact
from members.models import LoginSourceKind, Organisation, PreviousClientSecret, ServiceVersion
from members.models import Service as RegisteredService
from members.selectors import home_organisations_register
from proxy.inputs import (
    Certificate,
    Contact,
    Endpoint,
    HomeOrganisation,
    Localized,
    LoginSource,
    Logo,
    Office,
    OidcClient,
    PreviousSecret,
    ProxyInputs,
    RegistrationInfo,
    RequestedAttribute,
    School,
    Service,
)

# Which field of a login source the proxy matches it by.
_LOGIN_SOURCE_IDENTIFIER = {
    LoginSourceKind.WILMA: "hostname",
    LoginSourceKind.GOOGLE: "entity_id",
    LoginSourceKind.ADFS: "entity_id",
    LoginSourceKind.SAML: "entity_id",
    LoginSourceKind.ENTRA: "tenant_id",
    LoginSourceKind.OIDC: "issuer",
    LoginSourceKind.OPINSYS: "hostname",
}


SERVICE_KEY_PREFIX = "service-"


def service_key(service_id: int) -> str:
    """Stable across builds and environments: the register's primary key."""
    return f"{SERVICE_KEY_PREFIX}{service_id}"


class _AllExcept:
    """The members who may take part in the test environment: everyone on the register but those
    whose membership has ended (a set-like view, so `_services` reads both environments alike)."""

    def __init__(self, ended: set[int]) -> None:
        self.ended = ended

    def __contains__(self, organisation_id: object) -> bool:
        return organisation_id not in self.ended


def _members(environment: str, role: str, on: datetime.date) -> set[int] | _AllExcept:
    """Who takes part in `environment` (DESIGN section 5): in production only members whose
    membership is in force; in test every member on the register whose membership has not ended,
    so a provider can build and try its integration before the agreement is signed."""
    if environment == "production":
        return organisation_ids_in_force(role=role, on=on)
    return _AllExcept(organisation_ids_ended(role=role, on=on))


def collect_inputs(*, environment: str, on: datetime.date) -> ProxyInputs:
    """Everything the proxy configuration of `environment` is built from, as on `on`."""
    providers = _members(environment, MemberRole.SERVICE_PROVIDER, on)
    homes_taking_part = _members(environment, MemberRole.HOME_ORGANISATION, on)
    services = _services(environment, providers)
    in_service = {service.key for service in services}
    homes = tuple(
        _home_organisation(organisation, in_service, environment)
        for organisation in home_organisations_register(environment)
        if organisation.pk in homes_taking_part
    )
    return ProxyInputs(environment=environment, on=on, services=services, home_organisations=homes)


# The register's rows are read as plain values, and the `Service` value made from them is kept
# between builds while they are unchanged: with 10,000 services, making model instances and
# values again on every build was most of a one-service change. An approved version is
# immutable (members app), so its id and approval time identify its content; the service row,
# the provider's names and its contacts are compared whole. Only the entries of the current
# register are kept, so the memory holds one register's worth of values.
_SERVICE_FIELDS = (
    "id", "protocol", "environment", "entity_id", "client_id", "client_secret_encrypted", "created_at",
    "provider_id", "provider__name_fi", "provider__name_sv", "provider__name_en",
    "live_version_id", "live_version__reviewed_at", "provider__website_url",
)  # fmt: skip
_VERSION_FIELDS = (
    "id", "name_fi", "name_sv", "name_en", "description_fi", "description_sv", "description_en",
    "logo_url", "logo_width", "logo_height", "information_url", "privacy_url", "acs_endpoints",
    "signing_certificates", "encryption_certificates", "name_id_format", "authn_requests_signed",
    "want_assertions_signed", "redirect_uris", "auth_method", "jwks_uri", "pkce_required", "requested_attributes",
    "test_learner_numbers_allowed", "post_logout_redirect_uris", "scope", "grant_types", "response_types",
)  # fmt: skip
_service_memory: dict[int, tuple[tuple, Service]] = {}
_version_memory: dict[tuple, dict] = {}


def forget_services() -> None:
    """Empty the memory of converted services (tests that reuse database ids)."""
    global _service_memory, _version_memory
    _service_memory, _version_memory = {}, {}


def _services(environment: str, providers: set[int] | _AllExcept) -> tuple[Service, ...]:
    """Approved services of `environment` whose provider takes part in it, in the register's order
    (provider name, id). At most four queries whatever the number of services."""
    global _service_memory, _version_memory
    rows = [
        row
        for row in RegisteredService.objects.filter(environment=environment, live_version__isnull=False)
        .order_by("provider__name_fi", "id")
        .values_list(*_SERVICE_FIELDS)
        if row[7] in providers
    ]
    contacts: dict[int, list[tuple]] = {}
    for organisation_id, *contact in (
        RegisteredContact.objects.filter(organisation_id__in={row[7] for row in rows})
        .order_by("kind", "name", "id")
        .values_list("organisation_id", "kind", "email", "name", "phone")
    ):
        contacts.setdefault(organisation_id, []).append(tuple(contact))
    authority = RegistrationInfo(
        authority=settings.PROXY_REGISTRATION_AUTHORITY,
        instant=datetime.datetime.min,  # each service's own, set in _service
        policy_urls=Localized(**{lang: url for lang, url in settings.REGISTRATION_POLICY_URLS.items() if url}),
    )
    # Rotated-out secrets still in their overlap (an expired one is never published, even before
    # the cleanup has deleted it). One query, only for the OIDC services.
    previous: dict[int, list[PreviousSecret]] = {}
    oidc_ids = [row[0] for row in rows if row[1] == "oidc"]
    if oidc_ids:
        for service_id, encrypted, expires_at in (
            PreviousClientSecret.objects.filter(service_id__in=oidc_ids, expires_at__gt=timezone.now())
            .order_by("service_id", "-expires_at", "-id")
            .values_list("service_id", "secret_encrypted", "expires_at")
        ):
            previous.setdefault(service_id, []).append(
                PreviousSecret(client_secret_encrypted=encrypted, expires_at=expires_at)
            )
    version_keys = {row[11]: (row[11], row[12]) for row in rows}
    missing = [version_id for version_id, key in version_keys.items() if key not in _version_memory]
    versions = {key: _version_memory[key] for key in version_keys.values() if key in _version_memory}
    if missing:
        for values in ServiceVersion.objects.filter(id__in=missing).values(*_VERSION_FIELDS):
            versions[version_keys[values["id"]]] = values
    memory: dict[int, tuple[tuple, Service]] = {}
    services = []
    for row in rows:
        # By service id, compared whole (cheaper than hashing every row as a key).
        key = (row, tuple(contacts.get(row[7], ())), authority, tuple(previous.get(row[0], ())))
        entry = _service_memory.get(row[0])
        if entry is None or entry[0] != key:
            entry = (key, _service(row, versions[version_keys[row[11]]], key[1], authority, key[3]))
        memory[row[0]] = entry
        services.append(entry[1])
    _service_memory, _version_memory = memory, versions
    return tuple(services)


def _localized(obj: object, field: str) -> Localized:
    return Localized(
        fi=getattr(obj, f"{field}_fi", ""), sv=getattr(obj, f"{field}_sv", ""), en=getattr(obj, f"{field}_en", "")
    )


def _service(
    row: tuple,
    version: dict,
    contacts: tuple[tuple, ...],
    registration: RegistrationInfo,
    previous: tuple[PreviousSecret, ...] = (),
) -> Service:
    (pk, protocol, environment, entity_id, client_id, secret_encrypted, created_at,
     _, provider_fi, provider_sv, provider_en, _, _, provider_url) = row  # fmt: skip
    purposes = {item["key"]: item.get("purpose", "") for item in version["requested_attributes"]}
    attributes = tuple(
        RequestedAttribute(
            key=attribute.key,
            saml_name=attribute.saml_name,
            friendly_name=attribute.friendly_name,
            oidc_claim=attribute.oidc_claim,
            is_required=True,
            purpose=purposes[key],
        )
        # In the information model's order (as ServiceVersion.released_attributes).
        for key, attribute in ATTRIBUTES.items()
        if key in purposes
    )
    name = Localized(fi=version["name_fi"], sv=version["name_sv"], en=version["name_en"])
    common = {
        "key": service_key(pk),
        "protocol": protocol,
        "environment": environment,
        "name": name,
        "display_name": name,
        "description": Localized(
            fi=version["description_fi"], sv=version["description_sv"], en=version["description_en"]
        ),
        "organisation_name": Localized(fi=provider_fi, sv=provider_sv, en=provider_en),
        "logos": (Logo(url=version["logo_url"], width=version["logo_width"], height=version["logo_height"]),)
        if version["logo_url"] and version["logo_width"] and version["logo_height"]
        else (),
        "information_url": Localized(fi=version["information_url"]),
        "privacy_statement_url": Localized(fi=version["privacy_url"]),
        "attributes": attributes,
        "contacts": tuple(
            Contact(contact_type=kind, email=email, given_name=name, phone=phone)
            for kind, email, name, phone in contacts
        ),
        # One URL, published beside each language the organisation's name is given in.
        "organisation_url": Localized(
            fi=provider_url, sv=provider_url if provider_sv else "", en=provider_url if provider_en else ""
        ),
        "registration": dataclasses.replace(registration, instant=created_at),
        "test_learner_numbers_allowed": version["test_learner_numbers_allowed"],
    }
    if protocol == "saml":
        # One KeyDescriptor per certificate: a rollover publishes the old and the new side by side.
        certificates = [Certificate(pem=pem, use="signing") for pem in version["signing_certificates"]]
        certificates += [Certificate(pem=pem, use="encryption") for pem in version["encryption_certificates"]]
        return Service(
            **common,
            entity_id=entity_id,
            acs_endpoints=tuple(
                Endpoint(
                    binding=endpoint["binding"],
                    location=endpoint["location"],
                    index=endpoint["index"],
                    is_default=bool(endpoint.get("is_default")),
                )
                for endpoint in version["acs_endpoints"]
            ),
            certificates=tuple(certificates),
            name_id_format=version["name_id_format"],
            authn_requests_signed=version["authn_requests_signed"],
            want_assertions_signed=version["want_assertions_signed"],
        )
    return Service(
        **common,
        client_id=client_id,
        oidc=OidcClient(
            redirect_uris=tuple(version["redirect_uris"]),
            auth_method=version["auth_method"],
            jwks_uri=version["jwks_uri"],
            # Still encrypted with the application's key: decrypted only to re-encrypt it to the
            # proxy's key for oidc-clients.json (proxy/oidc_clients.py).
            client_secret_encrypted=secret_encrypted,
            pkce_required=version["pkce_required"],
            post_logout_redirect_uris=tuple(version["post_logout_redirect_uris"]),
            scope=version["scope"] or "openid profile",
            grant_types=tuple(version["grant_types"] or ("authorization_code",)),
            response_types=tuple(version["response_types"] or ("code",)),
            previous_secrets=previous,
        ),
    )


def logo_url(environment: str, logo_name: str) -> str:
    """The public, absolute URL of a published login-source logo ("" for none): its stored name is
    its content's hash (members/logos.py), so a new logo gets a new URL."""
    if not logo_name:
        return ""
    return settings.SITE_URL + reverse("proxy:logo", args=[environment, logo_name.rsplit("/", 1)[-1]])


def _home_organisation(
    organisation: Organisation, in_service: set[str], environment: str = "production"
) -> HomeOrganisation:
    allowed = [service_key(service.pk) for service in organisation.allowed_services.all()]
    return HomeOrganisation(
        key=f"organisation-{organisation.pk}",
        name=_localized(organisation, "name"),
        oid=organisation.oid,
        municipality_codes=tuple(code.code for code in organisation.municipality_codes.all()),
        login_sources=tuple(
            LoginSource(
                key=f"login-source-{source.pk}",
                kind=source.kind,
                identifier=getattr(source, _LOGIN_SOURCE_IDENTIFIER[source.kind]),
                name=source.name,
                metadata_url=source.metadata_url,
                school_codes=tuple(school.code for school in source.schools.all()),
                hostnames=tuple(source.hostnames),
                flow_name=source.flow_name or "",
                attribute_mapping=tuple(
                    (key, form, text)
                    for key, entry in effective_mapping(source).items()
                    for form, text in entry.items()
                ),
                display_name=_localized(source, "display_name"),
                title=_localized(source, "title"),
                logo_url=logo_url(environment, source.logo.name),
                excluded_school_codes=tuple(school.code for school in source.excluded_schools.all()),
            )
            for source in organisation.login_sources.all()
            # A promoted source reaches the proxy once staff approve it (DESIGN section 2).
            if source.approved_at is not None
        ),
        schools=tuple(
            School(
                code=school.code,
                name=school.name,
                oid=school.oid,
                closed=school.is_closed,
                offices=tuple(Office(oid=o.oid, name=o.name, closed=o.is_closed) for o in school.offices.all()),
            )
            for school in organisation.schools.all()
        ),
        # An allow-list names services; those not in this configuration (other environment,
        # provider not in force) are left out so every key refers to a service that exists here.
        allowed_service_keys=tuple(key for key in allowed if key in in_service) if allowed else None,
    )
