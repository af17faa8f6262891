"""The site's URLs plus one view that fails, to see the server-error page's headers."""

from django.urls import path

from trustnet.urls import urlpatterns as site_urlpatterns


def broken(request):
    raise RuntimeError("a server error, on purpose")


urlpatterns = [path("test-broken/", broken), *site_urlpatterns]
