"""Reads about memberships that other apps (the proxy, dashboards) share."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import Count, Prefetch, Q, QuerySet

from contracts.models import AgreementVersion, Membership, Party, Signature
from contracts.redline import compare_versions


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
