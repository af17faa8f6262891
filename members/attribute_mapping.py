"""A login source's attribute mapping: which of the source's attributes or claims carry each MPASSid
attribute, or the one static value it has for every user (DESIGN section 2, "Login source").

Pure rules, no database access: the service (members.services.login_source_mapping_set), the page,
the API and the proxy's config.json read the mapping through these functions. Which attributes are
mapped, and which are mandatory, is data in members.attributes.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from members.attributes import (
    ATTRIBUTES,
    MANDATORY_MAPPED_KEYS,
    MAPPED_ATTRIBUTE_KEYS,
    OID_RE,
    SCHOOL_CODE_RE,
    STATIC_VALUE_KEYS,
    Attribute,
    role_by_name,
    validate_role_value,
)
from members.models import MAPPED_KINDS, LoginSourceKind

# An entry is {"source": "<the source's attribute or claim name>"} or {"value": "<static value>"}.
SOURCE = "source"
VALUE = "value"
MAX_SOURCE_NAME_LENGTH = 256
MAX_STATIC_VALUE_LENGTH = 300

# The forms an attribute or claim name takes: a simple name (an LDAP attribute, an OIDC claim, a
# Google Workspace SAML attribute), an OID (bare or urn:oid:), a URN, or an http(s) URI (the
# claim types of Entra ID and ADFS). Printable ASCII only: what staff read is what the proxy matches.
_SIMPLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.:-]*", re.ASCII)
# A dot in the namespace is not RFC 8141's, but the data model's own names use one (urn:mpass.id:).
_URN = re.compile(r"urn:[A-Za-z0-9][A-Za-z0-9.-]{0,31}:[!-~]+", re.ASCII | re.IGNORECASE)
_HTTP_URI = re.compile(r"https?://[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?(/[!-~]*)?", re.ASCII)
_CHARGE = re.compile(r"([01]);(.+)", re.ASCII)
_CLASS_LEVEL = re.compile(r"[0-9]{1,2}", re.ASCII)

# Wilma and Opinsys are connected by the proxy's own connectors, which deliver the data model's
# attributes under the data model's own names; the organisation maps nothing (DESIGN section 2).
FIXED_MAPPINGS: dict[str, dict[str, dict[str, str]]] = {
    kind: {key: {SOURCE: ATTRIBUTES[key].saml_name} for key in MAPPED_ATTRIBUTE_KEYS}
    for kind in (LoginSourceKind.WILMA, LoginSourceKind.OPINSYS)
}

# Names these kinds of source commonly send, offered as hints on the mapping page (never applied
# by themselves: each organisation configures its own claims).
_XMLSOAP = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/"
_MICROSOFT = "http://schemas.microsoft.com/ws/2008/06/identity/claims/"
CLAIM_SUGGESTIONS: dict[str, dict[str, tuple[str, ...]]] = {
    LoginSourceKind.ENTRA: {
        # Entra ID puts claims it is told to add under this namespace unless told otherwise.
        "learnerId": (f"{_XMLSOAP}employeeid",),
        "givenName": (f"{_XMLSOAP}givenname",),
        "surname": (f"{_XMLSOAP}surname",),
        "role": (f"{_MICROSOFT}role",),
        "class": (f"{_MICROSOFT}groups",),
        "schoolCode": (f"{_XMLSOAP}department", f"{_XMLSOAP}companyname"),
        "classLevel": (f"{_XMLSOAP}jobtitle",),
    },
    LoginSourceKind.ADFS: {
        "learnerId": (f"{_XMLSOAP}employeeid",),
        "givenName": (f"{_XMLSOAP}givenname",),
        "surname": (f"{_XMLSOAP}surname",),
        "role": (f"{_MICROSOFT}role",),
        "class": ("http://schemas.xmlsoap.org/claims/Group",),
        "schoolCode": (f"{_XMLSOAP}department",),
    },
    LoginSourceKind.GOOGLE: {
        "learnerId": ("employeeId",),
        "givenName": ("firstName",),
        "surname": ("lastName",),
        "role": ("employeeType", "title"),
        "class": ("groups",),
        "schoolCode": ("costCenter", "department"),
        "classLevel": ("classLevel",),
    },
    LoginSourceKind.SAML: {
        "givenName": ("urn:oid:2.5.4.42",),
        "surname": ("urn:oid:2.5.4.4",),
        "role": ("urn:oid:1.3.6.1.4.1.5923.1.1.1.1",),
        "schoolCode": ("urn:oid:2.5.4.11",),
    },
    LoginSourceKind.OIDC: {
        "givenName": ("given_name",),
        "surname": ("family_name",),
        "nickname": ("nickname",),
        "role": ("roles",),
        "class": ("groups",),
    },
}


# What a static value looks like, shown beside the field.
STATIC_VALUE_EXAMPLES: dict[str, str] = {
    "schoolCode": "12345",
    "role": "Opettaja",
    "classLevel": "7",
    "learningMaterialsCharge": "0;12345",
}


class HasMapping(Protocol):
    kind: str
    attribute_mapping: Any


def source_name_problem(name: str) -> str | None:
    """Why `name` is not a plausible attribute or claim name, or None."""
    if len(name) > MAX_SOURCE_NAME_LENGTH:
        return _("The name is longer than %(limit)s characters.") % {"limit": MAX_SOURCE_NAME_LENGTH}
    if not all("!" <= character <= "~" for character in name):
        return _("The name may only hold letters a–z, digits and punctuation: no spaces or other characters.")
    if name.lower().startswith(("https://", "http://")):
        return None if _HTTP_URI.fullmatch(name) else _("The name is not a valid http(s) URI.")
    if name[:4].lower() == "urn:":
        return None if _URN.fullmatch(name) else _("The name is not a valid URN (urn:<namespace>:<name>).")
    if name[:1].isdigit():
        return None if OID_RE.fullmatch(name) else _("A name starting with a digit must be an OID, e.g. 2.5.4.42.")
    if _SIMPLE_NAME.fullmatch(name):
        return None
    return _("Give an attribute or claim name: a simple name (e.g. given_name), an OID, a URN or a URI.")


def _school_problem(code: str, school_codes: Collection[str]) -> str | None:
    if not SCHOOL_CODE_RE.fullmatch(code):
        return _("The school code “%(value)s” must be exactly five digits 0–9.") % {"value": code[:20]}
    if code not in school_codes:
        return _("%(code)s is not the code of one of the organisation's schools.") % {"code": code}
    return None


def static_value_problem(key: str, value: str, *, school_codes: Collection[str]) -> str | None:
    """Why `value` cannot be attribute `key`'s static value, or None."""
    if key not in STATIC_VALUE_KEYS:
        return _("This attribute differs from user to user: name the source's attribute that carries it.")
    if len(value) > MAX_STATIC_VALUE_LENGTH:
        return _("The value is longer than %(limit)s characters.") % {"limit": MAX_STATIC_VALUE_LENGTH}
    if any(not character.isprintable() for character in value):
        return _("The value contains a control character or line break.")
    if key == "schoolCode":
        return _school_problem(value, school_codes)
    if key == "classLevel":
        if not _CLASS_LEVEL.fullmatch(value) or not 0 <= int(value) <= 10:
            return _("A class level is a whole number from 0 to 10.")
        return None
    if key == "learningMaterialsCharge":
        match = _CHARGE.fullmatch(value)
        if match is None:
            return _("Give 0 (free) or 1 (paid), a semicolon and the school code or school OID, e.g. 0;12345.")
        school = match.group(2)
        if OID_RE.fullmatch(school):
            return None
        return _school_problem(school, school_codes)
    if key == "role":
        if ";" not in value:
            if role_by_name(value) is None:
                return _("Unknown role name “%(value)s”; give a role such as Oppilas, Opettaja or Rehtori.") % {
                    "value": value[:60]
                }
            return None
        try:
            validate_role_value(value)
        except ValidationError as error:
            return error.messages[0]
        school_code = value.split(";")[1].strip()
        return _school_problem(school_code, school_codes) if school_code else None
    return None


def _safe_key(key: Any) -> str:
    """An unknown key as it can be shown and used as an error's key (short, printable)."""
    return ascii(str(key)[:60])[1:-1]


def attribute_mapping_clean(
    raw: Any, *, kind: str, school_codes: Collection[str]
) -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    """Check a mapping as entered and return (the clean mapping, errors by MPASSid attribute key).

    The clean mapping holds only the attributes given, in the catalogue's order, each as
    {"source": name} or {"value": static value}. An error names the problem; `__all__` holds one
    not tied to an attribute. `school_codes` are the codes of the organisation's schools.
    """
    errors: dict[str, str] = {}
    if kind not in MAPPED_KINDS:
        return {}, {"__all__": _("This kind of login source has a fixed attribute mapping.")}
    if not isinstance(raw, Mapping):
        return {}, {"__all__": _("The attribute mapping is an object of MPASSid attribute keys.")}
    given: dict[str, tuple[str, str]] = {}
    for key, entry in raw.items():
        if key not in MAPPED_ATTRIBUTE_KEYS:
            errors[_safe_key(key)] = _("Unknown attribute “%(key)s”: the mapped attributes are %(keys)s.") % {
                "key": _safe_key(key), "keys": ", ".join(MAPPED_ATTRIBUTE_KEYS),
            }  # fmt: skip
            continue
        if entry in (None, ""):
            continue
        if (
            not isinstance(entry, Mapping)
            or not set(entry) <= {SOURCE, VALUE}
            or not all(isinstance(v, str) for v in entry.values())
        ):
            errors[key] = _("Give either the source's attribute name (source) or a static value (value), as text.")
            continue
        source, value = entry.get(SOURCE, "").strip(), entry.get(VALUE, "").strip()
        if source and value:
            errors[key] = _("Give either the source's attribute name or a static value, not both.")
        elif source:
            problem = source_name_problem(source)
            if problem:
                errors[key] = problem
            else:
                given[key] = (SOURCE, source)
        elif value:
            problem = static_value_problem(key, value, school_codes=school_codes)
            if problem:
                errors[key] = problem
            else:
                given[key] = (VALUE, value)
    # One source attribute carrying two MPASSid attributes is a slip (a copied row), never a design.
    by_name: dict[str, list[str]] = {}
    for key, (form, text) in given.items():
        if form == SOURCE:
            by_name.setdefault(text, []).append(key)
    for name, keys in by_name.items():
        for key in keys[1:] if len(keys) > 1 else ():
            first = keys[0]
            message = _("The source attribute “%(name)s” is given for both %(first)s and %(second)s.") % {
                "name": name[:80], "first": ATTRIBUTES[first].label(), "second": ATTRIBUTES[key].label(),
            }  # fmt: skip
            errors.setdefault(first, message)
            errors.setdefault(key, message)
    for key in MAPPED_ATTRIBUTE_KEYS:
        if key in MANDATORY_MAPPED_KEYS and key not in given and key not in errors:
            errors[key] = _("Required: every login source must deliver this attribute.")
    clean = {key: {given[key][0]: given[key][1]} for key in MAPPED_ATTRIBUTE_KEYS if key in given}
    return ({} if errors else clean), errors


def effective_mapping(login_source: HasMapping) -> dict[str, dict[str, str]]:
    """The mapping the proxy uses: the fixed one for Wilma and Opinsys, else the stored one (only
    the mapped attributes, in the catalogue's order)."""
    if login_source.kind in FIXED_MAPPINGS:
        return FIXED_MAPPINGS[login_source.kind]
    stored = login_source.attribute_mapping if isinstance(login_source.attribute_mapping, Mapping) else {}
    return {key: dict(stored[key]) for key in MAPPED_ATTRIBUTE_KEYS if isinstance(stored.get(key), Mapping)}


def mapping_missing_keys(login_source: HasMapping) -> list[str]:
    """The mandatory attributes not yet mapped, in the catalogue's order (for the production checklist)."""
    mapping = effective_mapping(login_source)
    return [key for key in MAPPED_ATTRIBUTE_KEYS if key in MANDATORY_MAPPED_KEYS and key not in mapping]


def is_fixed(kind: str) -> bool:
    return kind in FIXED_MAPPINGS


@dataclass(frozen=True)
class MappingRow:
    """One mapped attribute as the pages show it: where its value comes from (`form` is "source",
    "value" or "" when not mapped) and whether every source must deliver it."""

    attribute: Attribute
    mandatory: bool
    form: str
    text: str

    @property
    def is_missing(self) -> bool:
        return self.mandatory and not self.form


def mapping_rows(login_source: HasMapping) -> list[MappingRow]:
    """Every mapped attribute, in the catalogue's order, with its effective mapping."""
    mapping = effective_mapping(login_source)
    rows = []
    for key in MAPPED_ATTRIBUTE_KEYS:
        entry = mapping.get(key, {})
        form = SOURCE if entry.get(SOURCE) else VALUE if entry.get(VALUE) else ""
        text = entry.get(form, "") if form else ""
        rows.append(MappingRow(ATTRIBUTES[key], key in MANDATORY_MAPPED_KEYS, form, text))
    return rows
