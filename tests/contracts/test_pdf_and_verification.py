"""The signed PDF read back with pypdf, and the public verification page (issue 4, item 3)."""

from __future__ import annotations

import hashlib
import io
import re
import time

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DictionaryObject, NumberObject

from contracts.models import SignedDocument
from contracts.pdf import agreement_pdf_render, signed_document_for
from contracts.services import text_sha256
from contracts.verification import ReadingBudget
from tests.hostile.pdfs import malformed_page, pdf_with, printing, text_operators, unknown_filter

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_pdf_holds_the_full_text_both_signatures_the_hash_and_the_verification_link(signed_membership, version):
    content = agreement_pdf_render(signed_membership)
    assert content.startswith(b"%PDF-")
    text = pdf_text(content)
    flat = re.sub(r"\s+", " ", text)
    assert "Jäsen ja operaattori sopivat tunnistuksen välityksestä. Åäö." in flat
    assert "Sanna Signeeraaja, Sivistysjohtaja" in flat
    assert "Olli Operaattori, Palvelupäällikkö" in flat
    assert signed_membership.organisation.business_id in flat
    assert f"SHA-256: {text_sha256(version.text_fi)}" in flat
    assert "/agreements/verify/" in flat
    # The hash printed is the one recorded in both signatures.
    assert {s.text_sha256 for s in signed_membership.signatures.all()} == {text_sha256(version.text_fi)}


def test_pdf_embeds_its_fonts(signed_membership):
    reader = PdfReader(io.BytesIO(agreement_pdf_render(signed_membership)))
    fonts = []
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            descriptor = (
                font.get_object().get("/FontDescriptor")
                or font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            )
            fonts.append(descriptor.get_object())
    assert fonts
    assert all(any(key in f for key in ("/FontFile", "/FontFile2", "/FontFile3")) for f in fonts)
    # The bundled font files, loaded through @font-face (not whatever the system has).
    assert all("Bundled-Sans" in str(f["/FontName"]) for f in fonts)


def test_pdf_is_in_the_language_that_was_signed(org_b, signatory_b, operator, version):
    from tests.contracts.conftest import countersign, sign_as_member

    membership = sign_as_member(org_b, signatory_b, version, language="sv").membership
    countersign(membership, operator)
    membership.refresh_from_db()
    flat = re.sub(r"\s+", " ", pdf_text(agreement_pdf_render(membership)))
    assert "Medlemmen och operatören avtalar" in flat
    assert text_sha256(version.text_sv) in flat


def test_rendering_fetches_nothing_from_the_network(signed_membership, monkeypatch):
    import socket

    def refuse(*args, **kwargs):
        raise AssertionError("network access while rendering a PDF")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    assert agreement_pdf_render(signed_membership).startswith(b"%PDF-")


def test_fetcher_refuses_anything_but_the_bundled_fonts():
    from contracts.pdf import _fetcher_class

    fetcher = _fetcher_class()()
    for url in ("https://example.org/font.ttf", "file:///etc/passwd", "http://169.254.169.254/"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_document_is_issued_once_and_served_as_stored(signed_membership):
    first = signed_document_for(signed_membership)
    second = signed_document_for(signed_membership)
    assert first.pk == second.pk
    assert SignedDocument.objects.count() == 1
    assert hashlib.sha256(first.pdf.open("rb").read()).hexdigest() == first.sha256


def test_downloaded_pdf_verifies_as_the_exact_document(signed_membership, admin_a, as_user, client):
    response = as_user(admin_a).get(reverse("contracts:membership-pdf", args=[signed_membership.pk]))
    assert response["Content-Type"] == "application/pdf"
    content = b"".join(response.streaming_content)
    result = client.post(
        reverse("contracts:verify"), {"document": SimpleUploadedFile("a.pdf", content, "application/pdf")}
    )
    assert result.context["result"].match == "document"
    page = result.content.decode()
    assert "Sanna Signeeraaja" in page and "Olli Operaattori" in page
    assert signed_membership.organisation.business_id in page


def test_changed_pdf_matches_only_by_the_printed_text_hash(signed_membership, client):
    content = signed_document_for(signed_membership).pdf.open("rb").read()
    writer = PdfWriter(clone_from=io.BytesIO(content))
    writer.add_metadata({"/Title": "muokattu"})
    changed = io.BytesIO()
    writer.write(changed)
    result = client.post(
        reverse("contracts:verify"), {"document": SimpleUploadedFile("a.pdf", changed.getvalue(), "application/pdf")}
    )
    verification = result.context["result"]
    assert verification.match == "text"
    assert verification.printed_hash == signed_membership.signatures.first().text_sha256
    page = result.content.decode()
    assert "not the one trustnet issued" in page
    assert "proves nothing about signatures" in page
    assert "Sanna Signeeraaja" not in page and "Olli Operaattori" not in page


@pytest.mark.parametrize("kind", ["text", "document"])
def test_hash_verifies(kind, signed_membership, client):
    document = signed_document_for(signed_membership)
    sha256 = document.sha256 if kind == "document" else signed_membership.signatures.first().text_sha256
    result = client.post(reverse("contracts:verify"), {"sha256": sha256.upper()})
    assert result.context["result"].match == kind
    # The text is public, so its hash must not reveal who signed; the issued document may.
    assert ("Sanna Signeeraaja" in result.content.decode()) is (kind == "document")
    if kind == "text":
        # The text's language in words, never its code.
        assert "(finnish)" in result.content.decode() and "(fi)" not in result.content.decode()


def test_unknown_hash_matches_nothing(db, client):
    result = client.post(reverse("contracts:verify"), {"sha256": "ab" * 32})
    assert result.context["result"].match == "none"
    assert "does not match" in result.content.decode()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"sha256": "xyz"}, "sha256"),
        ({"sha256": "ab" * 31}, "sha256"),
        ({"document": SimpleUploadedFile("a.pdf", b"not a pdf", "application/pdf")}, "document"),
        ({}, "__all__"),
    ],
)
def test_bad_verification_input_names_the_field(data, field, db, client):
    response = client.post(reverse("contracts:verify"), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert response.context["result"] is None


def test_garbage_pdf_matches_nothing(db, client):
    result = client.post(
        reverse("contracts:verify"), {"document": SimpleUploadedFile("a.pdf", b"%PDF-1.7 garbage", "application/pdf")}
    )
    assert result.context["result"].match == "none"


def test_verification_page_is_public(db, client):
    assert client.get(reverse("contracts:verify")).status_code == 200


# --- Forged files (issue 15, item 1) and hostile files (item 2) ------------------------------------


def post_pdf(client, content: bytes, **extra):
    return client.post(
        reverse("contracts:verify"), {"document": SimpleUploadedFile("a.pdf", content, "application/pdf")}, **extra
    )


def test_a_file_printing_an_issued_files_hash_is_not_genuine(signed_membership, client):
    document = signed_document_for(signed_membership)
    forged = printing(f"SHA-256:{document.sha256}")
    assert len(forged) < 2000
    response = post_pdf(client, forged)
    verification = response.context["result"]
    assert verification.match == "none"
    assert verification.printed_hash == document.sha256
    page = response.content.decode()
    assert "exactly the document trustnet issued" not in page
    assert "Sanna Signeeraaja" not in page and "Olli Operaattori" not in page
    assert signed_membership.organisation.business_id not in page
    assert "not a document trustnet issued" in page
    assert "proves nothing about signatures" in page
    # The genuine bytes still verify as the document.
    genuine = post_pdf(client, document.pdf.open("rb").read())
    assert genuine.context["result"].match == "document"
    assert "Sanna Signeeraaja" in genuine.content.decode()


def test_a_file_printing_a_text_hash_names_the_text_only(signed_membership, client):
    text_hash = signed_membership.signatures.first().text_sha256
    response = post_pdf(client, printing(f"SHA-256:{text_hash}"))
    verification = response.context["result"]
    assert verification.match == "text"
    assert verification.memberships == [] and verification.document is None
    page = response.content.decode()
    assert "not the one trustnet issued" in page and "proves nothing about signatures" in page
    assert "Sanna Signeeraaja" not in page and "Olli Operaattori" not in page


LIMITS_MESSAGE = "could not be read within the limits"


def test_pages_sharing_one_large_content_stream_stop_within_the_budget(db, client):
    # 20 pages × 400 kB: about 8 MB of text operators to parse from a file of a few kB.
    hostile = pdf_with(text_operators(400_000), pages=20)
    assert len(hostile) < 20_000
    started = time.monotonic()
    response = post_pdf(client, hostile)
    elapsed = time.monotonic() - started
    assert response.status_code == 200
    assert response.context["result"].match == "unreadable"
    assert LIMITS_MESSAGE in response.content.decode()
    assert elapsed < 4


def test_a_file_with_too_many_pages_is_not_read(db, client):
    response = post_pdf(client, pdf_with(b"BT /F1 12 Tf 10 10 Td (A) Tj ET", pages=51))
    assert response.context["result"].match == "unreadable"
    assert LIMITS_MESSAGE in response.content.decode()


def test_a_form_invoked_over_and_over_stops_at_the_deadline(db, client, monkeypatch):
    monkeypatch.setattr("contracts.verification.BUDGET", ReadingBudget(seconds=1.0))
    hostile = pdf_with(b"/X0 Do\n" * 100, form=text_operators(200_000))
    started = time.monotonic()
    response = post_pdf(client, hostile)
    assert response.context["result"].match == "unreadable"
    assert time.monotonic() - started < 3


def test_reading_past_the_time_budget_stops(db, client, monkeypatch):
    monkeypatch.setattr("contracts.verification.BUDGET", ReadingBudget(seconds=0.0))
    response = post_pdf(client, printing("SHA-256:" + "ab" * 32))
    assert response.status_code == 200
    assert response.context["result"].match == "unreadable"
    assert LIMITS_MESSAGE in response.content.decode()


@pytest.mark.parametrize("contents", [unknown_filter, DictionaryObject, lambda: NumberObject(3)])
def test_a_malformed_file_matches_nothing_without_a_server_error(contents, db, client):
    response = post_pdf(client, malformed_page(contents()))
    assert response.status_code == 200
    assert response.context["result"].match == "none"


def test_verification_posts_are_rate_limited_per_client_address(db, client, settings):
    settings.ACCOUNT_RATE_LIMITS = {"verify_document": "3/m/ip"}
    cache.clear()
    url = reverse("contracts:verify")
    for _attempt in range(3):
        assert client.post(url, {"sha256": "ab" * 32}).status_code == 200
    limited = client.post(url, {"sha256": "ab" * 32})
    assert limited.status_code == 429
    assert limited.context["result"] is None
    assert "Too many verifications from your address" in limited.content.decode()
    # In the page's language.
    finnish = client.post(url, {"sha256": "ab" * 32}, HTTP_ACCEPT_LANGUAGE="fi")
    assert finnish.status_code == 429 and finnish["Content-Language"] == "fi"
    assert 'lang="fi"' in finnish.content.decode()
    # Reading the page is not limited, and another client is not affected.
    assert client.get(url).status_code == 200
    other = client.post(url, {"sha256": "ab" * 32}, REMOTE_ADDR="192.0.2.7")
    assert other.status_code == 200 and other.context["result"].match == "none"
    cache.clear()
