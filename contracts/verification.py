"""The public verification page's logic: which signed agreement does a PDF or a hash match?

Only the hash of the uploaded bytes can prove that a file is the document trustnet issued. The
SHA-256 printed in a file is text anyone can type, so it may only name which agreement text the
file refers to, never signatures or signatories.
"""

from __future__ import annotations

import hashlib
import io
import re
import time
from dataclasses import dataclass, field
from typing import Any

from contracts.models import AgreementVersion, Membership, Signature, SignedDocument

PRINTED_HASH = re.compile(r"SHA-256:([0-9a-f]{64})")


@dataclass
class Verification:
    # "document": the very file we issued (or its hash entered); "text": the hash of a text that was
    # signed; "unreadable": the file could not be read within the reading budget; "none".
    match: str
    document: SignedDocument | None = None
    version: AgreementVersion | None = None
    language: str = ""
    memberships: list[Membership] = field(default_factory=list)
    printed_hash: str = ""
    # The file prints the hash of an issued file: a genuine file can never contain its own hash.
    printed_hash_is_of_a_file: bool = False


@dataclass(frozen=True)
class ReadingBudget:
    """What one upload may cost to read. An issued agreement is one or a few pages of about 10 kB of
    content each, so these leave a wide margin while a hostile file stops within a few seconds."""

    pages: int = 50
    # Decompressed content-stream bytes over all pages, a stream counted each time a page uses it
    # (a page's text is parsed from it anew, so the cost is per use, not per stream).
    content_bytes: int = 1_000_000
    seconds: float = 3.0


BUDGET = ReadingBudget()


class OverBudget(Exception):
    """The file could not be read within the reading budget."""


def _memberships_with_signatures(queryset) -> list[Membership]:
    return list(
        queryset.select_related("organisation", "version")
        .prefetch_related("signatures")
        .order_by("organisation__name_fi")
    )


def _document_with_hash(sha256: str) -> SignedDocument | None:
    return SignedDocument.objects.select_related("membership__organisation", "version").filter(sha256=sha256).first()


def _document_match(document: SignedDocument) -> Verification:
    return Verification(
        match="document",
        document=document,
        version=document.version,
        memberships=_memberships_with_signatures(Membership.objects.filter(pk=document.membership_id)),
    )


def _text_match(sha256: str) -> Verification | None:
    signature = Signature.objects.select_related("version").filter(text_sha256=sha256).first()
    if signature is None:
        return None
    # The agreement text is public, so anyone can compute its hash: a text match names the
    # version only, never who signed it (signatories' names are personal data).
    return Verification(match="text", version=signature.version, language=signature.language)


def verify_hash(sha256: str) -> Verification:
    """A hash entered by hand: of an issued file (its holder computed it) or of a signed text."""
    document = _document_with_hash(sha256)
    if document is not None:
        return _document_match(document)
    return _text_match(sha256) or Verification(match="none")


def verify_pdf(content: bytes, budget: ReadingBudget | None = None) -> Verification:
    """The exact file by the hash of its bytes; else the agreement text the hash printed in it names."""
    document = _document_with_hash(hashlib.sha256(content).hexdigest())
    if document is not None:
        return _document_match(document)
    try:
        printed = printed_hash_of(content, budget or BUDGET)
    except OverBudget:
        return Verification(match="unreadable")
    if not printed:
        return Verification(match="none")
    text = _text_match(printed)
    if text is not None:
        text.printed_hash = printed
        return text
    return Verification(
        match="none",
        printed_hash=printed,
        printed_hash_is_of_a_file=SignedDocument.objects.filter(sha256=printed).exists(),
    )


def printed_hash_of(content: bytes, budget: ReadingBudget | None = None) -> str:
    """The SHA-256 printed in the PDF's text, "" if none or unreadable; OverBudget past the budget."""
    from pypdf import PdfReader, apply_configuration
    from pypdf.errors import LimitReachedError

    budget = budget or BUDGET
    deadline = time.monotonic() + budget.seconds
    # pypdf's own limits bound each single step (one stream's decompression and parsing), so that
    # the checks below, made between steps, are reached in time.
    limits: dict[str, Any] = dict.fromkeys(
        (
            "maximum_declared_stream_length",
            "array_based_stream_maximum_output_length",
            "jbig2_maximum_output_length",
            "lzw_maximum_output_length",
            "run_length_maximum_output_length",
            "zlib_maximum_output_length",
            "brotli_maximum_output_length",
            "image_maximum_buffer_size",
        ),
        budget.content_bytes * 4,
    )
    limits.update(stream_parsing_work_maximum_count=300_000, xform_maximum_invocations_per_extraction=100)
    spent = 0

    def on_operator(*_args: Any) -> None:
        # Called before each operator, including those inside form XObjects.
        if time.monotonic() > deadline:
            raise OverBudget

    try:
        with apply_configuration(**limits):
            reader = PdfReader(io.BytesIO(content))
            if len(reader.pages) > budget.pages:
                raise OverBudget
            texts = []
            for page in reader.pages:
                spent += _content_bytes(page)
                if spent > budget.content_bytes or time.monotonic() > deadline:
                    raise OverBudget
                texts.append(page.extract_text(visitor_operand_before=on_operator) or "")
                # pypdf logs and skips a form XObject that failed, our deadline included.
                if time.monotonic() > deadline:
                    raise OverBudget
    except OverBudget:
        raise
    except (LimitReachedError, MemoryError, RecursionError) as error:
        raise OverBudget from error
    except Exception:
        # pypdf raises many kinds of error on a malformed file (an unknown filter, a number where a
        # stream belongs, ...): such a file is simply not one trustnet issued, never a server error.
        return ""
    # Whitespace removed: a long hash may be wrapped over two lines.
    found = PRINTED_HASH.search(re.sub(r"\s+", "", "\n".join(texts)))
    return found.group(1) if found else ""


def _content_bytes(page: Any) -> int:
    """Decompressed size of the page's own content streams (pypdf keeps the decoded data, so
    extracting the text afterwards does not decompress them again)."""
    contents = page.get("/Contents")
    if contents is None:
        return 0
    contents = contents.get_object()
    streams = contents if isinstance(contents, list) else [contents]
    # Anything but a stream holds no content (pypdf then reads no text from it either).
    objects = (stream.get_object() for stream in streams)
    return sum(len(stream.get_data()) for stream in objects if hasattr(stream, "get_data"))
