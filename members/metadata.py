"""Reading SAML 2.0 metadata that members upload or point to (DESIGN section 2, untrusted input): SP
metadata of services, and IdP metadata of login sources.

The document is parsed with entity resolution, DTD loading and network access off, after a size
check; any DOCTYPE is refused outright, so XXE and entity-expansion attacks never reach the parser's
entity machinery. Pure functions: no database.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from lxml import etree

from members.certificates import certificate_parse, normalise_certificate
from members.uris import MAX_ENTITY_ID_LENGTH, validate_endpoint_uri, validate_uri

NS = {
    "md": "urn:oasis:names:tc:SAML:2.0:metadata",
    "ds": "http://www.w3.org/2000/09/xmldsig#",
    "mdui": "urn:oasis:names:tc:SAML:metadata:ui",
}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
BINDINGS = {
    "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST",
    "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Artifact",
    "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect",
    "urn:oasis:names:tc:SAML:2.0:bindings:PAOS",
}
_DANGEROUS = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.I)
# Numbers members give are read with ASCII-only patterns: str.isdigit() and \d accept
# superscript, Arabic-Indic and full-width digits, which int() then refuses or reads (issue 15).
_ASCII_NUMBER = re.compile(r"[0-9]{1,6}")
MAX_ACS_INDEX = 65535  # an unsignedShort in the SAML schema
# Caps on repeated elements (issue 15, item 5). Real SPs have a handful of ACS endpoints and, during
# a key rollover, two or three keys; more is a mistake or an attempt to make us parse at length.
MAX_ACS_ENDPOINTS = 20
MAX_KEY_DESCRIPTORS = 10
# Certificates of each use a service version holds (issue 13, item 3): old and new during a
# rollover, and room for one more; the API, the form and metadata uploads share this cap.
MAX_CERTIFICATES_PER_USE = 4


@dataclass
class SpMetadata:
    """What we take from an SP's metadata into a service version."""

    entity_id: str
    acs_endpoints: list[dict]
    signing_certificates: list[str]
    encryption_certificates: list[str] = field(default_factory=list)
    name_id_format: str = ""
    authn_requests_signed: bool = False
    want_assertions_signed: bool = False
    names: dict[str, str] = field(default_factory=dict)
    descriptions: dict[str, str] = field(default_factory=dict)
    logo_url: str = ""
    logo_width: int | None = None
    logo_height: int | None = None
    information_url: str = ""
    privacy_url: str = ""


def _error(message, code: str) -> ValidationError:
    return ValidationError({"metadata": message}, code=code)


def max_metadata_bytes() -> int:
    return settings.TRUSTNET_METADATA_MAX_BYTES


def metadata_parse(data: bytes) -> SpMetadata:
    """Parse one SP's metadata, or raise ValidationError({"metadata": ...}) naming the problem."""
    return _read_entity(_single_entity(_safe_root(data)))


def has_dtd_declaration(data: bytes) -> bool:
    """Whether untrusted XML declares a DOCTYPE or an entity (refused before any parsing)."""
    return bool(_DANGEROUS.search(data) or _DANGEROUS.search(data.replace(b"\x00", b"")))


def safe_xml_parser() -> etree.XMLParser:
    """The parser for untrusted XML: no entity resolution, DTD or network; comments and
    processing instructions dropped. Also used for uploaded SVG logos (members/logos.py)."""
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False,
        remove_comments=True, remove_pis=True,
    )  # fmt: skip


def _safe_root(data: bytes) -> etree._Element:
    """The root element of untrusted metadata: size-capped, no DOCTYPE, no entities, no network."""
    if len(data) > max_metadata_bytes():
        raise _error(_("The metadata is larger than %(limit)s bytes.") % {"limit": max_metadata_bytes()}, "too_large")
    if not data.strip():
        raise _error(_("The metadata is empty."), "empty")
    # Refuse before parsing: a DOCTYPE is how entity expansion and external entities get in.
    if has_dtd_declaration(data):
        raise _error(_("The metadata contains a DOCTYPE or entity declaration; these are not allowed."), "doctype")
    try:
        root = etree.fromstring(data, parser=safe_xml_parser())
    except etree.XMLSyntaxError as error:
        raise _error(_("The metadata is not well-formed XML: %(error)s") % {"error": error.msg}, "syntax") from error
    if root.getroottree().docinfo.doctype:
        raise _error(_("The metadata contains a DOCTYPE or entity declaration; these are not allowed."), "doctype")
    return root


@dataclass
class IdpMetadata:
    """What a login source's check takes from its identity provider's metadata."""

    entity_id: str
    signing_certificates: list[str]
    # When the last of the published signing certificates expires: after it, logins through the
    # source fail unless the provider publishes a new one.
    certificate_expires_at: datetime.datetime


def idp_metadata_parse(data: bytes, *, entity_id: str) -> IdpMetadata:
    """Check an identity provider's metadata: it describes `entity_id` with an IDPSSODescriptor that
    carries at least one usable signing certificate. A ValidationError({"metadata": ...}) names the
    problem otherwise. An aggregate is accepted; the entity is picked from it by entityID."""
    root = _safe_root(data)
    if root.tag == f"{{{NS['md']}}}EntityDescriptor":
        entities = [root]
    elif root.tag == f"{{{NS['md']}}}EntitiesDescriptor":
        entities = list(root.iter(f"{{{NS['md']}}}EntityDescriptor"))
    else:
        raise _error(_("This is not SAML 2.0 metadata (the root element is not an EntityDescriptor)."), "not_metadata")
    entity = next((e for e in entities if (e.get("entityID") or "").strip() == entity_id), None)
    if entity is None:
        found = ", ".join(sorted({(e.get("entityID") or "").strip() for e in entities})[:3]) or "–"
        raise _error(
            _("The metadata does not describe the entityID %(expected)s (it describes: %(found)s).")
            % {"expected": entity_id, "found": found},
            "entity_id_mismatch",
        )
    idp = entity.find("md:IDPSSODescriptor", NS)
    if idp is None:
        raise _error(
            _("The metadata has no IDPSSODescriptor: it does not describe a SAML identity provider."), "no_idp"
        )
    certificates = []
    for descriptor in _key_descriptors(idp):
        if descriptor.get("use", "") not in ("", "signing"):
            continue
        for element in descriptor.findall("ds:KeyInfo/ds:X509Data/ds:X509Certificate", NS):
            if (element.text or "").strip():
                certificates.append(normalise_certificate(element.text))
    if not certificates:
        raise _error(_("The identity provider's metadata has no signing certificate."), "no_certificate")
    if len(certificates) > MAX_KEY_DESCRIPTORS:
        raise _error(
            _("The metadata has %(count)s signing certificates; at most %(limit)s are accepted.")
            % {"count": len(certificates), "limit": MAX_KEY_DESCRIPTORS},
            "too_many_certificates",
        )
    # During a key rollover a provider publishes the old and the new certificate: one usable is enough.
    usable, first_error = [], None
    for certificate in certificates:
        try:
            usable.append(certificate_parse(certificate, usage="signing", field="metadata"))
        except ValidationError as error:
            first_error = first_error or error
    if not usable:
        raise _error(first_error.messages[0], "certificate")
    return IdpMetadata(
        entity_id=entity_id,
        signing_certificates=[info.base64_der for info in usable],
        certificate_expires_at=max(info.not_after for info in usable),
    )


def _xs_boolean(value: str | None) -> bool:
    """An xs:boolean attribute ("true"/"1" or "false"/"0"); absent means false, as in the schema."""
    return (value or "").strip() in ("true", "1")


def _single_entity(root: etree._Element) -> etree._Element:
    if root.tag == f"{{{NS['md']}}}EntityDescriptor":
        return root
    if root.tag == f"{{{NS['md']}}}EntitiesDescriptor":
        entities = root.findall("md:EntityDescriptor", NS)
        if len(entities) == 1:
            return entities[0]
        raise _error(_("The metadata must describe exactly one entity, not %(count)s.") % {"count": len(entities)},
                     "entity_count")  # fmt: skip
    raise _error(_("This is not SAML 2.0 metadata (the root element is not an EntityDescriptor)."), "not_metadata")


def _read_entity(entity: etree._Element) -> SpMetadata:
    entity_id = (entity.get("entityID") or "").strip()
    if not entity_id:
        raise _error(_("The EntityDescriptor has no entityID."), "no_entity_id")
    try:
        validate_uri(entity_id, https=False, urn=True, max_length=MAX_ENTITY_ID_LENGTH)
    except ValidationError as error:
        raise _error(_("The metadata's entityID: %(problem)s") % {"problem": error.messages[0]}, "entity_id") from error
    sp = entity.find("md:SPSSODescriptor", NS)
    if sp is None:
        raise _error(_("The metadata has no SPSSODescriptor: it does not describe a service provider."), "no_sp")
    acs_elements = sp.findall("md:AssertionConsumerService", NS)
    if len(acs_elements) > MAX_ACS_ENDPOINTS:
        raise _error(_too_many_acs(len(acs_elements)), "acs")
    endpoints = [
        {
            "binding": acs.get("Binding", ""),
            "location": acs.get("Location", ""),
            "index": _acs_index(acs.get("index", "0")),
            "is_default": acs.get("isDefault", "false").lower() == "true",
        }
        for acs in acs_elements
    ]
    try:
        # By the looser test rules here: the service's own environment's rules apply when the
        # version is checked (members.services.version_clean), with the field named there.
        endpoints = validate_acs_endpoints(endpoints, environment="test")
    except ValidationError as error:
        raise _error(error.messages[0], "acs") from error
    # Every key is kept: a rollover publishes the old and the new one side by side, and dropping the
    # new one would break logins the day the SP switches (issue 13). A KeyDescriptor without `use`
    # serves both purposes.
    by_use: dict[str, list[str]] = {"signing": [], "encryption": []}
    for descriptor in _key_descriptors(sp):
        certificate = descriptor.find("ds:KeyInfo/ds:X509Data/ds:X509Certificate", NS)
        if certificate is None or not (certificate.text or "").strip():
            continue
        use = descriptor.get("use", "")
        pem = normalise_certificate(certificate.text)
        for usage in ("signing", "encryption"):
            if use in ("", usage) and pem not in by_use[usage]:
                by_use[usage].append(pem)
    if not by_use["signing"]:
        raise _error(_("The metadata has no signing certificate."), "no_certificate")
    for usage, label, too_many in (
        ("signing", _("Signing certificate"),
         _("The metadata has %(count)s signing certificates; at most %(limit)s are accepted.")),
        ("encryption", _("Encryption certificate"),
         _("The metadata has %(count)s encryption certificates; at most %(limit)s are accepted.")),
    ):  # fmt: skip
        if len(by_use[usage]) > MAX_CERTIFICATES_PER_USE:
            raise _error(
                too_many % {"count": len(by_use[usage]), "limit": MAX_CERTIFICATES_PER_USE}, "too_many_certificates"
            )
        for number, pem in enumerate(by_use[usage], start=1):
            try:
                certificate_parse(pem, usage=usage, field="metadata")
            except ValidationError as error:
                message = _("%(label)s %(number)s in the metadata: %(problem)s") % {
                    "label": label, "number": number, "problem": error.messages[0],
                }  # fmt: skip
                raise _error(message, "certificate") from error
    name_id = sp.find("md:NameIDFormat", NS)
    metadata = SpMetadata(
        entity_id=entity_id,
        acs_endpoints=endpoints,
        signing_certificates=by_use["signing"],
        encryption_certificates=by_use["encryption"],
        name_id_format=(name_id.text or "").strip() if name_id is not None else "",
        authn_requests_signed=_xs_boolean(sp.get("AuthnRequestsSigned")),
        want_assertions_signed=_xs_boolean(sp.get("WantAssertionsSigned")),
    )
    ui = sp.find("md:Extensions/mdui:UIInfo", NS)
    if ui is not None:
        metadata.names = _by_language(ui, "mdui:DisplayName")
        metadata.descriptions = _by_language(ui, "mdui:Description")
        metadata.information_url = _first_https(ui, "mdui:InformationURL")
        metadata.privacy_url = _first_https(ui, "mdui:PrivacyStatementURL")
        metadata.logo_url = _first_https(ui, "mdui:Logo")
        for logo in ui.findall("mdui:Logo", NS):
            if (logo.text or "").strip() == metadata.logo_url:
                metadata.logo_width = _pixels(logo.get("width"), "width")
                metadata.logo_height = _pixels(logo.get("height"), "height")
                break
    if not metadata.names:
        metadata.names = _by_language(entity, "md:Organization/md:OrganizationDisplayName")
    return metadata


def _by_language(parent: etree._Element, path: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for element in parent.findall(path, NS):
        language = (element.get(XML_LANG) or "")[:2]
        if language in ("fi", "sv", "en") and language not in values:
            values[language] = (element.text or "").strip()[:2000]
    return values


def _key_descriptors(role: etree._Element) -> list[etree._Element]:
    descriptors = role.findall("md:KeyDescriptor", NS)
    if len(descriptors) > MAX_KEY_DESCRIPTORS:
        raise _error(
            _("The metadata has %(count)s KeyDescriptor elements; at most %(limit)s are accepted.")
            % {"count": len(descriptors), "limit": MAX_KEY_DESCRIPTORS},
            "too_many_keys",
        )
    return descriptors


def _shown(value: str) -> str:
    """A member's value quoted in a message: short, and on one line."""
    return " ".join(value.split())[:20]


def _acs_index(value: str) -> int:
    if not _ASCII_NUMBER.fullmatch(value.strip()) or int(value) > MAX_ACS_INDEX:
        raise _error(
            _("The index “%(value)s” of an AssertionConsumerService element is not a whole number from 0 to 65535.")
            % {"value": _shown(value)},
            "acs",
        )
    return int(value)


def _pixels(value: str | None, attribute: str) -> int | None:
    """A logo's width or height; the range (16–2000) is checked with the service's other fields."""
    if value is None:
        return None
    if not _ASCII_NUMBER.fullmatch(value.strip()):
        raise _error(
            _("The %(attribute)s “%(value)s” of the mdui:Logo element is not a whole number of pixels.")
            % {"attribute": attribute, "value": _shown(value)},
            "logo",
        )
    return int(value)


def _too_many_acs(count: int) -> str:
    return _("There are %(count)s assertion consumer service endpoints; at most %(limit)s are accepted.") % {
        "count": count,
        "limit": MAX_ACS_ENDPOINTS,
    }


def _first_https(parent: etree._Element, path: str) -> str:
    for element in parent.findall(path, NS):
        value = (element.text or "").strip()
        try:
            return validate_uri(value)
        except ValidationError:
            continue  # optional descriptive URLs: an unusable one is left out, not refused
    return ""


def validate_acs_endpoints(endpoints: list[dict], *, environment: str = "production") -> list[dict]:
    """At least one ACS; known bindings; locations by the environment's rules (production: https,
    never localhost; test: http://localhost too); unique indexes; one default at most."""
    if not endpoints:
        raise ValidationError(_("At least one assertion consumer service endpoint is required."), code="acs")
    if len(endpoints) > MAX_ACS_ENDPOINTS:
        raise ValidationError(_too_many_acs(len(endpoints)), code="acs")
    seen: set[int] = set()
    cleaned = []
    for endpoint in endpoints:
        binding = str(endpoint.get("binding", ""))
        location = str(endpoint.get("location", ""))
        index = endpoint.get("index")
        if binding not in BINDINGS:
            raise ValidationError(_("Unknown ACS binding: %(binding)s") % {"binding": binding[:200]}, code="acs")
        try:
            validate_endpoint_uri(location, environment=environment)
        except ValidationError as error:
            message = _("ACS location %(number)s: %(problem)s") % {"number": len(cleaned) + 1,
                                                                     "problem": error.messages[0]}  # fmt: skip
            raise ValidationError(message, code="acs") from error
        if not isinstance(index, int) or index < 0 or index in seen:
            raise ValidationError(_("Each ACS endpoint needs its own index (0 or more)."), code="acs")
        seen.add(index)
        cleaned.append(
            {"binding": binding, "location": location, "index": index, "is_default": bool(endpoint.get("is_default"))}
        )
    if sum(1 for e in cleaned if e["is_default"]) > 1:
        raise ValidationError(_("Only one ACS endpoint may be the default."), code="acs")
    return sorted(cleaned, key=lambda e: e["index"])
