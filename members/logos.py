"""Checking the logo a home organisation uploads for a login source (what the MPASSid login page
shows, DESIGN section 2). Pure functions: no database, no storage.

The type is decided by the content (magic bytes, then a parse), never by the file name or the
browser's content type: PNG, JPEG and WebP are opened with Pillow and their dimensions checked;
SVG is parsed with the parser used for untrusted metadata (no DTD, entities or network) and
refused if anything in it could run, reach out or embed other documents. What is stored is the
checked bytes (an SVG re-serialised from its parse, so nothing the parser dropped survives), under
a name derived from them.
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from lxml import etree
from PIL import Image, UnidentifiedImageError

from members.metadata import has_dtd_declaration, safe_xml_parser

MIN_SIDE = 32
MAX_SIDE = 1024
SVG_NS = "http://www.w3.org/2000/svg"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
CONTENT_TYPES = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp", "svg": "image/svg+xml"}
# What an SVG logo is served with: it may style itself, but never run, load or frame anything.
SVG_CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'"
STORAGE_FOLDER = "login-source-logos"
# Elements that run code or embed other documents (by local name, in any namespace).
_FORBIDDEN_ELEMENTS = frozenset({"script", "foreignobject", "iframe", "embed", "object", "handler", "listener"})
_ANIMATIONS = frozenset({"set", "animate", "animatetransform", "animatemotion"})
# Raster data: URIs only; an embedded SVG could carry what this check refuses.
_INLINE_IMAGE = re.compile(r"data:image/(png|jpeg|gif|webp)[;,]", re.I)
_CSS_REFERENCE = re.compile(r"url\(\s*['\"]?\s*([^'\")\s]*)|@import", re.I)
_PILLOW_FORMATS = {"PNG": "png", "JPEG": "jpg", "WEBP": "webp"}


@dataclass(frozen=True)
class CheckedLogo:
    content: bytes
    extension: str  # png, jpg, webp or svg
    width: int | None = None  # raster images only
    height: int | None = None

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self.extension]

    @property
    def storage_name(self) -> str:
        """Derived from the content: the same logo is stored once, and a new one gets a new URL."""
        return f"{STORAGE_FOLDER}/{hashlib.sha256(self.content).hexdigest()}.{self.extension}"


def max_logo_bytes() -> int:
    return settings.TRUSTNET_LOGO_MAX_BYTES


def _refuse(message: str, code: str) -> ValidationError:
    # Keyed by the field: the form shows it at the logo field and its error summary adds the label.
    return ValidationError({"logo": capfirst(message)}, code=code)


def logo_check(data: bytes) -> CheckedLogo:
    """The checked logo, or ValidationError({"logo": "…"}) naming the problem."""
    if len(data) > max_logo_bytes():
        raise _refuse(_("the file is larger than %(limit)s kB.") % {"limit": max_logo_bytes() // 1024}, "too_large")
    if not data:
        raise _refuse(_("the file is empty."), "empty")
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return _raster(data, "png")
    if data.startswith(b"\xff\xd8\xff"):
        return _raster(data, "jpg")
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return _raster(data, "webp")
    if b"<svg" in data[:4096] or b"<SVG" in data[:4096] or data.lstrip()[:1] == b"<":
        return _svg(data)
    raise _refuse(_("the file is not a PNG, JPEG, WebP or SVG image."), "type")


def _raster(data: bytes, extension: str) -> CheckedLogo:
    not_readable = _refuse(_("the file is not a readable PNG, JPEG or WebP image."), "unreadable")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if _PILLOW_FORMATS.get(image.format or "") != extension:
                raise not_readable
            width, height = image.size
            # Dimensions come from the header: checked before anything is decoded.
            _check_dimensions(width, height)
            image.verify()
            # verify() does not decode the pixels; a truncated file only fails when loaded.
            Image.open(io.BytesIO(data)).load()
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombWarning) as error:
        raise not_readable from error
    return CheckedLogo(content=data, extension=extension, width=width, height=height)


def _check_dimensions(width: int, height: int) -> None:
    if min(width, height) < MIN_SIDE:
        raise _refuse(
            _("the image is %(width)s × %(height)s pixels; each side must be at least %(min)s pixels.")
            % {"width": width, "height": height, "min": MIN_SIDE},
            "too_small",
        )
    if max(width, height) > MAX_SIDE:
        raise _refuse(
            _("the image is %(width)s × %(height)s pixels; each side must be at most %(max)s pixels.")
            % {"width": width, "height": height, "max": MAX_SIDE},
            "too_big",
        )


def _local(name: object) -> str:
    return etree.QName(name).localname.lower() if isinstance(name, str) else ""


def _svg(data: bytes) -> CheckedLogo:
    # Refused before parsing, as for metadata: a DOCTYPE is how entities get in.
    if has_dtd_declaration(data):
        raise _refuse(_("the SVG contains a DOCTYPE or entity declaration; these are not allowed."), "doctype")
    try:
        root = etree.fromstring(data, parser=safe_xml_parser())
    except etree.XMLSyntaxError as error:
        raise _refuse(_("the file is not a PNG, JPEG, WebP or SVG image."), "type") from error
    if root.tag != f"{{{SVG_NS}}}svg":
        raise _refuse(_("the file is not an SVG image (its root element must be svg)."), "type")
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue  # entity references cannot occur (no DTD); comments and PIs were dropped
        if _local(element.tag) in _FORBIDDEN_ELEMENTS:
            raise _refuse(
                _("the SVG contains a %(element)s element; scripts and embedded documents are not allowed.")
                % {"element": etree.QName(element).localname},
                "script",
            )
        # <set attributeName="href" to="javascript:…"> changes a link after the check.
        animated = (element.get("attributeName") or "").lower()
        if _local(element.tag) in _ANIMATIONS and (animated.endswith("href") or animated.startswith("on")):
            raise _refuse(_("the SVG animates a link or an event handler; scripts are not allowed."), "event_handler")
        for name, value in element.attrib.items():
            local = _local(name)
            if local.startswith("on"):
                raise _refuse(
                    _("the SVG has an event handler attribute (%(attribute)s); scripts are not allowed.")
                    % {"attribute": etree.QName(name).localname},
                    "event_handler",
                )
            if local == "href" or name == XLINK_HREF:
                _check_reference(value.strip())
            elif "url(" in value.lower() or "@import" in value.lower():
                _check_css(value)
        if _local(element.tag) == "style" and element.text:
            _check_css(element.text)
    # Stored as parsed: comments, processing instructions (an xml-stylesheet, say) are gone.
    content = etree.tostring(root, xml_declaration=True, encoding="utf-8")
    if len(content) > max_logo_bytes():
        raise _refuse(_("the file is larger than %(limit)s kB.") % {"limit": max_logo_bytes() // 1024}, "too_large")
    return CheckedLogo(content=content, extension="svg")


def _check_reference(target: str) -> None:
    if target.startswith("#") or _INLINE_IMAGE.match(target):
        return
    raise _refuse(
        _("the SVG refers to %(target)s; only references inside the file are allowed.")
        % {"target": ascii(target[:80])[1:-1]},
        "external",
    )


def _check_css(text: str) -> None:
    for found in _CSS_REFERENCE.finditer(text):
        if found.group(0).lower() == "@import":
            raise _refuse(
                _("the SVG's style imports another file; only references inside the file are allowed."), "external"
            )
        _check_reference(found.group(1) or "")


def logo_response_headers(extension: str) -> dict[str, str]:
    """Headers every response serving a logo carries (members' preview and the proxy's URL)."""
    headers = {"X-Content-Type-Options": "nosniff"}
    if extension == "svg":
        headers["Content-Security-Policy"] = SVG_CONTENT_SECURITY_POLICY
    return headers
