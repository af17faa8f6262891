"""Client for Opetushallitus' Organisaatiopalvelu, the national organisation register (DESIGN
section 2), and the parser that turns its answers into plain dataclasses.

No database access here: the register is read, validated and described; what trustnet does with
it (preview, confirm) lives in members/organisation_sync.py. Every answer is checked field by
field, because a register that answers garbage must change nothing: anything missing or of the
wrong shape raises RegisterError with a message naming the organisation and the field.

Shapes (organisaatio-service v4, `/api/…`):
- `GET /api/{oid}` → OrganisaatioRDTOV4: `oid`, `nimi` {fi, sv, en}, `ytunnus`, `kotipaikkaUri`
  (`kunta_091`), `tyypit` (`organisaatiotyyppi_01` koulutustoimija, `_02` oppilaitos, `_03`
  toimipiste), `oppilaitosKoodi`, `oppilaitosTyyppiUri`, `status`, `lakkautusPvm` ("YYYY-MM-DD"),
  `parentOid`.
- `GET /api/{oid}/jalkelaiset` → OrganisaatioHakutulosV4: `numHits` and `organisaatiot`, a tree of
  OrganisaatioPerustietoV4 (same names, but `oppilaitostyyppi` and dates in epoch milliseconds)
  whose `children` nest.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from members.business_id import normalise_business_id, validate_business_id

TYPE_EDUCATION_PROVIDER = "organisaatiotyyppi_01"  # koulutustoimija
TYPE_SCHOOL = "organisaatiotyyppi_02"  # oppilaitos
TYPE_OFFICE = "organisaatiotyyppi_03"  # toimipiste

STATUS_ACTIVE = "AKTIIVINEN"
STATUS_PASSIVE = "PASSIIVINEN"
STATUS_PLANNED = "SUUNNITELTU"
STATUSES = frozenset({STATUS_ACTIVE, STATUS_PASSIVE, STATUS_PLANNED})

# Any OID (the register's test data uses short ones); what a stored OID must look like is the
# model's business.
_OID = re.compile(r"[0-2](\.(0|[1-9][0-9]*))+", re.ASCII)
_SCHOOL_CODE = re.compile(r"[0-9]{5}", re.ASCII)
_MUNICIPALITY_URI = re.compile(r"kunta_([0-9]{3})(#[0-9]+)?", re.ASCII)
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
# A municipality's whole tree is a few megabytes; anything far larger is not an answer we want.
MAX_RESPONSE_BYTES = 32 * 1024 * 1024
LANGUAGES = ("fi", "sv", "en")


class RegisterError(Exception):
    """The register could not be reached or gave an answer trustnet cannot use; nothing changed."""


@dataclass(frozen=True)
class Names:
    fi: str = ""
    sv: str = ""
    en: str = ""

    @property
    def primary(self) -> str:
        """The Finnish name, else the Swedish, else the English (the register requires one)."""
        return self.fi or self.sv or self.en


@dataclass(frozen=True)
class RegisterUnit:
    """One organisation of the register as read: an education provider, school or office."""

    oid: str
    names: Names
    types: frozenset[str]
    status: str
    parent_oid: str = ""
    business_id: str = ""
    municipality_code: str = ""
    school_code: str = ""
    school_type_uri: str = ""
    closed_on: dt.date | None = None
    children: tuple[RegisterUnit, ...] = ()

    def is_active(self, *, today: dt.date) -> bool:
        """Active and not past its closing date (a planned unit is not active yet)."""
        if self.status != STATUS_ACTIVE:
            return False
        return self.closed_on is None or self.closed_on > today


@dataclass(frozen=True)
class RegisterOffice:
    oid: str
    names: Names
    active: bool
    school_oid: str


@dataclass(frozen=True)
class RegisterSchool:
    oid: str
    code: str
    names: Names
    school_type_uri: str
    active: bool
    planned: bool
    offices: tuple[RegisterOffice, ...] = ()


@dataclass(frozen=True)
class RegisterOrganisation:
    """An education provider with its schools and their offices, as the register has them."""

    oid: str
    names: Names
    business_id: str
    municipality_code: str
    active: bool
    schools: tuple[RegisterSchool, ...] = field(default=())


# ---------------------------------------------------------------- parsing


def _where(oid: str | None) -> str:
    return _("the organisation %(oid)s") % {"oid": oid} if oid else _("an organisation")


def _garbled(oid: str | None, field_name: str, problem: str) -> RegisterError:
    return RegisterError(
        _("The organisation register's answer for %(where)s has a bad field “%(field)s”: %(problem)s")
        % {"where": _where(oid), "field": field_name, "problem": problem}
    )


def _optional_str(data: Mapping[str, Any], key: str, oid: str | None) -> str:
    value = data.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _garbled(oid, key, _("not text"))
    return value.strip()


def _date(value: Any, oid: str | None, key: str) -> dt.date | None:
    # /api/{oid} writes dates as "YYYY-MM-DD", the search results (jalkelaiset) as epoch ms.
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise _garbled(oid, key, _("not a date"))
    if isinstance(value, int | float):
        try:
            return dt.datetime.fromtimestamp(value / 1000, tz=dt.UTC).date()
        except (OverflowError, OSError, ValueError):
            raise _garbled(oid, key, _("not a date")) from None
    if isinstance(value, str) and _DATE.match(value):
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            pass
    raise _garbled(oid, key, _("not a date"))


def parse_unit(data: Any, *, nested: bool = True) -> RegisterUnit:
    """One organisation object (either shape) and, when `nested`, its `children`."""
    if not isinstance(data, dict):
        raise RegisterError(_("The organisation register answered with something other than an organisation."))
    oid = data.get("oid")
    if not isinstance(oid, str) or not _OID.fullmatch(oid):
        raise _garbled(None, "oid", _("missing or not an OID"))
    raw_names = data.get("nimi")
    if not isinstance(raw_names, dict) or not all(isinstance(v, str) for v in raw_names.values()):
        raise _garbled(oid, "nimi", _("missing or not names by language"))
    names = Names(**{language: raw_names.get(language, "").strip() for language in LANGUAGES})
    if not names.primary:
        raise _garbled(oid, "nimi", _("no name in Finnish, Swedish or English"))
    # The single organisation calls them `tyypit`; the search result also `organisaatiotyypit`.
    raw_types = data.get("tyypit", data.get("organisaatiotyypit"))
    if not isinstance(raw_types, list) or not all(isinstance(t, str) for t in raw_types):
        raise _garbled(oid, "tyypit", _("missing or not a list of types"))
    status = data.get("status")
    if status not in STATUSES:
        raise _garbled(oid, "status", _("missing or not one of AKTIIVINEN, PASSIIVINEN, SUUNNITELTU"))
    business_id = _optional_str(data, "ytunnus", oid)
    if business_id:
        try:
            validate_business_id(business_id)
        except ValidationError:
            raise _garbled(oid, "ytunnus", _("not a valid business ID")) from None
        business_id = normalise_business_id(business_id)
    municipality = _optional_str(data, "kotipaikkaUri", oid)
    municipality_code = ""
    if municipality:
        match = _MUNICIPALITY_URI.fullmatch(municipality)
        if not match:
            raise _garbled(oid, "kotipaikkaUri", _("not a municipality (kunta_NNN)"))
        municipality_code = match.group(1)
    school_code = _optional_str(data, "oppilaitosKoodi", oid)
    if school_code and not _SCHOOL_CODE.fullmatch(school_code):
        raise _garbled(oid, "oppilaitosKoodi", _("not five digits"))
    school_type_uri = _optional_str(data, "oppilaitosTyyppiUri", oid) or _optional_str(data, "oppilaitostyyppi", oid)
    children: tuple[RegisterUnit, ...] = ()
    if nested:
        raw_children = data.get("children", [])
        if not isinstance(raw_children, list):
            raise _garbled(oid, "children", _("not a list"))
        children = tuple(parse_unit(child) for child in raw_children)
    return RegisterUnit(
        oid=oid,
        names=names,
        types=frozenset(raw_types),
        status=status,
        parent_oid=_optional_str(data, "parentOid", oid),
        business_id=business_id,
        municipality_code=municipality_code,
        school_code=school_code,
        school_type_uri=school_type_uri.split("#")[0],
        closed_on=_date(data.get("lakkautusPvm"), oid, "lakkautusPvm"),
        children=children,
    )


def parse_descendants(data: Any, *, oid: str) -> tuple[RegisterUnit, ...]:
    """The `jalkelaiset` answer: its top-level units (the organisation's children), nested."""
    if not isinstance(data, dict) or not isinstance(data.get("organisaatiot"), list):
        raise _garbled(oid, "organisaatiot", _("missing or not a list"))
    return tuple(parse_unit(unit) for unit in data["organisaatiot"])


def _walk(units: tuple[RegisterUnit, ...]) -> Iterator[RegisterUnit]:
    for unit in units:
        yield unit
        yield from _walk(unit.children)


def home_organisation_from(
    organisation: RegisterUnit, descendants: tuple[RegisterUnit, ...], *, today: dt.date
) -> RegisterOrganisation:
    """The education provider with its schools (units of type oppilaitos with a school code) and
    each school's offices (toimipiste units below it). Offices directly under the provider belong
    to no school and are not MPASSid's business."""
    if TYPE_EDUCATION_PROVIDER not in organisation.types:
        raise RegisterError(
            _("The organisation register does not list %(oid)s as an education provider (koulutustoimija).")
            % {"oid": organisation.oid}
        )
    schools: list[RegisterSchool] = []
    seen: set[str] = set()

    def offices_below(unit: RegisterUnit, school_oid: str) -> Iterator[RegisterOffice]:
        for child in _walk(unit.children):
            if TYPE_OFFICE in child.types and TYPE_SCHOOL not in child.types:
                yield RegisterOffice(
                    oid=child.oid, names=child.names, active=child.is_active(today=today), school_oid=school_oid
                )

    for unit in _walk(descendants):
        if unit.oid in seen:
            raise _garbled(unit.oid, "oid", _("the same organisation appears twice"))
        seen.add(unit.oid)
    for unit in _walk(descendants):
        if TYPE_SCHOOL in unit.types and unit.school_code:
            schools.append(
                RegisterSchool(
                    oid=unit.oid,
                    code=unit.school_code,
                    names=unit.names,
                    school_type_uri=unit.school_type_uri,
                    active=unit.is_active(today=today),
                    planned=unit.status == STATUS_PLANNED,
                    offices=tuple(offices_below(unit, unit.oid)),
                )
            )
    codes = [school.code for school in schools]
    duplicate = next((code for code in codes if codes.count(code) > 1), None)
    if duplicate:
        raise _garbled(
            organisation.oid, "oppilaitosKoodi", _("two schools have the code %(code)s") % {"code": duplicate}
        )
    return RegisterOrganisation(
        oid=organisation.oid,
        names=organisation.names,
        business_id=organisation.business_id,
        municipality_code=organisation.municipality_code,
        active=organisation.is_active(today=today),
        schools=tuple(sorted(schools, key=lambda school: school.code)),
    )


# ---------------------------------------------------------------- HTTP


class OrganisationRegisterClient:
    """Reads the register over HTTP with a timeout, retrying connection errors and 5xx answers."""

    def __init__(
        self,
        *,
        base_url: str | None = None,
        caller_id: str | None = None,
        timeout: float | None = None,
        retries: int | None = None,
        retry_pause: float = 0.2,
    ) -> None:
        self.base_url = (base_url or settings.ORGANISATION_REGISTER_URL).rstrip("/")
        self.caller_id = caller_id or settings.ORGANISATION_REGISTER_CALLER_ID
        self.timeout = settings.ORGANISATION_REGISTER_TIMEOUT if timeout is None else timeout
        self.retries = settings.ORGANISATION_REGISTER_RETRIES if retries is None else retries
        self.retry_pause = retry_pause

    def _get(self, path: str, *, oid: str) -> Any:
        url = f"{self.base_url}/api/{path}"
        headers = {"Caller-Id": self.caller_id, "Accept": "application/json"}
        problem = ""
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(self.retry_pause * attempt)
            try:
                with (
                    httpx.Client(timeout=self.timeout, follow_redirects=False) as client,
                    client.stream("GET", url, headers=headers) as response,
                ):
                    if response.status_code >= 500:
                        problem = _("it answered with an error (HTTP %(status)s)") % {"status": response.status_code}
                        continue
                    if response.status_code == 404:
                        raise RegisterError(
                            _("The organisation register has no organisation with the OID %(oid)s.") % {"oid": oid}
                        )
                    if response.status_code != 200:
                        raise RegisterError(
                            _("The organisation register refused the request (HTTP %(status)s).")
                            % {"status": response.status_code}
                        )
                    body = bytearray()
                    for chunk in response.iter_bytes():
                        body += chunk
                        if len(body) > MAX_RESPONSE_BYTES:
                            raise RegisterError(_("The organisation register's answer is too large."))
            except httpx.TimeoutException:
                # Not retried: a slow register would only make the wait longer.
                raise RegisterError(
                    _("The organisation register did not answer within %(seconds)s seconds.")
                    % {"seconds": f"{self.timeout:g}"}
                ) from None
            except httpx.TransportError:
                problem = _("it could not be reached")
                continue
            try:
                return json.loads(bytes(body))
            except (ValueError, UnicodeDecodeError):
                raise RegisterError(
                    _("The organisation register's answer for %(where)s is not valid JSON.") % {"where": _where(oid)}
                ) from None
        raise RegisterError(
            _("The organisation register is not available: %(problem)s. Try again later.") % {"problem": problem}
        )

    def organisation(self, oid: str) -> RegisterUnit:
        """`GET /api/{oid}`: one organisation, without its children."""
        unit = parse_unit(self._get(oid, oid=oid), nested=False)
        if unit.oid != oid:
            raise _garbled(oid, "oid", _("the register answered about another organisation"))
        return unit

    def descendants(self, oid: str) -> tuple[RegisterUnit, ...]:
        """`GET /api/{oid}/jalkelaiset`: every organisation below, as a tree."""
        return parse_descendants(self._get(f"{oid}/jalkelaiset", oid=oid), oid=oid)

    def home_organisation(self, oid: str, *, today: dt.date | None = None) -> RegisterOrganisation:
        """An education provider with its schools and offices."""
        if not _OID.fullmatch(oid or ""):
            raise RegisterError(_("“%(oid)s” is not an OID.") % {"oid": oid})
        today = today or dt.date.today()
        return home_organisation_from(self.organisation(oid), self.descendants(oid), today=today)
