"""OpenAPI schema post-processing: document the error answers every API operation can give."""

from __future__ import annotations

from typing import Any

ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
# DRF's validation answer: each field (or `non_field_errors`) with its messages; nested fields nest.
VALIDATION_ERROR = {
    "type": "object",
    "additionalProperties": {},
    "description": "Field name → list of messages (`non_field_errors` for the request as a whole).",
}
# A body over the size limit: the message and the limit in bytes (members/api_errors.py).
TOO_LARGE = {
    "type": "object",
    "properties": {"detail": {"type": "string"}, "limit_bytes": {"type": "integer"}},
    "required": ["detail", "limit_bytes"],
}
WRITE_METHODS = {"post", "put", "patch"}
ERRORS = {
    "401": "Not authenticated.",
    "403": "Not allowed.",
    "404": "Not found, or not visible to the caller.",
}


def add_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular POSTPROCESSING_HOOK: add 401/403/404 with `{"detail": ...}` to each operation,
    400 with the field errors and 413 for a too large body to each write."""
    for path in result.get("paths", {}).values():
        for method, operation in path.items():
            responses = operation.setdefault("responses", {})
            if method in WRITE_METHODS:
                responses.setdefault(
                    "400",
                    {
                        "description": "Invalid input; nothing was changed.",
                        "content": {"application/json": {"schema": VALIDATION_ERROR}},
                    },
                )
                responses.setdefault(
                    "413",
                    {
                        "description": "The request body is over the size limit (DATA_UPLOAD_MAX_MEMORY_SIZE).",
                        "content": {"application/json": {"schema": TOO_LARGE}},
                    },
                )
            for status, description in ERRORS.items():
                responses.setdefault(
                    status, {"description": description, "content": {"application/json": {"schema": ERROR}}}
                )
    return result
