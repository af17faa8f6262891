"""Reads of the member register, with their joins and prefetches, so no caller runs a query per row.

`approved_services` and `home_organisations_register` are what the proxy builds its configuration
from (DESIGN section 5); both run a fixed number of queries whatever the register's size.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.expressions import Expression
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from members.attribute_mapping import mapping_missing_keys
from members.attributes import ATTRIBUTES, Attribute
from members.membership import HOME_ORGANISATION, SERVICE_PROVIDER, membership_in_force
from members.models import (
    MAPPED_KINDS,
    Contact,
    Environment,
    LoginSource,
    LoginSourceKind,
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
    """Every home organisation with what the proxy needs. Eight queries.

    `environment`: only that environment's approved login sources (each proxy configuration carries
    its own; a production source waiting for staff review never reaches the proxy, DESIGN section 2).

    Each Organisation has `.municipality_codes.all()`, `.schools.all()` (each with `.offices.all()`),
    `.login_sources.all()` (each with `.schools.all()`: the schools it serves, and
    `.excluded_schools.all()`: those not listed on the login page) and
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
                    LoginSource.objects.filter(environment=environment, approved_at__isnull=False)
                    if environment
                    else LoginSource.objects
                ).prefetch_related(
                    Prefetch("schools", queryset=School.objects.order_by("code")),
                    Prefetch("excluded_schools", queryset=School.objects.order_by("code")),
                ),
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


# ---------------------------------------------------------------- a login source's way to production (issue 14)


def login_source_promoted_copy(source: LoginSource) -> LoginSource | None:
    """The production copy promoted from this test source (approved or waiting), or None.

    No query when the source was read with `select_related("promoted_to")` (as
    `login_source_overview` does)."""
    try:
        return source.promoted_to
    except LoginSource.DoesNotExist:
        return None


def _serves_schools(source: LoginSource) -> bool:
    count = getattr(source, "school_count", None)
    return source.schools.exists() if count is None else count > 0


def _home_membership(source: LoginSource, membership: bool | None) -> bool:
    if membership is not None:
        return membership
    return membership_in_force(source.organisation_id, HOME_ORGANISATION)


def login_source_stage(source: LoginSource, *, membership: bool | None = None) -> str:
    """Where the source is on its way from test to production, in words (DESIGN section 2).

    `membership`: whether the organisation's home-organisation membership is in force, when the
    caller knows it already (a list asks once per organisation, not once per source).
    """
    if source.environment == Environment.TEST:
        copy = login_source_promoted_copy(source)
        if copy is not None:
            if copy.is_approved:
                return _("In testing; promoted to production")
            return _("In testing; promotion to production requested, waiting for staff review")
        if source.promotion_refused_at is not None:
            return _("In testing; staff refused the promotion to production: %(reason)s") % {
                "reason": source.promotion_refusal_reason
            }
        return _("In testing")
    if not source.is_approved:
        return _("Production source waiting for staff review")
    if not _home_membership(source, membership):
        return _("Approved for production, not in use: the membership agreement is not in force")
    return _("In production")


def login_source_production_checklist(source: LoginSource, *, membership: bool | None = None) -> list[ChecklistItem]:
    """What the source has and still lacks for production (DESIGN section 2, lifecycle), the
    rules `members.services.login_source_promote` applies. A list annotates `school_count`
    (as `login_source_overview` does) so no source asks for its schools."""
    items = [
        ChecklistItem(
            _("The membership agreement is in force"),
            _home_membership(source, membership),
            _("Both parties sign the agreement on the membership page."),
        )
    ]
    if source.is_checked_remotely:
        if source.metadata_ok is None:
            detail = _("Not checked yet: check it on the login source's page.")
        else:
            detail = source.metadata_error
        items.append(
            ChecklistItem(
                _("The discovery document was checked and is in order")
                if source.kind == LoginSourceKind.OIDC
                else _("The metadata was checked and is in order"),
                source.metadata_ok is True,
                detail,
            )
        )
    if source.uses_saml_metadata:
        expires_at = source.metadata_certificate_expires_at
        if expires_at is None:
            detail = _("Known once the metadata has been checked.")
        elif expires_at <= timezone.now():
            detail = _("It expired on %(date)s.") % {"date": timezone.localdate(expires_at).isoformat()}
        else:
            detail = _("It expires on %(date)s.") % {"date": timezone.localdate(expires_at).isoformat()}
        items.append(
            ChecklistItem(
                _("The signing certificate is valid and not about to expire"),
                expires_at is not None and expires_at > expiry_horizon(),
                detail,
            )
        )
    items.append(
        ChecklistItem(
            _("The schools it serves are chosen"),
            _serves_schools(source),
            _("Choose them when you edit the login source."),
        )
    )
    if source.kind in MAPPED_KINDS:
        items.append(ChecklistItem(_("The attribute mapping is complete"), not mapping_missing_keys(source)))
    items.append(
        ChecklistItem(
            _("A display name for the login page"),
            bool(source.display_name_fi.strip()),
            _("At least in Finnish; the Swedish and English names are shown when given."),
        )
    )
    return items


def login_source_overview(
    *, organisation_ids: Collection[int] | None = None, in_force_ids: Collection[int] | None = None,
    on_the_way: bool = False, limit: int | None = None,
) -> list[LoginSource]:  # fmt: skip
    """Login sources (of these organisations; None: all) with their way to production: each has
    `.stage` (words), `.checklist` and `.missing` (the labels of what is missing before production).

    `in_force_ids`: the organisations whose home-organisation membership is in force, when the
    caller has them (the portal asks contracts once); otherwise the membership hook is asked once
    per organisation. Two queries plus those, whatever the number of sources.

    `on_the_way`: only sources still on their way to production (test sources not yet in
    production, production copies waiting for review), for the staff dashboard; `limit`: at most
    that many.
    """
    sources = LoginSource.objects.select_related("organisation", "promoted_to").annotate(
        school_count=Count("schools", distinct=True)
    )
    if organisation_ids is not None:
        sources = sources.filter(organisation_id__in=list(organisation_ids))
    if on_the_way:
        sources = sources.filter(
            Q(environment=Environment.TEST, promoted_to__approved_at__isnull=True)
            | Q(environment=Environment.PRODUCTION, approved_at__isnull=True)
        )
    sources = sources.order_by("organisation__name_fi", "name", "environment", "id")
    result = list(sources[:limit] if limit is not None else sources)
    in_force: dict[int, bool] = {}
    for source in result:
        if source.organisation_id not in in_force:
            in_force[source.organisation_id] = (
                source.organisation_id in in_force_ids
                if in_force_ids is not None
                else membership_in_force(source.organisation_id, HOME_ORGANISATION)
            )
        membership = in_force[source.organisation_id]
        source.stage = login_source_stage(source, membership=membership)
        source.checklist = login_source_production_checklist(source, membership=membership)
        source.missing = [item.label for item in source.checklist if not item.done]
    return result


def pending_login_source_promotions() -> QuerySet[LoginSource]:
    """Production login sources waiting for staff review, oldest first (the review queue)."""
    return (
        LoginSource.objects.filter(environment=Environment.PRODUCTION, approved_at__isnull=True)
        .select_related("organisation", "promoted_from")
        .order_by("created_at", "id")
    )


# ---------------------------------------------------------------- data flows (issue 16 item 5)


@dataclass(frozen=True)
class DataFlowCell:
    """Whether a service receives one attribute, and in which environments."""

    environments: frozenset[str]

    @property
    def shade(self) -> str:
        """ "test", "production", "both" or "" (not received): the cell's class and legend entry."""
        if len(self.environments) > 1:
            return "both"
        return next(iter(self.environments), "")

    @property
    def label(self) -> str:
        """The meaning in words, for those who do not see the shading (WCAG 1.4.1)."""
        if self.shade == "both":
            return _("test and production")
        if self.shade:
            return str(Environment(self.shade).label)
        return _("not received")

    @property
    def legend(self) -> str:
        """The legend's sentence for cells in this state (whole, so each language can inflect it)."""
        return {
            "both": _("Received in test and in production"),
            "test": _("Received in test only"),
            "production": _("Received in production"),
        }.get(self.shade, _("Not received"))


@dataclass(frozen=True)
class DataFlowRow:
    """One service (with the test service it was promoted from, if both are approved)."""

    service: Service  # the production one where there are two
    name: str
    provider: str
    cells: tuple[DataFlowCell, ...]  # one per attribute, in ATTRIBUTES' order


@dataclass(frozen=True)
class DataFlowMatrix:
    attributes: tuple[Attribute, ...]
    rows: list[DataFlowRow]
    legend: tuple[DataFlowCell, ...]  # the states a cell can be in here


def data_flows(services: Iterable[Service], *, environments: Sequence[str]) -> DataFlowMatrix:
    """Services × attributes: which personal data each service receives, by environment. No queries:
    `services` come with `live_version` and `provider` (as `live_services` gives them).

    Only approved (live) versions count: a change waiting for review releases nothing yet (DESIGN
    section 2, review). A production service promoted from a test service shares its row with it,
    so a cell says "test and production" where both receive the attribute.
    """
    live = [service for service in services if service.live_version is not None]
    by_id = {service.pk: service for service in live}
    joined = {
        service.promoted_from_id
        for service in live
        if service.environment == Environment.PRODUCTION and service.promoted_from_id in by_id
    }
    rows = []
    for service in live:
        if service.pk in joined:
            continue  # shown on its production service's row
        group = [service, *([by_id[service.promoted_from_id]] if service.promoted_from_id in by_id else [])]
        received: dict[str, set[str]] = {}
        for member in group:
            for attribute, _purpose in member.live_version.released_attributes():
                received.setdefault(attribute.key, set()).add(member.environment)
        cells = tuple(DataFlowCell(frozenset(received.get(key, ()))) for key in ATTRIBUTES)
        rows.append(DataFlowRow(service, service.live_version.name, service.provider.name, cells))
    rows.sort(key=lambda row: (row.provider.casefold(), row.name.casefold(), row.service.pk))
    states = [frozenset({environment}) for environment in (Environment.TEST, Environment.PRODUCTION)]
    legend = [DataFlowCell(state) for state in states if state <= set(environments)]
    if len(legend) > 1:
        legend.append(DataFlowCell(frozenset(environments)))
    return DataFlowMatrix(attributes=tuple(ATTRIBUTES.values()), rows=rows, legend=tuple(legend))


def live_services(*, environments: Sequence[str] = tuple(Environment.values)) -> list[Service]:
    """Every service with an approved (live) version in these environments, with its version and
    provider, for `data_flows`. One query."""
    return list(
        Service.objects.filter(environment__in=list(environments), live_version__isnull=False)
        .select_related("live_version", "provider")
        .order_by("provider__name_fi", "id")
    )


def _day_end(day: datetime.date) -> datetime.datetime:
    """The first moment after `day` in the site's time zone."""
    zone = timezone.get_current_timezone()
    return datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min, zone)


def service_counts_on(days: Sequence[datetime.date]) -> dict[str, list[int]]:
    """{environment: how many services were approved and not withdrawn at the end of each day}. One query.

    A service counts from its first approval (its first version reviewed and not rejected) until it
    is withdrawn. Approved again after a withdrawal, it has no withdrawal date any more (members.
    services), so it counts from its first approval on: the register keeps no fuller history.
    """
    first_approved = (
        ServiceVersion.objects.filter(service=OuterRef("pk"), reviewed_at__isnull=False)
        .exclude(status=VersionStatus.REJECTED)
        .order_by("reviewed_at")
        .values("reviewed_at")[:1]
    )
    services = Service.objects.annotate(first_approved=Subquery(first_approved))
    counts = {}
    for environment in Environment.values:
        for index, day in enumerate(days):
            end = _day_end(day)
            counts[f"{environment}_{index}"] = Count(
                "pk",
                filter=Q(environment=environment, first_approved__lt=end)
                & (Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gte=end)),
            )
    totals = services.aggregate(**counts) if days else {}
    return {
        environment: [totals[f"{environment}_{index}"] for index in range(len(days))]
        for environment in Environment.values
    }
