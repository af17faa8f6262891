"""Writes to the member register. Each function validates, writes in one transaction, records an
audit entry and, where the proxy's input changed, sends `register_changed` after commit."""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import re
import secrets
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from audit.services import audit_record, audit_state
from csv_files import csv_cell_unescape
from emails.sending import email_queue, email_queue_to_users
from members.access import has_role, users_with_role
from members.attribute_mapping import attribute_mapping_clean
from members.attributes import ATTRIBUTES
from members.certificates import certificate_describe, certificate_parse, normalise_certificate
from members.membership import HOME_ORGANISATION, SERVICE_PROVIDER, membership_in_force
from members.metadata import MAX_CERTIFICATES_PER_USE, SpMetadata, idp_metadata_parse, validate_acs_endpoints
from members.metadata_fetch import metadata_fetch
from members.models import (
    EDUCATION_PROVIDER_KINDS,
    LOGIN_SOURCE_REQUIRED_FIELDS,
    MAPPED_KINDS,
    SCHOOL_CODE_PATTERN,
    SECRET_AUTH_METHODS,
    AuthMethod,
    Contact,
    Environment,
    GrantType,
    Invitation,
    LoginSource,
    LoginSourceKind,
    MunicipalityCode,
    Office,
    Organisation,
    OrganisationRole,
    PreviousClientSecret,
    Protocol,
    ReviewPolicy,
    Role,
    School,
    SchoolType,
    Service,
    ServiceVersion,
    VersionStatus,
    has_control_character,
)
from members.oidc_discovery import oidc_discovery_parse, oidc_discovery_url
from members.oids import validate_oid
from members.secrets import client_id_generate, client_secret_generate, secret_decrypt, secret_encrypt
from members.selectors import expiry_horizon
from members.signals import register_changed
from members.uris import MAX_ENTITY_ID_LENGTH, validate_endpoint_uri, validate_uri


def _register_changed(*, environment: str | None, reason: str) -> None:
    transaction.on_commit(lambda: register_changed.send(sender=Service, environment=environment, reason=reason))


# ---------------------------------------------------------------- organisations

# The form and the service say the same (the form before anything is saved).
NO_ROLE_MESSAGE = gettext_lazy("Choose at least one role: home organisation or service provider.")
ORGANISATION_FIELDS = (
    "name_fi", "name_sv", "name_en", "business_id", "oid", "kind", "is_home_organisation",
    "is_service_provider", "street_address", "postal_code", "city", "website_url",
)  # fmt: skip


@transaction.atomic
def organisation_save(
    *, by: User, data: Mapping[str, Any], organisation: Organisation | None = None,
    municipality_codes: Iterable[str] | None = None,
) -> Organisation:  # fmt: skip
    """Create (organisation=None) or update an organisation and its municipality codes."""
    creating = organisation is None
    organisation = organisation or Organisation()
    # Read `before` from the database: a ModelForm may already have changed the instance in memory.
    before = None if creating else audit_state(Organisation.objects.get(pk=organisation.pk), ORGANISATION_FIELDS)
    for name in ORGANISATION_FIELDS:
        if name in data:
            setattr(organisation, name, data[name])
    if organisation.oid:
        _validate_oid_field(organisation.oid)
    if organisation.is_home_organisation and organisation.kind not in EDUCATION_PROVIDER_KINDS:
        raise ValidationError({"is_home_organisation": _("Only education providers may join as home organisations.")})
    # A member joins in at least one role (issue 15, item 9). Checked when the roles are set, so
    # an old record without a role can still have its address corrected by its own admin.
    role_error = None
    if (creating or {"is_home_organisation", "is_service_provider"} & set(data)) and not (
        organisation.is_home_organisation or organisation.is_service_provider
    ):
        role_error = ValidationError({"is_home_organisation": NO_ROLE_MESSAGE})
    try:
        organisation.full_clean()
    except ValidationError as error:
        if role_error is not None:
            error.error_dict.setdefault("is_home_organisation", []).extend(
                role_error.error_dict["is_home_organisation"]
            )
        raise
    if role_error is not None:
        raise role_error
    organisation.save()
    codes_changed = False
    if municipality_codes is not None:
        codes = sorted(set(municipality_codes))
        existing = sorted(organisation.municipality_codes.values_list("code", flat=True))
        if codes != existing:
            for code in codes:
                MunicipalityCode(organisation=organisation, code=code).full_clean(exclude=["organisation"])
            organisation.municipality_codes.all().delete()
            MunicipalityCode.objects.bulk_create(MunicipalityCode(organisation=organisation, code=c) for c in codes)
            codes_changed = True
    after = audit_state(organisation, ORGANISATION_FIELDS)
    if municipality_codes is not None:
        after["municipality_codes"] = sorted(set(municipality_codes))
    audit_record(
        actor=by, action="organisation.create" if creating else "organisation.update", obj=organisation,
        before=before, after=after,
    )  # fmt: skip
    if organisation.is_home_organisation and (codes_changed or creating or before != after):
        _register_changed(environment=None, reason="home organisation changed")
    return organisation


@transaction.atomic
def contact_save(*, organisation: Organisation, by: User, kind: str, name: str, email: str, phone: str = "") -> Contact:
    contact = Contact.objects.filter(organisation=organisation, kind=kind).first()
    before = audit_state(contact) if contact else None
    contact = contact or Contact(organisation=organisation, kind=kind)
    contact.name, contact.email, contact.phone = name, email, phone
    contact.full_clean()
    contact.save()
    audit_record(actor=by, action="contact.save", obj=contact, before=before, after=audit_state(contact))
    _register_changed(environment=None, reason="contact changed")
    return contact


@transaction.atomic
def contact_delete(*, organisation: Organisation, by: User, kind: str) -> bool:
    """Remove the organisation's contact of this kind; False if it had none."""
    contact = Contact.objects.filter(organisation=organisation, kind=kind).first()
    if contact is None:
        return False
    audit_record(actor=by, action="contact.delete", obj=contact, before=audit_state(contact))
    contact.delete()
    _register_changed(environment=None, reason="contact removed")
    return True


# ---------------------------------------------------------------- schools


def _require_home_organisation(organisation: Organisation) -> None:
    if not organisation.is_home_organisation:
        raise ValidationError(_("Only home organisations have schools and login sources."))


def _validate_oid_field(oid: str, field: str = "oid") -> None:
    """validate_oid, its message put on the field (a service is called by forms, CSV and API)."""
    try:
        validate_oid(oid)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from error


def oid_taken(oid: str, *, school: School | None = None, office: Office | None = None) -> str | None:
    """What already has this school or office OID ("school" or "office"), not counting the record
    being saved; None if the OID is free. School and office OIDs are one namespace (the register's)."""
    if not oid:
        return None
    if School.objects.filter(oid=oid).exclude(pk=school.pk if school else None).exists():
        return "school"
    if Office.objects.filter(oid=oid).exclude(pk=office.pk if office else None).exists():
        return "office"
    return None


def oid_taken_message(taken: str) -> str:
    if taken == "school":
        return _("Another school already has this OID.")
    return _("An office already has this OID.")


def _save_checking_oid(instance: School | Office, field: str = "oid") -> None:
    """Save; a concurrent insert of the same OID (the database's constraint or trigger) is a field error."""
    try:
        with transaction.atomic():
            instance.save()
    except IntegrityError as error:
        if "oid" not in str(error).lower():
            raise
        raise ValidationError({field: _("Another school or office already has this OID.")}) from error


@transaction.atomic
def school_save(
    *, organisation: Organisation, by: User, code: str, name: str, school_type: str, oid: str = "",
    school: School | None = None, offices: Iterable[tuple[str, str]] | None = None,
) -> School:  # fmt: skip
    """Create (school=None) or change a school; `offices` (OID, name) given replaces its offices."""
    _require_home_organisation(organisation)
    before = audit_state(School.objects.get(pk=school.pk)) if school else None
    school = school or School(organisation=organisation)
    school.code, school.name, school.school_type, school.oid = code.strip(), name.strip(), school_type, oid.strip()
    if school.oid:
        _validate_oid_field(school.oid)
        if taken := oid_taken(school.oid, school=school):
            raise ValidationError({"oid": oid_taken_message(taken)})
    school.full_clean()
    _save_checking_oid(school)
    if offices is not None:
        _school_offices_replace(school=school, by=by, offices=list(offices))
    audit_record(actor=by, action="school.save", obj=school, before=before, after=audit_state(school))
    _register_changed(environment=None, reason="school changed")
    return school


def _school_offices_replace(*, school: School, by: User, offices: list[tuple[str, str]]) -> None:
    """Make the school's offices exactly these (matched by OID). Every error is collected first,
    named by the office's position (`offices`), and nothing is written if there is one."""
    errors: list[str] = []
    seen: set[str] = set()
    own = {office.oid: office for office in school.offices.all()}
    for number, (oid, name) in enumerate(offices, start=1):
        oid, name = oid.strip(), name.strip()
        try:
            validate_oid(oid)
        except ValidationError as error:
            errors.extend(
                _("office %(number)s: %(problem)s") % {"number": number, "problem": m} for m in error.messages
            )
            continue
        if oid in seen:
            errors.append(_("office %(number)s: the same OID is given twice") % {"number": number})
        elif oid not in own and (taken := oid_taken(oid, school=school)):
            errors.append(_("office %(number)s: %(problem)s") % {"number": number, "problem": oid_taken_message(taken)})
        if has_control_character(name) or not name or len(name) > 200:
            errors.append(_("office %(number)s: the name is missing, too long or has a control character")
                          % {"number": number})  # fmt: skip
        seen.add(oid)
    if errors:
        raise ValidationError({"offices": errors})
    for office in own.values():
        if office.oid not in seen:
            office_delete(office=office, by=by)
    for oid, name in offices:
        existing = own.get(oid.strip())
        if existing is None or existing.name != name.strip():
            office_save(school=school, by=by, oid=oid, name=name, office=existing)


@transaction.atomic
def school_close(*, school: School, by: User, on: datetime.date | None) -> School:
    """Mark a school closed from `on` (None: open again). A closed school stays: login sources may
    still serve it and its history must stay readable; the proxy no longer lists it."""
    before = audit_state(School.objects.get(pk=school.pk))
    school.closed_on = on
    school.save(update_fields=["closed_on"])
    audit_record(actor=by, action="school.close", obj=school, before=before, after=audit_state(school))
    _register_changed(environment=None, reason="school closed" if on else "school reopened")
    return school


@transaction.atomic
def school_delete(*, school: School, by: User) -> None:
    """Remove a school; a closed school still served by a login source is refused (DESIGN section 2:
    the register closes schools, trustnet never loses one a login source is configured for)."""
    if school.is_closed and school.login_sources.exists():
        raise ValidationError(
            _("This school is closed but a login source still serves it; it stays until no login source serves it.")
        )
    audit_record(actor=by, action="school.delete", obj=school, before=audit_state(school))
    school.delete()
    _register_changed(environment=None, reason="school removed")


@transaction.atomic
def office_save(*, school: School, by: User, oid: str, name: str, office: Office | None = None) -> Office:
    """Add (office=None) or change an office (toimipiste) of a school."""
    _require_home_organisation(school.organisation)
    before = audit_state(Office.objects.get(pk=office.pk)) if office else None
    office = office or Office(school=school)
    office.oid, office.name = oid.strip(), name.strip()
    _validate_oid_field(office.oid)
    if taken := oid_taken(office.oid, office=office):
        raise ValidationError({"oid": oid_taken_message(taken)})
    office.full_clean()
    _save_checking_oid(office)
    audit_record(actor=by, action="office.save", obj=office, before=before, after=audit_state(office))
    _register_changed(environment=None, reason="office changed")
    return office


@transaction.atomic
def office_delete(*, office: Office, by: User) -> None:
    audit_record(actor=by, action="office.delete", obj=office, before=audit_state(office))
    office.delete()
    _register_changed(environment=None, reason="office removed")


@dataclass
class SchoolImportRow:
    line: int
    code: str
    name: str
    school_type: str
    oid: str = ""
    errors: list[str] = field(default_factory=list)
    exists: bool = False

    @property
    def school_type_label(self) -> str:
        """The type in the reader's language; an unknown type as it was written in the file."""
        return SchoolType(self.school_type).label if self.school_type in SchoolType.values else self.school_type


SCHOOL_TYPE_ALIASES = {
    **{value: value for value in SchoolType.values},
    "perusopetus": SchoolType.BASIC, "peruskoulu": SchoolType.BASIC,
    "lukio": SchoolType.UPPER_SECONDARY, "ammatillinen": SchoolType.VOCATIONAL,
    "varhaiskasvatus": SchoolType.EARLY_CHILDHOOD, "muu": SchoolType.OTHER,
}  # fmt: skip
MAX_IMPORT_ROWS = 2000
# The columns of a school CSV, in order, with the header words a spreadsheet may have for each;
# the export writes the first word of each, so an exported file imports again unchanged.
SCHOOL_CSV_COLUMNS = {
    "code": ("code", "koodi", "oppilaitosnumero", "kod", "skolkod"),
    "name": ("name", "nimi", "namn"),
    "type": ("type", "tyyppi", "typ", "school_type", "oppilaitostyyppi"),
    # Optional: a file of three columns imports as before. Offices are not in the CSV (they come
    # from the organisation register, or one by one on the school's page).
    "oid": ("oid", "organisaatio-oid", "oppilaitos-oid", "skol-oid"),
}
SCHOOL_CSV_HEADER = [words[0] for words in SCHOOL_CSV_COLUMNS.values()]
# Python's csv module refuses a field over this many characters; no column needs a tenth of it.
CSV_FIELD_LIMIT = csv.field_size_limit()


def _school_csv_header(record: list[str]) -> bool:
    """Is this first line a header? A header in another column order is refused, not guessed at."""
    cells = [cell.strip().lower() for cell in record]
    if cells and cells[0] in SCHOOL_CSV_COLUMNS["code"]:
        return True
    named = [column for cell in cells if cell for column, words in SCHOOL_CSV_COLUMNS.items() if cell in words]
    if len(named) >= 2 and len(named) == len([cell for cell in cells if cell]):
        raise ValidationError(
            {"file": _("The first line names the columns in another order; they must be: %(columns)s.")
             % {"columns": ", ".join(SCHOOL_CSV_HEADER)}}
        )  # fmt: skip
    return False


def _school_csv_records(text: str) -> Iterator[tuple[int, list[str]]]:
    """(line number, cells) of every line; a line the csv module cannot read is a field error."""
    try:
        dialect: Any = csv.Sniffer().sniff(text[:2048], delimiters=",;")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            line = reader.line_num or 1
            if "field larger than field limit" in str(error):
                message = _("line %(line)s: a value is longer than %(count)s characters") % {
                    "line": line, "count": CSV_FIELD_LIMIT,
                }  # fmt: skip
            else:
                message = _("line %(line)s: this line cannot be read as CSV") % {"line": line}
            raise ValidationError({"file": message}) from error
        yield reader.line_num, record


def schools_import_preview(*, organisation: Organisation, text: str) -> list[SchoolImportRow]:
    """Parse a CSV of `code,name,type[,oid]` (header optional, `,` or `;`) and check every row.

    Nothing is written. A row's errors name the column; the caller imports only if no row has any.
    A file that cannot be imported at all (unreadable, no schools, too many, a header in the
    wrong order) raises ValidationError on `file`.
    """
    rows: list[SchoolImportRow] = []
    seen: dict[str, int] = {}
    seen_oids: dict[str, int] = {}
    for number, record in _school_csv_records(text):
        if not any(cell.strip(" \t,;") for cell in record):  # blank, or separators only
            continue
        if not rows and not seen and _school_csv_header(record):
            continue
        # An exported file imports unchanged: its formula escaping (csv_files.csv_cell) is undone.
        cells = [*([csv_cell_unescape(c.strip()) for c in record]), "", "", "", ""]
        row = SchoolImportRow(line=number, code=cells[0], name=cells[1], school_type=cells[2].lower(), oid=cells[3])
        if len(record) > len(SCHOOL_CSV_COLUMNS):
            row.errors.append(
                _("expected at most 4 columns (code, name, type, oid), got %(count)s") % {"count": len(record)}
            )
        # A control character (a NUL above all) is named as such rather than as a wrong code or
        # type; it is also kept out of the query below, which PostgreSQL would refuse.
        for value, message in (
            (row.code, _("code: the value contains a character that is not allowed (a control character)")),
            (row.name, _("name: the value contains a character that is not allowed (a control character)")),
            (row.school_type, _("type: the value contains a character that is not allowed (a control character)")),
            (row.oid, _("oid: the value contains a character that is not allowed (a control character)")),
        ):
            if has_control_character(value):
                row.errors.append(message)
        if not re.fullmatch(SCHOOL_CODE_PATTERN, row.code):
            if not has_control_character(row.code):
                row.errors.append(_("code: a school code has exactly five digits"))
            row.code = _printable(row.code)
        if has_control_character(row.name):
            row.name = _printable(row.name)
        elif not row.name:
            row.errors.append(_("name: required"))
        elif len(row.name) > 200:
            row.errors.append(_("name: at most 200 characters"))
            row.name = row.name[:200] + "…"
        if has_control_character(row.school_type):
            row.school_type = _printable(row.school_type)
        elif row.school_type not in SCHOOL_TYPE_ALIASES:
            row.errors.append(
                _("type: unknown school type %(type)s; use one of %(types)s")
                % {"type": row.school_type[:50] or "–", "types": ", ".join(SchoolType.values)}
            )
        else:
            row.school_type = SCHOOL_TYPE_ALIASES[row.school_type]
        if has_control_character(row.oid):
            row.oid = _printable(row.oid)
        elif row.oid:
            try:
                validate_oid(row.oid)
            except ValidationError as error:
                row.oid = row.oid[:100]
                row.errors.extend(_("oid: %(problem)s") % {"problem": m} for m in error.messages)
            else:
                if row.oid in seen_oids:
                    row.errors.append(_("oid: the same OID is on line %(line)s") % {"line": seen_oids[row.oid]})
                seen_oids.setdefault(row.oid, number)
        if row.code in seen:
            row.errors.append(_("code: the same code is on line %(line)s") % {"line": seen[row.code]})
        seen.setdefault(row.code, number)
        rows.append(row)
        if len(rows) > MAX_IMPORT_ROWS:
            raise ValidationError({"file": _("At most %(count)s schools per import.") % {"count": MAX_IMPORT_ROWS}})
    if not rows:
        raise ValidationError({"file": _("The file has no schools.")})
    valid_codes = [code for code in seen if re.fullmatch(SCHOOL_CODE_PATTERN, code)]
    owners = dict(School.objects.filter(code__in=valid_codes).values_list("code", "organisation_id"))
    for row in rows:
        if row.code in owners:
            if owners[row.code] != organisation.pk:
                row.errors.append(_("code: this school belongs to another organisation"))
            else:
                row.exists = True
    # An OID already another school's (by code: a school keeps its own OID) or an office's.
    school_oids = dict(School.objects.filter(oid__in=list(seen_oids)).values_list("oid", "code"))
    office_oids = set(Office.objects.filter(oid__in=list(seen_oids)).values_list("oid", flat=True))
    for row in rows:
        if row.oid in school_oids and school_oids[row.oid] != row.code:
            row.errors.append(_("oid: another school already has this OID"))
        elif row.oid in office_oids:
            row.errors.append(_("oid: an office already has this OID"))
    return rows


def _printable(value: str) -> str:
    """The value as the preview may show it: control characters as `�`, at most 200 characters."""
    return "".join("\ufffd" if has_control_character(character) else character for character in value[:200])


@transaction.atomic
def schools_import(*, organisation: Organisation, by: User, text: str) -> int:
    """Create or update every school in the CSV, or nothing at all if any row has an error."""
    _require_home_organisation(organisation)
    rows = schools_import_preview(organisation=organisation, text=text)
    bad = [row for row in rows if row.errors]
    if bad:
        raise ValidationError(
            {"file": [_("line %(line)s: %(errors)s") % {"line": r.line, "errors": "; ".join(r.errors)} for r in bad]}
        )
    existing = {s.code: s for s in School.objects.filter(organisation=organisation, code__in=[r.code for r in rows])}
    new, changed = [], []
    for row in rows:
        if row.code in existing:
            school = existing[row.code]
            school.name, school.school_type = row.name, row.school_type
            # A row without an OID keeps the school's OID (a three-column file knows none).
            school.oid = row.oid or school.oid
            changed.append(school)
        else:
            new.append(School(
                organisation=organisation, code=row.code, name=row.name, school_type=row.school_type, oid=row.oid
            ))  # fmt: skip
    try:
        with transaction.atomic():
            # Updates first: two schools swapping OIDs in one file is the only order-dependent case,
            # and the database refuses it either way (a row at a time); the message says so.
            School.objects.bulk_update(changed, ["name", "school_type", "oid"])
            School.objects.bulk_create(new)
    except IntegrityError as error:
        if "oid" not in str(error).lower():
            raise
        raise ValidationError({"file": _("Another school or office already has an OID in this file.")}) from error
    audit_record(
        actor=by, action="school.import", obj=organisation,
        after={"created": [s.code for s in new], "updated": [s.code for s in changed]},
    )  # fmt: skip
    _register_changed(environment=None, reason="schools imported")
    return len(rows)


# ---------------------------------------------------------------- login sources

LOGIN_SOURCE_FIELDS = ("kind", "name", "hostnames", "entity_id", "metadata_url", "tenant_id", "issuer")
LOGIN_SOURCE_TEXT_FIELDS = ("name", "entity_id", "metadata_url", "tenant_id", "issuer")
# A DNS name: labels of letters, digits and hyphens (not at either end), dots between them.
_HOSTNAME = re.compile(r"(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}")
_OPINSYS_NAME = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")
_TENANT_ID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
MAX_HOSTNAMES = 20


def _hostnames_clean(kind: str, value: Any) -> list[str]:
    """The hostnames of a Wilma source (several allowed), or the one Opinsys organisation name."""
    if isinstance(value, str):
        value = value.splitlines()
    names = list(dict.fromkeys(str(name).strip().lower().rstrip(".") for name in (value or []) if str(name).strip()))
    if kind == LoginSourceKind.OPINSYS:
        if len(names) > 1:
            raise ValidationError(_("Give one Opinsys organisation name."))
        if names and not _OPINSYS_NAME.fullmatch(names[0]):
            raise ValidationError(
                _("%(name)s is not an Opinsys organisation name: use lower-case letters, digits and hyphens.")
                % {"name": ascii(names[0][:60])[1:-1]}
            )
        return names
    if len(names) > MAX_HOSTNAMES:
        raise ValidationError(_("Give at most %(limit)s hostnames.") % {"limit": MAX_HOSTNAMES})
    for name in names:
        if not _HOSTNAME.fullmatch(name):
            raise ValidationError(
                _("%(name)s is not a hostname (e.g. espoo.inschool.fi: no https://, path or spaces).")
                % {"name": ascii(name[:60])[1:-1]}
            )
    return names


def flow_name_for(organisation: Organisation, login_source: LoginSource) -> str:
    """A unique, readable flow name: `urn:mpass.id:authnsource:<flow name>` picks the source."""
    base = slugify(f"{organisation.name_en or organisation.name_fi} {login_source.kind} {login_source.environment}")
    base = base[:90].strip("-") or "source"
    name, number = base, 2
    while LoginSource.objects.filter(flow_name=name).exclude(pk=login_source.pk).exists():
        name, number = f"{base}-{number}", number + 1
    return name


@transaction.atomic
def login_source_save(
    *, organisation: Organisation, by: User, data: Mapping[str, Any], schools: Iterable[School],
    login_source: LoginSource | None = None,
) -> LoginSource:  # fmt: skip
    """Create or update a login source; only the fields its kind uses are kept. A new source
    starts in the test environment, approved at once (DESIGN section 2, lifecycle); production
    comes by promotion, which staff review."""
    _require_home_organisation(organisation)
    before = None
    if login_source is not None:
        stored = LoginSource.objects.get(pk=login_source.pk)
        before = {**audit_state(stored, LOGIN_SOURCE_FIELDS), "schools": sorted(
            login_source.schools.values_list("code", flat=True))}  # fmt: skip
    login_source = login_source or LoginSource(
        organisation=organisation, environment=Environment.TEST, approved_at=timezone.now(), approved_by=by
    )
    kind = data.get("kind", login_source.kind)
    errors: dict[str, str] = {}
    if kind not in LoginSourceKind.values:
        raise ValidationError({"kind": _("Choose the kind of login source.")})
    required = LOGIN_SOURCE_REQUIRED_FIELDS.get(kind, ())
    login_source.kind = kind
    for name in LOGIN_SOURCE_TEXT_FIELDS:
        value = data.get(name, getattr(login_source, name))
        if name != "name" and name not in required:
            value = ""
        setattr(login_source, name, str(value or "").strip())
    try:
        hostnames = _hostnames_clean(kind, data.get("hostnames", login_source.hostnames))
    except ValidationError as error:
        errors["hostnames"], hostnames = error.messages[0], []
    login_source.hostnames = hostnames if "hostnames" in required else []
    errors.update({
        name: _("Required for this kind of login source.")
        for name in required if not getattr(login_source, name) and name not in errors
    })  # fmt: skip
    for name, options in (
        ("metadata_url", {}), ("issuer", {}),
        ("entity_id", {"https": False, "urn": True, "max_length": MAX_ENTITY_ID_LENGTH}),
    ):  # fmt: skip
        value = getattr(login_source, name)
        if value and name not in errors:
            try:
                validate_uri(value, **options)
            except ValidationError as error:
                errors[name] = error.messages[0]
    if login_source.tenant_id and not _TENANT_ID.fullmatch(login_source.tenant_id) and "tenant_id" not in errors:
        errors["tenant_id"] = _("The tenant ID is a GUID, e.g. 3feb6bc1-d722-4726-966c-5b58b64df752.")
    if errors:
        raise ValidationError(errors)
    metadata_changed = before is None or any(
        before.get(name) != getattr(login_source, name) for name in METADATA_IDENTITY_FIELDS
    )
    if metadata_changed:
        # A result about another URL or entityID would mislead: forget it until the new check.
        login_source.metadata_checked_at, login_source.metadata_ok = None, None
        login_source.metadata_error, login_source.metadata_certificate_expires_at = "", None
    else:
        # Keep the stored result: the instance may have been read before a check recorded it.
        for name in METADATA_CHECK_FIELDS:
            setattr(login_source, name, getattr(stored, name))
    if not login_source.flow_name:
        login_source.flow_name = flow_name_for(organisation, login_source)
    login_source.full_clean()
    login_source.save()
    if metadata_changed and login_source.is_checked_remotely:
        from members.tasks import login_source_metadata_check as check_task

        check_task.delay_on_commit(login_source.pk)
    schools = list(schools)
    if any(school.organisation_id != organisation.pk for school in schools):
        raise ValidationError({"schools": _("A login source can only serve the organisation's own schools.")})
    conflicts = login_source_listing_conflicts(
        login_source=login_source,
        listed=[school for school in schools if school not in set(login_source.excluded_schools.all())],
        field="schools",
    )
    if conflicts:
        raise ValidationError(conflicts)
    login_source.schools.set(schools)
    after = {**audit_state(login_source, LOGIN_SOURCE_FIELDS), "schools": sorted(s.code for s in schools)}
    audit_record(actor=by, action="login_source.save", obj=login_source, before=before, after=after)
    _register_changed(environment=login_source.environment, reason="login source changed")
    if before is None:
        _test_default_service_allow(organisation=organisation, by=by)
    return login_source


METADATA_IDENTITY_FIELDS = ("kind", "metadata_url", "entity_id", "tenant_id", "issuer")
METADATA_CHECK_FIELDS = ("metadata_checked_at", "metadata_ok", "metadata_error", "metadata_certificate_expires_at")


def login_source_metadata_check(*, login_source: LoginSource, by: User | None = None) -> LoginSource:
    """Fetch the login source's IdP metadata (SSRF-safe, with the fetch timeout and size cap), check
    that it describes the source's entityID with an IDPSSODescriptor and a usable signing
    certificate, and record the result (with the certificate's expiry) on the source.

    Called from a Celery task (members.tasks), never in a request. The fetch runs outside any
    transaction; only the recording takes a row lock.
    """
    source = LoginSource.objects.get(pk=login_source.pk)
    if source.kind == LoginSourceKind.OIDC and source.issuer:
        # An OIDC source's "metadata" is its discovery document (OpenID Connect Discovery 1.0).
        url, expected = oidc_discovery_url(source.issuer), source.issuer
        try:
            oidc_discovery_parse(metadata_fetch(url), issuer=expected)
        except ValidationError as error:
            ok, problem = False, " ".join(str(message) for message in error.messages)
        else:
            ok, problem = True, ""
        return _login_source_metadata_record(
            pk=source.pk, url=url, expected=expected, ok=ok, problem=problem, expires_at=None, by=by
        )
    if not source.uses_saml_metadata or not source.metadata_url:
        raise ValidationError(_("This kind of login source has no metadata to check."))
    url, expected = source.metadata_url, source.expected_entity_id
    try:
        metadata = idp_metadata_parse(metadata_fetch(url), entity_id=expected)
    except ValidationError as error:
        ok, problem, expires_at = False, " ".join(str(message) for message in error.messages), None
    else:
        ok, problem, expires_at = True, "", metadata.certificate_expires_at
    return _login_source_metadata_record(
        pk=source.pk, url=url, expected=expected, ok=ok, problem=problem, expires_at=expires_at, by=by
    )


@transaction.atomic
def _login_source_metadata_record(
    *, pk: int, url: str, expected: str, ok: bool, problem: str, expires_at: Any, by: User | None
) -> LoginSource:
    source = LoginSource.objects.select_for_update().get(pk=pk)
    if source.kind == LoginSourceKind.OIDC:
        checked = (oidc_discovery_url(source.issuer), source.issuer)
    else:
        checked = (source.metadata_url, source.expected_entity_id)
    if checked != (url, expected):
        return source  # edited while we fetched: the save scheduled a check of the new values
    before = audit_state(source, METADATA_CHECK_FIELDS)
    source.metadata_checked_at, source.metadata_ok = timezone.now(), ok
    source.metadata_error, source.metadata_certificate_expires_at = problem[:2000], expires_at
    source.save(update_fields=list(METADATA_CHECK_FIELDS))
    audit_record(
        actor=by,
        action="login_source.metadata_check",
        obj=source,
        before=before,
        after={**audit_state(source, METADATA_CHECK_FIELDS), "metadata_url": url, "entity_id": expected},
    )
    return source


@transaction.atomic
def login_source_delete(*, login_source: LoginSource, by: User) -> None:
    audit_record(actor=by, action="login_source.delete", obj=login_source, before=audit_state(login_source))
    login_source.delete()
    _register_changed(environment=None, reason="login source removed")


@transaction.atomic
def allowed_services_set(*, organisation: Organisation, by: User, services: Iterable[Service]) -> None:
    """Limit which services the home organisation's users may use; an empty set means all."""
    _require_home_organisation(organisation)
    services = list(services)
    before = sorted(organisation.allowed_services.values_list("pk", flat=True))
    organisation.allowed_services.set(services)
    audit_record(
        actor=by, action="organisation.allowed_services", obj=organisation,
        before={"allowed_services": before}, after={"allowed_services": sorted(s.pk for s in services)},
    )  # fmt: skip
    _register_changed(environment=None, reason="allowed services changed")


# ---------------------------------------------------------------- services and their versions

VERSION_FIELDS = (
    "name_fi", "name_sv", "name_en", "description_fi", "description_sv", "description_en", "logo_url",
    "logo_width", "logo_height", "information_url", "privacy_url", "acs_endpoints", "signing_certificates",
    "encryption_certificates", "name_id_format", "authn_requests_signed", "want_assertions_signed",
    "redirect_uris", "auth_method", "jwks_uri", "pkce_required", "requested_attributes",
    "test_learner_numbers_allowed", "post_logout_redirect_uris", "scope", "grant_types", "response_types",
)  # fmt: skip
# A change to any of these waits for staff review (DESIGN section 2); other fields go live at once.
CERTIFICATE_FIELDS = frozenset({"signing_certificates", "encryption_certificates"})
OIDC_DETAIL_FIELDS = frozenset({"post_logout_redirect_uris", "scope", "grant_types", "response_types"})
REVIEWED_FIELDS = (
    frozenset({
        "acs_endpoints", "redirect_uris", "auth_method", "jwks_uri", "pkce_required", "requested_attributes",
        "authn_requests_signed", "want_assertions_signed",
        # Test learner numbers are a release decision like an attribute (DESIGN section 2).
        "test_learner_numbers_allowed",
    })
    | OIDC_DETAIL_FIELDS
    | CERTIFICATE_FIELDS
)  # fmt: skip


DEFAULT_SCOPE = "openid profile"
# RFC 6749 section 3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ).
_SCOPE_TOKEN = re.compile(r"[\x21\x23-\x5b\x5d-\x7e]+")


def scope_clean(text: str) -> str:
    """A space-separated scope with `openid` in it, each token as RFC 6749 allows, duplicates dropped."""
    tokens = list(dict.fromkeys(text.split()))
    bad = [token for token in tokens if not _SCOPE_TOKEN.fullmatch(token)]
    if bad:
        raise ValidationError(
            _(
                "%(token)s is not a valid scope value: use letters, digits and punctuation other than quotes "
                "and backslashes."
            )
            % {"token": ascii(bad[0][:50])[1:-1]}
        )
    if "openid" not in tokens:
        raise ValidationError(_("The scope must include openid."))
    if len(" ".join(tokens)) > 500:
        raise ValidationError(_("The scope is too long (at most 500 characters)."))
    return " ".join(tokens)


def _redirect_uri_problems(uris: list[str], template: str, *, environment: str) -> list[str]:
    """What is wrong with each redirect URI (numbered from 1): `members.uris`' checks by the
    environment's rules (http://localhost only in test) and no fragment."""
    problems = []
    for number, uri in enumerate(uris, start=1):
        try:
            validate_endpoint_uri(uri, environment=environment)
        except ValidationError as e:
            problems.append(template % {"number": number, "problem": e.messages[0]})
        else:
            if "#" in uri:
                problems.append(template % {"number": number, "problem": _("it must not contain a fragment (#).")})
    return problems


def version_clean(
    *, protocol: str, data: Mapping[str, Any], environment: str = Environment.PRODUCTION
) -> dict[str, Any]:
    """Validate a version's content for `protocol` by the rules of `environment` (DESIGN section 2:
    production needs https, non-localhost endpoints, a signing certificate and signed assertions;
    test allows http://localhost and no certificate); a ValidationError names each bad field."""
    cleaned = {name: data[name] for name in VERSION_FIELDS if name in data}
    errors: dict[str, list[str]] = {}

    def error(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if not (cleaned.get("name_fi") or "").strip():
        error("name_fi", _("The Finnish name is required."))
    for name in ("name_fi", "name_sv", "name_en", "description_fi", "description_sv", "description_en"):
        limit = ServiceVersion._meta.get_field(name).max_length
        if len(str(cleaned.get(name) or "")) > limit:
            error(name, _("It is longer than %(limit)s characters.") % {"limit": limit})
    for name in ("logo_url", "information_url", "privacy_url", "jwks_uri"):
        if cleaned.get(name):
            try:
                validate_uri(cleaned[name])
            except ValidationError as e:
                error(name, e.messages[0])
    if cleaned.get("logo_url"):
        for name in ("logo_width", "logo_height"):
            size = cleaned.get(name)
            if not isinstance(size, int) or not 16 <= size <= 2000:
                error(name, _("Give the logo's size in pixels (16–2000)."))
    else:
        cleaned["logo_width"] = cleaned["logo_height"] = None
    requested = []
    seen = set()
    for item in cleaned.get("requested_attributes") or []:
        key, purpose = str(item.get("key", "")), str(item.get("purpose", "")).strip()
        if key not in ATTRIBUTES:
            error("requested_attributes", _("Unknown attribute: %(key)s") % {"key": key[:50]})
        elif key in seen:
            error("requested_attributes", _("Attribute %(key)s is requested twice.") % {"key": key})
        elif not purpose:
            error("requested_attributes", _("Give the purpose for which %(key)s is needed.") % {"key": key})
        else:
            seen.add(key)
            requested.append({"key": key, "purpose": purpose[:500]})
    cleaned["requested_attributes"] = requested
    if protocol == Protocol.SAML:
        try:
            cleaned["acs_endpoints"] = validate_acs_endpoints(
                list(cleaned.get("acs_endpoints") or []), environment=environment
            )
        except ValidationError as e:
            error("acs_endpoints", e.messages[0])
        production = environment == Environment.PRODUCTION
        for name, usage, required in (
            ("signing_certificates", "signing", production),
            ("encryption_certificates", "encryption", False),
        ):
            certificates, earliest = _certificates_clean(
                cleaned.get(name), usage=usage, required=required, error=lambda message, n=name: error(n, message)
            )
            cleaned[name] = certificates
            cleaned[f"{name[:-1]}_expires_at"] = earliest
        cleaned["authn_requests_signed"] = bool(cleaned.get("authn_requests_signed"))
        cleaned["want_assertions_signed"] = bool(cleaned.get("want_assertions_signed"))
        if production and not cleaned["want_assertions_signed"]:
            error(
                "want_assertions_signed",
                _("In production the service must want signed assertions (WantAssertionsSigned)."),
            )
        cleaned.update(
            redirect_uris=[], auth_method="", jwks_uri="", post_logout_redirect_uris=[], scope="", grant_types=[],
            response_types=[],
        )  # fmt: skip
    else:
        uris = [str(u).strip() for u in cleaned.get("redirect_uris") or [] if str(u).strip()]
        if not uris:
            error("redirect_uris", _("At least one redirect URI is required."))
        for message in _redirect_uri_problems(uris, _("Redirect URI %(number)s: %(problem)s"), environment=environment):
            error("redirect_uris", message)
        cleaned["redirect_uris"] = uris
        logout_uris = [str(u).strip() for u in cleaned.get("post_logout_redirect_uris") or [] if str(u).strip()]
        for message in _redirect_uri_problems(
            logout_uris, _("Post-logout redirect URI %(number)s: %(problem)s"), environment=environment
        ):
            error("post_logout_redirect_uris", message)
        cleaned["post_logout_redirect_uris"] = logout_uris
        scope = cleaned.get("scope")
        try:
            cleaned["scope"] = scope_clean(DEFAULT_SCOPE if scope is None or not str(scope).strip() else str(scope))
        except ValidationError as e:
            error("scope", e.messages[0])
        grants = [str(g) for g in cleaned.get("grant_types") or [GrantType.AUTHORIZATION_CODE]]
        unknown = [g for g in grants if g not in GrantType.values]
        if unknown:
            error("grant_types", _("Unknown grant type: %(grant)s") % {"grant": unknown[0][:50]})
        elif GrantType.AUTHORIZATION_CODE not in grants:
            error("grant_types", _("The authorization_code grant type is required."))
        # In a fixed order, so the same choice is the same value (no change to review).
        cleaned["grant_types"] = [g for g in GrantType.values if g in grants]
        responses = [str(r) for r in cleaned.get("response_types") or ["code"]]
        if responses != ["code"]:
            error("response_types", _("Only the response type code is supported (the authorization code flow)."))
        cleaned["response_types"] = ["code"]
        method = cleaned.get("auth_method") or AuthMethod.CLIENT_SECRET_BASIC
        if method not in AuthMethod.values:
            error("auth_method", _("Unknown client authentication method."))
        if method == AuthMethod.PRIVATE_KEY_JWT and not cleaned.get("jwks_uri"):
            error("jwks_uri", _("private_key_jwt needs a JWKS URI."))
        cleaned["auth_method"] = method
        cleaned.update(
            acs_endpoints=[], signing_certificates=[], encryption_certificates=[], name_id_format="",
            authn_requests_signed=False, want_assertions_signed=False,
            signing_certificate_expires_at=None, encryption_certificate_expires_at=None,
        )  # fmt: skip
    cleaned["test_learner_numbers_allowed"] = bool(cleaned.get("test_learner_numbers_allowed"))
    if errors:
        raise ValidationError(errors)
    return cleaned


def _certificates_clean(
    value: Any, *, usage: str, required: bool, error: Callable[[str], None]
) -> tuple[list[str], datetime.datetime | None]:
    """The PEM list of one use, each certificate checked on its own (members.certificates), and the
    earliest expiry among them; a problem names which certificate ("Signing certificate 2: …")."""
    if isinstance(value, str):
        value = [value]
    texts = [str(text).strip() for text in (value or []) if str(text).strip()]
    label = _("Signing certificate") if usage == "signing" else _("Encryption certificate")
    if not texts:
        if required:
            error(_("A signing certificate is required."))
        return [], None
    if len(texts) > MAX_CERTIFICATES_PER_USE:
        error(
            _("Give at most %(limit)s certificates of each use; there are %(count)s.")
            % {"limit": MAX_CERTIFICATES_PER_USE, "count": len(texts)}
        )
        return [], None
    certificates: list[str] = []
    expiries: list[datetime.datetime] = []
    for number, text in enumerate(texts, start=1):
        try:
            info = certificate_parse(text, usage=usage, field="certificate")
        except ValidationError as e:
            error(_("%(label)s %(number)s: %(problem)s") % {"label": label, "number": number, "problem": e.messages[0]})
            continue
        pem = normalise_certificate(text)
        if pem in certificates:
            error(_("%(label)s %(number)s is given twice.") % {"label": label, "number": number})
            continue
        certificates.append(pem)
        expiries.append(info.not_after)
    return certificates, min(expiries, default=None)


def version_data_from_metadata(metadata: SpMetadata) -> dict[str, Any]:
    """The version fields metadata provides (names and URLs only where it has them)."""
    data: dict[str, Any] = {
        "acs_endpoints": metadata.acs_endpoints,
        "signing_certificates": metadata.signing_certificates,
        "encryption_certificates": metadata.encryption_certificates,
        "name_id_format": metadata.name_id_format,
        "authn_requests_signed": metadata.authn_requests_signed,
        "want_assertions_signed": metadata.want_assertions_signed,
    }
    for language in ("fi", "sv", "en"):
        if metadata.names.get(language):
            data[f"name_{language}"] = metadata.names[language][:200]
        if metadata.descriptions.get(language):
            data[f"description_{language}"] = metadata.descriptions[language]
    for name in ("logo_url", "information_url", "privacy_url"):
        if getattr(metadata, name):
            data[name] = getattr(metadata, name)
    if metadata.logo_url:
        data["logo_width"], data["logo_height"] = metadata.logo_width, metadata.logo_height
    return data


def _auto_approval(service: Service, version: ServiceVersion, live: ServiceVersion | None) -> bool:
    """Whether this version may go live without a reviewer (DESIGN section 2; staff's review policy)."""
    if service.withdrawn_at is not None:
        return False  # staff withdrew it: only staff put it back
    policy = ReviewPolicy.current()
    if service.environment == "test" and policy.auto_approve_test:
        return True
    if live is None:
        return False
    changed = {name for name in VERSION_FIELDS if getattr(version, name) != getattr(live, name)}
    reviewed = changed & REVIEWED_FIELDS
    if not reviewed:
        return True
    return policy.auto_approve_certificate_changes and reviewed <= CERTIFICATE_FIELDS


@dataclass
class ServiceCreated:
    service: Service
    version: ServiceVersion
    client_secret: str | None  # OIDC only: shown to the member once, never again


def _production_refusal(provider: Organisation) -> str | None:
    """Why `provider` may not have production services today, or None (DESIGN section 2: the
    test environment is open to every provider on the register, production needs the agreement)."""
    if membership_in_force(provider.pk, SERVICE_PROVIDER):
        return None
    return _(
        "The membership agreement of %(provider)s is not in force, and production services need it. "
        "Use the test environment until both parties have signed the agreement."
    ) % {"provider": provider.name}


@transaction.atomic
def service_create(
    *, provider: Organisation, by: User | None, environment: str, protocol: str, data: Mapping[str, Any],
    entity_id: str = "", promoted_from: Service | None = None,
) -> ServiceCreated:  # fmt: skip
    """Register a service; its first version waits for review unless auto-approval applies.
    A production service may be registered before the agreement is in force (staff review it and
    the proxy publishes it only while the membership is in force); promotion needs it in force."""
    if not provider.is_service_provider:
        raise ValidationError(_("Only service providers can register services."))
    if environment not in Environment.values:
        raise ValidationError({"environment": _("Choose the test or the production environment.")})
    cleaned = version_clean(protocol=protocol, data=data, environment=environment)
    service = Service(provider=provider, environment=environment, protocol=protocol, promoted_from=promoted_from)
    secret = None
    if protocol == Protocol.SAML:
        entity_id = entity_id.strip()
        if not entity_id:
            raise ValidationError({"entity_id": _("The entityID is required.")})
        try:
            validate_uri(entity_id, https=False, urn=True, max_length=MAX_ENTITY_ID_LENGTH)
        except ValidationError as error:
            raise ValidationError({"entity_id": error.messages[0]}) from error
        if Service.objects.filter(environment=environment, entity_id=entity_id).exists():
            raise ValidationError(
                {"entity_id": _("A service with entityID %(entity_id)s is already registered in this environment.")
                 % {"entity_id": entity_id}}
            )  # fmt: skip
        service.entity_id = entity_id
    else:
        service.client_id = client_id_generate()
        if cleaned["auth_method"] in SECRET_AUTH_METHODS:
            secret = client_secret_generate()
            service.client_secret_encrypted = secret_encrypt(secret)
    service.full_clean(exclude=["live_version"])
    try:
        with transaction.atomic():
            service.save()
    except IntegrityError as error:  # a concurrent registration of the same entityID
        raise ValidationError({"entity_id": _("This entityID is already registered in this environment.")}) from error
    version = _version_submit(service=service, by=by, cleaned=cleaned, action="service.create")
    return ServiceCreated(service=service, version=version, client_secret=secret)


@transaction.atomic
def service_promote(*, service: Service, by: User | None, data: Mapping[str, Any] | None = None) -> ServiceCreated:
    """Ask for a test service in production (DESIGN section 2, lifecycle): a production service
    with the test service's approved settings, changed by `data` where given, checked by the
    production rules, waiting for staff review like any new service. The test service stays.

    Refused, naming the field, when the service is not an approved test service, was promoted
    already, its provider's agreement is not in force, or the settings break a production rule.
    """
    service = (
        Service.objects.select_for_update(of=("self",)).select_related("provider", "live_version").get(pk=service.pk)
    )
    if service.environment != Environment.TEST:
        raise ValidationError({"environment": _("Only a test-environment service can be promoted to production.")})
    if Service.objects.filter(promoted_from=service).exists():
        raise ValidationError({"environment": _("This service has already been promoted to production.")})
    if service.live_version is None:
        raise ValidationError(
            {"environment": _("The service must be approved in the test environment before it is promoted.")}
        )
    if refusal := _production_refusal(service.provider):
        raise ValidationError({"provider": refusal})
    settings = {name: getattr(service.live_version, name) for name in VERSION_FIELDS}
    settings.update(data or {})
    created = service_create(
        provider=service.provider, by=by, environment=Environment.PRODUCTION, protocol=service.protocol,
        data=settings, entity_id=service.entity_id, promoted_from=service,
    )  # fmt: skip
    audit_record(
        actor=by, action="service.promote", obj=created.service,
        after={"promoted_from": service.pk, "version": created.version.pk},
    )  # fmt: skip
    return created


@transaction.atomic
def service_change(*, service: Service, by: User | None, data: Mapping[str, Any]) -> ServiceVersion:
    """Submit a new version of a service. A change waiting for review is replaced by this one."""
    service = Service.objects.select_for_update().get(pk=service.pk)
    # Without a live version (never approved, or withdrawn by staff) the latest version is the base,
    # so a correction changes only what it gives, as for a live service.
    base = (
        service.versions.filter(status=VersionStatus.PENDING).first()
        or service.live_version
        or service.versions.first()
    )
    merged = {name: getattr(base, name) for name in VERSION_FIELDS} if base else {}
    merged.update(data)
    cleaned = version_clean(protocol=service.protocol, data=merged, environment=service.environment)
    if (
        service.protocol == Protocol.OIDC
        and cleaned["auth_method"] in SECRET_AUTH_METHODS
        and not service.client_secret_encrypted
    ):
        raise ValidationError({"auth_method": _("Generate a client secret first (rotate the secret).")})
    service.versions.filter(status=VersionStatus.PENDING).update(status=VersionStatus.WITHDRAWN)
    return _version_submit(service=service, by=by, cleaned=cleaned, action="service.change")


def _version_submit(*, service: Service, by: User, cleaned: dict[str, Any], action: str) -> ServiceVersion:
    version = ServiceVersion(service=service, submitted_by=by, submitted_at=timezone.now(), **cleaned)
    version.save()
    audit_record(actor=by, action=action, obj=version, after=audit_state(version))
    live = service.live_version
    if _auto_approval(service, version, live):
        _approve(version=version, by=None, auto=True)
    else:
        _notify_reviewers(version=version)
    return version


def _notify_reviewers(*, version: ServiceVersion) -> None:
    """Tell operator staff that a service version waits for their review."""

    service = version.service
    email_queue_to_users(
        users=User.objects.filter(is_staff=True, is_active=True),
        template="service_review_requested",
        context={
            "service_name": version.name_fi,
            "provider_name": service.provider.name_fi,
            "environment": service.environment,
            "is_new": service.live_version_id is None,
            "path": f"/members/services/{service.pk}/",
        },
    )


def _approve(*, version: ServiceVersion, by: User | None, auto: bool) -> None:
    service = version.service
    previous = service.live_version
    if previous is not None:
        previous.status = VersionStatus.SUPERSEDED
        previous.save(update_fields=["status"])
    version.status = VersionStatus.APPROVED
    version.reviewed_by = by
    version.reviewed_at = timezone.now()
    version.auto_approved = auto
    version.save(update_fields=["status", "reviewed_by", "reviewed_at", "auto_approved"])
    service.live_version = version
    withdrawn = service.withdrawn_at is not None
    service.withdrawn_at, service.withdrawn_by, service.withdrawal_reason = None, None, ""
    service.save(update_fields=["live_version", "withdrawn_at", "withdrawn_by", "withdrawal_reason"])
    audit_record(
        actor=by, action="service.approve", obj=version,
        before={"live_version": previous.pk if previous else None},
        after={"live_version": version.pk, "auto_approved": auto, **({"was_withdrawn": True} if withdrawn else {})},
    )  # fmt: skip
    _notify_decision(version=version)
    _register_changed(environment=service.environment, reason="service approved")


def _pending_for_update(version: ServiceVersion) -> ServiceVersion:
    version = ServiceVersion.objects.select_for_update().select_related("service__provider").get(pk=version.pk)
    if version.status != VersionStatus.PENDING:
        raise ValidationError(_("This version is no longer waiting for review."))
    return version


@transaction.atomic
def service_approve(*, version: ServiceVersion, by: User | None) -> ServiceVersion:
    """Staff approve a pending version: it becomes the live one the proxy sees."""
    version = _pending_for_update(version)
    Service.objects.select_for_update().filter(pk=version.service_id).first()
    version.service.refresh_from_db(fields=["live_version"])
    _approve(version=version, by=by, auto=False)
    return version


@dataclass(frozen=True)
class ApprovalOutcome:
    """What became of one version of a bulk approval: approved, or why not (in words)."""

    version_id: int
    version: ServiceVersion | None
    problem: str = ""

    @property
    def approved(self) -> bool:
        return not self.problem


def service_approve_each(*, version_ids: Iterable[int], by: User) -> list[ApprovalOutcome]:
    """Staff approve several pending versions at once (the review queue's "Approve selected").

    Each goes through `service_approve`, in a transaction of its own, so each is checked and
    audited exactly as one approved from its service page, and one that cannot be approved (it was
    approved, rejected or replaced meanwhile, or removed) leaves the others approved. Deliberately
    not one transaction: a single stale version must not undo the rest.
    """
    outcomes = []
    for version_id in version_ids:
        version = ServiceVersion.objects.select_related("service__provider").filter(pk=version_id).first()
        if version is None:
            outcomes.append(ApprovalOutcome(version_id, None, _("It no longer exists.")))
            continue
        try:
            version = service_approve(version=version, by=by)
        except ServiceVersion.DoesNotExist:
            outcomes.append(ApprovalOutcome(version_id, version, _("It no longer exists.")))
        except ValidationError as error:
            outcomes.append(ApprovalOutcome(version_id, version, " ".join(error.messages)))
        else:
            outcomes.append(ApprovalOutcome(version_id, version))
    return outcomes


@transaction.atomic
def service_reject(*, version: ServiceVersion, by: User | None, reason: str) -> ServiceVersion:
    """Staff reject a pending version with a reason the member sees; the live version stays."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for rejecting, so the member can fix it.")})
    version = _pending_for_update(version)
    version.status = VersionStatus.REJECTED
    version.rejection_reason = reason[:2000]
    version.reviewed_by = by
    version.reviewed_at = timezone.now()
    version.save(update_fields=["status", "rejection_reason", "reviewed_by", "reviewed_at"])
    audit_record(actor=by, action="service.reject", obj=version, after={"reason": version.rejection_reason})
    _notify_decision(version=version)
    return version


@transaction.atomic
def service_withdraw(*, service: Service, by: User, reason: str) -> Service:
    """Staff take a live service out of the proxy configuration, with a reason the member sees.

    Its versions and settings stay (nothing is deleted); it returns only when staff approve a
    version again, never by auto-approval. For a service whose data breaks the proxy's build, this
    is how the other members' updates get going again (issue 15).
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for withdrawing, so the member knows what to fix.")})
    service = Service.objects.select_for_update(of=("self",)).select_related("live_version").get(pk=service.pk)
    live = service.live_version
    if live is None:
        raise ValidationError(_("This service is not live, so there is nothing to withdraw."))
    live.status = VersionStatus.WITHDRAWN
    live.save(update_fields=["status"])
    service.live_version = None
    service.withdrawn_at, service.withdrawn_by, service.withdrawal_reason = timezone.now(), by, reason[:2000]
    service.save(update_fields=["live_version", "withdrawn_at", "withdrawn_by", "withdrawal_reason"])
    audit_record(
        actor=by, action="service.withdraw", obj=service,
        before={"live_version": live.pk}, after={"live_version": None, "reason": service.withdrawal_reason},
    )  # fmt: skip
    email_queue_to_users(
        users=users_with_role(service.provider_id, [Role.ADMIN, Role.TECHNICAL]),
        template="service_withdrawn",
        context={
            "service_name": live.name_fi,
            "environment": service.environment,
            "reason": service.withdrawal_reason,
            "path": f"/members/services/{service.pk}/",
        },
    )
    _register_changed(environment=service.environment, reason="service withdrawn")
    return service


def _notify_decision(*, version: ServiceVersion) -> None:

    service = version.service
    email_queue_to_users(
        users=users_with_role(service.provider_id, [Role.ADMIN, Role.TECHNICAL]),
        template="service_decision",
        context={
            "service_name": version.name_fi,
            "environment": service.environment,
            "approved": version.status == VersionStatus.APPROVED,
            "auto_approved": version.auto_approved,
            "reason": version.rejection_reason,
            "path": f"/members/services/{service.pk}/",
        },
    )


# How long a rotated-out secret may stay valid, in days (the member chooses; 0: it stops at once).
SECRET_OVERLAP_DAYS = (0, 1, 7, 30)


@transaction.atomic
def oidc_secret_rotate(*, service: Service, by: User, overlap_days: int = 0) -> str:
    """A new client secret (returned once; only its encryption is stored).

    With an overlap, the old secret stays valid for that many days: the client register
    (oidc-clients.json) carries both until then, so the service can switch without an outage.
    """
    if service.protocol != Protocol.OIDC:
        raise ValidationError(_("Only OpenID Connect services have a client secret."))
    if overlap_days not in SECRET_OVERLAP_DAYS:
        raise ValidationError(
            {"overlap_days": _("Choose how long the old secret stays valid: %(choices)s days.")
             % {"choices": ", ".join(str(days) for days in SECRET_OVERLAP_DAYS)}}
        )  # fmt: skip
    # Locked, so two rotations at once cannot both keep the same old secret as the previous one.
    current = Service.objects.select_for_update().values_list("client_secret_encrypted", flat=True).get(pk=service.pk)
    now = timezone.now()
    expires_at = None
    if overlap_days and current:
        expires_at = now + datetime.timedelta(days=overlap_days)
        PreviousClientSecret.objects.create(
            service=service, secret_encrypted=current, expires_at=expires_at, created_at=now
        )
    secret = client_secret_generate()
    service.client_secret_encrypted = secret_encrypt(secret)
    service.save(update_fields=["client_secret_encrypted"])
    audit_record(
        actor=by, action="service.secret_rotate", obj=service,
        after={"client_id": service.client_id, "overlap_days": overlap_days, "previous_valid_until": expires_at},
    )  # fmt: skip
    if service.live_version_id:
        _register_changed(environment=service.environment, reason="client secret rotated")
    return secret


def previous_secrets_prune(*, now: datetime.datetime | None = None) -> int:
    """Drop rotated-out client secrets whose overlap has ended (hourly, and before each build reads
    the register), and rebuild the environments whose client register still carried one."""
    now = now or timezone.now()
    with transaction.atomic():
        expired = PreviousClientSecret.objects.filter(expires_at__lte=now)
        environments = set(expired.values_list("service__environment", flat=True))
        deleted = expired.delete()[0]
        for environment in sorted(environments):
            _register_changed(environment=environment, reason="a previous client secret expired")
    return deleted


def oidc_client_secret(service: Service) -> str | None:
    """The plain client secret for the proxy's configuration (None for services without one).

    Callers that only need to verify can hash it with `members.secrets.secret_sha256`.
    """
    if not service.client_secret_encrypted:
        return None
    return secret_decrypt(service.client_secret_encrypted)


@transaction.atomic
def review_policy_set(*, by: User, auto_approve_test: bool, auto_approve_certificate_changes: bool) -> ReviewPolicy:
    policy = ReviewPolicy.current()
    before = audit_state(policy)
    policy.auto_approve_test = auto_approve_test
    policy.auto_approve_certificate_changes = auto_approve_certificate_changes
    policy.save()
    audit_record(actor=by, action="review_policy.set", obj=policy, before=before, after=audit_state(policy))
    return policy


# ---------------------------------------------------------------- certificate expiry

# A provider is reminded once a week until the certificate is replaced (a new approved version
# has its own, unwarned, record).
EXPIRY_REMINDER_INTERVAL = datetime.timedelta(days=7)


def _common_name(subject: str) -> str:
    """The CN of an RFC 4514 subject ("CN=sp.example.fi,O=…"), else the whole subject."""
    found = re.search(r"(?:^|,)CN=((?:[^,\\]|\\.)*)", subject)
    return found.group(1) if found else subject


def expiring_certificates(*, version: ServiceVersion, horizon: datetime.datetime) -> list[dict[str, Any]]:
    """Which of the version's certificates expire by `horizon`, each with its use, subject CN, expiry
    and SHA-256 fingerprint, so a provider with several (a rollover) knows which one to replace."""
    expiring = []
    by_use = (("signing", version.signing_certificates), ("encryption", version.encryption_certificates))
    for use, certificates in by_use:
        for pem in certificates:
            info = certificate_describe(pem)
            if info is not None and info.not_after <= horizon:
                expiring.append({
                    "use": use, "common_name": _common_name(info.subject),
                    "expires_on": timezone.localdate(info.not_after), "fingerprint": info.sha256_fingerprint,
                })  # fmt: skip
    return expiring


def certificate_expiry_warn() -> int:
    """Email each provider whose live service's certificate expires within the warning period.

    Idempotent: a version warned less than `EXPIRY_REMINDER_INTERVAL` ago is skipped, so running
    the daily task twice or late sends nothing twice. Returns how many services were warned.
    """

    now = timezone.now()
    horizon = expiry_horizon()
    due = (
        ServiceVersion.objects.filter(service__live_version=F("pk"))
        .filter(Q(signing_certificate_expires_at__lte=horizon) | Q(encryption_certificate_expires_at__lte=horizon))
        .filter(Q(expiry_warned_at__isnull=True) | Q(expiry_warned_at__lte=now - EXPIRY_REMINDER_INTERVAL))
        .select_related("service")
    )
    warned = 0
    for version in due:
        with transaction.atomic():
            # Locked and re-checked: two beat runs at once must not both send.
            version = ServiceVersion.objects.select_for_update().select_related("service").get(pk=version.pk)
            if version.expiry_warned_at and version.expiry_warned_at > now - EXPIRY_REMINDER_INTERVAL:
                continue
            expires = min(
                moment
                for moment in (version.signing_certificate_expires_at, version.encryption_certificate_expires_at)
                if moment is not None
            )
            expiring = expiring_certificates(version=version, horizon=horizon)
            email_queue_to_users(
                users=users_with_role(version.service.provider_id, [Role.ADMIN, Role.TECHNICAL]),
                template="certificate_expiry",
                context={
                    "service_name": version.name_fi,
                    "environment": version.service.environment,
                    "expires_on": timezone.localdate(expires),
                    "expired": expires <= now,
                    "certificates": expiring,
                    "path": f"/members/services/{version.service_id}/",
                },
            )
            version.expiry_warned_at = now
            version.save(update_fields=["expiry_warned_at"])
            audit_record(
                actor=None,
                action="service.certificate_expiry_warned",
                obj=version.service,
                after={
                    "version": version.pk,
                    "expires_at": expires.isoformat(),
                    "certificates": [item["fingerprint"] for item in expiring],
                },
            )
            warned += 1
    return warned


# ---------------------------------------------------------------- people: invitations and roles


class InvitationError(Exception):
    """An invitation link that cannot be used; the message says why, for the person holding it."""


def invitation_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def can_manage_people(user: User, organisation: Organisation) -> bool:
    """Operator staff manage everyone; an organisation's admins manage their own organisation only."""
    return user.is_staff or has_role(user, organisation.pk, [Role.ADMIN])


@transaction.atomic
def invitation_create(
    *,
    by: User,
    email: str,
    organisation: Organisation | None,
    roles: Iterable[str] = (),
    grants_staff: bool = False,
    language: str | None = None,
) -> tuple[Invitation, str]:
    """Invite a person; returns the invitation and the token (only ever known here and in the email)."""
    roles = sorted(set(roles))
    if grants_staff and not by.is_staff:
        raise PermissionDenied(_("Only operator staff can invite operator staff."))
    if organisation is None and not grants_staff:
        raise ValidationError({"organisation": _("Choose the organisation the person is invited to.")})
    if organisation is not None and not can_manage_people(by, organisation):
        raise PermissionDenied(_("You can invite people only to organisations you administer."))
    unknown = set(roles) - set(Role.values)
    if unknown:
        raise ValidationError({"roles": _("Unknown role: %(roles)s.") % {"roles": ", ".join(sorted(unknown))}})
    if organisation is not None and not roles:
        raise ValidationError({"roles": _("Choose at least one role.")})

    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        email=email.strip().lower(),
        organisation=organisation,
        roles=roles,
        grants_staff=grants_staff,
        token_hash=invitation_token_hash(token),
        invited_by=by,
        language=language or by.language,
        expires_at=timezone.now() + settings.TRUSTNET_INVITATION_VALIDITY,
    )
    audit_record(actor=by, action="accounts.invitation.create", obj=invitation, after=audit_state(invitation))
    email_queue(
        to=[invitation.email],
        template="invitation",
        context={
            "inviter": str(by),
            # The object, not its name: the email shows the name in the invitation's language.
            "organisation": organisation,
            "grants_staff": grants_staff,
            "roles": [str(Role(role).label) for role in roles],
            "accept_url": settings.SITE_URL + reverse("members:invitation-accept", args=[token]),
            "expires_at": invitation.expires_at,
        },
        language=invitation.language,
    )
    return invitation, token


def invitation_for_token(token: str, *, lock: bool = False) -> Invitation:
    """The pending invitation behind a token, or InvitationError saying why it is unusable."""
    queryset = Invitation.objects.select_related("organisation")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    invitation = queryset.filter(token_hash=invitation_token_hash(token)).first()
    if invitation is None:
        raise InvitationError(_("This invitation link is not valid. Check that you copied the whole link."))
    if invitation.accepted_at is not None:
        raise InvitationError(_("This invitation has already been used. Log in with your account instead."))
    if invitation.revoked_at is not None:
        raise InvitationError(_("This invitation was withdrawn. Ask the person who invited you for a new one."))
    if invitation.expires_at <= timezone.now():
        raise InvitationError(_("This invitation has expired. Ask the person who invited you for a new one."))
    return invitation


def _apply_invitation(invitation: Invitation, user: User) -> None:
    if invitation.grants_staff and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    for role in invitation.roles:
        OrganisationRole.objects.get_or_create(
            user=user,
            organisation=invitation.organisation,
            role=role,
            defaults={"granted_by": invitation.invited_by},
        )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit_record(
        actor=user,
        action="accounts.invitation.accept",
        obj=invitation,
        after={"roles": invitation.roles, "grants_staff": invitation.grants_staff, "user": user.email},
    )


@transaction.atomic
def invitation_accept(*, token: str, user: User) -> Invitation:
    """A logged-in person accepts an invitation addressed to their own email address."""
    invitation = invitation_for_token(token, lock=True)
    if invitation.email != user.email.lower():
        raise InvitationError(
            _("This invitation was sent to another email address. Log in as that person to accept it.")
        )
    _apply_invitation(invitation, user)
    return invitation


@transaction.atomic
def invitation_accept_with_signup(*, token: str, full_name: str, password: str) -> User:
    """A new person accepts: their account is created with the invited (thereby verified) address."""
    invitation = invitation_for_token(token, lock=True)
    if User.objects.filter(email__iexact=invitation.email).exists():
        raise InvitationError(_("An account with this email address exists already. Log in to accept."))
    user = User.objects.create_user(
        invitation.email, password, full_name=full_name.strip(), language=invitation.language
    )
    # The invitation reached this address, which proves the person controls it.
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    audit_record(actor=user, action="accounts.user.create", obj=user, after=audit_state(user))
    _apply_invitation(invitation, user)
    return user


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, by: User) -> Invitation:
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.organisation is not None and not can_manage_people(by, invitation.organisation):
        raise PermissionDenied
    if invitation.organisation is None and not by.is_staff:
        raise PermissionDenied
    if invitation.accepted_at is None and invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        audit_record(actor=by, action="accounts.invitation.revoke", obj=invitation)
    return invitation


@transaction.atomic
def organisation_role_revoke(*, role: OrganisationRole, by: User) -> None:
    """Remove one role; an organisation never loses its last admin this way."""
    role = OrganisationRole.objects.select_for_update().select_related("organisation", "user").get(pk=role.pk)
    if not can_manage_people(by, role.organisation):
        raise PermissionDenied
    if role.role == Role.ADMIN:
        admins = OrganisationRole.objects.select_for_update().filter(organisation=role.organisation, role=Role.ADMIN)
        if admins.count() <= 1:
            raise ValidationError(_("An organisation needs at least one administrator."))
    before = audit_state(role)
    role.delete()
    audit_record(
        actor=by,
        action="accounts.role.revoke",
        object_type="members.organisationrole",
        object_id=before["id"],
        object_label=f"{role.user.email} / {role.organisation} / {role.role}",
        before=before,
    )


@transaction.atomic
def organisation_role_grant(*, user: User, organisation: Organisation, role: str, by: User | None) -> OrganisationRole:
    """Give a role directly (operator staff, and demo data); people otherwise join by invitation."""
    if by is not None and not can_manage_people(by, organisation):
        raise PermissionDenied
    granted, created = OrganisationRole.objects.get_or_create(
        user=user, organisation=organisation, role=role, defaults={"granted_by": by}
    )
    if created:
        audit_record(actor=by, action="accounts.role.grant", obj=granted, after=audit_state(granted))
    return granted


# ---------------------------------------------------------------- login sources: attribute mapping (issue 14)


@transaction.atomic
def login_source_mapping_set(*, login_source: LoginSource, mapping: Any, by: User) -> LoginSource:
    """Store the login source's attribute mapping (members.attribute_mapping checks it).

    Raises ValidationError keyed by MPASSid attribute key; nothing is stored then. Wilma and
    Opinsys sources have fixed mappings and are refused.
    """
    source = LoginSource.objects.select_for_update().get(pk=login_source.pk)
    if source.kind not in MAPPED_KINDS:
        raise ValidationError(_("This kind of login source has a fixed attribute mapping: there is nothing to map."))
    school_codes = set(School.objects.filter(organisation_id=source.organisation_id).values_list("code", flat=True))
    clean, errors = attribute_mapping_clean(mapping, kind=source.kind, school_codes=school_codes)
    if errors:
        raise ValidationError({key: [message] for key, message in errors.items()})
    before = {"attribute_mapping": source.attribute_mapping}
    source.attribute_mapping = clean
    source.save(update_fields=["attribute_mapping"])
    audit_record(actor=by, action="login_source.mapping", obj=source, before=before, after={"attribute_mapping": clean})
    _register_changed(environment=source.environment, reason="login source attribute mapping changed")
    login_source.attribute_mapping = clean
    return source


# ---------------------------------------------------------------- login sources from test to production (issue 14)

# Not carried over to the production copy: its identity, environment, lifecycle and review fields.
_PROMOTION_NOT_COPIED = frozenset({
    "id", "environment", "flow_name", "promoted_from", "approved_at", "approved_by", "created_at",
    "promotion_refused_at", "promotion_refusal_reason",
})  # fmt: skip


ALREADY_PROMOTED_MESSAGE = gettext_lazy(
    "This login source has already been promoted to production, or its promotion waits for review."
)


def login_source_production_refusals(source: LoginSource) -> dict[str, str]:
    """Why `source` cannot be promoted now, by field (empty: it can). The blocking items of its
    production checklist (DESIGN section 2): the membership in force and, for a source whose
    metadata or discovery document is fetched, a check that found it in order."""
    refusals: dict[str, str] = {}
    if source.environment != Environment.TEST:
        refusals["environment"] = _("Only a test-environment login source can be promoted to production.")
    elif LoginSource.objects.filter(promoted_from=source).exists():
        refusals["environment"] = str(ALREADY_PROMOTED_MESSAGE)
    if not membership_in_force(source.organisation_id, HOME_ORGANISATION):
        refusals["organisation"] = _(
            "The membership agreement is not in force, and production needs it. Use the test environment "
            "until both parties have signed the agreement."
        )
    if source.is_checked_remotely and source.metadata_ok is not True:
        field_name = "issuer" if source.kind == LoginSourceKind.OIDC else "metadata_url"
        refusals[field_name] = (
            _("Check the metadata first: production needs metadata that was checked and found in order.")
            if source.metadata_ok is None
            else _("The last metadata check found a problem; correct it and check again: %(problem)s")
            % {"problem": source.metadata_error}
        )
    return refusals


@transaction.atomic
def login_source_promote(*, login_source: LoginSource, by: User | None) -> LoginSource:
    """Ask for a test login source in production (DESIGN section 2, lifecycle): a production copy
    with every setting of the test source (identifiers, URLs, mapping, what the login page shows,
    schools), waiting for staff review (`approved_at` empty, so the proxy does not see it yet).
    The test source stays as it is. Refused, naming the field, by `login_source_production_refusals`.
    """
    source = LoginSource.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=login_source.pk)
    if refusals := login_source_production_refusals(source):
        raise ValidationError(refusals)
    # The copy would list the same schools in production: none may already be listed there.
    excluded = set(source.excluded_schools.values_list("pk", flat=True))
    listed = [school for school in source.schools.all() if school.pk not in excluded]
    in_production = LoginSource(
        organisation_id=source.organisation_id, environment=Environment.PRODUCTION, name=source.name
    )
    if conflicts := login_source_listing_conflicts(login_source=in_production, listed=listed, field="schools"):
        raise ValidationError(conflicts)
    copy = LoginSource(
        **{
            model_field.attname: getattr(source, model_field.attname)
            for model_field in LoginSource._meta.concrete_fields
            if model_field.name not in _PROMOTION_NOT_COPIED
        },
        environment=Environment.PRODUCTION,
        promoted_from=source,
    )
    copy.flow_name = flow_name_for(source.organisation, copy)
    try:
        with transaction.atomic():
            copy.save()
    except IntegrityError as error:  # a concurrent request promoted it first
        raise ValidationError({"environment": ALREADY_PROMOTED_MESSAGE}) from error
    for relation in LoginSource._meta.many_to_many:  # the schools it serves and those not listed
        getattr(copy, relation.name).set(getattr(source, relation.name).all())
    if source.promotion_refused_at is not None:
        source.promotion_refused_at, source.promotion_refusal_reason = None, ""
        source.save(update_fields=["promotion_refused_at", "promotion_refusal_reason"])
    audit_record(
        actor=by, action="login_source.promote", obj=copy,
        after={**audit_state(copy, LOGIN_SOURCE_FIELDS), "promoted_from": source.pk, "flow_name": copy.flow_name},
    )  # fmt: skip
    email_queue_to_users(
        users=User.objects.filter(is_staff=True, is_active=True),
        template="login_source_review_requested",
        context={
            "source_name": copy.name,
            "organisation_name": source.organisation.name_fi,
            "path": reverse("members:login-source-detail", args=[source.organisation_id, copy.pk]),
        },
    )
    return copy


def _pending_login_source(login_source: LoginSource) -> LoginSource:
    source = (
        LoginSource.objects.select_for_update(of=("self",))
        .select_related("organisation", "promoted_from")
        .get(pk=login_source.pk)
    )
    if source.environment != Environment.PRODUCTION or source.is_approved:
        raise ValidationError(_("This login source is no longer waiting for review."))
    return source


def _notify_login_source_decision(*, source: LoginSource, approved: bool, reason: str = "") -> None:
    shown = source if approved else source.promoted_from
    email_queue_to_users(
        users=users_with_role(source.organisation_id, [Role.ADMIN, Role.TECHNICAL]),
        template="login_source_decision",
        context={
            "source_name": source.name,
            "approved": approved,
            "reason": reason,
            "path": reverse("members:login-source-detail", args=[source.organisation_id, shown.pk])
            if shown is not None
            else reverse("members:organisation-detail", args=[source.organisation_id]),
        },
    )


@transaction.atomic
def login_source_approve(*, login_source: LoginSource, by: User) -> LoginSource:
    """Staff approve a production login source waiting for review: from the next build the
    production proxy carries it (while the membership is in force)."""
    source = _pending_login_source(login_source)
    source.approved_at, source.approved_by = timezone.now(), by
    source.save(update_fields=["approved_at", "approved_by"])
    audit_record(
        actor=by, action="login_source.approve", obj=source,
        before={"approved_at": None}, after={"approved_at": source.approved_at.isoformat()},
    )  # fmt: skip
    _notify_login_source_decision(source=source, approved=True)
    _register_changed(environment=source.environment, reason="login source approved")
    return source


@transaction.atomic
def login_source_reject(*, login_source: LoginSource, reason: str, by: User) -> LoginSource:
    """Staff refuse a promotion: the production copy waiting for review is removed (the proxy never
    saw it) and the reason stays on the test source, which the organisation corrects and promotes
    again. Returns the test source."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for refusing, so the organisation can fix it.")})
    source = _pending_login_source(login_source)
    test_source = source.promoted_from
    audit_record(
        actor=by, action="login_source.reject", obj=source,
        before=audit_state(source, LOGIN_SOURCE_FIELDS),
        after={"reason": reason[:2000], "promoted_from": test_source.pk if test_source else None},
    )  # fmt: skip
    _notify_login_source_decision(source=source, approved=False, reason=reason[:2000])
    source.delete()
    if test_source is not None:
        test_source.promotion_refused_at, test_source.promotion_refusal_reason = timezone.now(), reason[:2000]
        test_source.save(update_fields=["promotion_refused_at", "promotion_refusal_reason"])
    return test_source or source


def _test_default_service_allow(*, organisation: Organisation, by: User | None) -> None:
    """A new test login source can be tried at once: when the organisation limits its users to an
    allow-list, the operator's default test service (TRUSTNET_TEST_DEFAULT_SERVICE, a client_id or
    entityID) joins the list. An empty list already allows every service."""
    key = settings.TRUSTNET_TEST_DEFAULT_SERVICE.strip()
    if not key:
        return
    allowed = list(organisation.allowed_services.all())
    if not allowed:
        return
    service = (
        Service.objects.filter(environment=Environment.TEST)
        .filter(Q(client_id=key) | Q(entity_id=key))
        .order_by("id")
        .first()
    )
    if service is None or service in allowed:
        return
    allowed_services_set(organisation=organisation, by=by, services=[*allowed, service])


# ---------------------------------------------------------------- login sources: what the login page shows (issue 14)

LOGIN_PAGE_TEXT_FIELDS = ("display_name_fi", "display_name_sv", "display_name_en", "title_fi", "title_sv", "title_en")
LOGIN_PAGE_AUDIT_FIELDS = (*LOGIN_PAGE_TEXT_FIELDS, "logo")


def login_source_listing_conflicts(
    *, login_source: LoginSource, listed: Iterable[School], field: str
) -> dict[str, str]:
    """A school listed (served and not excluded) under two production login sources of the same
    organisation is a conflict to resolve (DESIGN section 2): {field: message naming both sources},
    or {} when `listed` (what `login_source` would list) conflicts with no other source."""
    if login_source.environment != Environment.PRODUCTION:
        return {}
    listed_ids = {school.pk: school for school in listed}
    if not listed_ids:
        return {}
    others = (
        LoginSource.objects.filter(organisation_id=login_source.organisation_id, environment=Environment.PRODUCTION)
        .exclude(pk=login_source.pk)
        .prefetch_related("schools", "excluded_schools")
        .order_by("name", "pk")
    )
    problems = []
    for other in others:
        excluded = {school.pk for school in other.excluded_schools.all()}
        for school in other.schools.all():
            if school.pk in listed_ids and school.pk not in excluded:
                problems.append(
                    _(
                        "%(school)s would be listed under both %(this)s and %(other)s on the production login "
                        "page: leave it off one of them."
                    )
                    % {"school": school.name, "this": login_source.name, "other": other.name}
                )
    return {field: " ".join(problems)} if problems else {}


def _login_page_state(login_source: LoginSource) -> dict[str, Any]:
    return {
        **audit_state(login_source, LOGIN_PAGE_AUDIT_FIELDS),
        "excluded_schools": sorted(login_source.excluded_schools.values_list("code", flat=True)),
    }


@transaction.atomic
def login_source_login_page_save(
    *,
    login_source: LoginSource,
    data: Mapping[str, Any],
    logo: Any = None,
    remove_logo: bool = False,
    by: User | None,
) -> LoginSource:
    """Set what the MPASSid login page shows for a login source: display names and titles (fi, sv,
    en), the logo (checked by members/logos.py; `logo` is an uploaded file or bytes) and the schools
    left off its list (`data["excluded_schools"]`, of those it serves). All or nothing: on any error
    nothing is stored and the old logo stays. The proxy sees it in discovery.json."""
    from members.logos import logo_check, max_logo_bytes

    login_source = LoginSource.objects.select_for_update().get(pk=login_source.pk)
    before = _login_page_state(login_source)
    errors: dict[str, str] = {}
    for name in LOGIN_PAGE_TEXT_FIELDS:
        value = str(data.get(name, getattr(login_source, name)) or "").strip()
        if has_control_character(value):
            errors[name] = _("The value contains a character that is not allowed (a control character).")
        elif len(value) > 200:
            errors[name] = _("At most 200 characters.")
        setattr(login_source, name, value)
    served = {school.pk: school for school in login_source.schools.all()}
    excluded = list(data.get("excluded_schools", login_source.excluded_schools.all()))
    if any(school.pk not in served for school in excluded):
        errors["excluded_schools"] = _("Only schools the login source serves can be left off its list.")
    else:
        errors.update(
            login_source_listing_conflicts(
                login_source=login_source,
                listed=[school for pk, school in served.items() if pk not in {s.pk for s in excluded}],
                field="excluded_schools",
            )
        )
    checked = None
    if logo is not None:
        content = logo if isinstance(logo, bytes) else _read_capped(logo, max_logo_bytes())
        try:
            checked = logo_check(content)
        except ValidationError as error:
            errors.update({name: messages[0] for name, messages in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    if checked is not None:
        # Content-derived name: an unchanged logo is not stored twice. Earlier files stay, since a
        # published snapshot (or one staff roll back to) may still point at them.
        if not default_storage.exists(checked.storage_name):
            default_storage.save(checked.storage_name, ContentFile(checked.content))
        login_source.logo.name = checked.storage_name
    elif remove_logo:
        login_source.logo.name = ""
    login_source.save(update_fields=[*LOGIN_PAGE_TEXT_FIELDS, "logo"])
    login_source.excluded_schools.set(excluded)
    after = _login_page_state(login_source)
    if after != before:
        audit_record(actor=by, action="login_source.login_page", obj=login_source, before=before, after=after)
        _register_changed(environment=login_source.environment, reason="login source's login page changed")
    return login_source


def _read_capped(upload: Any, limit: int) -> bytes:
    """An upload's bytes, reading at most one byte over `limit` (so an oversized file is refused
    by its real size without being read whole)."""
    if hasattr(upload, "seek"):
        upload.seek(0)
    return upload.read(limit + 1)
