"""members/logos.py: a login source's logo is checked by its content (issue 14, item 4)."""

from __future__ import annotations

import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from members.logos import CheckedLogo, logo_check, logo_response_headers
from tests.members.logo_samples import GOOD_SVG, raster, svg


def _problem(data: bytes) -> str:
    with pytest.raises(ValidationError) as caught:
        logo_check(data)
    message = caught.value.message_dict["logo"][0]
    assert message[0].isupper() and not message.startswith("Logo: ")  # the key names the field
    return message


@pytest.mark.parametrize(("fmt", "extension"), [("PNG", "png"), ("JPEG", "jpg"), ("WEBP", "webp")])
def test_raster_logos_are_accepted_with_their_type_and_size(fmt, extension):
    data = raster(fmt, (120, 48))
    logo = logo_check(data)
    assert (logo.extension, logo.width, logo.height, logo.content) == (extension, 120, 48, data)
    assert logo.storage_name == f"login-source-logos/{hashlib.sha256(data).hexdigest()}.{extension}"


def test_a_safe_svg_is_accepted_and_stored_as_parsed():
    logo = logo_check(GOOD_SVG.replace(b"<defs>", b"<!-- a comment --><?xml-stylesheet href='x.css'?><defs>"))
    assert logo.extension == "svg" and logo.content_type == "image/svg+xml"
    assert b"comment" not in logo.content and b"xml-stylesheet" not in logo.content
    assert b"<circle" in logo.content


def test_svg_may_embed_a_raster_data_image():
    assert logo_check(svg('<image href="data:image/png;base64,iVBORw0KGgo="/>')).extension == "svg"


def test_text_that_is_not_an_image_is_refused():
    assert "not a PNG, JPEG, WebP or SVG image" in _problem(b"Hello, this is a text file.\n")


def test_the_type_is_not_taken_from_a_png_signature_alone():
    # A text file renamed logo.png, or one that merely starts with the PNG signature.
    assert "not a readable" in _problem(b"\x89PNG\r\n\x1a\n" + b"not really a png" * 10)


def test_an_empty_file_is_refused():
    assert "empty" in _problem(b"")


@override_settings(TRUSTNET_LOGO_MAX_BYTES=1024)
def test_an_oversized_file_is_refused():
    assert "larger than 1 kB" in _problem(raster("PNG", (64, 64)) + b"\0" * 2000)


@pytest.mark.parametrize("size", [(31, 64), (64, 16)])
def test_a_too_small_image_is_refused(size):
    assert "at least 32 pixels" in _problem(raster("PNG", size))


@pytest.mark.parametrize("size", [(1025, 64), (64, 2000)])
def test_a_too_large_image_is_refused(size):
    assert "at most 1024 pixels" in _problem(raster("JPEG", size))


def test_a_truncated_png_is_refused():
    data = raster("PNG", (200, 200))
    assert "not a readable" in _problem(data[: len(data) // 2])


def test_svg_with_a_script_element_is_refused():
    assert "script element" in _problem(svg("<script>alert(1)</script>"))


def test_svg_with_an_onload_attribute_is_refused():
    assert "event handler attribute (onload)" in _problem(svg("<circle r='3'/>", attributes=' onload="alert(1)"'))


def test_svg_with_an_event_handler_on_an_inner_element_is_refused():
    assert "event handler" in _problem(svg('<circle r="3" onClick="alert(1)"/>'))


def test_svg_with_foreign_object_is_refused():
    assert "foreignObject element" in _problem(svg("<foreignObject><p>hi</p></foreignObject>"))


@pytest.mark.parametrize(
    "body",
    [
        '<image href="https://evil.example/x.png"/>',
        '<use xmlns:xlink="http://www.w3.org/1999/xlink" xlink:href="https://evil.example/a.svg#x"/>',
        '<a href="javascript:alert(1)"><circle r="3"/></a>',
        '<image href="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4="/>',
        '<circle r="3" fill="url(https://evil.example/p.svg#g)"/>',
        "<style>@import url(https://evil.example/s.css);</style>",
        '<circle r="3" style="fill: url(\'http://evil.example/#g\')"/>',
    ],
)
def test_svg_with_an_external_reference_is_refused(body):
    assert "refers to" in _problem(svg(body)) or "imports" in _problem(svg(body))


def test_svg_animating_a_link_to_javascript_is_refused():
    body = '<a href="#x"><set attributeName="href" to="javascript:alert(1)"/><circle r="3"/></a>'
    assert "animates a link" in _problem(svg(body))


def test_svg_with_a_doctype_is_refused():
    data = b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x "y">]>' + svg("<text>&x;</text>")
    assert "DOCTYPE" in _problem(data)


def test_xml_that_is_not_svg_is_refused():
    assert "root element must be svg" in _problem(b'<html xmlns="http://www.w3.org/1999/xhtml"><body/></html>')
    # An svg element without the SVG namespace is not an SVG image to a browser.
    assert "root element must be svg" in _problem(b"<svg><circle r='3'/></svg>")


def test_malformed_svg_is_refused():
    assert "not a PNG, JPEG, WebP or SVG image" in _problem(b"<svg xmlns='http://www.w3.org/2000/svg'><circle")


def test_svg_is_served_with_a_restrictive_policy_and_every_logo_with_nosniff():
    assert logo_response_headers("svg") == {
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
    }
    assert logo_response_headers("png") == {"X-Content-Type-Options": "nosniff"}
    assert CheckedLogo(content=b"x", extension="webp").content_type == "image/webp"
