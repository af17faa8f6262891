"""Hand-built PDFs for the verification page's tests and the hostile corpus (issue 15, items 1-2)."""

from __future__ import annotations

import io
import zlib

from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, StreamObject


def pdf_with(content: bytes, pages: int = 1, *, form: bytes | None = None) -> bytes:
    """A hand-built PDF: every page uses one shared FlateDecode content stream (and, given `form`,
    a shared form XObject /X0 with that content), with a standard font so pypdf reads its text."""
    writer = PdfWriter()

    def flate(data: bytes) -> StreamObject:
        stream = StreamObject()
        stream.set_data(zlib.compress(data, 9))
        stream[NameObject("/Filter")] = NameObject("/FlateDecode")
        return stream

    font = writer._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
            }
        )
    )
    fonts = DictionaryObject({NameObject("/F1"): font})
    resources = DictionaryObject({NameObject("/Font"): fonts})
    if form is not None:
        xobject = flate(form)
        xobject.update(
            {
                NameObject("/Type"): NameObject("/XObject"),
                NameObject("/Subtype"): NameObject("/Form"),
                NameObject("/BBox"): ArrayObject(NumberObject(n) for n in (0, 0, 100, 100)),
                NameObject("/Resources"): DictionaryObject({NameObject("/Font"): fonts}),
            }
        )
        resources[NameObject("/XObject")] = DictionaryObject({NameObject("/X0"): writer._add_object(xobject)})
    contents = writer._add_object(flate(content))
    for _page in range(pages):
        page = writer.add_blank_page(200, 200)
        page[NameObject("/Contents")] = contents
        page[NameObject("/Resources")] = resources
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def text_operators(size: int) -> bytes:
    operator = b"BT /F1 12 Tf 10 10 Td (AAAAAAAA) Tj ET\n"
    return operator * (size // len(operator))


def printing(text: str) -> bytes:
    return pdf_with(f"BT /F1 4 Tf 5 100 Td ({text}) Tj ET".encode())


def malformed_page(contents) -> bytes:
    writer = PdfWriter()
    page = writer.add_blank_page(100, 100)
    page[NameObject("/Contents")] = writer._add_object(contents)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def unknown_filter() -> StreamObject:
    stream = StreamObject()
    stream.set_data(b"xx")
    stream[NameObject("/Filter")] = NameObject("/NoSuchFilter")
    return stream
