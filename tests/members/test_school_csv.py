"""The school CSV import and export (issue 15 items 4 and 5): every hostile file gets a message
naming the problem, never a 500; school codes are ASCII digits everywhere; an export escapes
cells a spreadsheet would run as formulas and imports again unchanged."""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from members.forms import OrganisationForm, SchoolForm
from members.models import School
from tests.hostile.make_csv_corpus import corpus

pytestmark = pytest.mark.django_db
CORPUS = Path(__file__).resolve().parents[1] / "hostile" / "csv"


def _upload(client, organisation, content: bytes, name: str = "schools.csv"):
    url = reverse("members:school-import", args=[organisation.pk])
    return client.post(url, {"file": SimpleUploadedFile(name, content, content_type="text/csv")})


def _file_errors(response) -> list[str]:
    form = response.context["form"]
    return [str(e) for e in form.errors.get("file", [])] + [str(e) for e in form.non_field_errors()]


# What each file of the corpus must get: a preview (None) or a message on the file field.
EXPECTED = {
    "utf16-le-bom.csv": None,
    "utf16-be-bom.csv": None,
    "utf16-le-no-bom.csv": "UTF-16 text without a byte order mark",
    "huge-field.csv": "line 1: a value is longer than 131072 characters",
    "huge-field-quoted.csv": "a value is longer than 131072 characters",
    "nul-in-name.csv": "name: the value contains a character that is not allowed",
    "nul-in-code.csv": "code: the value contains a character that is not allowed",
    "control-in-type.csv": "type: the value contains a character that is not allowed",
    "arabic-indic-code.csv": "code: a school code has exactly five digits",
    "full-width-code.csv": "code: a school code has exactly five digits",
    "superscript-code.csv": "code: a school code has exactly five digits",
    "formula-cells.csv": None,
    "empty.csv": "The submitted file is empty.",
    "blank-lines.csv": "The file has no schools.",
    "header-only.csv": "The file has no schools.",
    "header-wrong-order.csv": "they must be: code, name, type",
    "too-many-rows.csv": "At most 2000 schools per import.",
    "not-text.csv": "The file is not text in UTF-8",
}


def test_the_committed_corpus_is_what_the_script_writes():
    assert {p.name: p.read_bytes() for p in CORPUS.iterdir()} == corpus()
    assert set(EXPECTED) == set(corpus())


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_hostile_csv_gets_a_preview_or_a_message_never_a_500(org_a, admin_a, as_user, name):
    response = _upload(as_user(admin_a), org_a, (CORPUS / name).read_bytes(), name)
    assert response.status_code == 200
    body = response.content.decode()
    expected = EXPECTED[name]
    rows = response.context["rows"] or []
    if expected is None:
        assert rows and not any(row.errors for row in rows) and "Import these schools" in body
    else:
        messages = _file_errors(response) + [e for row in rows for e in row.errors]
        assert any(expected in m for m in messages), messages
        assert "\x00" not in body  # a NUL is shown as a replacement character, not sent to the browser
        assert "Import these schools" not in body
    assert not School.objects.exists()


def test_utf16_with_a_byte_order_mark_is_read_and_imported(org_a, admin_a, as_user):
    client = as_user(admin_a)
    response = _upload(client, org_a, (CORPUS / "utf16-le-bom.csv").read_bytes())
    assert [(r.code, r.name) for r in response.context["rows"]] == [
        ("12345", "Mäntylän koulu"), ("12346", "Åbo lyceum"),
    ]  # fmt: skip
    text = response.context["form"].initial["text"]
    client.post(reverse("members:school-import", args=[org_a.pk]), {"text": text, "confirm": "1"})
    assert set(School.objects.values_list("name", flat=True)) == {"Mäntylän koulu", "Åbo lyceum"}


def test_a_windows_1252_file_from_excel_is_still_read(org_a, admin_a, as_user):
    response = _upload(as_user(admin_a), org_a, "12345;Mäntylän koulu;perusopetus\r\n".encode("cp1252"))
    assert [r.name for r in response.context["rows"]] == ["Mäntylän koulu"]


def test_a_file_refused_as_a_whole_shows_its_message_on_the_page(org_a, admin_a, as_user):
    """The view used to replace the form, and the message with it, after the service refused."""
    response = _upload(as_user(admin_a), org_a, (CORPUS / "too-many-rows.csv").read_bytes())
    assert "At most 2000 schools per import." in response.content.decode()
    response = _upload(as_user(admin_a), org_a, b"code,name,type\n")
    assert "The file has no schools." in response.content.decode()


def test_a_nul_posted_at_the_confirm_step_is_named_and_nothing_is_saved(org_a, admin_a, as_user):
    url = reverse("members:school-import", args=[org_a.pk])
    response = as_user(admin_a).post(url, {"text": "12345;Koulu\x00;basic\n", "confirm": "1"})
    assert response.status_code == 200
    (message,) = _file_errors(response)
    assert message.startswith("line 1: name: the value contains a character that is not allowed")
    assert "Null characters" not in response.content.decode() and not School.objects.exists()


def test_a_huge_field_through_the_api_is_a_400_on_csv(org_a, technical_a):
    client = APIClient()
    client.force_authenticate(technical_a)
    url = f"/api/organisations/{org_a.pk}/schools/import/"
    response = client.post(url, {"csv": "12345;" + "x" * 200_000 + ";basic\n"}, format="json")
    assert response.status_code == 400
    assert response.json() == {"csv": ["line 1: a value is longer than 131072 characters"]}
    response = client.post(url, {"csv": "١٢٣٤٥;Koulu;basic\n"}, format="json")
    assert response.status_code == 400 and "five digits" in response.json()["csv"][0]


# ---------------------------------------------------------------- ASCII-only school codes

NOT_ASCII_CODES = ["١٢٣٤٥", "۱۲۳۴۵", "１２３４５", "¹²³⁴⁵", "1234\n"]


@pytest.mark.parametrize("code", NOT_ASCII_CODES)
def test_the_model_refuses_a_school_code_of_non_ascii_digits(org_a, code):
    with pytest.raises(ValidationError) as caught:
        School(organisation=org_a, code=code, name="Koulu", school_type="basic").full_clean()
    assert "code" in caught.value.message_dict


@pytest.mark.parametrize("code", NOT_ASCII_CODES)
def test_the_school_form_refuses_a_code_of_non_ascii_digits(code):
    form = SchoolForm({"code": code, "name": "Koulu", "school_type": "basic"})
    assert not form.is_valid() and "code" in form.errors


def test_the_school_form_names_a_control_character_in_a_name():
    form = SchoolForm({"code": "12345", "name": "Kou\x07lu", "school_type": "basic"})
    assert form.errors["name"] == ["The value contains a character that is not allowed (a control character)."]


def test_the_organisation_form_refuses_municipality_codes_of_non_ascii_digits():
    form = OrganisationForm({"municipality_codes": "091, ٠٩١, ０９１"})
    form.is_valid()
    assert form.errors["municipality_codes"] == ["Not a three-digit municipality code: ٠٩١, ０９１"]


@pytest.mark.parametrize("code", NOT_ASCII_CODES[:4])
def test_the_api_refuses_a_school_code_of_non_ascii_digits(org_a, technical_a, code):
    client = APIClient()
    client.force_authenticate(technical_a)
    body = {"organisation": org_a.pk, "code": code, "name": "Koulu", "school_type": "basic"}
    response = client.post("/api/schools/", body, format="json")
    assert response.status_code == 400 and "code" in response.json()
    source = {"organisation": org_a.pk, "kind": "wilma", "name": "W", "hostnames": ["a.inschool.fi"], "schools": [code]}
    response = client.post("/api/login-sources/", source, format="json")
    assert response.status_code == 400 and "schools" in response.json()
    assert not School.objects.exists()


def test_the_api_schema_states_the_school_code_pattern():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    code = schema["components"]["schemas"]["SchoolWrite"]["properties"]["code"]
    assert code["pattern"] == "^[0-9]{5}$" and code["maxLength"] == 5


# ---------------------------------------------------------------- export


def _export(client, organisation):
    return client.get(reverse("members:school-export", args=[organisation.pk]))


def _rows(response) -> list[list[str]]:
    content = response.content
    assert content.startswith(codecs.BOM_UTF8)  # Excel reads ä and ö right only with the mark
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def test_the_export_escapes_formula_cells_and_imports_again_unchanged(org_a, admin_a, as_user):
    client = as_user(admin_a)
    _upload(client, org_a, (CORPUS / "formula-cells.csv").read_bytes())
    text = corpus()["formula-cells.csv"].decode()
    client.post(reverse("members:school-import", args=[org_a.pk]), {"text": text, "confirm": "1"})
    stored = dict(School.objects.values_list("code", "name"))
    assert stored["12341"].startswith("=HYPERLINK(") and stored["12343"] == "-2+3"

    response = _export(client, org_a)
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    header, *rows = _rows(response)
    assert header == ["code", "name", "type", "oid"]
    # The tab and CR before 12345's and 12346's `=` were stripped on import; the `=` is escaped.
    assert [row[1][:2] for row in rows] == ["'=", "'+", "'-", "'@", "'=", "'="]
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for cell in row)

    # Round trip: the exported file, uploaded again, changes nothing.
    response = _upload(client, org_a, response.content)
    preview = {row.code: row.name for row in response.context["rows"]}
    assert preview == stored and all(row.exists and not row.errors for row in response.context["rows"])


def test_the_export_escapes_a_name_stored_before_the_import_checked_it(org_a, admin_a, as_user):
    School.objects.create(organisation=org_a, code="11111", name="\t=cmd|' /C calc'!A0", school_type="basic")
    School.objects.create(organisation=org_a, code="22222", name="Tavallinen koulu", school_type="other")
    _header, first, second = _rows(_export(as_user(admin_a), org_a))
    assert first == ["11111", "'\t=cmd|' /C calc'!A0", "basic", ""]
    assert second == ["22222", "Tavallinen koulu", "other", ""]


def test_whoever_sees_the_schools_may_export_them_and_no_one_else(org_a, org_b, admin_a, admin_b, signatory_a, as_user):
    School.objects.create(organisation=org_a, code="11111", name="A-koulu", school_type="basic")
    School.objects.create(organisation=org_b, code="22222", name="B-koulu", school_type="basic")
    assert _rows(_export(as_user(signatory_a), org_a))[1:] == [["11111", "A-koulu", "basic", ""]]
    assert _export(as_user(admin_a), org_b).status_code == 404
    assert _export(as_user(admin_b), org_a).status_code == 404
    anonymous = _export(as_user(None), org_a)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]


def test_the_organisation_page_links_to_the_export(org_a, signatory_a, as_user):
    School.objects.create(organisation=org_a, code="11111", name="A-koulu", school_type="basic")
    page = as_user(signatory_a).get(reverse("members:organisation-detail", args=[org_a.pk])).content.decode()
    assert reverse("members:school-export", args=[org_a.pk]) in page
