"""Reads about memberships that other apps (the proxy, dashboards) share."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contracts.models import AgreementVersion, MemberRole, Membership, Party, Signature, in_force_on
from contracts.redline import compare_versions
from members.models import Organisation

# A countersignature that has waited longer than this is shown as overdue to the member and to
# staff (issue 16: a member waited ten months and nobody could see it).
COUNTERSIGNATURE_OVERDUE_DAYS = 30


def organisation_ids_in_force(*, role: str, on: datetime.date) -> set[int]:
    """Organisations whose membership in `role` is in force on `on`, in one query.

    In force: both parties have signed (`in_force_from` <= on) and the end date, if any, is
    still ahead. A member under notice is in force up to the day before its end date; on the
    end date itself its services leave the proxy configuration (DESIGN 3.6).
    """
    return set(Membership.objects.in_force(on=on).filter(role=role).values_list("organisation_id", flat=True))


def membership_in_force(organisation_id: int, role: str, on: datetime.date) -> bool:
    """Whether one organisation's membership in `role` is in force on `on` (the register's hook)."""
    return Membership.objects.in_force(on=on).filter(organisation_id=organisation_id, role=role).exists()


def organisation_ids_ended(*, role: str, on: datetime.date) -> set[int]:
    """Organisations whose membership in `role` has ended by `on` and that have no other one that
    has not ended, in one query. Everyone else on the register (invited, signing, in force, under
    notice, or never asked to sign yet) may still use the test environment (DESIGN section 5)."""
    ended = Q(ended_at__isnull=False) | Q(ends_on__lte=on)
    living = Membership.objects.filter(role=role).exclude(ended).values("organisation_id")
    return set(
        Membership.objects.filter(ended, role=role)
        .exclude(organisation_id__in=living)
        .values_list("organisation_id", flat=True)
    )


def _with_signatures(queryset: QuerySet[Membership]) -> QuerySet[Membership]:
    return queryset.select_related("organisation", "version").prefetch_related(
        Prefetch("signatures", queryset=Signature.objects.order_by("signed_at"))
    )


def membership_list() -> QuerySet[Membership]:
    """Every membership with what its state needs (two queries whatever the length)."""
    return _with_signatures(Membership.objects.all()).order_by("organisation__name_fi", "role", "-created_at")


def memberships_of(organisation_ids: Iterable[int]) -> dict[int, list[Membership]]:
    """{organisation id: its memberships, newest first}, for dashboards (two queries)."""
    grouped: dict[int, list[Membership]] = {}
    queryset = _with_signatures(Membership.objects.filter(organisation_id__in=list(organisation_ids)))
    for membership in queryset.order_by("role", "-created_at"):
        grouped.setdefault(membership.organisation_id, []).append(membership)
    return grouped


def membership_counts(*, on: datetime.date) -> dict[str, int]:
    """How many memberships are in each state today (for the operator's dashboard), in one query."""
    counts = Membership.objects.aggregate(
        awaiting_operator=Count(
            "pk",
            filter=Q(in_force_from__isnull=True, ended_at__isnull=True, signatures__party=Party.MEMBER),
            distinct=True,
        ),
        in_force=Count("pk", filter=Q(in_force_from__lte=on, ends_on__isnull=True), distinct=True),
        under_notice=Count("pk", filter=Q(in_force_from__lte=on, ends_on__gt=on), distinct=True),
        ended=Count("pk", filter=Q(ends_on__lte=on), distinct=True),
    )
    return counts


def members_in_force_on(days: Sequence[datetime.date]) -> list[int]:
    """How many organisations had a membership (in either role) in force on each day, in one query:
    the numbers of the operator dashboard's chart of members over time (issue 16 item 5)."""
    if not days:
        return []
    counts = Membership.objects.aggregate(
        **{
            f"day_{index}": Count("organisation", filter=in_force_on(day), distinct=True)
            for index, day in enumerate(days)
        }
    )
    return [counts[f"day_{index}"] for index in range(len(days))]


def version_before(version: AgreementVersion) -> AgreementVersion | None:
    """The published version with the highest number below `version`'s: the text it changes."""
    return AgreementVersion.objects.published().filter(number__lt=version.number).order_by("-number").first()


def version_comparison(version: AgreementVersion) -> dict[str, object]:
    """What staff compare a version with: the version before it, and the redline in every language
    either text has (Finnish and Swedish always, English when one of them has it)."""
    before = version_before(version)
    languages = ["fi", "sv"]
    if version.text_en.strip() or (before is not None and before.text_en.strip()):
        languages.append("en")
    return {"before": before, "redlines": compare_versions(before, version, languages=languages)}


# --- A membership's state where people look (issue 16 item 4) -------------------------------

# The states an organisation's membership in a role can be in, for filters: the membership's own
# states, and "not signed" for a registered role with no membership at all.
NOT_SIGNED = "not_signed"
STATE_FILTER_CHOICES = [*Membership.State.choices, (NOT_SIGNED, _("not signed"))]


@dataclass(frozen=True)
class RoleStatus:
    """An organisation's membership in one role as its pages show it."""

    role: MemberRole
    membership: Membership | None  # None: registered in the role but nothing signed yet
    state: str  # a Membership.State value or NOT_SIGNED
    waiting_since: datetime.datetime | None = None  # the member's signature awaiting countersignature
    overdue: bool = False  # it has waited more than COUNTERSIGNATURE_OVERDUE_DAYS

    @property
    def label(self) -> str:
        if self.membership is None:
            return str(_("not signed"))
        return str(Membership.State(self.state).label)

    @property
    def ends_on(self) -> datetime.date | None:
        return self.membership.ends_on if self.membership else None


def _newer_membership() -> Exists:
    """A later membership of the same organisation in the same role (the one that counts is the newest)."""
    return Exists(
        Membership.objects.filter(organisation=OuterRef("organisation"), role=OuterRef("role")).filter(
            Q(created_at__gt=OuterRef("created_at")) | Q(created_at=OuterRef("created_at"), pk__gt=OuterRef("pk"))
        )
    )


def role_statuses(
    organisations: Iterable[Organisation], *, on: datetime.date | None = None
) -> dict[int, list[RoleStatus]]:
    """{organisation id: its status in each role it has a membership in or is registered for}.

    One per role: the newest membership (an ended one may be followed by a new one; a new one is
    made only after the old one ended). Two queries whatever the number of organisations.
    """
    on = on or timezone.localdate()
    organisations = list(organisations)
    grouped = memberships_of(organisation.pk for organisation in organisations) if organisations else {}
    overdue_before = timezone.now() - datetime.timedelta(days=COUNTERSIGNATURE_OVERDUE_DAYS)
    result: dict[int, list[RoleStatus]] = {}
    for organisation in organisations:
        newest: dict[str, Membership] = {}
        for membership in sorted(grouped.get(organisation.pk, []), key=lambda m: (m.created_at, m.pk), reverse=True):
            newest.setdefault(membership.role, membership)
        registered = {
            MemberRole.HOME_ORGANISATION: organisation.is_home_organisation,
            MemberRole.SERVICE_PROVIDER: organisation.is_service_provider,
        }
        statuses = []
        for role in MemberRole:
            membership = newest.get(role.value)
            if membership is None:
                if registered[role]:
                    statuses.append(RoleStatus(role=role, membership=None, state=NOT_SIGNED))
                continue
            waiting_since = membership.awaiting_countersignature_since(on)
            statuses.append(
                RoleStatus(
                    role=role,
                    membership=membership,
                    state=membership.state_on(on),
                    waiting_since=waiting_since,
                    overdue=waiting_since is not None and waiting_since < overdue_before,
                )
            )
        result[organisation.pk] = statuses
    return result


def organisations_in_state(
    organisations: QuerySet[Organisation], *, state: str, on: datetime.date | None = None
) -> QuerySet[Organisation]:
    """Those of `organisations` with a role whose newest membership is in `state` (the same rule as
    `Membership.state_on`, in SQL so a list can page through the result)."""
    on = on or timezone.localdate()
    if state == NOT_SIGNED:

        def unsigned(role: str) -> Exists:
            return ~Exists(Membership.objects.filter(organisation=OuterRef("pk"), role=role))

        return organisations.filter(
            Q(is_home_organisation=True) & unsigned(MemberRole.HOME_ORGANISATION)
            | Q(is_service_provider=True) & unsigned(MemberRole.SERVICE_PROVIDER)
        )
    not_ended = Q(ended_at__isnull=True) & (Q(ends_on__isnull=True) | Q(ends_on__gt=on))
    pending = not_ended & (Q(in_force_from__isnull=True) | Q(in_force_from__gt=on))
    member_signed = Exists(
        Signature.objects.filter(membership=OuterRef("pk"), party=Party.MEMBER, version=OuterRef("version"))
    )
    conditions = {
        Membership.State.AWAITING_MEMBER: pending & ~member_signed,
        Membership.State.AWAITING_OPERATOR: pending & member_signed,
        Membership.State.IN_FORCE: not_ended & Q(in_force_from__lte=on, ends_on__isnull=True),
        Membership.State.UNDER_NOTICE: not_ended & Q(in_force_from__lte=on, ends_on__isnull=False),
        Membership.State.ENDED: Q(ended_at__isnull=False) | Q(ends_on__lte=on),
    }
    if state not in conditions:
        return organisations.none()
    matching = Membership.objects.filter(conditions[state]).filter(~_newer_membership())
    return organisations.filter(pk__in=matching.values("organisation_id"))
