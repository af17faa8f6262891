"""The API's exception handler: every error answer is JSON, also those Django raises before DRF
has parsed anything (issue 15: a 5 MB body got Django's HTML 400 page)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.utils.translation import gettext as _
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus 413 with the limit for a body over DATA_UPLOAD_MAX_MEMORY_SIZE."""
    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return Response(
            {
                "detail": _("The request body is too large: at most %(limit)s bytes are accepted.") % {"limit": limit},
                "limit_bytes": limit,
            },
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    return exception_handler(exc, context)
