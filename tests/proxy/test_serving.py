"""What the proxy pulls (DESIGN section 5): auth, validators, 304, gzip, MDQ, certificates."""

from __future__ import annotations

import datetime
import gzip
import hashlib
import urllib.parse

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command

from proxy import build, signing, validation
from proxy.fastpath import ConditionalMetadata, forget_publications
from proxy.models import EntityDocument, ProxyToken
from proxy.services import (
    PublishRefused,
    proxy_token_create,
    proxy_token_revoke,
    snapshot_build,
    snapshot_publish,
)
from proxy.tasks import proxy_entity_documents_schedule, proxy_refresh
from tests.proxy.inputs_factory import saml_service

pytestmark = pytest.mark.django_db

TOKEN_PATHS = [
    "/proxy/test/attribute-filter.xml",
    "/proxy/test/config.json",
    "/proxy/test/satosa-attribute-policy.yaml",
]


@pytest.fixture
def published(small_register, django_capture_on_commit_callbacks):
    # Tasks scheduled after commit (the MDQ documents) run eagerly here, as a worker would.
    with django_capture_on_commit_callbacks(execute=True):
        return snapshot_build(environment="test", trigger="test")


@pytest.fixture
def test_token(db):
    return proxy_token_create(name="proxy-test", environment="test")[1]


def test_metadata_is_public_with_the_saml_media_type_and_strong_validators(client, published):
    response = client.get("/proxy/test/metadata.xml")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/samlmetadata+xml"
    assert response["ETag"] == f'"{hashlib.sha256(response.content).hexdigest()}"'
    assert not response["ETag"].startswith("W/")
    assert response["Last-Modified"]
    assert response["Cache-Control"] == "public, max-age=300"
    assert response.content == build.read_file(published, "metadata.xml")


def test_if_none_match_and_if_modified_since_get_304(client, published):
    first = client.get("/proxy/test/metadata.xml")
    again = client.get("/proxy/test/metadata.xml", headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == first["ETag"]
    since = client.get("/proxy/test/metadata.xml", headers={"If-Modified-Since": first["Last-Modified"]})
    assert since.status_code == 304
    other = client.get("/proxy/test/metadata.xml", headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200


def test_gzip_when_accepted_with_its_own_etag(client, published):
    plain = client.get("/proxy/test/metadata.xml")
    zipped = client.get("/proxy/test/metadata.xml", headers={"Accept-Encoding": "gzip, deflate"})
    assert zipped["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.content) == plain.content
    assert zipped["ETag"] != plain["ETag"] and "Accept-Encoding" in zipped["Vary"]
    assert (
        client.get("/proxy/test/metadata.xml", headers={"Accept-Encoding": "gzip;q=0"}).get("Content-Encoding") is None
    )
    assert (
        client.get(
            "/proxy/test/metadata.xml", headers={"Accept-Encoding": "gzip", "If-None-Match": zipped["ETag"]}
        ).status_code
        == 304
    )


def test_unchanged_rebuild_keeps_the_etag(client, published):
    first = client.get("/proxy/test/metadata.xml")["ETag"]
    snapshot_build(environment="test", trigger="again")
    assert client.get("/proxy/test/metadata.xml")["ETag"] == first


@pytest.mark.parametrize("path", TOKEN_PATHS)
def test_token_endpoints_without_a_token_get_401(client, published, path):
    response = client.get(path)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")
    assert client.get(path, headers={"Authorization": "Token not-a-real-key"}).status_code == 401
    assert client.get(path, headers={"Authorization": "Bearer x"}).status_code == 401


@pytest.mark.parametrize("path", TOKEN_PATHS)
def test_token_endpoints_serve_with_a_token_of_the_environment(client, published, test_token, path):
    response = client.get(path, headers={"Authorization": f"Token {test_token}"})
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("private")
    assert response.content == build.read_file(published, path.rsplit("/", 1)[1])
    assert ProxyToken.objects.get().last_used_at is not None


def test_a_production_token_cannot_read_test_configuration(client, published):
    _, key = proxy_token_create(name="prod", environment="production")
    assert client.get("/proxy/test/config.json", headers={"Authorization": f"Token {key}"}).status_code == 403


def test_a_revoked_token_gets_401(client, published, test_token):
    proxy_token_revoke(token=ProxyToken.objects.get())
    assert client.get("/proxy/test/config.json", headers={"Authorization": f"Token {test_token}"}).status_code == 401


def test_tokens_are_stored_hashed(test_token):
    token = ProxyToken.objects.get()
    assert token.token_hash == hashlib.sha256(test_token.encode()).hexdigest()
    assert test_token not in str(ProxyToken.objects.values().get())


def test_nothing_published_yet_is_503(client):
    response = client.get("/proxy/production/metadata.xml")
    assert response.status_code == 503


def test_unknown_environment_is_404(client):
    assert client.get("/proxy/staging/metadata.xml").status_code == 404


def test_mdq_by_url_encoded_entity_id_and_by_sha1(client, published):
    entity_id = "https://sp1.example.fi/saml"
    encoded = client.get("/proxy/test/entities/" + urllib.parse.quote(entity_id, safe=""))
    assert encoded.status_code == 200
    assert encoded["Content-Type"] == "application/samlmetadata+xml"
    assert encoded["ETag"] == f'"{hashlib.sha256(encoded.content).hexdigest()}"'
    digest = hashlib.sha1(entity_id.encode()).hexdigest()  # noqa: S324
    by_sha1 = client.get("/proxy/test/entities/" + urllib.parse.quote("{sha1}" + digest))
    assert by_sha1.content == encoded.content
    root = signing.verify(encoded.content, signing.signing_material().cert_pem)
    assert root.get("entityID") == entity_id and root.get("validUntil")
    assert validation.xsd_errors(root) == []
    assert client.get("/proxy/test/entities/x", headers={"If-None-Match": encoded["ETag"]}).status_code == 404
    assert (
        client.get(
            "/proxy/test/entities/" + urllib.parse.quote(entity_id, safe=""), headers={"If-None-Match": encoded["ETag"]}
        ).status_code
        == 304
    )


def test_mdq_unknown_entity_is_404_with_cache_control(client, published):
    response = client.get("/proxy/test/entities/" + urllib.parse.quote("https://unknown.example.fi", safe=""))
    assert response.status_code == 404
    assert "max-age" in response["Cache-Control"]
    assert client.get("/proxy/test/entities/{sha1}" + "0" * 40).status_code == 404
    # An OIDC client is not a SAML entity.
    assert client.get("/proxy/test/entities/client-3").status_code == 404


def test_signing_certificate_is_published_and_the_next_one_during_rollover(client, settings, signing_files):
    response = client.get("/proxy/signing-cert.pem")
    assert response.status_code == 200 and response["ETag"]
    assert response.content.count(b"BEGIN CERTIFICATE") == 1
    settings.PROXY_NEXT_SIGNING_CERT_FILE = str(signing_files / "next-cert.pem")
    rollover = client.get("/proxy/signing-cert.pem")
    assert rollover.content.count(b"BEGIN CERTIFICATE") == 2
    assert rollover.content.startswith((signing_files / "cert.pem").read_bytes().strip())
    assert rollover["ETag"] != response["ETag"]


def test_a_tampered_snapshot_is_refused_when_served_and_when_published(client, published, register):
    path = published.files["metadata.xml"]["path"]
    default_storage.delete(path)
    default_storage.save(path, ContentFile(build.read_file.__doc__.encode()))
    assert client.get("/proxy/test/metadata.xml").status_code == 503
    with pytest.raises(PublishRefused, match="does not match"):
        snapshot_publish(snapshot=published)


def test_builds_are_never_made_per_request(client, published, monkeypatch):
    monkeypatch.setattr(build, "render", lambda *a, **k: pytest.fail("built on request"))
    assert client.get("/proxy/test/metadata.xml").status_code == 200


def test_pending_change_is_not_served_until_the_register_changes(client, register):
    register("test", saml_service(n=1))
    snapshot_build(environment="test", trigger="a")
    # A draft change (another ACS) is not in the approved inputs: nothing changes in what is served.
    before = client.get("/proxy/test/metadata.xml").content
    snapshot_build(environment="test", trigger="b")
    assert client.get("/proxy/test/metadata.xml").content == before
    assert b"https://sp1.example.fi/acs" in before


def test_proxy_token_command_prints_the_key_once(client, published, capsys):
    call_command("proxy_token", "create", "shibboleth-test", "--env", "test")
    key = capsys.readouterr().out.strip()
    assert len(key) > 30
    assert client.get("/proxy/test/config.json", headers={"Authorization": f"Token {key}"}).status_code == 200
    call_command("proxy_token", "list")
    listing = capsys.readouterr().out
    assert "shibboleth-test" in listing and key not in listing
    call_command("proxy_token", "revoke", str(ProxyToken.objects.get().pk))
    assert client.get("/proxy/test/config.json", headers={"Authorization": f"Token {key}"}).status_code == 401


def test_a_matching_conditional_request_does_not_read_the_stored_file(client, published, monkeypatch):
    etag = client.get("/proxy/test/metadata.xml")["ETag"]
    monkeypatch.setattr(build, "read_file", lambda *a, **k: pytest.fail("read the file for a 304"))
    assert client.get("/proxy/test/metadata.xml", headers={"If-None-Match": etag}).status_code == 304


def _mdq(client, entity_id: str, **headers):
    return client.get("/proxy/test/entities/" + urllib.parse.quote(entity_id, safe=""), headers=headers)


def _entity_documents(snapshot, django_capture_on_commit_callbacks):
    """What the worker does after a publication (or the hourly refresh)."""
    with django_capture_on_commit_callbacks(execute=True):
        proxy_entity_documents_schedule(environment=snapshot.environment)


def test_mdq_documents_are_signed_verified_and_stored_after_publishing(client, published, monkeypatch):
    # Signed by the task scheduled when the snapshot was published (eager here), one per entity.
    assert EntityDocument.objects.count() == published.entity_count == 2
    response = _mdq(client, "https://sp1.example.fi/saml")
    assert response.status_code == 200 and response["Content-Type"] == "application/samlmetadata+xml"
    root = signing.verify(response.content, signing.signing_material().cert_pem)
    assert validation.xsd_errors(root) == []
    assert response["ETag"] == f'"{hashlib.sha256(response.content).hexdigest()}"'


def test_the_build_does_not_sign_entity_documents(small_register, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        snapshot = snapshot_build(environment="test", trigger="test")
    # Only scheduled (after commit) by the publication; the build itself signed nothing.
    assert snapshot.status == "valid" and len(callbacks) == 1
    assert EntityDocument.objects.count() == 0


def test_mdq_is_503_while_the_document_is_not_signed_yet(client, small_register, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        snapshot_build(environment="test", trigger="test")
    response = _mdq(client, "https://sp1.example.fi/saml")
    assert response.status_code == 503
    assert response["Retry-After"] and response["Cache-Control"] == "no-store"
    assert EntityDocument.objects.count() == 0  # the request did not sign it


def test_a_get_never_signs(client, published, monkeypatch):
    EntityDocument.objects.all().delete()
    monkeypatch.setattr(signing, "signing_material", lambda: pytest.fail("the web tier used the signing key"))
    monkeypatch.setattr(signing, "sign_canonical", lambda *a, **k: pytest.fail("signed during a GET"))
    assert _mdq(client, "https://sp1.example.fi/saml").status_code == 503
    assert EntityDocument.objects.count() == 0


def test_serving_needs_no_signing_key(client, published, monkeypatch):
    monkeypatch.setattr(signing, "signing_material", lambda: pytest.fail("the web tier used the signing key"))
    assert _mdq(client, "https://sp1.example.fi/saml").status_code == 200


def test_documents_are_reused_and_re_signed_past_half_their_validity(
    client, published, django_capture_on_commit_callbacks
):
    first = _mdq(client, "https://sp1.example.fi/saml")
    with time_machine.travel(datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=4), tick=False):
        _entity_documents(published, django_capture_on_commit_callbacks)
        assert EntityDocument.objects.count() == 2  # reused: more than half the validity left
        assert _mdq(client, "https://sp1.example.fi/saml").content == first.content
    with time_machine.travel(datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=5, hours=1), tick=False):
        _entity_documents(published, django_capture_on_commit_callbacks)
        later = _mdq(client, "https://sp1.example.fi/saml")
    assert later.status_code == 200 and later.content != first.content
    assert EntityDocument.objects.count() == 4


def test_the_hourly_refresh_re_signs_documents_of_an_unchanged_snapshot(published, django_capture_on_commit_callbacks):
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=5, hours=1)
    with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks(execute=True):
        proxy_refresh()
    assert EntityDocument.objects.count() == 4


def test_one_changed_service_re_signs_one_document(
    register, small_register, published, django_capture_on_commit_callbacks, monkeypatch
):
    signed = []
    real = signing.sign_canonical
    monkeypatch.setattr(signing, "sign_canonical", lambda *a, **k: signed.append(1) or real(*a, **k))
    register("test", saml_service(n=1, attributes=("uid",)), *small_register[1:])
    with django_capture_on_commit_callbacks(execute=True):
        snapshot = snapshot_build(environment="test", trigger="one change")
    assert snapshot.pk != published.pk and snapshot.status == "valid"
    # Only the changed entity's document (the aggregate is signed by signing.signature_for).
    assert len(signed) == 1
    assert EntityDocument.objects.count() == 3


def test_mdq_document_is_re_signed_with_a_new_signing_key(
    client, published, settings, signing_files, django_capture_on_commit_callbacks
):
    first = _mdq(client, "https://sp1.example.fi/saml")
    settings.PROXY_SIGNING_KEY_FILE = signing_files / "next-key.pem"
    settings.PROXY_SIGNING_CERT_FILE = signing_files / "next-cert.pem"
    with django_capture_on_commit_callbacks(execute=True):
        snapshot_build(environment="test", trigger="new key")
    later = _mdq(client, "https://sp1.example.fi/saml")
    assert later.status_code == 200 and later.content != first.content
    signing.verify(later.content, (signing_files / "next-cert.pem").read_text())


def test_a_tampered_mdq_document_is_not_served(client, published):
    assert _mdq(client, "https://sp1.example.fi/saml").status_code == 200
    EntityDocument.objects.update(xml=b"<tampered/>")
    response = _mdq(client, "https://sp1.example.fi/saml")
    assert response.status_code == 503 and response["Cache-Control"] == "no-store"


def test_the_document_served_is_the_one_of_the_snapshot_in_service(
    client, register, small_register, published, django_capture_on_commit_callbacks
):
    first = _mdq(client, "https://sp1.example.fi/saml")
    register("test", saml_service(n=1, attributes=("uid",)), *small_register[1:])
    with django_capture_on_commit_callbacks(execute=True):
        snapshot_build(environment="test", trigger="one change")
    changed = _mdq(client, "https://sp1.example.fi/saml")
    assert changed.status_code == 200 and changed.content != first.content
    with django_capture_on_commit_callbacks(execute=True):
        snapshot_publish(snapshot=published)  # staff roll back
    assert _mdq(client, "https://sp1.example.fi/saml").content == first.content


def test_an_mdq_document_failing_its_checks_is_not_stored_or_served(
    client, small_register, django_capture_on_commit_callbacks, monkeypatch
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        snapshot_build(environment="test", trigger="test")
    monkeypatch.setattr(validation, "xsd_errors", lambda root: ["broken"])
    for callback in callbacks:
        callback()
    assert EntityDocument.objects.count() == 0
    assert _mdq(client, "https://sp1.example.fi/saml").status_code == 503


def _wsgi(extra: dict, *, path: str = "/proxy/test/metadata.xml", method: str = "GET"):
    """Call the WSGI wrapper around a stand-in for Django; returns (status, headers, reached Django)."""
    reached = []

    def django_app(environ, start_response):
        reached.append(environ["PATH_INFO"])
        start_response("200 OK", [])
        return [b"from django"]

    answers = []
    environ = {"REQUEST_METHOD": method, "PATH_INFO": path, **extra}
    ConditionalMetadata(django_app)(environ, lambda status, headers: answers.append((status, headers)))
    status, headers = answers[0]
    return status, dict(headers), bool(reached)


def test_a_matching_poll_of_metadata_is_answered_before_django_with_the_views_headers(client, published):
    forget_publications()
    view = client.get("/proxy/test/metadata.xml")
    status, headers, reached = _wsgi({"HTTP_IF_NONE_MATCH": view["ETag"]})
    assert status.startswith("304") and not reached
    for name in ("ETag", "Last-Modified", "Cache-Control"):
        assert headers[name] == view[name]
    assert headers["Vary"] == "Accept-Encoding" and "Accept-Encoding" in view["Vary"]
    gzipped = client.get("/proxy/test/metadata.xml", headers={"Accept-Encoding": "gzip"})
    status, headers, reached = _wsgi({"HTTP_IF_NONE_MATCH": gzipped["ETag"], "HTTP_ACCEPT_ENCODING": "gzip"})
    assert status.startswith("304") and headers["ETag"] == gzipped["ETag"]
    # Everything else is Django's: another ETag, no ETag, the identity ETag with gzip, other
    # methods, the token files (their Authorization is checked by the view), other environments.
    assert _wsgi({"HTTP_IF_NONE_MATCH": '"other"'})[2]
    assert _wsgi({})[2]
    assert _wsgi({"HTTP_IF_NONE_MATCH": view["ETag"], "HTTP_ACCEPT_ENCODING": "gzip"})[2]
    assert _wsgi({"HTTP_IF_NONE_MATCH": view["ETag"]}, method="POST")[2]
    assert _wsgi({"HTTP_IF_NONE_MATCH": "*"}, path="/proxy/test/config.json")[2]
    assert _wsgi({"HTTP_IF_NONE_MATCH": view["ETag"]}, path="/proxy/production/metadata.xml")[2]


def test_the_fast_path_follows_a_new_publication(client, published, register, settings):
    settings.PROXY_PUBLICATION_CACHE_SECONDS = 0
    forget_publications()
    old = client.get("/proxy/test/metadata.xml")["ETag"]
    assert not _wsgi({"HTTP_IF_NONE_MATCH": old})[2]
    register("test", saml_service(n=1), saml_service(n=7))
    snapshot_build(environment="test", trigger="changed")
    assert _wsgi({"HTTP_IF_NONE_MATCH": old})[2]  # no longer current: Django answers with the new file


def test_the_wsgi_application_has_the_fast_path():
    from trustnet.wsgi import application

    assert isinstance(application, ConditionalMetadata)
