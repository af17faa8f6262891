"""Small logos made in code for the tests (no binary files in the repository)."""

from __future__ import annotations

import io

from PIL import Image

GOOD_SVG = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 64 64">'
    b'<defs><linearGradient id="g"><stop offset="0" stop-color="#036"/></linearGradient></defs>'
    b"<style>.a { fill: url(#g); }</style>"
    b'<circle class="a" cx="32" cy="32" r="30"/><use xlink:href="#g"/></svg>'
)


def raster(fmt: str = "PNG", size: tuple[int, int] = (64, 64)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (0, 51, 102)).save(buffer, format=fmt)
    return buffer.getvalue()


def svg(body: str, *, attributes: str = "") -> bytes:
    return f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"{attributes}>{body}</svg>'.encode()
