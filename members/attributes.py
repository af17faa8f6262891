"""The user attributes the proxy may release: MPASSid information model 1.2 (DESIGN section 4).

This module is the only place the table lives. Everything else (forms, the public register,
the proxy's attribute filter and metadata) reads it from here.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Attribute:
    key: str
    saml_name: str
    oidc_claim: str
    multi_valued: bool
    label_fi: str
    label_sv: str
    label_en: str
    description: Promise

    def label(self, language: str) -> str:
        """The label in `language` ("fi", "sv" or "en"), falling back to Finnish."""
        return getattr(self, f"label_{(language or 'fi')[:2]}", "") or self.label_fi


ATTRIBUTES: dict[str, Attribute] = {
    a.key: a
    for a in [
        Attribute("uid", "urn:mpass.id:uid", "sub", False, "Käyttäjätunniste", "Användaridentifierare",
                  "User identifier", _("pseudonymous user identifier")),
        Attribute("learnerId", "urn:oid:1.3.6.1.4.1.16161.1.1.27", "urn:oid:1.3.6.1.4.1.16161.1.1.27", False,
                  "Oppijanumero", "Studerandenummer", "Learner number", _("national learner number (OID form)")),
        Attribute("surname", "urn:oid:2.5.4.4", "family_name", False, "Sukunimi", "Efternamn", "Surname",
                  _("surname")),
        Attribute("givenName", "urn:oid:2.5.4.42", "given_name", False, "Etunimi", "Förnamn", "Given name",
                  _("given name")),
        Attribute("municipalityCode", "urn:mpass.id:municipalityCode", "urn:mpass.id:municipalityCode", False,
                  "Kuntakoodi", "Kommunkod", "Municipality code", _("municipality code")),
        Attribute("municipality", "urn:mpass.id:municipality", "urn:mpass.id:municipality", False,
                  "Kunta", "Kommun", "Municipality", _("municipality name")),
        Attribute("educationProviderInfo", "urn:mpass.id:educationProviderInfo",
                  "urn:mpass.id:educationProviderInfo", True, "Koulutuksen järjestäjä", "Utbildningsanordnare",
                  "Education provider", _("education provider as OID;name")),
        Attribute("schoolCode", "urn:mpass.id:schoolCode", "urn:mpass.id:schoolCode", True,
                  "Oppilaitoksen tunniste", "Läroanstaltens kod", "School code", _("5-digit school code")),
        Attribute("school", "urn:mpass.id:school", "urn:mpass.id:school", True, "Oppilaitos", "Läroanstalt",
                  "School", _("school name")),
        Attribute("schoolInfo", "urn:mpass.id:schoolInfo", "urn:mpass.id:schoolInfo", True,
                  "Oppilaitoksen tiedot", "Läroanstaltens uppgifter", "School information",
                  _("school as schoolCode;name")),
        Attribute("class", "urn:mpass.id:class", "urn:mpass.id:class", True, "Luokka", "Klass", "Class",
                  _("class, e.g. 7B")),
        Attribute("classLevel", "urn:mpass.id:classLevel", "urn:mpass.id:classLevel", False, "Luokka-aste",
                  "Årskurs", "Class level", _("class level 0–10")),
        Attribute("role", "urn:mpass.id:role", "urn:mpass.id:role", True, "Rooli", "Roll", "Role",
                  _("role as educationProviderOID;schoolCode;group;role")),
    ]
}  # fmt: skip

ATTRIBUTE_KEYS: tuple[str, ...] = tuple(ATTRIBUTES)

# Values of the role attribute's last part (DESIGN section 4).
ROLE_NAMES: tuple[str, ...] = (
    "Oppilas",
    "Opettaja",
    "Hallintohenkilö",
    "Koulusihteeri",
    "Sijaisopettaja",
    "Rehtori",
)


def attribute_choices(language: str = "fi") -> list[tuple[str, str]]:
    """(key, label) pairs for forms."""
    return [(a.key, f"{a.label(language)} ({a.key})") for a in ATTRIBUTES.values()]
