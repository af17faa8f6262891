"""Answering proxies' polls cheaply (DESIGN section 5: `If-None-Match` gets 304).

Proxies poll `metadata.xml` often and almost every poll is a conditional GET whose ETag still
matches. `ConditionalMetadata` wraps the WSGI application and answers exactly those with 304
before Django's request cycle (middleware, URL resolving, a query per request): what is in
service is looked up at most once per `PROXY_PUBLICATION_CACHE_SECONDS` per process. Anything
else (no or another ETag, other files, the token files, other methods) goes to the views, which
apply the same rules. A 304 never reads or builds anything.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.utils.http import http_date

# Public files only: the token files need their Authorization checked by the view.
_PATH = re.compile(r"^/proxy/(test|production)/metadata\.xml$")

_lock = threading.Lock()
# environment → (looked up at (monotonic), (sha256, last modified timestamp) or None)
_published: dict[str, tuple[float, tuple[str, int] | None]] = {}


def forget_publications() -> None:
    """Look up what is in service afresh (tests; publishing waits out the cache otherwise)."""
    with _lock:
        _published.clear()


def _metadata_in_service(environment: str) -> tuple[str, int] | None:
    now = time.monotonic()
    cached = _published.get(environment)
    if cached is not None and now - cached[0] < settings.PROXY_PUBLICATION_CACHE_SECONDS:
        return cached[1]
    from proxy.services import current_snapshot

    # Outside the request cycle: if the connection is broken this raises, the request goes to
    # Django, and Django's request_started handler replaces the connection.
    snapshot = current_snapshot(environment)
    meta = snapshot.files.get("metadata.xml") if snapshot is not None else None
    value = (meta["sha256"], int(snapshot.created_at.timestamp())) if meta else None
    with _lock:
        _published[environment] = (now, value)
    return value


class ConditionalMetadata:
    """WSGI middleware: 304 for a conditional GET/HEAD of `metadata.xml` whose ETag matches."""

    def __init__(self, application: Callable[..., Iterable[bytes]]) -> None:
        self.application = application

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if_none_match = environ.get("HTTP_IF_NONE_MATCH")
        if if_none_match and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            match = _PATH.match(environ.get("PATH_INFO", ""))
            if match is not None:
                response = self._not_modified(match[1], environ, if_none_match)
                if response is not None:
                    start_response("304 Not Modified", response)
                    return []
        return self.application(environ, start_response)

    @staticmethod
    def _not_modified(environment: str, environ: dict[str, Any], if_none_match: str) -> list[tuple[str, str]] | None:
        from proxy.views import accepts_gzip_header

        try:
            published = _metadata_in_service(environment)
        except Exception:  # the view reports what is wrong
            return None
        if published is None:
            return None
        sha256, modified = published
        etag = f'"{sha256}-gzip"' if accepts_gzip_header(environ.get("HTTP_ACCEPT_ENCODING", "")) else f'"{sha256}"'
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        if etag not in tags and "*" not in tags:
            return None
        # The headers the view sends with its 304 (views.serve_bytes).
        return [
            ("ETag", etag),
            ("Last-Modified", http_date(modified)),
            ("Cache-Control", f"public, max-age={settings.PROXY_MAX_AGE}"),
            ("Vary", "Accept-Encoding"),
            ("X-Content-Type-Options", "nosniff"),
        ]
