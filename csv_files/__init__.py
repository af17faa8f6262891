"""CSV files members upload and download: reading an upload as text, writing an export that a
spreadsheet opens safely. A bottom-layer helper (DESIGN section 6): it knows no app."""

from __future__ import annotations

import codecs
import csv
import io
import unicodedata
from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.utils.translation import gettext as _

# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection, OWASP):
# `=HYPERLINK(...)` in a school name would become a link in the reader's Excel.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Finnish and Swedish Excel use `;` as the list separator (`,` is the decimal sign), so a file
# with `;` opens in columns by double-click; the importers read `,` and `;` alike.
DELIMITER = ";"


def csv_cell(value: object) -> str:
    """One cell as text, with a `'` before anything a spreadsheet would run as a formula."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def csv_cell_unescape(value: str) -> str:
    """Undo `csv_cell`, so a file this site exported imports again unchanged."""
    return value[1:] if value.startswith("'") and value[1:].startswith(FORMULA_STARTS) else value


def csv_response(*, filename: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> HttpResponse:
    """A CSV download: UTF-8 with a byte order mark (without it Excel reads ä and ö as cp1252),
    every cell escaped by `csv_cell`."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=DELIMITER, lineterminator="\r\n")
    writer.writerow([csv_cell(cell) for cell in header])
    writer.writerows([csv_cell(cell) for cell in row] for row in rows)
    response = HttpResponse(codecs.BOM_UTF8 + buffer.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _looks_binary(text: str) -> bool:
    return any(unicodedata.category(c) == "Cc" and c not in "\t\r\n" for c in text)


def csv_decode(raw: bytes) -> str:
    """The text of an uploaded CSV file, or a ValidationError saying how to save it.

    Read: UTF-8 with or without a byte order mark, UTF-16 with one (Excel's "Unicode text"), and
    Windows-1252 (Excel's plain "CSV" on Finnish Windows) if the result is text. UTF-16 without a
    byte order mark cannot be told apart reliably, so it is refused with a message, not guessed.
    """
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as error:
            raise ValidationError(_("The file is not readable UTF-16 text. Save it as CSV (UTF-8).")) from error
    # Text in UTF-16 has a NUL in every other byte; a NUL or two in UTF-8 text is a value's problem.
    if raw and raw.count(b"\x00") * 4 >= len(raw):
        raise ValidationError(_("The file looks like UTF-16 text without a byte order mark. Save it as CSV (UTF-8)."))
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        text = raw.decode("cp1252")
    except UnicodeDecodeError:
        text = None
    if text is None or _looks_binary(text):
        raise ValidationError(_("The file is not text in UTF-8. Save it as CSV (UTF-8)."))
    return text
