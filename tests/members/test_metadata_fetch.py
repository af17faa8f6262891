"""Fetching metadata by URL refuses anything that could reach inside the network (SSRF).

DNS and the remote server are outside the machine, so they are replaced; the checks are real.
"""

import socket

import pytest
from django.core.exceptions import ValidationError

from members import metadata_fetch as fetch


def _fake_dns(monkeypatch, mapping):
    def getaddrinfo(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (mapping[host], port))]

    monkeypatch.setattr(fetch.socket, "getaddrinfo", getaddrinfo)


def _refused(url) -> str:
    with pytest.raises(ValidationError) as excinfo:
        fetch.metadata_fetch(url)
    assert "metadata_url" in excinfo.value.error_dict
    return " ".join(excinfo.value.messages)


def test_plain_http_is_refused():
    assert "must use https" in _refused("http://sp.example.fi/metadata")


def test_credentials_in_the_url_are_refused():
    assert "no credentials" in _refused("https://user:pw@sp.example.fi/metadata")


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "10.0.0.5", "192.168.1.1", "172.16.0.1", "169.254.169.254", "0.0.0.0", "100.64.0.1"],  # noqa: S104
)
def test_hosts_resolving_to_internal_addresses_are_refused(monkeypatch, address):
    _fake_dns(monkeypatch, {"evil.example.fi": address})
    assert "private or internal address" in _refused("https://evil.example.fi/metadata")


@pytest.mark.parametrize("address", ["::1", "fe80::1", "fd00:ec2::254", "::ffff:127.0.0.1"])
def test_internal_ipv6_addresses_are_refused(address):
    assert not fetch.address_is_public(address)


def test_public_addresses_pass():
    assert fetch.address_is_public("193.166.0.1")


class _Response:
    def __init__(self, status, body=b"", location=""):
        self.status, self._body, self._location = status, body, location

    def getheader(self, name, default=""):
        return self._location if name == "Location" else default

    def read(self, amount):
        chunk, self._body = self._body[:amount], self._body[amount:]
        return chunk


def _fake_server(monkeypatch, responses, connected):
    class Connection:
        def __init__(self, host, address, port, timeout):
            connected.append((host, address, timeout))

        def request(self, method, path, headers):
            pass

        def getresponse(self):
            return responses.pop(0)

        def close(self):
            pass

    monkeypatch.setattr(fetch, "_PinnedHTTPSConnection", Connection)


def test_a_redirect_to_an_internal_address_is_refused(monkeypatch):
    _fake_dns(monkeypatch, {"sp.example.fi": "193.166.0.1", "internal.example.fi": "10.1.2.3"})
    connected = []
    _fake_server(monkeypatch, [_Response(302, location="https://internal.example.fi/secret")], connected)
    assert "private or internal address" in _refused("https://sp.example.fi/metadata")
    assert connected == [("sp.example.fi", "193.166.0.1", 10.0)]


def test_a_redirect_to_http_is_refused(monkeypatch):
    _fake_dns(monkeypatch, {"sp.example.fi": "193.166.0.1"})
    _fake_server(monkeypatch, [_Response(301, location="http://sp.example.fi/metadata")], [])
    assert "must use https" in _refused("https://sp.example.fi/metadata")


def test_the_body_is_returned_from_the_checked_address_with_the_timeout(monkeypatch, settings):
    settings.TRUSTNET_METADATA_FETCH_TIMEOUT = 3.0
    _fake_dns(monkeypatch, {"sp.example.fi": "193.166.0.1"})
    connected = []
    _fake_server(monkeypatch, [_Response(200, body=b"<xml/>")], connected)
    assert fetch.metadata_fetch("https://sp.example.fi/metadata") == b"<xml/>"
    assert connected == [("sp.example.fi", "193.166.0.1", 3.0)]


def test_an_over_size_body_is_refused(monkeypatch, settings):
    settings.TRUSTNET_METADATA_MAX_BYTES = 10
    _fake_dns(monkeypatch, {"sp.example.fi": "193.166.0.1"})
    _fake_server(monkeypatch, [_Response(200, body=b"x" * 100)], [])
    assert "larger than 10 bytes" in _refused("https://sp.example.fi/metadata")


def test_an_error_status_is_refused(monkeypatch):
    _fake_dns(monkeypatch, {"sp.example.fi": "193.166.0.1"})
    _fake_server(monkeypatch, [_Response(404)], [])
    assert "HTTP status 404" in _refused("https://sp.example.fi/metadata")


def test_too_many_redirects_are_refused(monkeypatch):
    _fake_dns(monkeypatch, {"sp.example.fi": "193.166.0.1"})
    _fake_server(monkeypatch, [_Response(302, location="/again") for _ in range(5)], [])
    assert "too many times" in _refused("https://sp.example.fi/metadata")


def test_a_timeout_is_reported(monkeypatch):
    _fake_dns(monkeypatch, {"sp.example.fi": "193.166.0.1"})

    class Slow:
        def __init__(self, *args):
            pass

        def request(self, *args, **kwargs):
            raise TimeoutError("timed out")

        def close(self):
            pass

    monkeypatch.setattr(fetch, "_PinnedHTTPSConnection", Slow)
    assert "could not be fetched" in _refused("https://sp.example.fi/metadata")


def test_the_connection_goes_to_the_checked_address_not_a_fresh_lookup(monkeypatch):
    """DNS rebinding: a second lookup could answer with an internal address, so none is made."""
    _fake_dns(monkeypatch, {"sp.example.fi": "193.166.0.1"})
    dialled = []

    def create_connection(address, timeout):
        dialled.append(address)
        raise ConnectionRefusedError("refused")

    monkeypatch.setattr(fetch.socket, "create_connection", create_connection)
    assert "could not be fetched" in _refused("https://sp.example.fi:8443/metadata")
    assert dialled == [("193.166.0.1", 8443)]


def test_a_server_trickling_its_body_is_cut_off_at_the_overall_deadline(monkeypatch, settings):
    """Each byte arrives within the socket timeout, but the whole fetch must still end in time."""
    settings.TRUSTNET_METADATA_FETCH_DEADLINE = 30.0
    _fake_dns(monkeypatch, {"sp.example.fi": "193.166.0.1"})
    clock = {"now": 1000.0}
    monkeypatch.setattr(fetch.time, "monotonic", lambda: clock["now"])
    reads = []

    class Trickle(_Response):
        def read(self, amount):
            reads.append(amount)
            clock["now"] += 5.0  # one byte every 5 seconds, under the 10 s socket timeout
            return b"x"

    _fake_server(monkeypatch, [Trickle(200)], [])
    assert "did not answer in 30.0 seconds" in _refused("https://sp.example.fi/metadata")
    assert len(reads) == 7  # 30 s of 5 s reads, then the deadline stops it
