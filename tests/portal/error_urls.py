"""The site's URLs plus views that fail in each way an error page answers."""

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.urls import path

from trustnet.urls import urlpatterns as site_urlpatterns


def broken(request):
    raise RuntimeError("a server error, on purpose")


def forbidden(request):
    raise PermissionDenied("a developer's reason, never shown")


def bad(request):
    raise SuspiciousOperation("a developer's reason, never shown")


urlpatterns = [
    path("test-broken/", broken),
    path("test-forbidden/", forbidden),
    path("test-bad/", bad),
    *site_urlpatterns,
]
