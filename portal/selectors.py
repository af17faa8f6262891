"""What each dashboard shows. One function per dashboard, each with a fixed number of queries."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from audit.models import Entry
from contracts.models import MemberRole, Membership
from contracts.selectors import (
    members_in_force_on,
    membership_counts,
    memberships_of,
    organisation_ids_ended,
    organisation_ids_in_force,
)
from contracts.timeline import TimelineEvent
from members.access import TECHNICAL_ROLES
from members.models import (
    Environment,
    Invitation,
    LoginSource,
    Organisation,
    OrganisationRole,
    Service,
    ServiceVersion,
    VersionStatus,
)
from members.selectors import (
    DataFlowMatrix,
    data_flows,
    live_services,
    login_source_overview,
    pending_login_source_promotions,
    service_counts_on,
    service_list,
)
from portal.audit_present import entry_rows
from portal.charts import Chart, Series, chart, month_ends
from steering.models import ChangeNotice, Reaction, Seat
from steering.selectors import change_notices_for_member, proposals_for_seat_holder


def staff_dashboard_context() -> dict[str, Any]:
    return {
        "organisation_count": Organisation.objects.count(),
        "pending_review_count": ServiceVersion.objects.filter(status=VersionStatus.PENDING).count(),
        "expiring_certificate_count": service_list(expiring=True).count(),
        "user_count": User.objects.filter(is_active=True).count(),
        "pending_invitation_count": Invitation.objects.filter(
            accepted_at__isnull=True, revoked_at__isnull=True
        ).count(),
        # In words, with their targets fetched together (a query per kind of object, not per entry).
        "recent_entries": entry_rows(list(Entry.objects.select_related("actor").order_by("-id")[:10])),
        "membership_counts": membership_counts(on=timezone.localdate()),
        # Login sources on their way to production (issue 14): waiting for review, or still in test.
        "login_source_promotion_count": pending_login_source_promotions().count(),
        "login_sources_on_the_way": login_source_overview(
            on_the_way=True,
            limit=STAFF_DASHBOARD_LOGIN_SOURCES,
            in_force_ids=organisation_ids_in_force(role=MemberRole.HOME_ORGANISATION, on=timezone.localdate()),
        ),
        "data_flows": data_flow_matrix(on=timezone.localdate()),
        "charts": [members_chart(today=timezone.localdate()), services_chart(today=timezone.localdate())],
    }


# How many login sources on their way to production the staff dashboard lists.
STAFF_DASHBOARD_LOGIN_SOURCES = 50


def data_flow_matrix(*, on: datetime.date) -> DataFlowMatrix:
    """Which personal data each service receives on `on`, for staff: the approved services the
    proxy releases to, by the rule of proxy.register (production: the provider's membership is in
    force; test: it has not ended). Three queries."""
    in_force = organisation_ids_in_force(role=MemberRole.SERVICE_PROVIDER, on=on)
    ended = organisation_ids_ended(role=MemberRole.SERVICE_PROVIDER, on=on)

    def released(service: Service) -> bool:
        if service.environment == Environment.PRODUCTION:
            return service.provider_id in in_force
        return service.provider_id not in ended

    services = [service for service in live_services() if released(service)]
    return data_flows(services, environments=Environment.values)


def _month_labels(days: list[datetime.date]) -> list[str]:
    return [date_format(day, "YEAR_MONTH_FORMAT") for day in days]


def members_chart(*, today: datetime.date) -> Chart:
    """Members in force at each month's end over the last year (this month: today). One query."""
    days = month_ends(today)
    counts = members_in_force_on(days)
    labels = _month_labels(days)
    return chart(
        id="members-chart",
        title=_("Members in force, last 12 months"),
        description=_(
            "Members with a membership in force at the end of each month from %(first)s to %(last)s (this "
            "month: today), from %(start)d to %(end)d. The table below gives every month's number."
        )
        % {"first": labels[0], "last": labels[-1], "start": counts[0], "end": counts[-1]},
        kind="line",
        days=days,
        month_labels=labels,
        series=[Series("members", _("Members in force"), tuple(counts))],
    )


def services_chart(*, today: datetime.date) -> Chart:
    """Approved services in each environment at each month's end over the last year. One query."""
    days = month_ends(today)
    counts = service_counts_on(days)
    labels = _month_labels(days)
    test, production = counts[Environment.TEST], counts[Environment.PRODUCTION]
    return chart(
        id="services-chart",
        title=_("Approved services by environment, last 12 months"),
        description=_(
            "Services approved and not withdrawn at the end of each month from %(first)s to %(last)s (this "
            "month: today): in production from %(production_start)d to %(production_end)d, in test from "
            "%(test_start)d to %(test_end)d. The table below gives every month's numbers."
        )
        % {
            "first": labels[0],
            "last": labels[-1],
            "production_start": production[0],
            "production_end": production[-1],
            "test_start": test[0],
            "test_end": test[-1],
        },
        kind="bars",
        days=days,
        month_labels=labels,
        series=[
            Series("production", _("In production"), tuple(production)),
            Series("test", _("In test"), tuple(test), hatched=True),
        ],
    )


def member_dashboard_context(user: User) -> dict[str, Any]:
    organisations = (
        Organisation.objects.filter(people_roles__user=user)
        .distinct()
        .prefetch_related(
            Prefetch("people_roles", queryset=OrganisationRole.objects.filter(user=user), to_attr="my_roles")
        )
        .order_by("name_fi")
    )
    organisations = list(organisations)
    # Each organisation's memberships (state and dates), and the registered roles still to sign.
    memberships = memberships_of(organisation.pk for organisation in organisations)
    for organisation in organisations:
        organisation.agreement_memberships = memberships.get(organisation.pk, [])
        open_roles = {m.role for m in organisation.agreement_memberships if m.ended_at is None}
        registered = [
            (MemberRole.HOME_ORGANISATION, organisation.is_home_organisation),
            (MemberRole.SERVICE_PROVIDER, organisation.is_service_provider),
        ]
        organisation.roles_to_sign = [
            role for role, is_registered in registered if is_registered and role not in open_roles
        ]
        organisation.is_signatory = any(role.role == "signatory" for role in organisation.my_roles)

    # Each login source's way to production, for the organisations where the user is an admin or a
    # technical contact (issue 14); the memberships in force asked once, not per source.
    technical_ids = [
        organisation.pk
        for organisation in organisations
        if any(role.role in TECHNICAL_ROLES for role in organisation.my_roles)
    ]
    sources_by_organisation: dict[int, list[LoginSource]] = {}
    if technical_ids:
        in_force = organisation_ids_in_force(role=MemberRole.HOME_ORGANISATION, on=timezone.localdate())
        for source in login_source_overview(organisation_ids=technical_ids, in_force_ids=in_force):
            sources_by_organisation.setdefault(source.organisation_id, []).append(source)
    for organisation in organisations:
        organisation.login_source_overview = sources_by_organisation.get(organisation.pk, [])

    # Agreement changes the organisation has not answered yet (DESIGN 3.5: every member is informed).
    pending_changes = list(change_notices_for_member(user).filter(reaction="pending"))
    return {
        "organisations": organisations,
        "pending_changes": pending_changes,
        "needs_you": needs_you(organisations, pending_changes),
    }


# Certificates of a member's services shown on its dashboard from this many days before expiry.
DASHBOARD_CERTIFICATE_DAYS = 30


@dataclass(frozen=True)
class Task:
    """One thing on the member's dashboard that waits for the member: what, in words, and where."""

    text: str
    url: str
    urgent: bool = False


def _days(days: int) -> str:
    return ngettext("%(count)d day", "%(count)d days", days) % {"count": days}


def needs_you(organisations: list[Organisation], pending_changes: list[Any]) -> list[Task]:
    """Everything that waits for the member's organisations (issue 16 item 4): agreements to sign,
    login sources whose metadata has a problem, services whose certificates expire within
    DASHBOARD_CERTIFICATE_DAYS, and agreement changes still to decide, with the days left.

    `organisations` come from `member_dashboard_context` (memberships and roles attached). Two
    queries whatever the number of items.
    """
    today = timezone.localdate()
    tasks: list[Task] = []
    for organisation in organisations:
        waiting = [
            m for m in organisation.agreement_memberships if m.state_on(today) == Membership.State.AWAITING_MEMBER
        ]
        for membership in waiting:
            tasks.append(
                Task(
                    text=_(
                        "%(organisation)s, %(role)s: the membership agreement waits for your organisation's signature"
                    )
                    % {"organisation": organisation.name, "role": membership.get_role_display()},
                    url=(
                        reverse("contracts:membership-sign", args=[organisation.pk, membership.role])
                        if organisation.is_signatory
                        else reverse("contracts:membership-detail", args=[membership.pk])
                    ),
                    urgent=True,
                )
            )
        for role in organisation.roles_to_sign:
            tasks.append(
                Task(
                    text=_("%(organisation)s, %(role)s: the membership agreement is not signed yet")
                    % {"organisation": organisation.name, "role": role.label},
                    url=(
                        reverse("contracts:membership-sign", args=[organisation.pk, role.value])
                        if organisation.is_signatory
                        else reverse("members:organisation-detail", args=[organisation.pk])
                    ),
                    urgent=True,
                )
            )

    ids = [organisation.pk for organisation in organisations]
    now = timezone.now()
    warn_from = now + datetime.timedelta(days=settings.TRUSTNET_CERTIFICATE_WARNING_DAYS)
    sources = (
        LoginSource.objects.filter(organisation_id__in=ids)
        .filter(Q(metadata_ok=False) | Q(metadata_ok=True, metadata_certificate_expires_at__lte=warn_from))
        .select_related("organisation")
        .order_by("organisation__name_fi", "name")
    )
    for source in sources:
        url = reverse("members:organisation-detail", args=[source.organisation_id]) + "#sources-heading"
        if source.metadata_ok is False:
            text = _("Login source %(source)s (%(organisation)s): its metadata has a problem: %(problem)s") % {
                "source": source.name,
                "organisation": source.organisation.name,
                "problem": source.metadata_error or _("the metadata could not be read"),
            }
        else:
            text = _(
                "Login source %(source)s (%(organisation)s): its metadata's signing certificate expires on %(date)s"
            ) % {
                "source": source.name,
                "organisation": source.organisation.name,
                "date": date_format(timezone.localdate(source.metadata_certificate_expires_at), "SHORT_DATE_FORMAT"),
            }
        tasks.append(Task(text=text, url=url, urgent=source.metadata_ok is False))

    horizon = now + datetime.timedelta(days=DASHBOARD_CERTIFICATE_DAYS)
    services = (
        Service.objects.filter(provider_id__in=ids, live_version__isnull=False)
        .filter(
            Q(live_version__signing_certificate_expires_at__lte=horizon)
            | Q(live_version__encryption_certificate_expires_at__lte=horizon)
        )
        .select_related("live_version", "provider")
        .order_by("provider__name_fi", "id")
    )
    for service in services:
        version = service.live_version
        expires_at = min(
            at for at in (version.signing_certificate_expires_at, version.encryption_certificate_expires_at) if at
        )
        expires_on = timezone.localdate(expires_at)
        names = {"service": version.name, "organisation": service.provider.name}
        if expires_at <= now:
            text = _("Service %(service)s (%(organisation)s): a certificate has expired on %(date)s") % {
                **names,
                "date": date_format(expires_on, "SHORT_DATE_FORMAT"),
            }
        else:
            text = _("Service %(service)s (%(organisation)s): a certificate expires on %(date)s, in %(days)s") % {
                **names,
                "date": date_format(expires_on, "SHORT_DATE_FORMAT"),
                "days": _days((expires_on - today).days),
            }
        tasks.append(Task(text=text, url=reverse("members:service-detail", args=[service.pk]), urgent=True))

    for notice in pending_changes:
        days_left = (notice.objection_deadline - today).days
        if days_left < 0:
            continue  # the time to decide is over; the change applies (DESIGN 3.5)
        tasks.append(
            Task(
                text=_("Agreement change %(title)s (%(organisation)s): %(days)s left to decide, until %(date)s")
                % {
                    "title": notice.proposal.title,
                    "organisation": notice.organisation.name,
                    "days": _days(days_left),
                    "date": date_format(notice.objection_deadline, "SHORT_DATE_FORMAT"),
                },
                url=reverse("steering:member-change", args=[notice.pk]),
                urgent=days_left <= 7,
            )
        )
    return tasks


def steering_dashboard_context(user: User) -> dict[str, Any]:
    seats = Seat.objects.current().filter(holder=user).select_related("group", "organisation")
    return {"seats": seats, "proposals": proposals_for_seat_holder(user)}


def change_notice_events(membership: Membership) -> list[TimelineEvent]:
    """The agreement changes the membership's organisation accepted while it was a member, and the
    moves to a new version they brought, for the membership timeline (contracts.timeline). One query."""
    notices = ChangeNotice.objects.filter(
        organisation_id=membership.organisation_id, reacted_at__gte=membership.created_at, reaction=Reaction.ACCEPTED
    ).select_related("proposal", "proposal__version")
    if membership.ended_at is not None:
        notices = notices.filter(reacted_at__lte=membership.ended_at)
    return [
        TimelineEvent(
            at=notice.reacted_at,
            kind="change_accepted",
            label=_("Agreement change accepted"),
            detail=_("The member accepted the agreement change %(title)s (agreement version %(version)s).")
            % {"title": notice.proposal.title, "version": notice.proposal.version.number},
        )
        for notice in notices
    ]
