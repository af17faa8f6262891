"""Organisation register sync: preview, confirm, and the daily check (DESIGN section 2).

The register is read outside any transaction (network); trustnet's state is then read under a
row lock on the organisation, the preview recomputed, and only if it is exactly what staff saw
(same fingerprint) are its changes applied, all in one transaction with one audit entry. A
register that is down, slow or answers garbage raises RegisterError before anything is touched.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import asdict, dataclass, field

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.models import Entry
from audit.services import audit_record
from emails.sending import email_queue_to_users
from members.access import users_with_role
from members.models import LoginSource, MunicipalityCode, Office, Organisation, Role, School, SchoolType
from members.organisation_preview import (
    LocalOffice,
    LocalOrganisation,
    LocalSchool,
    SyncPreview,
    preview_compute,
)
from members.organisation_register import (
    Names,
    OrganisationRegisterClient,
    RegisterError,
    RegisterOrganisation,
)
from members.signals import register_changed

logger = logging.getLogger(__name__)

SYNC_ACTION = "organisation.register_sync"
NOTIFIED_ACTION = "organisation.register_notified"

# Opetushallitus' oppilaitostyyppi codes (koodisto "oppilaitostyyppi") → trustnet's school types.
SCHOOL_TYPES = {
    "oppilaitostyyppi_11": SchoolType.BASIC,  # peruskoulut
    "oppilaitostyyppi_12": SchoolType.BASIC,  # peruskouluasteen erityiskoulut
    "oppilaitostyyppi_19": SchoolType.BASIC,  # perus- ja lukioasteen koulut
    "oppilaitostyyppi_15": SchoolType.UPPER_SECONDARY,  # lukiot
    "oppilaitostyyppi_21": SchoolType.VOCATIONAL,  # ammatilliset oppilaitokset
    "oppilaitostyyppi_22": SchoolType.VOCATIONAL,  # ammatilliset erityisoppilaitokset
    "oppilaitostyyppi_23": SchoolType.VOCATIONAL,  # ammatilliset erikoisoppilaitokset
    "oppilaitostyyppi_24": SchoolType.VOCATIONAL,  # ammatilliset aikuiskoulutuskeskukset
}


class PreviewOutdated(Exception):
    """Upstream or trustnet changed since the preview staff confirmed; `preview` is the new one."""

    def __init__(self, preview: SyncPreview) -> None:
        super().__init__("preview outdated")
        self.preview = preview


def _client(client: OrganisationRegisterClient | None) -> OrganisationRegisterClient:
    return client or OrganisationRegisterClient()


def linked_organisations():
    """Home organisations linked to the register (they have an OID)."""
    return Organisation.objects.filter(is_home_organisation=True).exclude(oid="").order_by("name_fi")


def _local_state(organisation: Organisation) -> LocalOrganisation:
    schools = School.objects.filter(organisation=organisation).prefetch_related("offices").order_by("code")
    return LocalOrganisation(
        pk=organisation.pk,
        oid=organisation.oid,
        names=Names(organisation.name_fi, organisation.name_sv, organisation.name_en),
        business_id=organisation.business_id,
        municipality_codes=tuple(
            MunicipalityCode.objects.filter(organisation=organisation).order_by("code").values_list("code", flat=True)
        ),
        schools=tuple(_local_school(school, organisation.name_fi) for school in schools),
    )


def _local_school(school: School, organisation_name: str) -> LocalSchool:
    return LocalSchool(
        code=school.code,
        oid=school.oid,
        name=school.name,
        closed=school.closed_on is not None,
        organisation_id=school.organisation_id,
        organisation_name=organisation_name,
        offices=tuple(
            LocalOffice(oid=office.oid, name=office.name, closed=office.closed_on is not None)
            for office in sorted(school.offices.all(), key=lambda office: office.oid)
        ),
    )


def _elsewhere(organisation: Organisation, upstream: RegisterOrganisation) -> dict[str, LocalSchool]:
    oids = [school.oid for school in upstream.schools]
    codes = [school.code for school in upstream.schools]
    others = (
        School.objects.exclude(organisation=organisation)
        .filter(Q(oid__in=[oid for oid in oids if oid]) | Q(code__in=codes))
        .select_related("organisation")
        .prefetch_related("offices")
    )
    found: dict[str, LocalSchool] = {}
    for school in others:
        local = _local_school(school, school.organisation.name_fi)
        found[school.code] = local
        if school.oid:
            found[school.oid] = local
    return found


def _require_linked(organisation: Organisation) -> None:
    if not organisation.is_home_organisation or not organisation.oid:
        raise RegisterError(_("Only a home organisation with an OID can be compared with the organisation register."))


def sync_preview(
    *, organisation: Organisation, client: OrganisationRegisterClient | None = None, today: dt.date | None = None
) -> SyncPreview:
    """What the register would change; raises RegisterError (nothing read is kept)."""
    _require_linked(organisation)
    upstream = _client(client).home_organisation(organisation.oid, today=today or timezone.localdate())
    return preview_compute(
        upstream=upstream, local=_local_state(organisation), elsewhere=_elsewhere(organisation, upstream)
    )


def sync_apply(
    *,
    organisation: Organisation,
    fingerprint: str,
    by: User | None,
    client: OrganisationRegisterClient | None = None,
    today: dt.date | None = None,
) -> SyncPreview:
    """Apply the changes staff confirmed, exactly those: the register is read again, and if the
    preview is no longer the one confirmed, PreviewOutdated carries the new one and nothing changes."""
    _require_linked(organisation)
    today = today or timezone.localdate()
    upstream = _client(client).home_organisation(organisation.oid, today=today)  # network: no lock held
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
        preview = preview_compute(
            upstream=upstream, local=_local_state(organisation), elsewhere=_elsewhere(organisation, upstream)
        )
        if preview.fingerprint != fingerprint:
            raise PreviewOutdated(preview)
        if preview.is_empty:
            return preview
        _apply(organisation=organisation, preview=preview, today=today)
        audit_record(
            actor=by, action=SYNC_ACTION, obj=organisation, before={"fingerprint": fingerprint}, after=asdict(preview)
        )
        transaction.on_commit(
            lambda: register_changed.send(sender=Organisation, environment=None, reason="organisation register sync")
        )
    return preview


def _apply(*, organisation: Organisation, preview: SyncPreview, today: dt.date) -> None:
    for change in preview.organisation:
        if change.field == "municipality_code":
            MunicipalityCode.objects.get_or_create(organisation=organisation, code=change.after)
        else:
            setattr(organisation, change.field, change.after)
    if any(change.field != "municipality_code" for change in preview.organisation):
        organisation.full_clean()  # e.g. a business ID another member already has: a clear error
        organisation.save()
    schools = {school.code: school for school in School.objects.select_for_update().filter(organisation=organisation)}
    for change in preview.moved_schools:
        school = School.objects.select_for_update().get(code=change.code)
        # A login source serves only its own organisation's schools: the old owner's sources let go.
        for source in LoginSource.objects.filter(schools=school).exclude(organisation=organisation):
            source.schools.remove(school)
        school.organisation, school.oid, school.name = organisation, change.oid, change.name
        school.save()
        schools[school.code] = school
    for change in preview.new_schools:
        school = School(
            organisation=organisation,
            code=change.code,
            oid=change.oid,
            name=change.name,
            school_type=SCHOOL_TYPES.get(change.school_type_uri, SchoolType.OTHER),
        )
        school.full_clean()
        school.save()
        schools[school.code] = school
    for change in preview.linked_schools:
        schools[change.code].oid = change.oid
    for change in preview.renamed_schools:
        schools[change.code].name = change.name
    for change in preview.closed_schools:
        # Marked closed, never deleted: a login source may still serve it (DESIGN section 2).
        schools[change.code].closed_on = today
    for change in preview.reopened_schools:
        schools[change.code].closed_on = None
    touched = {c.code for c in (*preview.linked_schools, *preview.renamed_schools, *preview.closed_schools,
                                *preview.reopened_schools)}  # fmt: skip
    for code in sorted(touched):
        schools[code].full_clean()
        schools[code].save()
    for change in preview.new_offices:
        office = Office(school=schools[change.school_code], oid=change.oid, name=change.name)
        office.full_clean()
        office.save()
    offices = {office.oid: office for office in Office.objects.filter(school__organisation=organisation)}
    for change in preview.renamed_offices:
        offices[change.oid].name = change.name
        offices[change.oid].save()
    for change in preview.closed_offices:
        offices[change.oid].closed_on = today
        offices[change.oid].save()


# ---------------------------------------------------------------- the daily check


@dataclass
class CheckReport:
    checked: int = 0
    changed: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)


def _last_notified(organisation: Organisation) -> str:
    entry = (
        Entry.objects.filter(
            action=NOTIFIED_ACTION, object_type=Organisation._meta.label_lower, object_id=str(organisation.pk)
        )
        .order_by("-pk")
        .first()
    )
    return (entry.after or {}).get("fingerprint", "") if entry else ""


def sync_check_all(*, client: OrganisationRegisterClient | None = None, today: dt.date | None = None) -> CheckReport:
    """Compare every linked organisation with the register and tell staff and the organisation's
    admins what changed upstream, once per distinct change (the same pending preview is not mailed
    every day). One organisation's register error does not stop the others; errors are reported
    to staff in one email."""
    report = CheckReport()
    client = _client(client)
    staff = list(User.objects.filter(is_staff=True, is_active=True))
    for organisation in linked_organisations():
        report.checked += 1
        try:
            preview = sync_preview(organisation=organisation, client=client, today=today)
        except RegisterError as error:
            report.errors[organisation.name_fi] = str(error)
            logger.warning("organisation register check of %s failed: %s", organisation.pk, error)
            continue
        if preview.is_empty or preview.fingerprint == _last_notified(organisation):
            continue
        report.changed.append(organisation.name_fi)
        with transaction.atomic():
            recipients = {user.pk: user for user in [*staff, *users_with_role(organisation.pk, [Role.ADMIN])]}
            email_queue_to_users(
                users=recipients.values(),
                template="organisation_register_changed",
                context={
                    "organisation_name": organisation.name_fi,
                    "preview": preview,
                    "path": reverse("members:organisation-register", args=[organisation.pk]),
                },
            )
            audit_record(
                actor=None, action=NOTIFIED_ACTION, obj=organisation, after={"fingerprint": preview.fingerprint}
            )
    if report.errors:
        email_queue_to_users(
            users=staff,
            template="organisation_register_errors",
            context={"errors": sorted(report.errors.items())},
        )
    return report
