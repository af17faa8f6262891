from rest_framework.routers import DefaultRouter

from members import api

router = DefaultRouter()
router.register("organisations", api.OrganisationViewSet, basename="api-organisation")
router.register("schools", api.SchoolViewSet, basename="api-school")
router.register("login-sources", api.LoginSourceViewSet, basename="api-login-source")
router.register("services", api.ServiceViewSet, basename="api-service")

urlpatterns = router.urls
