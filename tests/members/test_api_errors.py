"""Every API error is JSON: a body over DATA_UPLOAD_MAX_MEMORY_SIZE gets 413 naming the limit
(issue 15 item 8: it got Django's HTML 400 page)."""

from django.conf import settings

from members.models import School
from tests.members.test_api_writes import _client


def test_a_too_large_api_body_gets_a_json_413_naming_the_limit(technical_a, org_a):
    client = _client(technical_a)
    name = "x" * (5 * 1024 * 1024)
    body = f'{{"organisation": {org_a.pk}, "code": "12345", "name": "{name}", "school_type": "basic"}}'
    response = client.generic("POST", "/api/schools/", body, content_type="application/json")
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert response.json() == {
        "detail": f"The request body is too large: at most {limit} bytes are accepted.",
        "limit_bytes": limit,
    }
    assert not School.objects.exists()


def test_the_schema_documents_the_413_of_every_write(client):
    schema = client.get("/api/schema/?format=json").json()
    writes = [
        operation
        for path in schema["paths"].values()
        for method, operation in path.items()
        if method in {"post", "put", "patch"}
    ]
    assert writes and all("413" in operation["responses"] for operation in writes)
