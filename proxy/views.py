"""What the proxy pulls (DESIGN section 5): stored, validated bytes only, never built per request.

Every response has a strong ETag (SHA-256 of the bytes sent), Last-Modified and Cache-Control;
`If-None-Match` / `If-Modified-Since` get 304; gzip when the client accepts it.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.http import http_date, parse_http_date_safe
from django.views.decorators.http import require_safe

from members.logos import CONTENT_TYPES as LOGO_CONTENT_TYPES
from members.logos import STORAGE_FOLDER as LOGO_FOLDER
from members.logos import logo_response_headers
from proxy import build, signing
from proxy.models import Environment, Snapshot
from proxy.services import current_snapshot, proxy_token_authenticate

logger = logging.getLogger(__name__)

SAML_METADATA = "application/samlmetadata+xml"
MEDIA_TYPES = {
    "metadata.xml": SAML_METADATA,
    "attribute-filter.xml": "application/xml; charset=utf-8",
    "satosa-attribute-policy.yaml": "application/yaml; charset=utf-8",
    "config.json": "application/json",
    "oidc-clients.json": "application/json",
    "discovery.json": "application/json",
}
TOKEN_FILES = {"attribute-filter.xml", "satosa-attribute-policy.yaml", "config.json", "oidc-clients.json"}
NOT_FOUND_MAX_AGE = 60

_gzip_cache: dict[str, bytes] = {}
# What a view reads out of a published snapshot's files, by snapshot: a snapshot never changes.
_snapshot_reads: dict[tuple[str, int], Any] = {}


def _gzipped(sha256: str, data: bytes) -> bytes:
    compressed = _gzip_cache.get(sha256)
    if compressed is None:
        compressed = build.gzip_bytes(data)
        if len(_gzip_cache) > 32:
            _gzip_cache.clear()
        _gzip_cache[sha256] = compressed
    return compressed


def _accepts_gzip(request: HttpRequest) -> bool:
    return accepts_gzip_header(request.headers.get("Accept-Encoding", ""))


def accepts_gzip_header(value: str) -> bool:
    """Whether an Accept-Encoding header value accepts gzip (q > 0)."""
    for part in value.split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip().lower() in {"gzip", "*"}:
            return not re.search(r"q=0(\.0*)?\s*$", params.strip())
    return False


def serve_bytes(
    request: HttpRequest,
    data: bytes | Callable[[], bytes],
    *,
    content_type: str,
    last_modified: datetime.datetime,
    sha256: str | None = None,
    private: bool = False,
) -> HttpResponse:
    """Answer with `data` (or 304), with validators and caching headers.

    `data` may be a callable: with a known `sha256`, a conditional request that matches is
    answered 304 without reading the stored file at all (proxies poll often).
    """
    if sha256 is None:
        data = data() if callable(data) else data
        sha256 = hashlib.sha256(data).hexdigest()
    use_gzip = _accepts_gzip(request)
    # Each representation has its own strong validator (RFC 9110 section 8.8.3).
    etag = f'"{sha256}-gzip"' if use_gzip else f'"{sha256}"'
    modified = int(last_modified.timestamp())
    headers = {
        "ETag": etag,
        "Last-Modified": http_date(modified),
        "Cache-Control": f"{'private' if private else 'public'}, max-age={settings.PROXY_MAX_AGE}",
        "Vary": "Accept-Encoding, Authorization" if private else "Accept-Encoding",
    }
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        not_modified = "*" in tags or etag in tags
    else:
        since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
        not_modified = since is not None and modified <= since
    if not_modified:
        response = HttpResponse(status=304)
    else:
        data = data() if callable(data) else data
        body = _gzipped(sha256, data) if use_gzip else data
        response = HttpResponse(body, content_type=content_type)
        if use_gzip:
            response["Content-Encoding"] = "gzip"
    for name, value in headers.items():
        response[name] = value
    return response


def _unavailable(message: str, *, retry_after: int = 60) -> HttpResponse:
    response = HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response


def _token_refusal(request: HttpRequest, environment: str) -> HttpResponse | None:
    """401 without a valid token, 403 with a token of another environment (DESIGN section 5)."""
    scheme, _, key = request.headers.get("Authorization", "").partition(" ")
    token = proxy_token_authenticate(key.strip()) if scheme.lower() == "token" and key.strip() else None
    if token is None:
        response = HttpResponse("A valid proxy token is required.\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Token realm="trustnet proxy"'
        response["Cache-Control"] = "no-store"
        return response
    if token.environment != environment:
        return HttpResponse("This token is for another environment.\n", status=403, content_type="text/plain")
    return None


def _published(environment: str) -> Snapshot:
    if environment not in Environment.values:
        raise Http404
    snapshot = current_snapshot(environment)
    if snapshot is None:
        raise _NoSnapshot
    return snapshot


class _NoSnapshot(Exception):
    pass


@require_safe
def snapshot_file(request: HttpRequest, environment: str, name: str) -> HttpResponse:
    if name not in MEDIA_TYPES or environment not in Environment.values:
        raise Http404
    if name in TOKEN_FILES:
        refusal = _token_refusal(request, environment)
        if refusal is not None:
            return refusal
    try:
        snapshot = _published(environment)
    except _NoSnapshot:
        return _unavailable("No configuration has been published for this environment yet.\n")
    if name not in snapshot.files and name == "oidc-clients.json":
        response = HttpResponse(
            "The OIDC client register is withheld: no proxy public key is registered for this environment.\n",
            status=404, content_type="text/plain; charset=utf-8",
        )  # fmt: skip
        response["Cache-Control"] = "no-store"
        return response
    try:
        return serve_bytes(
            request,
            lambda: build.read_file(snapshot, name),
            content_type=MEDIA_TYPES[name],
            last_modified=snapshot.created_at,
            sha256=snapshot.files[name]["sha256"],
            private=name in TOKEN_FILES,
        )
    except build.TamperedSnapshot:
        logger.error("refused to serve %s of %s: stored bytes do not match their hash", name, environment)
        return _unavailable("The published configuration failed its integrity check.\n")


def _read_once(what: str, snapshot: Snapshot, read: Callable[[Snapshot], Any]) -> Any:
    """`read(snapshot)`, computed once per process and snapshot (the last few snapshots kept)."""
    key = (what, snapshot.pk)
    if key not in _snapshot_reads:
        if len(_snapshot_reads) > 16:
            _snapshot_reads.clear()
        _snapshot_reads[key] = read(snapshot)
    return _snapshot_reads[key]


def _read_index(snapshot: Snapshot) -> tuple[dict, dict]:
    entities = json.loads(build.read_file(snapshot, "index.json"))["entities"]
    return entities, {entry["sha1"]: entity_id for entity_id, entry in entities.items()}


def _index(snapshot: Snapshot) -> tuple[dict, dict]:
    """(entityID → entry, sha1 hex → entityID) of a snapshot, read once per process."""
    return _read_once("index", snapshot, _read_index)


def _not_found(what: str) -> HttpResponse:
    response = HttpResponse(f"Unknown {what}.\n", status=404, content_type="text/plain")
    # MDQ clients and login pages poll: let caches remember the miss for a while.
    response["Cache-Control"] = f"public, max-age={NOT_FOUND_MAX_AGE}"
    return response


@require_safe
def entity(request: HttpRequest, environment: str, identifier: str) -> HttpResponse:
    """Metadata Query Protocol: `{sha1}<hex>` or the (URL-encoded) entityID."""
    try:
        snapshot = _published(environment)
        entities, by_sha1 = _index(snapshot)
    except _NoSnapshot:
        return _not_found("entity")
    except build.TamperedSnapshot:
        return _unavailable("The published configuration failed its integrity check.\n")
    identifier = unquote(identifier)
    if identifier.startswith("{sha1}"):
        entity_id = by_sha1.get(identifier.removeprefix("{sha1}").lower())
    else:
        entity_id = identifier if identifier in entities else None
    if entity_id is None:
        return _not_found("entity")
    entry = entities[entity_id]
    try:
        # Only what a worker signed and verified after publishing (never signed here): found by
        # the fragment key in the snapshot's index and the snapshot's certificate.
        document = build.stored_entity_document(
            fragment_key=entry["fragment"], cert_fingerprint=snapshot.cert_fingerprint, now=timezone.now()
        )
    except build.TamperedSnapshot:
        logger.error("refused to serve the entity document of %s: it does not match its recorded hash", entity_id)
        return _unavailable("The published configuration failed its integrity check.\n")
    if document is None:
        logger.warning("entity document of %s in snapshot %s is not signed yet", entity_id, snapshot.pk)
        return _unavailable("The entity's metadata is being signed; try again shortly.\n", retry_after=10)
    return serve_bytes(
        request,
        bytes(document.xml),
        content_type=SAML_METADATA,
        last_modified=document.signed_at,
        sha256=document.sha256,
    )


@require_safe
def signing_certificate(request: HttpRequest) -> HttpResponse:
    """The certificate the metadata is signed with, then the next one during a key rollover."""
    try:
        pem = signing.published_certificates().encode()
    except signing.SigningKeyMissing:
        return _unavailable("No signing certificate is configured.\n")
    files = [Path(settings.PROXY_SIGNING_CERT_FILE)]
    if settings.PROXY_NEXT_SIGNING_CERT_FILE:
        files.append(Path(settings.PROXY_NEXT_SIGNING_CERT_FILE))
    modified = max(path.stat().st_mtime for path in files)
    return serve_bytes(
        request,
        pem,
        content_type="application/x-pem-file",
        last_modified=datetime.datetime.fromtimestamp(modified, tz=datetime.UTC),
    )


# ---------------------------------------------------------------- login-source logos (issue 14)


def _read_logo_names(snapshot: Snapshot) -> frozenset[str]:
    if "discovery.json" not in snapshot.files:
        return frozenset()
    document = json.loads(build.read_file(snapshot, "discovery.json"))
    return frozenset(
        source["logo_url"].rsplit("/", 1)[-1]
        for organisation in document["home_organisations"]
        for source in organisation["login_sources"]
        if source["logo_url"]
    )


def _published_logos(snapshot: Snapshot) -> frozenset[str]:
    """The logo file names the snapshot's discovery.json points at, read once per process."""
    return _read_once("logos", snapshot, _read_logo_names)


@require_safe
def logo(request: HttpRequest, environment: str, name: str) -> HttpResponse:
    """A login source's logo as the login page shows it: only one the environment's published
    discovery.json points at. Its name is its content's SHA-256, checked before it is served; an
    SVG goes out with a policy that lets nothing in it run or load, every logo with nosniff."""
    try:
        snapshot = _published(environment)
        published = _published_logos(snapshot)
    except _NoSnapshot:
        return _not_found("logo")
    except build.TamperedSnapshot:
        return _unavailable("The published configuration failed its integrity check.\n")
    if name not in published:
        return _not_found("logo")
    digest, _, extension = name.partition(".")

    def content() -> bytes:
        with default_storage.open(f"{LOGO_FOLDER}/{name}", "rb") as handle:
            data = handle.read()
        if hashlib.sha256(data).hexdigest() != digest:
            raise build.TamperedSnapshot(f"logo {name} does not match its name")
        return data

    try:
        response = serve_bytes(
            request,
            content,
            content_type=LOGO_CONTENT_TYPES[extension],
            last_modified=snapshot.created_at,
            sha256=digest,
        )
    except FileNotFoundError:
        logger.error("logo %s of %s is published but not stored", name, environment)
        return _not_found("logo")
    except build.TamperedSnapshot:
        logger.error("refused to serve logo %s of %s: it does not match its name", name, environment)
        return _unavailable("The logo failed its integrity check.\n")
    for header, value in logo_response_headers(extension).items():
        response[header] = value
    return response
