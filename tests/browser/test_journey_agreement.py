"""Journey: the member's signatory signs the agreement, operator staff countersign (with MFA), the
signed PDF downloads and verifies on the public verification page. In Finnish (keyboard only),
Swedish and English: the page text, the agreement text and the dates follow the reader's language."""

from __future__ import annotations

import datetime
import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from accounts.models import User
from contracts.models import Signature
from tests.browser.conftest import assert_accessible, keyboard_fill, keyboard_press, login
from tests.factories import TEST_PASSWORD, AgreementVersionFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EFFECTIVE_ON = datetime.date(2026, 1, 1)
AGREEMENT_TEXT = {
    "fi": "Osapuolet sitoutuvat noudattamaan luottamusverkoston periaatteita.",
    "sv": "Parterna förbinder sig att följa förtroendenätverkets principer.",
    "en": "The parties undertake to follow the principles of the trust network.",
}
# What a reader of each language sees; written out (not looked up through gettext) so that a
# missing translation fails the test instead of silently showing English.
SEES = {
    "fi": {
        "sign_link": "Lue ja allekirjoita sopimus",
        "sign_heading": "Allekirjoita jäsensopimus",
        "effective_on": "1.1.2026",
        "title_label": "Asemasi",
        "confirm_label": "Olen lukenut sopimuksen",
        "password_label": "Salasanasi",
        "sign_button": "Allekirjoita sopimus",
        "signed": "Allekirjoitit sopimuksen.",
        "awaiting": "odottaa operaattorin vastavahvistusta",
        "countersign_button": "Vastavahvista sopimus",
        "countersigned": "Vastavahvistettu. Jäsenyys on voimassa.",
        "in_force": "voimassa",
        "language_name": "suomi",
        "pdf_link": "Lataa allekirjoitettu sopimus (PDF)",
        "verify_link": "Tarkista allekirjoitettu sopimus",
        "verify_button": "Tarkista",
        "verified": "Varmennettu",
        "pdf_heading": "Sopimuksen teksti",
    },
    "sv": {
        "sign_link": "Läs och underteckna avtalet",
        "sign_heading": "Underteckna medlemsavtalet",
        "effective_on": "1.1.2026",
        "title_label": "Din titel",
        "confirm_label": "Jag har läst avtalet",
        "password_label": "Ditt lösenord",
        "sign_button": "Underteckna avtalet",
        "signed": "Du undertecknade avtalet.",
        "awaiting": "väntar på operatörens kontrasignering",
        "countersign_button": "Kontrasignera avtalet",
        "countersigned": "Kontrasignerat. Medlemskapet är i kraft.",
        "in_force": "i kraft",
        "language_name": "svenska",
        "pdf_link": "Ladda ner det undertecknade avtalet (PDF)",
        "verify_link": "Verifiera ett undertecknat avtal",
        "verify_button": "Verifiera",
        "verified": "Verifierad",
        "pdf_heading": "Avtalets text",
    },
    "en": {
        "sign_link": "Read and sign the agreement",
        "sign_heading": "Sign the membership agreement",
        "effective_on": "1 Jan 2026",
        "title_label": "Your title",
        "confirm_label": "I have read the agreement",
        "password_label": "Your password",
        "sign_button": "Sign the agreement",
        "signed": "You signed the agreement.",
        "awaiting": "awaiting the operator's countersignature",
        "countersign_button": "Countersign the agreement",
        "countersigned": "Countersigned. The membership is in force.",
        "in_force": "in force",
        "language_name": "English",
        "pdf_link": "Download the signed agreement (PDF)",
        "verify_link": "Verify a signed agreement",
        "verify_button": "Verify",
        "verified": "Verified",
        "pdf_heading": "Text of the agreement",
    },
}


def short_date(day: datetime.date, language: str) -> str:
    """A date as each language is written in Finland: 27.11.2026 in Finnish and Swedish, 27 Nov 2026 in English."""
    return f"{day.day} {day:%b} {day.year}" if language == "en" else f"{day.day}.{day.month}.{day.year}"


def _sign(page, sees: dict, *, keyboard: bool) -> None:
    title = page.get_by_label(sees["title_label"])
    confirm = page.get_by_label(sees["confirm_label"])
    password = page.get_by_label(sees["password_label"])
    button = page.get_by_role("button", name=sees["sign_button"], exact=True)
    if keyboard:
        keyboard_fill(page, title, "Sivistysjohtaja")
        keyboard_press(page, confirm, "Space")
        keyboard_fill(page, password, TEST_PASSWORD)
        keyboard_press(page, button, "Enter")
    else:
        title.fill("Sivistysjohtaja")
        confirm.check()
        password.fill(TEST_PASSWORD)
        button.click()
    page.wait_for_load_state()


@pytest.mark.parametrize(
    ("language", "keyboard"), [("fi", True), ("sv", False), ("en", False)], ids=["fi-keyboard", "sv", "en"]
)
def test_signatory_signs_staff_countersign_and_the_pdf_verifies(
    page, site, org_a, signatory_a, operator, language, keyboard
):
    AgreementVersionFactory(
        effective_on=EFFECTIVE_ON,
        text_fi=AGREEMENT_TEXT["fi"],
        text_sv=AGREEMENT_TEXT["sv"],
        text_en=AGREEMENT_TEXT["en"],
    )
    sees = SEES[language]
    today = timezone.localdate()
    User.objects.filter(pk=signatory_a.pk).update(full_name="Maija Meikäläinen")

    # The signatory finds the agreement on their dashboard and reads it in their language.
    login(page, site, signatory_a.email, language=language, keyboard=keyboard)
    assert page.locator("html").get_attribute("lang") == language
    sign_link = page.get_by_role("link", name=sees["sign_link"])
    keyboard_press(page, sign_link) if keyboard else sign_link.click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == sees["sign_heading"]
    text = page.locator(".agreement-text")
    assert text.get_attribute("lang") == language
    assert AGREEMENT_TEXT[language] in text.inner_text()
    assert sees["effective_on"] in page.locator("main").inner_text()
    assert page.locator("select[name=language]").input_value() == language
    assert_accessible(page, f"journey-sign-{language}")

    if language == "sv":
        # A mistyped password: the error is in Swedish, tied to the field, and nothing is signed.
        page.get_by_label(sees["title_label"]).fill("Bildningsdirektör")
        page.get_by_label(sees["confirm_label"]).check()
        page.get_by_label(sees["password_label"]).fill("fel lösenord")
        page.get_by_role("button", name=sees["sign_button"], exact=True).click()
        page.wait_for_load_state()
        password = page.get_by_label(sees["password_label"])
        assert password.get_attribute("aria-invalid") == "true"
        described_by = password.get_attribute("aria-describedby").split()
        errors = " ".join(page.locator(f"[id='{ref}']").inner_text() for ref in described_by)
        assert "Lösenordet är inte korrekt." in errors
        assert page.get_by_label(sees["title_label"]).input_value() == "Bildningsdirektör"  # nothing retyped
        assert_accessible(page, "journey-sign-error-sv")
        assert not Signature.objects.exists()
    _sign(page, sees, keyboard=keyboard)
    assert sees["signed"] in page.locator(".messages").inner_text()
    assert sees["awaiting"] in page.locator("main").inner_text()
    assert sees["language_name"] in page.locator("main table").inner_text()
    assert_accessible(page, f"journey-signed-{language}")
    membership_url = page.url

    # Operator staff (with MFA) countersign from the list of memberships awaiting them.
    page.context.clear_cookies()
    login(page, site, operator.email, mfa=True, language=language)
    page.goto(site + "/agreements/staff/memberships/?state=awaiting_operator")
    page.get_by_role("link", name=getattr(org_a, f"name_{language}")).click()
    page.wait_for_load_state()
    assert page.url == membership_url
    page.get_by_label(sees["title_label"]).fill("Palvelupäällikkö")
    page.get_by_label(sees["password_label"]).fill(TEST_PASSWORD)
    page.get_by_role("button", name=sees["countersign_button"]).click()
    page.wait_for_load_state()
    assert sees["countersigned"] in page.locator(".messages").inner_text()
    dates = page.locator("dl.dates").inner_text()
    assert short_date(today, language) in dates
    assert_accessible(page, f"journey-countersigned-{language}")

    # The signatory downloads the signed PDF: the agreement text in the language signed, both signatures.
    page.context.clear_cookies()
    login(page, site, signatory_a.email, language=language)
    page.goto(membership_url)
    with page.expect_download() as download_info:
        page.get_by_role("link", name=sees["pdf_link"]).click()
    pdf = download_info.value.path().read_bytes()
    pdf_text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert sees["pdf_heading"] in pdf_text
    assert AGREEMENT_TEXT[language] in " ".join(pdf_text.split())
    assert sees["effective_on"] in pdf_text
    assert "Maija Meikäläinen" in pdf_text
    assert "Palvelupäällikkö" in pdf_text

    # Anyone can verify it: the verification page recognises the file byte for byte.
    page.get_by_role("link", name=sees["verify_link"]).click()
    page.wait_for_load_state()
    page.locator("input[name=document]").set_input_files(
        files=[{"name": "sopimus.pdf", "mimeType": "application/pdf", "buffer": pdf}]
    )
    page.locator("main form").get_by_role("button", name=sees["verify_button"], exact=True).click()
    page.wait_for_load_state()
    result = page.get_by_role("status").filter(has=page.get_by_role("heading", level=2)).inner_text()
    assert sees["verified"] in result
    assert org_a.business_id in result
    assert "Maija Meikäläinen" in result
    assert "Palvelupäällikkö" in result
    assert_accessible(page, f"journey-verified-{language}")
