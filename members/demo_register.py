"""A stand-in for Organisaatiopalvelu for `make run` (DEBUG only): serves the demo fixtures in
members/demo_register/ at the register's own paths, so the demo's linked organisation (Porvoo)
can be compared with "the register" offline. The JSON has the register's published shapes; the
OIDs are fictional."""

from __future__ import annotations

import re
from pathlib import Path

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse

FIXTURES = Path(__file__).parent / "demo_register"
_OID = re.compile(r"[0-9.]{1,64}", re.ASCII)


def demo_register(request: HttpRequest, oid: str, part: str = "") -> HttpResponse:
    if not _OID.fullmatch(oid) or part not in ("", "jalkelaiset"):
        raise Http404
    path = FIXTURES / (f"{oid}_{part}.json" if part else f"{oid}.json")
    if not path.is_file():
        return JsonResponse({"errorMessage": "organisaatio.exception.organisaatio.not.found"}, status=404)
    return HttpResponse(path.read_bytes(), content_type="application/json;charset=UTF-8")
