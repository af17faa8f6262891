"""The public verification page's logic: which signed agreement does a PDF or a hash match?"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass, field

from contracts.models import AgreementVersion, Membership, Signature, SignedDocument

PRINTED_HASH = re.compile(r"SHA-256:([0-9a-f]{64})")


@dataclass
class Verification:
    # "document": the very file we issued; "text": the hash of a text that was signed; "none".
    match: str
    document: SignedDocument | None = None
    version: AgreementVersion | None = None
    language: str = ""
    memberships: list[Membership] = field(default_factory=list)
    printed_hash: str = ""


def _memberships_with_signatures(queryset) -> list[Membership]:
    return list(
        queryset.select_related("organisation", "version")
        .prefetch_related("signatures")
        .order_by("organisation__name_fi")
    )


def verify_hash(sha256: str) -> Verification:
    document = (
        SignedDocument.objects.select_related("membership__organisation", "version").filter(sha256=sha256).first()
    )
    if document is not None:
        return Verification(
            match="document",
            document=document,
            version=document.version,
            memberships=_memberships_with_signatures(Membership.objects.filter(pk=document.membership_id)),
        )
    signature = Signature.objects.select_related("version").filter(text_sha256=sha256).first()
    if signature is not None:
        # The agreement text is public, so anyone can compute its hash: a text match names the
        # version only, never who signed it (signatories' names are personal data).
        return Verification(match="text", version=signature.version, language=signature.language)
    return Verification(match="none")


def verify_pdf(content: bytes) -> Verification:
    """The exact file, else the text hash printed in it (the file itself may then have been changed)."""
    result = verify_hash(hashlib.sha256(content).hexdigest())
    if result.match != "none":
        return result
    printed = printed_hash_of(content)
    if not printed:
        return Verification(match="none")
    result = verify_hash(printed)
    result.printed_hash = printed
    if result.match == "document":
        return result
    return result if result.match == "text" else Verification(match="none", printed_hash=printed)


def printed_hash_of(content: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(content))
        text = "\n".join(page.extract_text() or "" for page in reader.pages[:50])
    except (PyPdfError, ValueError, KeyError, TypeError, OSError):
        return ""
    # Whitespace removed: a long hash may be wrapped over two lines.
    found = PRINTED_HASH.search(re.sub(r"\s+", "", text))
    return found.group(1) if found else ""
