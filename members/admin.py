from django.contrib import admin
from django.http import HttpRequest

from accounts.admin import UserAdmin
from accounts.models import User
from members.models import Invitation, Organisation, OrganisationRole


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


class OrganisationRoleInline(admin.TabularInline):
    model = OrganisationRole
    fk_name = "user"
    extra = 0
    autocomplete_fields = ["organisation"]
    readonly_fields = ["granted_at", "granted_by"]


# A person's roles in member organisations are shown with the account; the roles live in this app
# (they name an organisation), so the account's admin gets them from here.
class UserWithRolesAdmin(UserAdmin):
    inlines = [OrganisationRoleInline]


admin.site.unregister(User)
admin.site.register(User, UserWithRolesAdmin)


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organisation", "grants_staff", "created_at", "expires_at", "accepted_at", "revoked_at"]
    readonly_fields = ["token_hash"]
