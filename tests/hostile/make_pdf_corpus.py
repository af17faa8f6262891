"""Write the hostile PDF corpus (issue 15, items 1-2) to tests/hostile/pdf/.

Each file is something an attacker could upload to the public verification page: files that print
a hash, files built to make text extraction slow, and files that are not PDFs at all. Fed to the
page, every one must get an answer in words within the reading budget, never a 500. Run again after
changing a case: `.venv/bin/python -m tests.hostile.make_pdf_corpus`; the files are committed.
"""

from __future__ import annotations

from pathlib import Path

from pypdf.generic import DictionaryObject, NumberObject

from tests.hostile.pdfs import malformed_page, pdf_with, printing, text_operators, unknown_filter

FOLDER = Path(__file__).resolve().parent / "pdf"


def corpus() -> dict[str, bytes]:
    """File name → contents."""
    good = printing("Liittymissopimus")
    return {
        "plain.pdf": good,
        # A made-up hash: matches nothing, and a printed hash could never prove a document anyway.
        "prints-unknown-hash.pdf": printing("SHA-256:" + "ab" * 32),
        # Pages sharing one large compressed content stream (took 144 s before the budget).
        "shared-stream-bomb.pdf": pdf_with(text_operators(400_000), pages=20),
        # One page whose form XObject is drawn thousands of times.
        "form-invoked-over-and-over.pdf": pdf_with(b"/X0 Do\n" * 20_000, form=text_operators(2_000)),
        "too-many-pages.pdf": pdf_with(b"BT /F1 12 Tf 10 10 Td (x) Tj ET", pages=51),
        "unknown-filter.pdf": malformed_page(unknown_filter()),
        "contents-a-dictionary.pdf": malformed_page(DictionaryObject()),
        "contents-a-number.pdf": malformed_page(NumberObject(3)),
        "truncated.pdf": good[: len(good) // 2],
        "header-only.pdf": b"%PDF-1.7\n",
        "empty.pdf": b"",
        "not-a-pdf.pdf": b"<html><body>SHA-256:" + b"cd" * 32 + b"</body></html>",
        "random-bytes.pdf": bytes(range(256)) * 16,
    }


def main() -> None:
    FOLDER.mkdir(exist_ok=True)
    for name, content in corpus().items():
        (FOLDER / name).write_bytes(content)


if __name__ == "__main__":
    main()
