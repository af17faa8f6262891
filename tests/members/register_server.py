"""A stand-in for Organisaatiopalvelu: a real HTTP server on 127.0.0.1 in the test process that
answers with the JSON fixtures in tests/members/organisation_register/ (the register's published
shapes), or with whatever status, delay or garbage a test sets. No test reaches the internet."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).parent / "organisation_register"
ORG_OID = "1.2.246.562.10.20000000001"
NOT_FOUND_BODY = b'{"errorMessage": "organisaatio.exception.organisaatio.not.found"}'


def fixture_json(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@dataclass
class Answer:
    status: int = 200
    body: bytes = b""
    delay: float = 0.0
    then: Answer | None = None  # the answer from the second request on


@dataclass
class RegisterServer:
    url: str = ""
    answers: dict[str, Answer] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)

    def answer(self, path: str, data: Any = None, *, status: int = 200, raw: bytes | None = None, delay: float = 0.0):
        """Answer GET `path` (under /organisaatio-service) with `data` as JSON, or `raw` bytes."""
        body = raw if raw is not None else json.dumps(data, ensure_ascii=False).encode()
        self.answers[path] = Answer(status=status, body=body, delay=delay)

    def serve_fixture_organisation(self, oid: str = ORG_OID, *, descendants: Any = None) -> None:
        self.answer(f"/api/{oid}", fixture_json("organisation.json"))
        self.answer(f"/api/{oid}/jalkelaiset", descendants or fixture_json("jalkelaiset.json"))


NOT_FOUND = Answer(status=404, body=NOT_FOUND_BODY)


@pytest.fixture
def register_server(settings):
    state = RegisterServer()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            path = self.path.removeprefix("/organisaatio-service")
            state.requests.append((path, dict(self.headers)))
            answer = state.answers.get(path, NOT_FOUND)
            if answer.then is not None:
                state.answers[path] = answer.then
            if answer.delay:
                time.sleep(answer.delay)
            try:
                self.send_response(answer.status)
                self.send_header("Content-Type", "application/json;charset=UTF-8")
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (the timeout test)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/organisaatio-service"
    settings.ORGANISATION_REGISTER_URL = state.url
    settings.ORGANISATION_REGISTER_CALLER_ID = "1.2.246.562.10.00000000001.trustnet-test"
    settings.ORGANISATION_REGISTER_TIMEOUT = 2.0
    settings.ORGANISATION_REGISTER_RETRIES = 1
    yield state
    server.shutdown()
    server.server_close()
