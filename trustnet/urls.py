from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    path("", include("trustnet.portal.urls")),
    path("accounts/", include("allauth.urls")),
    path("", include("trustnet.accounts.urls")),
    path("audit/", include("trustnet.audit.urls")),
    path("agreements/", include("contracts.urls")),
    path("", include("members.urls")),
    path("api/", include("members.api_urls")),
    path("", include("contracts.steering_urls")),
    path("proxy/", include("trustnet.proxy.urls")),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
