"""What the national organisation register would change in trustnet: a plain diff, no database.

The register is the source of truth for education providers, schools and offices (DESIGN
section 2), but nothing is overwritten without staff confirming it. So the sync is two steps:
this module compares what the register says (members.organisation_register) with what trustnet
holds (the Local* dataclasses, read by members.organisation_sync) and describes the difference;
the confirm step applies exactly that description, and only if it is still the same.

Rules:
- A school is matched by OID, else by its code (entered by hand before it had an OID, or with a
  wrong one): it then takes the register's OID.
- A school that is closed upstream is marked closed, never deleted: a login source may still
  serve it, and its history (audit, login page) must stay readable.
- A school the register places under this organisation that trustnet has under another one is
  *moved*, never duplicated (codes and OIDs are unique).
- Planned schools (SUUNNITELTU) are not added until they open; offices that belong to no school
  are ignored (MPASSid's offices are a school's).
- The register's lack of a value (no business ID, no municipality) is not a change.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

from members.organisation_register import Names, RegisterOrganisation, RegisterSchool


@dataclass(frozen=True)
class LocalOffice:
    oid: str
    name: str
    closed: bool


@dataclass(frozen=True)
class LocalSchool:
    code: str
    oid: str
    name: str
    closed: bool
    organisation_id: int
    organisation_name: str
    offices: tuple[LocalOffice, ...] = ()


@dataclass(frozen=True)
class LocalOrganisation:
    pk: int
    oid: str
    names: Names
    business_id: str
    municipality_codes: tuple[str, ...]
    schools: tuple[LocalSchool, ...] = ()


@dataclass(frozen=True)
class FieldChange:
    field: str  # name_fi, name_sv, name_en, business_id, municipality_code
    before: str
    after: str


@dataclass(frozen=True)
class SchoolChange:
    code: str
    oid: str
    name: str  # the register's name (the new name when renamed)
    before: str = ""  # renamed: the old name; moved: the organisation it leaves
    school_type_uri: str = ""


@dataclass(frozen=True)
class OfficeChange:
    school_code: str
    oid: str
    name: str
    before: str = ""


@dataclass(frozen=True)
class SyncPreview:
    organisation_oid: str
    organisation: tuple[FieldChange, ...] = ()
    new_schools: tuple[SchoolChange, ...] = ()
    renamed_schools: tuple[SchoolChange, ...] = ()
    linked_schools: tuple[SchoolChange, ...] = ()  # matched by code, takes the register's OID
    closed_schools: tuple[SchoolChange, ...] = ()
    reopened_schools: tuple[SchoolChange, ...] = ()
    moved_schools: tuple[SchoolChange, ...] = ()
    new_offices: tuple[OfficeChange, ...] = ()
    renamed_offices: tuple[OfficeChange, ...] = ()
    closed_offices: tuple[OfficeChange, ...] = ()
    fingerprint: str = field(default="", compare=False)

    @property
    def is_empty(self) -> bool:
        return not any(getattr(self, name) for name in CHANGE_LISTS)

    def with_fingerprint(self) -> SyncPreview:
        """The same preview carrying a hash of its content: confirming posts it back, and the apply
        step recomputes the preview and refuses if the hash differs (upstream or trustnet changed)."""
        content = {name: value for name, value in asdict(self).items() if name != "fingerprint"}
        digest = hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
        return SyncPreview(**{**{name: getattr(self, name) for name in content}, "fingerprint": digest})


CHANGE_LISTS = (
    "organisation", "new_schools", "renamed_schools", "linked_schools", "closed_schools", "reopened_schools",
    "moved_schools", "new_offices", "renamed_offices", "closed_offices",
)  # fmt: skip


def _school_change(school: RegisterSchool, before: str = "") -> SchoolChange:
    return SchoolChange(
        code=school.code, oid=school.oid, name=school.names.primary, before=before,
        school_type_uri=school.school_type_uri,
    )  # fmt: skip


def preview_compute(
    *, upstream: RegisterOrganisation, local: LocalOrganisation, elsewhere: Mapping[str, LocalSchool]
) -> SyncPreview:
    """The changes that would bring `local` in line with `upstream`.

    `elsewhere` holds trustnet's schools of other organisations, keyed by both OID and code, so a
    school the register has moved here is recognised.
    """
    organisation: list[FieldChange] = []
    for language in ("fi", "sv", "en"):
        after, before = getattr(upstream.names, language), getattr(local.names, language)
        if after and after != before:
            organisation.append(FieldChange(field=f"name_{language}", before=before, after=after))
    if upstream.business_id and upstream.business_id != local.business_id:
        organisation.append(FieldChange(field="business_id", before=local.business_id, after=upstream.business_id))
    if upstream.municipality_code and upstream.municipality_code not in local.municipality_codes:
        organisation.append(
            FieldChange(
                field="municipality_code", before=", ".join(local.municipality_codes), after=upstream.municipality_code
            )
        )

    by_oid = {school.oid: school for school in local.schools if school.oid}
    by_code = {school.code: school for school in local.schools}
    new, renamed, linked, closed, reopened, moved = [], [], [], [], [], []
    new_offices, renamed_offices, closed_offices = [], [], []
    for school in upstream.schools:
        mine = by_oid.get(school.oid) or by_code.get(school.code)
        if mine is None:
            other = elsewhere.get(school.oid) or elsewhere.get(school.code)
            if other is not None:
                # A school closed upstream stays where it is: its own organisation's sync closes it.
                if school.active:
                    moved.append(_school_change(school, before=other.organisation_name))
                continue
            if school.active:
                new.append(_school_change(school))
                new_offices.extend(
                    OfficeChange(school_code=school.code, oid=o.oid, name=o.names.primary)
                    for o in school.offices
                    if o.active
                )
            continue
        if mine.oid != school.oid:
            linked.append(_school_change(school, before=mine.oid))
        if school.names.primary != mine.name:
            renamed.append(_school_change(school, before=mine.name))
        if not school.active and not school.planned and not mine.closed:
            closed.append(_school_change(school))
        elif school.active and mine.closed:
            reopened.append(_school_change(school))
        my_offices = {office.oid: office for office in mine.offices}
        for office in school.offices:
            existing = my_offices.get(office.oid)
            change = OfficeChange(school_code=school.code, oid=office.oid, name=office.names.primary)
            if existing is None:
                if office.active:
                    new_offices.append(change)
                continue
            if office.names.primary != existing.name:
                renamed_offices.append(
                    OfficeChange(school_code=school.code, oid=office.oid, name=change.name, before=existing.name)
                )
            if not office.active and not existing.closed:
                closed_offices.append(change)
    return SyncPreview(
        organisation_oid=upstream.oid,
        organisation=tuple(organisation),
        new_schools=tuple(new),
        renamed_schools=tuple(renamed),
        linked_schools=tuple(linked),
        closed_schools=tuple(closed),
        reopened_schools=tuple(reopened),
        moved_schools=tuple(moved),
        new_offices=tuple(new_offices),
        renamed_offices=tuple(renamed_offices),
        closed_offices=tuple(closed_offices),
    ).with_fingerprint()
