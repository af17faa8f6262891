"""Login sources' IdP metadata is fetched SSRF-safely in a Celery task (after save, or on the
"check metadata" button), must describe the source's entityID with an IDPSSODescriptor, and the
result (when, OK or the problem, signing certificate expiry) is recorded and shown.

DNS and the remote server are replaced as in test_metadata_fetch.py; parsing and checks are real.
"""

from __future__ import annotations

import datetime

import pytest
from cryptography import x509
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from audit.models import Entry
from members import services
from members.metadata import idp_metadata_parse
from members.models import LoginSource
from members.tasks import login_sources_metadata_check_all
from tests.conftest import client_for
from tests.members.certs import good_certificate, idp_metadata, make_certificate, sp_metadata
from tests.members.test_metadata_fetch import _fake_dns, _fake_server, _Response

ENTITY_ID = "https://adfs.example.fi/adfs/services/trust"
URL = "https://adfs.example.fi/FederationMetadata/2007-06/FederationMetadata.xml"


def _not_after(pem: str) -> datetime.datetime:
    return x509.load_pem_x509_certificate(pem.encode()).not_valid_after_utc


@pytest.fixture
def remote(monkeypatch):
    """remote(body or status) → the list of (host, address, timeout) connections made."""

    def serve(*responses):
        _fake_dns(monkeypatch, {"adfs.example.fi": "193.166.0.1", "intranet.example.fi": "10.0.0.7"})
        connected = []
        _fake_server(
            monkeypatch,
            [_Response(200, body=r) if isinstance(r, bytes) else _Response(r) for r in responses],
            connected,
        )
        return connected

    return serve


@pytest.fixture
def adfs(org_a):
    return LoginSource.objects.create(
        organisation=org_a, kind="adfs", name="ADFS", entity_id=ENTITY_ID, metadata_url=URL
    )


# ---------------------------------------------------------------- parsing (pure)


def test_good_idp_metadata_gives_the_certificate_expiry():
    metadata = idp_metadata_parse(idp_metadata(), entity_id=ENTITY_ID)
    assert metadata.certificate_expires_at == _not_after(good_certificate())


def _problem(data: bytes, entity_id: str = ENTITY_ID) -> str:
    with pytest.raises(ValidationError) as excinfo:
        idp_metadata_parse(data, entity_id=entity_id)
    return " ".join(excinfo.value.messages)


def test_metadata_of_another_entity_is_refused_naming_both():
    problem = _problem(idp_metadata(entity_id="https://other.example.fi/idp"))
    assert ENTITY_ID in problem and "https://other.example.fi/idp" in problem


def test_sp_metadata_is_not_idp_metadata():
    assert "no IDPSSODescriptor" in _problem(sp_metadata(entity_id=ENTITY_ID))


def test_idp_metadata_without_a_signing_certificate_is_refused():
    assert "no signing certificate" in _problem(idp_metadata(certificates=[]))


def test_an_expired_signing_certificate_is_refused_but_a_rollover_pair_passes():
    expired = make_certificate(days=-1, cn="old.adfs.example.fi")
    assert "expired" in _problem(idp_metadata(certificates=[expired]))
    metadata = idp_metadata_parse(idp_metadata(certificates=[expired, good_certificate()]), entity_id=ENTITY_ID)
    assert metadata.certificate_expires_at == _not_after(good_certificate())


def test_a_weak_certificate_is_refused():
    assert "2048" in _problem(idp_metadata(certificates=[make_certificate(bits=1024)]))


@pytest.mark.parametrize(
    "data",
    [
        b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
        b"<not-xml",
        b"<html/>",
        b"",
    ],
)
def test_unsafe_or_broken_documents_are_refused(data):
    assert _problem(data)


def test_an_aggregate_is_searched_for_the_entity():
    inner = idp_metadata().decode().split("?>", 1)[1]
    other = idp_metadata(entity_id="https://other.example.fi/idp").decode().split("?>", 1)[1]
    aggregate = (
        '<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata">'
        + other
        + inner
        + "</md:EntitiesDescriptor>"
    ).encode()
    assert idp_metadata_parse(aggregate, entity_id=ENTITY_ID).entity_id == ENTITY_ID


def test_entra_ids_entity_id_comes_from_the_tenant(org_a):
    source = LoginSource(organisation=org_a, kind="entra", tenant_id="3feb6bc1-d722-4726-966c-5b58b64df752")
    assert source.expected_entity_id == "https://sts.windows.net/3feb6bc1-d722-4726-966c-5b58b64df752/"


# ---------------------------------------------------------------- checking and recording


def test_saving_a_source_checks_its_metadata_after_commit(org_a, admin_a, remote, django_capture_on_commit_callbacks):
    connected = remote(idp_metadata())
    with django_capture_on_commit_callbacks(execute=True):
        source = services.login_source_save(
            organisation=org_a,
            by=admin_a,
            data={"kind": "adfs", "name": "ADFS", "entity_id": ENTITY_ID, "metadata_url": URL},
            schools=[],
        )
        assert connected == []  # nothing is fetched inside the saving transaction
    source.refresh_from_db()
    assert connected == [("adfs.example.fi", "193.166.0.1", 10.0)]
    assert source.metadata_ok is True and source.metadata_error == ""
    assert source.metadata_checked_at is not None
    assert source.metadata_certificate_expires_at == _not_after(good_certificate())
    entry = Entry.objects.get(action="login_source.metadata_check", object_id=str(source.pk))
    assert entry.actor_id is None and entry.after["metadata_ok"] is True and entry.after["entity_id"] == ENTITY_ID


def test_a_wrong_entity_id_is_recorded_as_a_problem(adfs, technical_a, remote):
    remote(idp_metadata(entity_id="https://adfs.example.fi/other"))
    source = services.login_source_metadata_check(login_source=adfs, by=technical_a)
    assert source.metadata_ok is False and "https://adfs.example.fi/other" in source.metadata_error
    assert source.metadata_certificate_expires_at is None
    assert Entry.objects.get(action="login_source.metadata_check").actor_id == technical_a.pk


def test_an_internal_address_is_never_fetched_and_the_refusal_is_recorded(adfs, remote):
    connected = remote(idp_metadata())
    LoginSource.objects.filter(pk=adfs.pk).update(metadata_url="https://intranet.example.fi/metadata.xml")
    source = services.login_source_metadata_check(login_source=adfs)
    assert connected == []
    assert source.metadata_ok is False and "private or internal address" in source.metadata_error


def test_an_http_error_is_recorded(adfs, remote):
    remote(503)
    source = services.login_source_metadata_check(login_source=adfs)
    assert source.metadata_ok is False and "503" in source.metadata_error


def test_changing_the_url_forgets_the_old_result_and_checks_again(
    adfs, org_a, admin_a, remote, django_capture_on_commit_callbacks
):
    remote(idp_metadata(), 404)
    services.login_source_metadata_check(login_source=adfs)
    adfs.refresh_from_db()
    assert adfs.metadata_ok is True
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.login_source_save(
            organisation=org_a,
            by=admin_a,
            login_source=adfs,
            data={"kind": "adfs", "name": "ADFS", "entity_id": ENTITY_ID, "metadata_url": URL + "?v=2"},
            schools=[],
        )
    adfs.refresh_from_db()
    assert (adfs.metadata_ok, adfs.metadata_checked_at, adfs.metadata_certificate_expires_at) == (None, None, None)
    for callback in callbacks:
        callback()
    adfs.refresh_from_db()
    assert adfs.metadata_ok is False and "404" in adfs.metadata_error


def test_renaming_a_source_keeps_its_result(adfs, org_a, admin_a, remote, django_capture_on_commit_callbacks):
    remote(idp_metadata(), 404)  # a second check would record the 404
    services.login_source_metadata_check(login_source=adfs)
    # `adfs` was read before the check: saving it must not write its stale (empty) result back.
    with django_capture_on_commit_callbacks(execute=True):
        services.login_source_save(
            organisation=org_a, by=admin_a, login_source=adfs,
            data={"kind": "adfs", "name": "ADFS 2", "entity_id": ENTITY_ID, "metadata_url": URL}, schools=[],
        )  # fmt: skip
    adfs.refresh_from_db()
    assert adfs.name == "ADFS 2" and adfs.metadata_ok is True


def test_a_result_for_a_url_edited_during_the_fetch_is_dropped(adfs, monkeypatch):
    def fetch_while_someone_edits(url):
        LoginSource.objects.filter(pk=adfs.pk).update(metadata_url=URL + "?new")
        return idp_metadata()

    monkeypatch.setattr(services, "metadata_fetch", fetch_while_someone_edits)
    source = services.login_source_metadata_check(login_source=adfs)
    assert source.metadata_ok is None and not Entry.objects.filter(action="login_source.metadata_check").exists()


def test_wilma_sources_have_nothing_to_check(org_a):
    wilma = LoginSource.objects.create(organisation=org_a, kind="wilma", name="W", hostnames=["x.inschool.fi"])
    with pytest.raises(ValidationError):
        services.login_source_metadata_check(login_source=wilma)


def test_the_daily_task_checks_every_saml_source(adfs, org_a, remote):
    LoginSource.objects.create(organisation=org_a, kind="wilma", name="W", hostnames=["x.inschool.fi"])
    remote(idp_metadata())
    assert login_sources_metadata_check_all.delay().get() == 1
    adfs.refresh_from_db()
    assert adfs.metadata_ok is True


# ---------------------------------------------------------------- the page and the button


def _check_url(source) -> str:
    return reverse("members:login-source-metadata-check", args=[source.organisation_id, source.pk])


def _page_url(source) -> str:
    return reverse("members:login-source-detail", args=[source.organisation_id, source.pk])


def test_the_button_checks_and_the_page_shows_the_result(adfs, technical_a, remote, django_capture_on_commit_callbacks):
    remote(idp_metadata(certificates=[make_certificate(days=40, cn="adfs.example.fi")]))
    client = client_for(technical_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_check_url(adfs))
    assert response.status_code == 302 and response["Location"] == _page_url(adfs)
    page = client.get(_page_url(adfs)).content.decode()
    adfs.refresh_from_db()
    # 40 days left is within the 60-day warning period.
    assert "signing certificate expires soon" in page
    # The page shows the date in the site's time zone (near midnight UTC it is already the next day).
    assert timezone.localtime(adfs.metadata_certificate_expires_at).strftime("%Y-%m-%d") in page
    assert ENTITY_ID in page
    detail = client.get(reverse("members:organisation-detail", args=[adfs.organisation_id])).content.decode()
    assert "signing certificate expires soon" in detail


def test_a_certificate_far_from_expiry_shows_ok(adfs, technical_a, remote):
    remote(idp_metadata())
    services.login_source_metadata_check(login_source=adfs)
    assert "metadata OK" in client_for(technical_a).get(_page_url(adfs)).content.decode()


def test_the_page_shows_the_problem(adfs, technical_a, remote):
    remote(idp_metadata(entity_id="https://adfs.example.fi/other"))
    services.login_source_metadata_check(login_source=adfs)
    page = client_for(technical_a).get(_page_url(adfs)).content.decode()
    assert "metadata problem" in page and "https://adfs.example.fi/other" in page


def test_a_new_source_shows_not_checked_yet(adfs, technical_a):
    assert "metadata not checked yet" in client_for(technical_a).get(_page_url(adfs)).content.decode()


@pytest.mark.parametrize("persona", ["admin_b", "signatory_a"])
def test_others_cannot_press_the_button(adfs, persona, request, remote, django_capture_on_commit_callbacks):
    connected = remote(idp_metadata())
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(request.getfixturevalue(persona)).post(_check_url(adfs))
    assert response.status_code == 404 and connected == []
    adfs.refresh_from_db()
    assert adfs.metadata_ok is None


def test_the_button_needs_post_and_a_metadata_source(org_a, technical_a, adfs):
    wilma = LoginSource.objects.create(organisation=org_a, kind="wilma", name="W", hostnames=["x.inschool.fi"])
    client = client_for(technical_a)
    assert client.get(_check_url(adfs)).status_code == 405
    assert client.post(_check_url(wilma)).status_code == 404
