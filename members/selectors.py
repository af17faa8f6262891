"""Reads of the member register, with their joins and prefetches, so no caller runs a query per row.

`approved_services` and `home_organisations_register` are what the proxy builds its configuration
from (DESIGN section 5); both run a fixed number of queries whatever the register's size.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.expressions import Expression
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from members.membership import SERVICE_PROVIDER, membership_in_force
from members.models import (
    Contact,
    Environment,
    LoginSource,
    Organisation,
    Protocol,
    School,
    Service,
    ServiceVersion,
    VersionStatus,
)
from members.uris import validate_endpoint_uri
from widgets.list_sorting import in_page_language


def approved_services(*, environment: str) -> list[Service]:
    """Every service with an approved (live) version in `environment`. Two queries.

    Each item is a `Service` with:
      - `.live_version`: the approved `ServiceVersion` (names/descriptions fi/sv/en, logo and URLs,
        `acs_endpoints`, `signing_certificates`/`encryption_certificates` (lists of PEM), `name_id_format`,
        `redirect_uris`, `auth_method`, `jwks_uri`, `pkce_required`, `requested_attributes`
        and `released_attributes()` → [(members.attributes.Attribute, purpose)]);
      - `.entity_id` (SAML) or `.client_id` (OIDC; secret via `members.services.oidc_client_secret`);
      - `.provider`: the Organisation, with `.contacts.all()` prefetched.
    Pending or rejected versions never appear. Whether the provider's membership is in force is
    the contracts app's rule; the proxy applies it on top.
    """
    return list(
        Service.objects.filter(environment=environment, live_version__isnull=False)
        .select_related("live_version", "provider")
        .prefetch_related(Prefetch("provider__contacts", queryset=Contact.objects.order_by("kind")))
        .order_by("provider__name_fi", "id")
    )


def home_organisations_register(environment: str | None = None) -> list[Organisation]:
    """Every home organisation with what the proxy needs. Seven queries.

    `environment`: only that environment's login sources (each proxy configuration carries its own).

    Each Organisation has `.municipality_codes.all()`, `.schools.all()` (each with `.offices.all()`),
    `.login_sources.all()` (each with `.schools.all()`: the schools it serves) and
    `.allowed_services.all()`; an empty allow-list means the users may use every service.
    """
    return list(
        Organisation.objects.filter(is_home_organisation=True)
        .prefetch_related(
            "municipality_codes",
            Prefetch("schools", queryset=School.objects.order_by("code").prefetch_related("offices")),
            Prefetch(
                "login_sources",
                queryset=(
                    LoginSource.objects.filter(environment=environment) if environment else LoginSource.objects
                ).prefetch_related(Prefetch("schools", queryset=School.objects.order_by("code"))),
            ),
            Prefetch("allowed_services", queryset=Service.objects.order_by("id")),
        )
        .order_by("name_fi")
    )


def localised_name(path: str = "") -> Expression:
    """The name in the active language, falling back to Finnish, as the models' `name` shows it:
    what a list sorted by name sorts by. `path`: the relation to the named object ("provider__")."""
    return in_page_language(f"{path}name")


def organisation_sorts() -> dict[str, Expression | str]:
    """The organisation list's sortable columns (widgets/list_sorting.py), by name in the page's language."""
    return {
        "name": localised_name(),
        "business_id": "business_id",
        "kind": "kind",
        "schools": "school_count",
        "services": "service_count",
    }


def organisation_list(
    *, search: str = "", kind: str = "", role: str = "", ids: list[int] | None = None, order_by: tuple = ()
) -> QuerySet[Organisation]:
    organisations = Organisation.objects.annotate(
        service_count=Count("services", distinct=True), school_count=Count("schools", distinct=True)
    ).order_by(*(order_by or ("name_fi", "pk")))
    if ids is not None:
        organisations = organisations.filter(pk__in=ids)
    if search:
        organisations = organisations.filter(
            Q(name_fi__icontains=search)
            | Q(name_sv__icontains=search)
            | Q(name_en__icontains=search)
            | Q(business_id__icontains=search)
        )
    if kind:
        organisations = organisations.filter(kind=kind)
    if role == "home":
        organisations = organisations.filter(is_home_organisation=True)
    elif role == "provider":
        organisations = organisations.filter(is_service_provider=True)
    return organisations


def school_list(*, organisation: Organisation) -> QuerySet[School]:
    """An organisation's schools in code order (the export's order, so two exports diff cleanly)."""
    return School.objects.filter(organisation=organisation).order_by("code")


def expiry_horizon() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=settings.TRUSTNET_CERTIFICATE_WARNING_DAYS)


def service_sorts() -> dict[str, Expression | str | tuple]:
    """The service list's sortable columns. A service is named as the list shows it: its live
    version's name, else the name of the version waiting for review, else its entityID or client ID."""
    language = (get_language() or "fi")[:2]
    pending_name = Subquery(
        ServiceVersion.objects.filter(service=OuterRef("pk"), status=VersionStatus.PENDING)
        .order_by("-id")
        .values("name_fi")[:1]
    )
    name = Coalesce(
        NullIf(F(f"live_version__name_{language}"), Value("")),
        NullIf(F("live_version__name_fi"), Value("")),
        pending_name,
        NullIf(F("entity_id"), Value("")),
        F("client_id"),
    )
    return {
        "name": name,
        "provider": (localised_name("provider__"), "provider_id"),
        "environment": "environment",
        "protocol": "protocol",
        "expires": "live_version__signing_certificate_expires_at",
    }


def service_list(
    *, search: str = "", environment: str = "", protocol: str = "", state: str = "", expiring: bool = False,
    provider_ids: list[int] | None = None, order_by: tuple = (),
) -> QuerySet[Service]:  # fmt: skip
    """Services with their live and pending versions (`pending` as an annotation-free prefetch),
    in `order_by` (expressions from `service_sorts`) or by provider."""
    pending = ServiceVersion.objects.filter(service=OuterRef("pk"), status=VersionStatus.PENDING)
    services = (
        Service.objects.select_related("provider", "live_version")
        .annotate(has_pending=Exists(pending))
        .prefetch_related(
            Prefetch(
                "versions", queryset=ServiceVersion.objects.filter(status=VersionStatus.PENDING), to_attr="pending"
            )
        )
        .order_by(*(order_by or ("provider__name_fi", "id")))
    )
    if provider_ids is not None:
        services = services.filter(provider_id__in=provider_ids)
    if search:
        services = services.filter(
            Q(entity_id__icontains=search)
            | Q(client_id__icontains=search)
            | Q(provider__name_fi__icontains=search)
            | Q(versions__name_fi__icontains=search)
        ).distinct()
    if environment:
        services = services.filter(environment=environment)
    if protocol:
        services = services.filter(protocol=protocol)
    if state == "pending":
        services = services.filter(has_pending=True)
    elif state == "live":
        services = services.filter(live_version__isnull=False)
    elif state == "not_live":
        services = services.filter(live_version__isnull=True)
    if expiring:
        horizon = expiry_horizon()
        services = services.filter(
            Q(live_version__signing_certificate_expires_at__lte=horizon)
            | Q(live_version__encryption_certificate_expires_at__lte=horizon)
        )
    return services


def review_sorts() -> dict[str, Expression | str | tuple]:
    """The review queue's sortable columns."""
    return {
        "name": localised_name(),
        "provider": (localised_name("service__provider__"), "service__provider_id"),
        "environment": "service__environment",
        "submitted": "submitted_at",
    }


def pending_versions(*, order_by: tuple = ()) -> QuerySet[ServiceVersion]:
    """The versions waiting for review, oldest first unless `order_by` (from `review_sorts`) says otherwise."""
    return (
        ServiceVersion.objects.filter(status=VersionStatus.PENDING)
        .select_related("service__provider", "service__live_version", "submitted_by")
        .order_by(*(order_by or ("submitted_at", "pk")))
    )


def versions_by_id(ids: Collection[int]) -> list[ServiceVersion]:
    """These versions, in the order of `ids` (a selection to confirm), whatever their status now;
    ids of versions that do not exist are left out."""
    found = (
        ServiceVersion.objects.filter(pk__in=ids).select_related("service__provider", "service__live_version").in_bulk()
    )
    return [found[pk] for pk in ids if pk in found]


def public_register(*, provider_ids: Collection[int]) -> list[Service]:
    """Approved production services of these providers, with provider and released attributes.

    The caller passes the providers whose membership is in force (the proxy releases nothing to the
    others); that is the contracts app's knowledge, and members does not depend on contracts
    (DESIGN section 6), so the page lives in trustnet/portal. One query.
    """
    return list(
        Service.objects.filter(environment="production", live_version__isnull=False, provider_id__in=provider_ids)
        .select_related("live_version", "provider")
        .order_by("provider__name_fi", "live_version__name_fi")
    )


# ---------------------------------------------------------------- a service's way to production


@dataclass(frozen=True)
class ChecklistItem:
    """One thing a service needs before production, in words, and whether it is there."""

    label: str
    done: bool
    detail: str = ""


def service_shown_version(service: Service) -> ServiceVersion | None:
    """The version the member is working on: the one waiting for review, else the live one, else the latest."""
    return (
        service.versions.filter(status=VersionStatus.PENDING).first()
        or service.live_version
        or service.versions.first()
    )


def _insecure_addresses(version: ServiceVersion) -> list[str]:
    addresses = [str(e.get("location", "")) for e in version.acs_endpoints]
    addresses += [*map(str, version.redirect_uris), *map(str, version.post_logout_redirect_uris)]
    insecure = []
    for address in addresses:
        try:
            validate_endpoint_uri(address, environment=Environment.PRODUCTION)
        except ValidationError:
            insecure.append(address)
    return insecure


def production_checklist(service: Service, version: ServiceVersion | None = None) -> list[ChecklistItem]:
    """What the service has and still lacks for production (DESIGN section 2, rules by environment
    and lifecycle), for the service page: the same rules `members.services` enforces."""
    version = version or service_shown_version(service)
    items = [
        ChecklistItem(
            _("The membership agreement is in force"),
            membership_in_force(service.provider_id, SERVICE_PROVIDER),
            _("Both parties sign the agreement on the membership page."),
        )
    ]
    if version is None:
        return items
    if service.protocol == Protocol.SAML:
        items.append(ChecklistItem(_("At least one signing certificate"), bool(version.signing_certificates)))
        items.append(ChecklistItem(_("Wants signed assertions (WantAssertionsSigned)"), version.want_assertions_signed))
    insecure = _insecure_addresses(version)
    items.append(
        ChecklistItem(
            _("Every address uses https and none points to localhost"),
            not insecure,
            _("Change: %(addresses)s") % {"addresses": ", ".join(insecure[:5])} if insecure else "",
        )
    )
    items.append(
        ChecklistItem(
            _("A purpose for every requested attribute"),
            all(str(item.get("purpose", "")).strip() for item in version.requested_attributes),
        )
    )
    items.append(ChecklistItem(_("A privacy statement URL"), bool(version.privacy_url)))
    return items


def service_stage(service: Service) -> str:
    """Where the service is on its way from test to production, in words."""
    if service.withdrawn_at is not None:
        return _("Withdrawn by the operator")
    live = service.live_version_id is not None
    if service.environment == Environment.TEST:
        promoted = Service.objects.filter(promoted_from=service).only("live_version").first()
        if promoted is not None:
            if promoted.live_version_id is not None:
                return _("In testing; promoted to production")
            return _("In testing; promotion to production waiting for review")
        return _("In testing") if live else _("Test service waiting for review")
    if not live:
        return _("Production service waiting for review")
    if not membership_in_force(service.provider_id, SERVICE_PROVIDER):
        return _("Approved for production, not published: the membership agreement is not in force")
    return _("In production")
