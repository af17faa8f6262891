"""Write the hostile school-CSV corpus (issue 15 items 4 and 5) to tests/hostile/csv/.

Each file is something a careless member or an attacker could upload as a school import. Fed to
the import, every one must get a preview or a field-named error, never a 500. Run it again after
changing a case: `.venv/bin/python tests/hostile/make_csv_corpus.py`; the files are committed.
"""

from __future__ import annotations

import codecs
from pathlib import Path

FOLDER = Path(__file__).resolve().parent / "csv"
GOOD = "koodi;nimi;tyyppi\r\n12345;Mäntylän koulu;perusopetus\r\n12346;Åbo lyceum;lukio\r\n"


def corpus() -> dict[str, bytes]:
    """File name → contents."""
    return {
        # Excel's "Unicode text": UTF-16 with a byte order mark, little- and big-endian. Read as text.
        "utf16-le-bom.csv": codecs.BOM_UTF16_LE + GOOD.encode("utf-16-le"),
        "utf16-be-bom.csv": codecs.BOM_UTF16_BE + GOOD.encode("utf-16-be"),
        # The same without the mark: refused with a message saying how to save it.
        "utf16-le-no-bom.csv": GOOD.encode("utf-16-le"),
        # A field over Python's csv limit of 131,072 characters.
        "huge-field.csv": ("12345;" + "x" * 200_000 + ";basic\n").encode(),
        "huge-field-quoted.csv": ('12345;Koulu;basic\n12346;"' + "y;" * 70_000 + '";basic\n').encode(),
        # A NUL and other control characters in values.
        "nul-in-name.csv": b"12345;Koulu\x00nimi;basic\n",
        "nul-in-code.csv": b"123\x0045;Koulu;basic\n",
        "control-in-type.csv": b"12345;Koulu;bas\x07ic\n",
        # Digits that look like a school code on screen but are not ASCII.
        "arabic-indic-code.csv": "١٢٣٤٥;Koulu;basic\n٠١٢٣٤;Toinen;basic\n".encode(),
        "full-width-code.csv": "１２３４５;Koulu;basic\n".encode(),
        "superscript-code.csv": "¹²³⁴⁵;Koulu;basic\n".encode(),
        # Cells a spreadsheet would run as formulas: stored as they are, escaped in every export.
        "formula-cells.csv": (
            b'12341;"=HYPERLINK(""https://evil.example/"";""klikkaa"")";basic\n'
            b'12342;"+SUM(1;2)";basic\n12343;-2+3;basic\n12344;@SUM(A1);basic\n'
            b'12345;"\t=1+1";basic\n12346;"\r=1+1";basic\n'
        ),
        # Refused as a whole, each with a message.
        "empty.csv": b"",
        "blank-lines.csv": b"\n\r\n;;\n",
        "header-only.csv": b"code,name,type\n",
        "header-wrong-order.csv": b"name,code,type\nKoulu,12345,basic\n",
        "too-many-rows.csv": "".join(f"{10000 + n};Koulu {n};basic\n" for n in range(2001)).encode(),
        "not-text.csv": bytes(range(256)) * 8,
    }


def main() -> None:
    FOLDER.mkdir(exist_ok=True)
    for name, content in corpus().items():
        (FOLDER / name).write_bytes(content)


if __name__ == "__main__":
    main()
