from allauth.mfa.totp.views import activate_totp
from csp.constants import SELF
from csp.decorators import csp_update
from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponseRedirect
from django.templatetags.static import static
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

# Swagger UI with its start script as a file of its own (no inline script) from the pinned
# drf-spectacular-sidecar files; its stylesheet draws icons from data: images.
api_docs = csp_update({"img-src": [SELF, "data:"]})(
    SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="api/swagger_ui.html")
)
# The authenticator app's QR code is an <img> with a data: URI (allauth's page); only this page
# may show data: images.
mfa_activate_totp = csp_update({"img-src": [SELF, "data:"]})(activate_totp)


def favicon(request: HttpRequest) -> HttpResponseRedirect:
    """Browsers ask for /favicon.ico where a page names no icon (a PDF, a JSON file); the icon is
    the SVG base.html links. Not a permanent redirect: the static file's name may change."""
    return HttpResponseRedirect(static("favicon.svg"))


urlpatterns = [
    path("favicon.ico", favicon),
    # Before allauth's own URLs, so this (same path, same name) is the one that answers.
    path("accounts/2fa/totp/activate/", mfa_activate_totp, name="mfa_activate_totp"),
    path("", include("portal.urls")),
    path("accounts/", include("allauth.urls")),
    path("", include("accounts.urls")),
    path("agreements/", include("contracts.urls")),
    path("", include("members.urls")),
    path("api/", include("members.api_urls")),
    path("", include("steering.urls")),
    path("proxy/", include("proxy.urls")),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", api_docs, name="api-docs"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

    from members.demo_register import demo_register

    # The demo's offline stand-in for the national organisation register (README, demo section).
    urlpatterns += [
        path("dev/organisation-register/organisaatio-service/api/<str:oid>", demo_register),
        path("dev/organisation-register/organisaatio-service/api/<str:oid>/<str:part>", demo_register),
    ]
