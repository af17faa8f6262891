"""The signed agreement as a PDF (WeasyPrint), with its fonts embedded and nothing fetched."""

from __future__ import annotations

import hashlib
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from contracts.models import Membership, Party, SignedDocument

FONT_DIR = Path(__file__).resolve().parent / "fonts"


def _fetcher_class() -> type:
    from weasyprint.urls import URLFetcher

    class BundledFontsOnly(URLFetcher):
        """Serves the bundled fonts and refuses everything else, so rendering never touches the network."""

        def fetch(self, url: str, headers: dict | None = None):  # type: ignore[override]
            parsed = urlparse(url)
            path = Path(unquote(parsed.path)).resolve() if parsed.scheme == "file" else None
            if path is None or FONT_DIR not in path.parents:
                raise ValueError(f"refusing to fetch {url!r} while rendering a PDF")
            return super().fetch(url, headers)

    return BundledFontsOnly


def verification_url() -> str:
    return settings.SITE_URL + reverse("contracts:verify")


def agreement_pdf_render(membership: Membership) -> bytes:
    """Render the agreement as signed: full text, both signatures, the text hash and where to verify."""
    from weasyprint import HTML

    signatures = {s.party: s for s in membership.signatures.filter(version=membership.version).select_related("user")}
    member_signature = signatures[Party.MEMBER]
    language = member_signature.language
    with translation.override(language):
        html = render_to_string(
            "contracts/agreement_pdf.html",
            {
                "membership": membership,
                "version": membership.version,
                "text": membership.version.text_in(language),
                "member_signature": member_signature,
                "operator_signature": signatures.get(Party.OPERATOR),
                "text_sha256": member_signature.text_sha256,
                "verification_url": verification_url(),
                "font_dir": FONT_DIR.as_uri(),
            },
        )
    return HTML(string=html, base_url=FONT_DIR.as_uri() + "/", url_fetcher=_fetcher_class()()).write_pdf()


def signed_document_for(membership: Membership) -> SignedDocument:
    """The PDF issued for this membership's signed version, made once and then served as stored,
    so the file a member downloads is the one the verification page recognises byte for byte."""
    existing = SignedDocument.objects.filter(membership=membership, version_id=membership.version_id).first()
    if existing is not None:
        return existing
    content = agreement_pdf_render(membership)
    digest = hashlib.sha256(content).hexdigest()
    document = SignedDocument(membership=membership, version_id=membership.version_id, sha256=digest)
    document.pdf.save(
        f"agreement-{membership.pk}-v{membership.version.number}-{digest[:12]}.pdf", ContentFile(content), save=False
    )
    try:
        with transaction.atomic():
            document.save()
    except IntegrityError:
        # Someone else issued it at the same moment; theirs is the one.
        return SignedDocument.objects.get(membership=membership, version_id=membership.version_id)
    return document
