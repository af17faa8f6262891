"""Fetching metadata from a member-given URL without letting it reach inside our network (SSRF).

https only; the host is resolved once, every address is checked (no private, loopback,
link-local, reserved, multicast or cloud metadata-service addresses), and the connection goes to
that checked address (so DNS rebinding cannot swap it). Redirects are followed by hand, each target
checked the same way. A per-operation timeout, an overall deadline and a size cap bound the work:
the timeout alone would let a server that trickles a byte every few seconds hold a worker for as
long as it likes, so the body is read in chunks and the deadline is checked between them.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MAX_REDIRECTS = 3
READ_CHUNK = 16 * 1024


def _error(message, code: str) -> ValidationError:
    return ValidationError({"metadata_url": message}, code=code)


def address_is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_multicast
        or ip.is_unspecified
        or not ip.is_global
    )


def resolve_public(host: str, port: int) -> str:
    """The first address of `host`, after checking that every address it resolves to is public."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise _error(_("The host %(host)s could not be resolved.") % {"host": host}, "dns") from error
    addresses = [info[4][0] for info in infos]
    if not addresses or not all(address_is_public(a) for a in addresses):
        raise _error(
            _("The host %(host)s resolves to a private or internal address; metadata must come from the internet.")
            % {"host": host},
            "private_address",
        )
    return addresses[0]


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """Connects to an already checked address while verifying the certificate for the host name."""

    def __init__(self, host: str, address: str, port: int, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def check_metadata_url(url: str) -> tuple[str, int, str]:
    """(host, port, path) of an acceptable https URL, or a ValidationError."""
    parts = urlsplit(url)
    if parts.scheme != "https":
        raise _error(_("The metadata URL must use https."), "scheme")
    if not parts.hostname or parts.username or parts.password:
        raise _error(_("The metadata URL must name a host and carry no credentials."), "host")
    try:
        port = parts.port or 443
    except ValueError as error:
        raise _error(_("The metadata URL has an invalid port."), "port") from error
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return parts.hostname, port, path


def _check_deadline(deadline: float) -> None:
    if time.monotonic() > deadline:
        raise _error(
            _("The metadata URL did not answer in %(seconds)s seconds.")
            % {"seconds": settings.TRUSTNET_METADATA_FETCH_DEADLINE},
            "deadline",
        )


def _read_before(response: http.client.HTTPResponse, amount: int, deadline: float) -> bytes:
    """Up to `amount` bytes of the body, giving up once the overall deadline has passed."""
    chunks: list[bytes] = []
    received = 0
    while received < amount:
        _check_deadline(deadline)
        chunk = response.read(min(READ_CHUNK, amount - received))
        if not chunk:
            break
        chunks.append(chunk)
        received += len(chunk)
    return b"".join(chunks)


def metadata_fetch(url: str) -> bytes:
    """The body of `url` (at most TRUSTNET_METADATA_MAX_BYTES), or a ValidationError naming the problem."""
    limit = settings.TRUSTNET_METADATA_MAX_BYTES
    timeout = settings.TRUSTNET_METADATA_FETCH_TIMEOUT
    # One budget for the whole fetch, redirects included (each socket operation may still take up to
    # `timeout`, so the worst case is the deadline plus one timeout).
    deadline = time.monotonic() + settings.TRUSTNET_METADATA_FETCH_DEADLINE
    for _hop in range(MAX_REDIRECTS + 1):
        _check_deadline(deadline)
        host, port, path = check_metadata_url(url)
        address = resolve_public(host, port)
        connection = _PinnedHTTPSConnection(host, address, port, timeout)
        try:
            connection.request("GET", path, headers={"User-Agent": "trustnet-metadata-fetch", "Accept": "*/*"})
            response = connection.getresponse()
            if response.status in (301, 302, 303, 307, 308):
                url = urljoin(url, response.getheader("Location", ""))
                continue
            if response.status != 200:
                raise _error(_("The metadata URL answered with HTTP status %(status)s.") % {"status": response.status},
                             "status")  # fmt: skip
            body = _read_before(response, limit + 1, deadline)
        except (OSError, http.client.HTTPException) as error:
            raise _error(_("The metadata could not be fetched: %(error)s") % {"error": error}, "fetch") from error
        finally:
            connection.close()
        if len(body) > limit:
            raise _error(_("The metadata is larger than %(limit)s bytes.") % {"limit": limit}, "too_large")
        return body
    raise _error(_("The metadata URL redirects too many times."), "redirects")
