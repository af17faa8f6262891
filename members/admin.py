from django.contrib import admin

from members.models import Organisation


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name_fi", "business_id", "kind", "is_home_organisation", "is_service_provider"]
    search_fields = ["name_fi", "name_sv", "name_en", "business_id"]
    list_filter = ["kind", "is_home_organisation", "is_service_provider"]
