"""The user attributes the proxy may release: the MPASSid data model 1.3 and later (DESIGN section 4).

This module is the only place the table lives. Everything else (forms, the API, the public
register, the proxy's metadata, attribute filter, SATOSA policy and config.json) reads it from here.
Labels are data in three languages (they are names, like a school's); descriptions are English
msgids translated with the rest of the UI.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Attribute:
    key: str  # the register's own key (stored in ServiceVersion.requested_attributes; never renamed)
    saml_name: str  # SAML Attribute Name (NameFormat uri)
    friendly_name: str  # SAML FriendlyName, as service providers' libraries read it
    oidc_claim: str
    multi_valued: bool
    value_formats: tuple[str, ...]  # the forms a value takes ("" where it is free text)
    label_fi: str
    label_sv: str
    label_en: str
    description: Promise
    since: str  # the data model version the attribute came in

    def label(self, language: str | None = None) -> str:
        """The label in `language` ("fi", "sv" or "en"; default the active one), falling back to Finnish."""
        return getattr(self, f"label_{(language or get_language() or 'fi')[:2]}", "") or self.label_fi

    @property
    def current_label(self) -> str:
        """The label in the active language (for templates)."""
        return self.label()

    def short_label(self, language: str | None = None) -> str:
        """A shorter name for narrow places (the data-flow matrix's columns), else the label."""
        shorts = dict(zip(("fi", "sv", "en"), SHORT_LABELS.get(self.key, ("", "", "")), strict=True))
        return shorts.get((language or get_language() or "fi")[:2], "") or self.label(language)

    @property
    def current_short_label(self) -> str:
        return self.short_label()


def _a(key: str, saml: str, friendly: str, claim: str, multi: bool, formats: tuple[str, ...],
       fi: str, sv: str, en: str, description: Promise, since: str) -> Attribute:  # fmt: skip
    return Attribute(key, saml, friendly, claim, multi, formats, fi, sv, en, description, since)


# In the data model's order (DESIGN section 4); the metadata lists a service's attributes in it.
ATTRIBUTES: dict[str, Attribute] = {
    a.key: a
    for a in [
        _a("uid", "urn:mpass.id:uid", "mpassUsername", "sub", False, ("",),
           "Käyttäjätunniste", "Användaridentifierare", "User identifier",
           _("pseudonymous user identifier (changes if the user moves to another user register)"), "1.0"),
        _a("learnerId", "urn:oid:1.3.6.1.4.1.16161.1.1.27", "learnerId", "urn:oid:1.3.6.1.4.1.16161.1.1.27",
           False, ("1.2.246.562.24.…",),
           "Oppijanumero", "Studerandenummer", "Learner number", _("national learner number (OID form)"), "1.1"),
        _a("givenName", "urn:oid:2.5.4.42", "givenName", "given_name", False, ("",),
           "Etunimi", "Förnamn", "Given name", _("given name"), "1.0"),
        _a("nickname", "urn:mpass.id:nickname", "nickname", "nickname", False, ("",),
           "Kutsumanimi", "Tilltalsnamn", "Calling name", _("the name the user is called by"), "1.3"),
        _a("surname", "urn:oid:2.5.4.4", "sn", "family_name", False, ("",),
           "Sukunimi", "Efternamn", "Surname", _("surname"), "1.0"),
        _a("educationProviderId", "urn:mpass.id:educationProviderId", "mpassEducationProviderOid",
           "urn:mpass.id:educationProviderId", True, ("providerOID",),
           "Koulutuksen järjestäjän tunniste", "Utbildningsanordnarens identifierare", "Education provider identifier",
           _("the education provider's identifier in the national organisation register"), "1.3"),
        _a("educationProvider", "urn:mpass.id:educationProvider", "mpassEducationProviderName",
           "urn:mpass.id:educationProvider", True, ("",),
           "Koulutuksen järjestäjän nimi", "Utbildningsanordnarens namn", "Education provider name",
           _("the education provider's name"), "1.3"),
        _a("educationProviderInfo", "urn:mpass.id:educationProviderInfo", "mpassEducationProviderInfo",
           "urn:mpass.id:educationProviderInfo", True, ("providerOID;name",),
           "Koulutuksen järjestäjän tiedot", "Utbildningsanordnarens uppgifter", "Education provider information",
           _("education provider as OID;name"), "1.2"),
        _a("schoolCode", "urn:mpass.id:schoolCode", "mpassSchoolCode", "urn:mpass.id:schoolCode", True,
           ("schoolCode",),
           "Oppilaitoksen tunniste", "Läroanstaltens kod", "School code", _("5-digit school code"), "1.0"),
        _a("school", "urn:mpass.id:school", "school", "urn:mpass.id:school", True, ("",),
           "Oppilaitos", "Läroanstalt", "School", _("school name"), "1.0"),
        _a("schoolInfo", "urn:mpass.id:schoolInfo", "mpassSchoolInfo", "urn:mpass.id:schoolInfo", True,
           ("schoolCode;name", "schoolOID;name"),
           "Oppilaitoksen tiedot", "Läroanstaltens uppgifter", "School information",
           _("school as school code;name and as school OID;name"), "1.2"),
        _a("class", "urn:mpass.id:class", "mpassClass", "urn:mpass.id:class", True, ("",),
           "Luokka", "Klass", "Class", _("class, e.g. 7B"), "1.0"),
        _a("classLevel", "urn:mpass.id:classLevel", "mpassClassLevel", "urn:mpass.id:classLevel", False,
           ("0–10",),
           "Luokka-aste", "Årskurs", "Class level",
           _("class level 0–10 (pre-primary and basic education only)"), "1.0"),
        _a("learningMaterialsCharge", "urn:mpass.id:learningMaterialsCharge", "learningMaterialsCharge",
           "urn:mpass.id:learningMaterialsCharge", True, ("charge;schoolCode", "charge;schoolOID"),
           "Oppimateriaalien maksullisuus", "Avgift för läromedel", "Learning materials charge",
           _("whether the school provides the learning materials free (0) or not (1), per school; upper "
             "secondary education"), "1.3"),
        _a("role", "urn:mpass.id:role", "mpassRole", "urn:mpass.id:role", True,
           ("providerOID;schoolCode;group;role;roleCode;schoolOID;officeOID",),
           "Rooli", "Roll", "Role",
           _("role per school: provider OID, school code, group, role, role code, school OID, office OID"), "1.0"),
        _a("municipalityCode", "urn:mpass.id:municipalityCode", "municipalityCode", "urn:mpass.id:municipalityCode",
           True, ("",),
           "Kuntakoodi", "Kommunkod", "Municipality code",
           _("municipality code (older data model; kept for services that request it)"), "1.0"),
        _a("municipality", "urn:mpass.id:municipality", "municipality", "urn:mpass.id:municipality", True, ("",),
           "Kunta", "Kommun", "Municipality",
           _("municipality name (older data model; kept for services that request it)"), "1.0"),
    ]
}  # fmt: skip

ATTRIBUTE_KEYS: tuple[str, ...] = tuple(ATTRIBUTES)

# Shorter names (fi, sv, en) where the label is long, for a column heading that must stay narrow;
# the full label goes with it as its title. "" keeps the label in that language.
SHORT_LABELS: dict[str, tuple[str, str, str]] = {
    "uid": ("", "Användar-id", "User ID"),
    "educationProviderId": ("Järjestäjän tunniste", "Anordnarens id", "Provider ID"),
    "educationProvider": ("Järjestäjän nimi", "Anordnarens namn", "Provider name"),
    "educationProviderInfo": ("Järjestäjän tiedot", "Anordnarens uppgifter", "Provider information"),
    "schoolCode": ("Oppilaitoskoodi", "Skolkod", ""),
    "schoolInfo": ("Oppilaitostiedot", "Skolans uppgifter", "School information"),
    "learningMaterialsCharge": ("Materiaalimaksu", "Läromedelsavgift", "Materials charge"),
}


def attribute_choices(language: str | None = None) -> list[tuple[str, str]]:
    """(key, label) pairs for forms."""
    return [(a.key, a.label(language)) for a in ATTRIBUTES.values()]


# ---------------------------------------------------------------- the role attribute's value


@dataclass(frozen=True)
class Role:
    """A role of the data model: its numeric code, its names, and other names home organisations send."""

    code: str
    name_fi: str
    name_sv: str
    name_en: str
    aliases: tuple[str, ...] = ()

    def accepted_names(self) -> set[str]:
        return {n.casefold() for n in (self.name_fi, self.name_sv, self.name_en, *self.aliases)}


# The published model's roles and codes (codes delivered to services from model 1.4; names in
# Finnish, Swedish and English accepted since 6/2023). Matching is case-insensitive.
ROLES: tuple[Role, ...] = (
    Role("1", "Oppilas", "Elev", "Pupil", ("Oppija", "Opiskelija", "Inlärare", "Studerande", "Learner", "Student")),
    Role("2", "Opettaja", "Lärare", "Teacher"),
    Role("3", "Hallintohenkilö", "Administrativ personal", "Administrative staff", ("Staff",)),
    Role("4", "Koulusihteeri", "Skolsekreterare", "School secretary"),
    Role("5", "Sijaisopettaja", "Lärarvikarie", "Substitute teacher"),
    Role("6", "Rehtori", "Rektor", "Principal"),
)
ROLE_BY_CODE: dict[str, Role] = {role.code: role for role in ROLES}
ROLE_NAMES: tuple[str, ...] = tuple(role.name_fi for role in ROLES)

ROLE_PARTS: tuple[str, ...] = ("providerOID", "schoolCode", "group", "role", "roleCode", "schoolOID", "officeOID")
# An ISO OID in dotted form, ASCII digits only (re.ASCII: `\d` would take any script's digits).
OID_RE = re.compile(r"[0-2](\.(0|[1-9][0-9]*))+", re.ASCII)
SCHOOL_CODE_RE = re.compile(r"[0-9]{5}", re.ASCII)


def role_by_name(name: str) -> Role | None:
    folded = name.strip().casefold()
    return next((role for role in ROLES if folded in role.accepted_names()), None)


def validate_role_value(value: str) -> None:
    """Check one `urn:mpass.id:role` value (`providerOID;schoolCode;group;role;roleCode;schoolOID;officeOID`).

    Raises ValidationError naming the part that is wrong. The group and the office may be empty;
    the school is given by its code, its OID or both.
    """
    parts = value.split(";")
    if len(parts) != len(ROLE_PARTS):
        raise ValidationError(
            _("A role value has seven parts separated by semicolons (%(format)s); this one has %(count)s."),
            params={"format": ";".join(ROLE_PARTS), "count": len(parts)},
            code="parts",
        )
    provider_oid, school_code, _group, name, code, school_oid, office_oid = (p.strip() for p in parts)
    # One whole sentence per part (a translator cannot inflect a part's name put into a sentence).
    for oid, required, message in (
        (provider_oid, True, _("The education provider OID “%(value)s” is not an OID (digits separated by dots).")),
        (school_oid, False, _("The school OID “%(value)s” is not an OID (digits separated by dots).")),
        (office_oid, False, _("The office OID “%(value)s” is not an OID (digits separated by dots).")),
    ):
        if (oid or required) and not OID_RE.fullmatch(oid):
            raise ValidationError(message, params={"value": oid[:60]}, code="oid")
    if school_code and not SCHOOL_CODE_RE.fullmatch(school_code):
        raise ValidationError(
            _("The school code “%(value)s” must be exactly five digits 0–9."),
            params={"value": school_code[:20]},
            code="school_code",
        )
    if not school_code and not school_oid:
        raise ValidationError(_("A role value names its school by school code, school OID or both."), code="school")
    role = role_by_name(name)
    if role is None:
        raise ValidationError(_("Unknown role name “%(value)s”."), params={"value": name[:60]}, code="role_name")
    if code not in ROLE_BY_CODE:
        raise ValidationError(
            _("Unknown role code “%(value)s”; the codes are %(codes)s."),
            params={"value": code[:20], "codes": ", ".join(ROLE_BY_CODE)},
            code="role_code",
        )
    if ROLE_BY_CODE[code] is not role:
        raise ValidationError(
            _("The role name “%(name)s” and the role code %(code)s do not match."),
            params={"name": name[:60], "code": code},
            code="role_mismatch",
        )


# ---------------------------------------------------------------- a login source's attribute mapping

# The attributes a login source's attribute mapping fills (DESIGN section 2: learner number, roles,
# school codes, groups, class levels, learning-materials charge, nickname and names), in the
# catalogue's order; the proxy derives the others (school names, education provider) from these.
MAPPED_ATTRIBUTE_KEYS: tuple[str, ...] = tuple(
    key for key in ATTRIBUTES
    if key in {"learnerId", "givenName", "nickname", "surname", "schoolCode", "class", "classLevel",
               "learningMaterialsCharge", "role"}
)  # fmt: skip
# What every login source must deliver before it can go to production.
MANDATORY_MAPPED_KEYS: frozenset[str] = frozenset({"givenName", "surname", "schoolCode", "role", "learnerId"})
# Attributes that may be one static value for every user of a source (e.g. the one school code of a
# single-school source); the others differ from user to user, so they come from the source.
STATIC_VALUE_KEYS: frozenset[str] = frozenset({"schoolCode", "role", "classLevel", "learningMaterialsCharge"})
