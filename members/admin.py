from django.contrib import admin
from django.http import HttpRequest

from members.models import Organisation


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    """Read-only on purpose: every change to the register must go through members/services.py.

    The services write the audit log and send `register_changed` (so the proxy rebuilds); a save in
    the Django admin would do neither, leaving an unaudited change the proxy never picks up. Staff
    change organisations in the portal's own pages (which use the services).
    """

    list_display = ["name_fi", "business_id", "kind", "is_home_organisation", "is_service_provider"]
    search_fields = ["name_fi", "name_sv", "name_en", "business_id"]
    list_filter = ["kind", "is_home_organisation", "is_service_provider"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Organisation | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Organisation | None = None) -> bool:
        return False
