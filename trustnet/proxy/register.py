"""The one seam between the register and the proxy: what is approved and in force on a day.

`collect_inputs` is looked up through the `PROXY_COLLECT_INPUTS` setting, so tests can supply
inputs without the domain apps. The rules (DESIGN sections 2, 3 and 5):

- services: the approved (live) version only, so a pending change never shows and the last
  approved data stays; of the given environment; whose provider's service-provider membership
  is in force on `on` (a member under notice stays until the day before its end date);
- home organisations: membership in force on `on`, with their login sources, schools and
  allowed services (None = all);
- attribute names and claims come from `members/attributes.py` (DESIGN section 4).

A fixed number of queries whatever the size of the register (pinned in the tests).
"""

from __future__ import annotations

import datetime
from functools import lru_cache

from django.conf import settings

from contracts.models import MemberRole
from contracts.selectors import organisation_ids_in_force
from members.models import LoginSourceKind, Organisation
from members.models import Service as RegisteredService
from members.secrets import secret_decrypt, secret_sha256
from members.selectors import approved_services, home_organisations_register
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

# Which field of a login source the proxy matches it by.
_LOGIN_SOURCE_IDENTIFIER = {
    LoginSourceKind.WILMA: "hostname",
    LoginSourceKind.GOOGLE: "entity_id",
    LoginSourceKind.ADFS: "entity_id",
    LoginSourceKind.SAML: "entity_id",
    LoginSourceKind.ENTRA: "tenant_id",
    LoginSourceKind.OIDC: "issuer",
}


def service_key(service_id: int) -> str:
    """Stable across builds and environments: the register's primary key."""
    return f"service-{service_id}"


def collect_inputs(*, environment: str, on: datetime.date) -> ProxyInputs:
    """Everything the proxy configuration of `environment` is built from, as on `on`."""
    providers_in_force = organisation_ids_in_force(role=MemberRole.SERVICE_PROVIDER, on=on)
    homes_in_force = organisation_ids_in_force(role=MemberRole.HOME_ORGANISATION, on=on)
    services = tuple(
        _service(registered)
        for registered in approved_services(environment=environment)
        if registered.provider_id in providers_in_force
    )
    in_service = {service.key for service in services}
    homes = tuple(
        _home_organisation(organisation, in_service)
        for organisation in home_organisations_register()
        if organisation.pk in homes_in_force
    )
    return ProxyInputs(environment=environment, on=on, services=services, home_organisations=homes)


def _localized(obj: object, field: str) -> Localized:
    return Localized(
        fi=getattr(obj, f"{field}_fi", ""), sv=getattr(obj, f"{field}_sv", ""), en=getattr(obj, f"{field}_en", "")
    )


def _service(registered: RegisteredService) -> Service:
    version = registered.live_version
    provider = registered.provider
    attributes = tuple(
        RequestedAttribute(
            key=attribute.key,
            saml_name=attribute.saml_name,
            friendly_name=attribute.key,
            oidc_claim=attribute.oidc_claim,
            is_required=True,
            purpose=purpose,
        )
        for attribute, purpose in version.released_attributes()
    )
    contacts = tuple(
        Contact(contact_type=contact.kind, email=contact.email, given_name=contact.name, phone=contact.phone)
        for contact in provider.contacts.all()
    )
    common = {
        "key": service_key(registered.pk),
        "protocol": registered.protocol,
        "environment": registered.environment,
        "name": _localized(version, "name"),
        "display_name": _localized(version, "name"),
        "description": _localized(version, "description"),
        "organisation_name": _localized(provider, "name"),
        "logos": (Logo(url=version.logo_url, width=version.logo_width, height=version.logo_height),)
        if version.logo_url and version.logo_width and version.logo_height
        else (),
        "information_url": Localized(fi=version.information_url),
        "privacy_statement_url": Localized(fi=version.privacy_url),
        "attributes": attributes,
        "contacts": contacts,
        "registration": RegistrationInfo(
            authority=settings.PROXY_REGISTRATION_AUTHORITY, instant=registered.created_at
        ),
    }
    if registered.protocol == "saml":
        certificates = []
        if version.signing_certificate:
            certificates.append(Certificate(pem=version.signing_certificate, use="signing"))
        if version.encryption_certificate:
            certificates.append(Certificate(pem=version.encryption_certificate, use="encryption"))
        return Service(
            **common,
            entity_id=registered.entity_id,
            acs_endpoints=tuple(
                Endpoint(
                    binding=endpoint["binding"],
                    location=endpoint["location"],
                    index=endpoint["index"],
                    is_default=bool(endpoint.get("is_default")),
                )
                for endpoint in version.acs_endpoints
            ),
            certificates=tuple(certificates),
            name_id_format=version.name_id_format,
        )
    return Service(
        **common,
        client_id=registered.client_id,
        oidc=OidcClient(
            redirect_uris=tuple(version.redirect_uris),
            auth_method=version.auth_method,
            jwks_uri=version.jwks_uri,
            client_secret_hash=_secret_hash(registered.client_secret_encrypted),
            pkce_required=version.pkce_required,
        ),
    )


@lru_cache(maxsize=65536)
def _secret_hash(encrypted: str) -> str:
    """Only a hash of an OIDC client secret leaves the register. Cached by the encrypted value,
    which changes when the secret is rotated, so a worker decrypts each secret once."""
    return secret_sha256(secret_decrypt(encrypted)) if encrypted else ""


def _home_organisation(organisation: Organisation, in_service: set[str]) -> HomeOrganisation:
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
            )
            for source in organisation.login_sources.all()
        ),
        schools=tuple(School(code=school.code, name=school.name) for school in organisation.schools.all()),
        # An allow-list names services; those not in this configuration (other environment,
        # provider not in force) are left out so every key refers to a service that exists here.
        allowed_service_keys=tuple(key for key in allowed if key in in_service) if allowed else None,
    )
