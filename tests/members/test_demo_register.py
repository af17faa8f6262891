"""The demo's offline stand-in for the organisation register: Porvoo is linked, the DEBUG-only
view serves the register's shapes, and the preview has something to show."""

from __future__ import annotations

import json

import pytest
from django.core.management import call_command
from django.test import RequestFactory

from members.demo import DEMO_REGISTER_OID
from members.demo_register import FIXTURES, demo_register
from members.models import Organisation
from members.organisation_sync import sync_preview

pytestmark = pytest.mark.django_db


def test_the_demo_view_serves_the_register_shapes_and_404s_like_it():
    request = RequestFactory().get("/")

    organisation = json.loads(demo_register(request, DEMO_REGISTER_OID).content)
    descendants = json.loads(demo_register(request, DEMO_REGISTER_OID, "jalkelaiset").content)
    missing = demo_register(request, "1.2.246.562.10.1")

    assert organisation["oid"] == DEMO_REGISTER_OID and "organisaatiotyyppi_01" in organisation["tyypit"]
    assert descendants["organisaatiot"]
    assert missing.status_code == 404


def test_the_demo_links_porvoo_and_its_preview_shows_changes(register_server, capsys):
    call_command("load_demo")
    porvoo = Organisation.objects.get(business_id="1061512-1")
    for name in (f"{DEMO_REGISTER_OID}.json", f"{DEMO_REGISTER_OID}_jalkelaiset.json"):
        path = f"/api/{DEMO_REGISTER_OID}" + ("/jalkelaiset" if "jalkelaiset" in name else "")
        register_server.answer(path, json.loads((FIXTURES / name).read_text(encoding="utf-8")))

    preview = sync_preview(organisation=porvoo)

    assert porvoo.oid == DEMO_REGISTER_OID
    assert preview.new_schools and preview.renamed_schools
