"""A snapshot's files on a page and as downloads (staff only), and a build that changes nothing
publishing nothing while the metadata re-sign rule still publishes (issue 16 item 2)."""

from __future__ import annotations

import datetime
import json
import re

import pytest
import time_machine
from django.utils import timezone

from proxy import build
from proxy.models import Publication, Snapshot
from proxy.services import proxy_token_create, snapshot_build
from proxy.templatetags.proxy_format import kilobytes
from tests.proxy.inputs_factory import saml_service

pytestmark = pytest.mark.django_db

NOON = datetime.datetime(2026, 11, 27, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture
def snapshot(register):
    # A name with markup: the page must show it as text, never as HTML.
    from proxy.inputs import Localized

    register("test", saml_service(n=1, name=Localized(fi="<script>alert(1)</script> Palvelu", en="Service 1")))
    return snapshot_build(environment="test", trigger="first")


def test_a_file_is_shown_indented_and_escaped(as_user, operator, snapshot):
    response = as_user(operator).get(f"/proxy/staff/snapshots/{snapshot.pk}/files/config.json")
    assert response.status_code == 200
    body = response.content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body and "<script>alert(1)" not in body
    assert "\n  &quot;environment&quot;: &quot;test&quot;" in body  # re-indented JSON


def test_metadata_is_pretty_printed(as_user, operator, snapshot):
    body = as_user(operator).get(f"/proxy/staff/snapshots/{snapshot.pk}/files/metadata.xml").content.decode()
    assert "\n  &lt;md:EntityDescriptor" in body


def test_a_file_downloads_as_an_attachment_of_its_type(as_user, operator, snapshot):
    client = as_user(operator)
    response = client.get(f"/proxy/staff/snapshots/{snapshot.pk}/files/metadata.xml/download")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/samlmetadata+xml"
    assert response["Content-Disposition"] == f'attachment; filename="snapshot-{snapshot.pk}-metadata.xml"'
    assert response.content == build.read_file(snapshot, "metadata.xml")
    json_download = client.get(f"/proxy/staff/snapshots/{snapshot.pk}/files/config.json/download")
    assert json_download["Content-Type"] == "application/json"
    assert json.loads(json_download.content)["environment"] == "test"


def test_the_detail_page_links_each_file_with_its_size_in_kilobytes(as_user, operator, snapshot):
    body = as_user(operator).get(f"/proxy/staff/snapshots/{snapshot.pk}/").content.decode()
    for name, meta in snapshot.files.items():
        assert f"/files/{name}" in body and f"/files/{name}/download" in body
        assert f">{kilobytes(meta['size'])}<" in body
    # No other unit (filesizeformat's "bytes", "KB", "MB"); a CSRF token may hold "KB", so words only.
    assert not re.search(r"\d(\xa0| )(bytes|KB|MB)\b", body)
    assert "Reading the register" in body and "read_inputs" not in body


def test_a_file_the_snapshot_does_not_have_is_404(as_user, operator, snapshot):
    assert as_user(operator).get(f"/proxy/staff/snapshots/{snapshot.pk}/files/nothing.json").status_code == 404


def test_a_tampered_file_is_not_shown(as_user, operator, snapshot):
    from django.core.files.storage import default_storage

    path = snapshot.files["config.json"]["path"]
    default_storage.delete(path)
    default_storage.save(path, __import__("io").BytesIO(b'{"changed": true}'))
    client = as_user(operator)
    assert client.get(f"/proxy/staff/snapshots/{snapshot.pk}/files/config.json").status_code == 409
    assert client.get(f"/proxy/staff/snapshots/{snapshot.pk}/files/config.json/download").status_code == 409


def test_files_are_for_staff_with_mfa_only(client, as_user, admin_a, operator_without_mfa, snapshot):
    urls = [
        f"/proxy/staff/snapshots/{snapshot.pk}/files/config.json",
        f"/proxy/staff/snapshots/{snapshot.pk}/files/config.json/download",
    ]
    for url in urls:
        assert client.get(url).status_code == 302
        assert as_user(admin_a).get(url).status_code == 403
        response = as_user(operator_without_mfa).get(url)
        assert response.status_code == 302 and "/2fa/" in response["Location"]


def _etag(client, key: str) -> str:
    response = client.get("/proxy/test/config.json", headers={"Authorization": f"Token {key}"})
    assert response.status_code == 200
    return response["ETag"]


def test_a_rebuild_with_nothing_changed_keeps_the_snapshot_and_the_etag(client, as_user, operator, register):
    register("test", saml_service(n=1))
    _, key = proxy_token_create(name="idp", environment="test")
    with time_machine.travel(NOON, tick=False):
        first = snapshot_build(environment="test", trigger="first")
        etag = _etag(client, key)
        metadata = client.get("/proxy/test/metadata.xml")["ETag"]
    with time_machine.travel(NOON + datetime.timedelta(days=2), tick=False):
        as_user(operator).post("/proxy/staff/build/", {"environment": "test"})
        assert Publication.objects.get(environment="test").snapshot == first
        assert _etag(client, key) == etag and client.get("/proxy/test/metadata.xml")["ETag"] == metadata
    record = Snapshot.objects.first()
    assert record.status == Snapshot.Status.UNCHANGED and record.unchanged_in_service == first.pk
    assert Snapshot.objects.filter(status=Snapshot.Status.VALID).count() == 1


def test_a_rebuild_due_to_the_validity_window_still_publishes(as_user, operator, register):
    """DESIGN section 5: unchanged content is signed again once less than half its validity is left."""
    register("test", saml_service(n=1))
    with time_machine.travel(NOON, tick=False):
        first = snapshot_build(environment="test", trigger="first")
    with time_machine.travel(NOON + datetime.timedelta(days=5, minutes=1), tick=False):
        as_user(operator).post("/proxy/staff/build/", {"environment": "test"})
        now = timezone.now()
    current = Publication.objects.get(environment="test").snapshot
    assert current != first and current.status == Snapshot.Status.VALID
    assert current.content_hash == first.content_hash and current.valid_until > now + datetime.timedelta(days=9)
    assert not Snapshot.objects.filter(status=Snapshot.Status.UNCHANGED).exists()


def test_a_register_change_that_changes_nothing_leaves_no_record(register):
    """Only a rebuild someone asked for gets a "no change" row; automatic builds (each register
    change builds both environments) would otherwise fill the list with them."""
    from proxy.tasks import proxy_build

    register("test", saml_service(n=1))
    first = snapshot_build(environment="test", trigger="first")
    assert proxy_build(environment="test", trigger="register: contact changed") == first.pk
    assert Snapshot.objects.count() == 1


def test_the_scheduled_refresh_leaves_no_record_when_nothing_changed(register):
    register("test", saml_service(n=1))
    first = snapshot_build(environment="test", trigger="first")
    assert snapshot_build(environment="test", trigger="scheduled refresh") == first
    assert Snapshot.objects.count() == 1
