"""SAML 2.0 metadata rendering (DESIGN section 5, "Metadata profile"). Pure: no database access.

An entity is rendered once into a standalone `md:EntityDescriptor` fragment (bytes, no XML
declaration) that depends only on that service's inputs, so builds cache fragments by
`entity_fingerprint` and a one-service change re-renders one fragment. The aggregate is the
fragments concatenated inside an `md:EntitiesDescriptor` header, parsed once and signed once.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from dataclasses import dataclass

from lxml import etree

from proxy.inputs import Contact, Localized, Service, fingerprint

MD = "urn:oasis:names:tc:SAML:2.0:metadata"
DS = "http://www.w3.org/2000/09/xmldsig#"
MDUI = "urn:oasis:names:tc:SAML:metadata:ui"
MDRPI = "urn:oasis:names:tc:SAML:metadata:rpi"
REMD = "http://refeds.org/metadata"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
NSMAP = {"md": MD, "ds": DS, "mdui": MDUI, "mdrpi": MDRPI, "remd": REMD}
SAML2_PROTOCOL = "urn:oasis:names:tc:SAML:2.0:protocol"
ATTRNAME_URI = "urn:oasis:names:tc:SAML:2.0:attrname-format:uri"
REFEDS_SECURITY = "http://refeds.org/metadata/contactType/security"
MD_CONTACT_TYPES = {"technical", "support", "administrative", "billing", "other"}

# Bump when the rendering changes, so cached fragments of the old shape are not reused.
RENDERER_VERSION = "3"

# A parser for our own output: nothing from outside reaches it, but keep it strict anyway.
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True, remove_blank_text=False)


def _md(tag: str) -> str:
    return f"{{{MD}}}{tag}"


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrib: str) -> etree._Element:
    element = etree.SubElement(parent, tag, attrib)
    if text is not None:
        element.text = text
    return element


def _localized(parent: etree._Element, tag: str, texts: Localized) -> None:
    for lang, text in texts.items():
        _sub(parent, tag, text).set(XML_LANG, lang)


def pem_body(pem: str) -> str:
    """The base64 DER of a PEM certificate, as `ds:X509Certificate` wants it."""
    match = re.search(r"-----BEGIN CERTIFICATE-----(.+?)-----END CERTIFICATE-----", pem, re.S)
    body = match.group(1) if match else pem
    return "".join(body.split())


def entity_fingerprint(service: Service, *, registration_authority: str, service_fingerprint: str = "") -> str:
    """Hash of everything an entity's fragment depends on (pass `service_fingerprint` if known)."""
    base = service_fingerprint or fingerprint(service)
    return hashlib.sha256(f"md:{RENDERER_VERSION}:{registration_authority}:{base}".encode()).hexdigest()


def _contact(parent: etree._Element, contact: Contact) -> None:
    if contact.contact_type == "security":
        # REFEDS Security Contact Metadata Extension: md type "other" + remd:contactType.
        element = _sub(parent, _md("ContactPerson"), contactType="other")
        element.set(f"{{{REMD}}}contactType", REFEDS_SECURITY)
    else:
        kind = contact.contact_type if contact.contact_type in MD_CONTACT_TYPES else "other"
        element = _sub(parent, _md("ContactPerson"), contactType=kind)
    if contact.company:
        _sub(element, _md("Company"), contact.company)
    if contact.given_name:
        _sub(element, _md("GivenName"), contact.given_name)
    if contact.surname:
        _sub(element, _md("SurName"), contact.surname)
    _sub(
        element,
        _md("EmailAddress"),
        contact.email if contact.email.startswith("mailto:") else f"mailto:{contact.email}",
    )
    if contact.phone:
        _sub(element, _md("TelephoneNumber"), contact.phone)


def entity_element(service: Service, *, registration_authority: str) -> etree._Element:
    """The `md:EntityDescriptor` of one SAML service."""
    entity = etree.Element(_md("EntityDescriptor"), {"entityID": service.entity_id}, nsmap=NSMAP)
    extensions = _sub(entity, _md("Extensions"))
    registration = service.registration
    info = _sub(
        extensions,
        f"{{{MDRPI}}}RegistrationInfo",
        registrationAuthority=registration.authority if registration else registration_authority,
    )
    if registration:
        info.set("registrationInstant", format_instant(registration.instant))
        # English first: eduGAIN requires an English policy; fi and sv follow where the operator has them.
        policies = dict(registration.policy_urls.items())
        for lang in ("en", "fi", "sv"):
            if policies.get(lang):
                _sub(info, f"{{{MDRPI}}}RegistrationPolicy", policies[lang]).set(XML_LANG, lang)

    sp = _sub(entity, _md("SPSSODescriptor"), protocolSupportEnumeration=SAML2_PROTOCOL)
    # Written only when true: false is the schema's default, so existing entities render unchanged.
    if service.authn_requests_signed:
        sp.set("AuthnRequestsSigned", "true")
    if service.want_assertions_signed:
        sp.set("WantAssertionsSigned", "true")
    ui = _sub(_sub(sp, _md("Extensions")), f"{{{MDUI}}}UIInfo")
    _localized(ui, f"{{{MDUI}}}DisplayName", service.display_name if service.display_name.items() else service.name)
    _localized(ui, f"{{{MDUI}}}Description", service.description)
    for logo in service.logos:
        element = _sub(ui, f"{{{MDUI}}}Logo", logo.url, height=str(logo.height), width=str(logo.width))
        if logo.lang:
            element.set(XML_LANG, logo.lang)
    _localized(ui, f"{{{MDUI}}}InformationURL", service.information_url)
    _localized(ui, f"{{{MDUI}}}PrivacyStatementURL", service.privacy_statement_url)

    for certificate in service.certificates:
        key = _sub(sp, _md("KeyDescriptor"))
        if certificate.use:
            key.set("use", certificate.use)
        x509 = _sub(_sub(key, f"{{{DS}}}KeyInfo"), f"{{{DS}}}X509Data")
        _sub(x509, f"{{{DS}}}X509Certificate", pem_body(certificate.pem))
    if service.name_id_format:
        _sub(sp, _md("NameIDFormat"), service.name_id_format)
    for endpoint in sorted(service.acs_endpoints, key=lambda e: e.index):
        acs = _sub(
            sp,
            _md("AssertionConsumerService"),
            Binding=endpoint.binding,
            Location=endpoint.location,
            index=str(endpoint.index),
        )
        if endpoint.is_default:
            acs.set("isDefault", "true")
    if service.attributes:
        consuming = _sub(sp, _md("AttributeConsumingService"), index="0", isDefault="true")
        _localized(consuming, _md("ServiceName"), service.name)
        _localized(consuming, _md("ServiceDescription"), service.description)
        for attribute in service.attributes:
            _sub(
                consuming,
                _md("RequestedAttribute"),
                FriendlyName=attribute.friendly_name,
                Name=attribute.saml_name,
                NameFormat=ATTRNAME_URI,
                isRequired="true" if attribute.is_required else "false",
            )

    # The provider organisation's names and its own website (issue 13). md:OrganizationURL is
    # required by the schema; a provider that has not given its website gets no md:Organization
    # rather than a borrowed address: a service's information page describes the service, and the
    # operator's site would claim the wrong organisation.
    names = service.organisation_name.items()
    urls = service.organisation_url.items()
    if names and urls:
        organisation = _sub(entity, _md("Organization"))
        _localized(organisation, _md("OrganizationName"), service.organisation_name)
        _localized(organisation, _md("OrganizationDisplayName"), service.organisation_name)
        for lang, url in urls:
            _sub(organisation, _md("OrganizationURL"), url).set(XML_LANG, lang)
    for contact in service.contacts:
        _contact(entity, contact)
    return entity


def entity_fragment(service: Service, *, registration_authority: str) -> bytes:
    """The `md:EntityDescriptor` in exclusive canonical form (c14n), ready to concatenate.

    Canonical because exclusive c14n of a subtree does not depend on its ancestors (apart from
    the `md` declaration the aggregate's root already renders, see `in_context`): the aggregate's
    digest can then be computed over cached fragments without parsing or canonicalising them.
    """
    return c14n(entity_element(service, registration_authority=registration_authority))


def c14n(element: etree._Element) -> bytes:
    return etree.tostring(element, method="c14n", exclusive=True, with_comments=False)


MD_DECLARATION = f' xmlns:md="{MD}"'.encode()
_ENTITY_START = b"<md:EntityDescriptor" + MD_DECLARATION


def in_context(fragment: bytes) -> bytes:
    """A canonical fragment as exclusive c14n renders it under a root that declares `md`: the
    same bytes without the (then already rendered) `xmlns:md` declaration."""
    if not fragment.startswith(_ENTITY_START):
        raise ValueError("not a canonical md:EntityDescriptor fragment")
    return b"<md:EntityDescriptor" + fragment[len(_ENTITY_START) :]


_ENTITY_ID = re.compile(rb'^<md:EntityDescriptor\b[^>]*?\sentityID="([^"]*)"')
_C14N_ATTRIBUTE_ESCAPES = {"&lt;": "<", "&quot;": '"', "&#x9;": "\t", "&#xA;": "\n", "&#xD;": "\r"}


def fragment_entity_id(fragment: bytes) -> str:
    """The entityID of a canonical fragment, read from its start tag (no parse)."""
    found = _ENTITY_ID.match(fragment)
    if found is None:
        raise ValueError("not a canonical md:EntityDescriptor fragment")
    value = found.group(1).decode()
    for escaped, plain in _C14N_ATTRIBUTE_ESCAPES.items():
        value = value.replace(escaped, plain)
    return value.replace("&amp;", "&")


def _start_tag(element: etree._Element) -> bytes:
    """The canonical start tag of `element` (its attributes, `md` declared)."""
    shallow = etree.Element(element.tag, dict(element.attrib), nsmap={"md": MD})
    canonical = c14n(shallow)
    return canonical[: canonical.rindex(b"</")]


@dataclass(frozen=True)
class CanonicalDocument:
    """A document in exclusive canonical form, split where the enveloped signature goes:
    `start` (the root's start tag), then the signature, then `body` parts, then `end`."""

    document_id: str
    start: bytes
    body: list[bytes]
    end: bytes


def aggregate_canonical(
    *,
    fragments: list[bytes],
    name: str,
    document_id: str,
    valid_until: datetime.datetime,
    cache_duration: str,
    publisher: str,
    creation_instant: datetime.datetime,
) -> CanonicalDocument:
    """The `md:EntitiesDescriptor` around the cached canonical fragments, never parsed whole."""
    root = etree.Element(
        _md("EntitiesDescriptor"),
        {"ID": document_id, "Name": name, "validUntil": format_instant(valid_until), "cacheDuration": cache_duration},
        nsmap={"md": MD},
    )
    extensions = etree.Element(_md("Extensions"), nsmap={"md": MD, "mdrpi": MDRPI})
    _sub(
        extensions, f"{{{MDRPI}}}PublicationInfo", publisher=publisher, creationInstant=format_instant(creation_instant)
    )
    extensions_c14n = c14n(extensions).replace(MD_DECLARATION, b"", 1)
    return CanonicalDocument(
        document_id=document_id,
        start=_start_tag(root),
        body=[extensions_c14n, *(in_context(fragment) for fragment in fragments)],
        end=b"</md:EntitiesDescriptor>",
    )


def entity_canonical(
    *, fragment: bytes, document_id: str, valid_until: datetime.datetime, cache_duration: str
) -> CanonicalDocument:
    """One entity as a standalone document for the MDQ endpoint."""
    entity = etree.fromstring(fragment, PARSER)
    entity.set("ID", document_id)
    entity.set("validUntil", format_instant(valid_until))
    entity.set("cacheDuration", cache_duration)
    canonical = c14n(entity)
    start = _start_tag(entity)
    end = b"</md:EntityDescriptor>"
    if not canonical.startswith(start) or not canonical.endswith(end):
        raise ValueError("unexpected canonical form of an entity")
    return CanonicalDocument(document_id=document_id, start=start, body=[canonical[len(start) : -len(end)]], end=end)


def format_instant(value: datetime.datetime) -> str:
    """xs:dateTime in UTC with a Z, to the second (what Shibboleth and pyFF write)."""
    return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def document_id(content_hash: str, signed_at: datetime.datetime) -> str:
    """An xs:ID (must not start with a digit) unique to this content and signing time."""
    return "_" + hashlib.sha256(f"{content_hash}:{signed_at.isoformat()}".encode()).hexdigest()[:40]


def aggregate_unsigned(
    *,
    fragments: list[bytes],
    name: str,
    document_id: str,
    valid_until: datetime.datetime,
    cache_duration: str,
    publisher: str,
    creation_instant: datetime.datetime,
) -> etree._Element:
    """The `md:EntitiesDescriptor` as a tree with a signature placeholder as its first child
    (for signxml; the benchmark's baseline and tests use it, builds use `aggregate_canonical`)."""
    header = etree.Element(
        _md("EntitiesDescriptor"),
        {"ID": document_id, "Name": name, "validUntil": format_instant(valid_until), "cacheDuration": cache_duration},
        nsmap=NSMAP,
    )
    etree.SubElement(header, f"{{{DS}}}Signature", Id="placeholder")
    _sub(
        _sub(header, _md("Extensions")),
        f"{{{MDRPI}}}PublicationInfo",
        publisher=publisher,
        creationInstant=format_instant(creation_instant),
    )
    _sub(header, _md("PLACEHOLDER"))
    head, tail = etree.tostring(header, encoding="UTF-8").split(b"<md:PLACEHOLDER/>")
    return etree.fromstring(head + b"".join(fragments) + tail, PARSER)
