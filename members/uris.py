"""The one check of every URI a member enters: entityIDs, ACS locations, redirect URIs, metadata
URLs, information, privacy and logo URLs, login sources' URLs (issue 15, item 3).

A URI that passes here is safe to write into the proxy's XML, JSON and YAML: one invisible or
control character in one member's entityID used to make every build of the environment fail.
A host that mixes writing systems (Latin with Cyrillic look-alikes) is only warned about: it may
be a genuine internationalised name, but a reviewer should look twice. Pure functions: no database.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

MAX_URI_LENGTH = 500
MAX_ENTITY_ID_LENGTH = 400
# Bidirectional controls, zero-width characters, the byte-order mark and the soft hyphen: they are
# invisible, so what a reviewer reads is not what the proxy matches. Every other format character
# (Unicode category Cf) is refused too.
INVISIBLE = frozenset(
    [*map(chr, range(0x200B, 0x2010)), *map(chr, range(0x202A, 0x202F)), *map(chr, range(0x2066, 0x206A)),
     "\ufeff", "\u00ad"]
)  # fmt: skip
# RFC 8141: urn:<NID>:<NSS>
URN_PATTERN = re.compile(r"urn:[A-Za-z0-9][A-Za-z0-9-]{0,31}:\S+", re.IGNORECASE)


def _characters_problem(value: str) -> str | None:
    for character in value:
        if character in INVISIBLE or unicodedata.category(character) == "Cf":
            return _("It contains an invisible character (a bidirectional control or zero-width character).")
        if character.isspace():
            return _("It contains a space or other whitespace.")
        if unicodedata.category(character) in ("Cc", "Cs", "Co", "Cn"):
            return _("It contains a control character.")
    return None


def validate_uri(value: str, *, https: bool = True, urn: bool = False, max_length: int = MAX_URI_LENGTH) -> str:
    """Return `value` if it is an acceptable absolute URI, else raise a ValidationError saying why.

    `https`: only https URLs (else http too); `urn`: a URN is accepted as well (SAML entityIDs).
    Never accepted: whitespace, control or invisible characters, a relative URI, a user name or
    password in the URL, more than `max_length` characters.
    """
    value = str(value)
    if len(value) > max_length:
        raise ValidationError(_("It is longer than %(limit)s characters.") % {"limit": max_length}, code="uri_length")
    problem = _characters_problem(value)
    if problem:
        raise ValidationError(problem, code="uri_characters")
    if urn and value[:4].lower() == "urn:":
        if not URN_PATTERN.fullmatch(value):
            raise ValidationError(_("It is not a valid URN (urn:namespace:name)."), code="uri_urn")
        return value
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 (raises ValueError for a port that is not a number)
    except ValueError as error:
        raise ValidationError(_("It is not a valid URL."), code="uri_invalid") from error
    schemes = ("https",) if https else ("https", "http")
    if not parts.scheme or not parts.netloc:
        if urn:
            message = _("It must be an absolute URL (https://…) or a URN (urn:…).")
        else:
            message = _("It must be an absolute URL beginning with https://.")
        raise ValidationError(message, code="uri_relative")
    if parts.scheme.lower() not in schemes:
        raise ValidationError(_("It must be an https URL."), code="uri_scheme")
    if "@" in parts.netloc:
        raise ValidationError(
            _("It must not contain a user name or password; remove the part before @ in the address."),
            code="uri_credentials",
        )
    if not parts.hostname:
        raise ValidationError(_("It has no host name."), code="uri_host")
    return value


# Hosts that name the member's own machine: allowed over http in the test environment only, so a
# developer can try a service at once; never in production (DESIGN section 2, rules by environment).
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def is_local_host(host: str) -> bool:
    host = (host or "").lower().rstrip(".")
    return host in LOCAL_HOSTS or host.endswith(".localhost")


def validate_endpoint_uri(value: str, *, environment: str) -> str:
    """An address the proxy sends users or assertions to (ACS location, redirect URI), by the rules
    of `environment`: production needs https and a host that is not the member's own machine; test
    also allows http://localhost. Raises a ValidationError saying why."""
    value = str(value)
    try:
        parts = urlsplit(value)
        local = is_local_host(parts.hostname or "")
    except ValueError:
        local = False
    if environment == "production":
        validate_uri(value)
        if local:
            raise ValidationError(
                _("In production it must not point to localhost; give the service's public address."),
                code="uri_localhost",
            )
        return value
    if local and value[:7].lower() == "http://":
        return validate_uri(value, https=False)
    try:
        return validate_uri(value)
    except ValidationError as error:
        if error.code == "uri_scheme":
            raise ValidationError(
                _("It must be an https URL (http is allowed only for localhost in the test environment)."),
                code="uri_scheme",
            ) from error
        raise


def _script(character: str) -> str | None:
    """The writing system of a letter, by its Unicode name (LATIN, CYRILLIC, GREEK…); None otherwise."""
    if not character.isalpha():
        return None
    name = unicodedata.name(character, "")
    return name.split(" ", 1)[0] if name else None


def mixed_script_labels(value: str) -> list[str]:
    """The labels of the URI's host name that mix writing systems (e.g. Latin and Cyrillic)."""
    try:
        host = urlsplit(str(value)).hostname or ""
    except ValueError:
        return []
    mixed = []
    for label in host.split("."):
        if label.startswith("xn--"):
            try:
                label = label.encode("ascii").decode("idna")
            except UnicodeError:
                continue
        scripts = {script for script in map(_script, label) if script}
        if len(scripts) > 1:
            mixed.append(label)
    return mixed


def uri_warning(value: str) -> str | None:
    """A warning for a member and a reviewer about a URI that passes but may deceive, or None."""
    labels = mixed_script_labels(value)
    if not labels:
        return None
    return _(
        "The address %(uri)s mixes writing systems in its host name (%(labels)s); letters that look "
        "alike may come from different alphabets. Check that it is the intended address."
    ) % {"uri": value[:200], "labels": ", ".join(labels)}


def uri_warnings(values: Iterable[str]) -> list[str]:
    """The warnings of `uri_warning` for each non-empty value, without repeats."""
    warnings: list[str] = []
    for value in values:
        warning = uri_warning(value) if value else None
        if warning and warning not in warnings:
            warnings.append(warning)
    return warnings


def version_uris(*, entity_id: str, data: Mapping[str, Any]) -> list[str]:
    """Every URI of a service (its entityID and a version's fields, as a mapping) a member entered."""
    return [
        entity_id,
        *(str(data.get(name) or "") for name in ("logo_url", "information_url", "privacy_url", "jwks_uri")),
        *(str(endpoint.get("location", "")) for endpoint in data.get("acs_endpoints") or []),
        *(str(uri) for uri in data.get("redirect_uris") or []),
    ]


@deconstructible
class UriValidator:
    """`validate_uri` as a model- and form-field validator."""

    def __init__(self, *, https: bool = True, urn: bool = False, max_length: int = MAX_URI_LENGTH) -> None:
        self.https, self.urn, self.max_length = https, urn, max_length

    def __call__(self, value: str) -> None:
        if value:
            validate_uri(value, https=self.https, urn=self.urn, max_length=self.max_length)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, UriValidator) and (self.https, self.urn, self.max_length) == (
            other.https, other.urn, other.max_length,
        )  # fmt: skip


validate_https_url = UriValidator()
validate_entity_id = UriValidator(https=False, urn=True, max_length=MAX_ENTITY_ID_LENGTH)


# The same rules as patterns the API's OpenAPI schema states (written so that both Python's `re`
# and JSON Schema's ECMA-262 read them alike). A pattern can only say what the characters may be;
# `validate_uri` stays the check, the pattern is what a client can test before it sends.
_SAFE = r"[^\s\x00-\x1f\x7f\u00ad\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]"
_AUTHORITY = r"[^\s\x00-\x1f\x7f\u00ad\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff/?#@]+"
_HTTPS = rf"[hH][tT][tT][pP][sS]://{_AUTHORITY}(?:[/?#]{_SAFE}*)?"
_HTTP_OR_HTTPS = rf"[hH][tT][tT][pP][sS]?://{_AUTHORITY}(?:[/?#]{_SAFE}*)?"
_URN = rf"[uU][rR][nN]:[A-Za-z0-9][A-Za-z0-9-]{{0,31}}:{_SAFE}+"
HTTPS_URL_PATTERN = rf"^{_HTTPS}$"
ENTITY_ID_PATTERN = rf"^(?:{_HTTP_OR_HTTPS}|{_URN})$"
