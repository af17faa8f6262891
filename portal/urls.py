from django.urls import path

from portal import audit_log, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("staff/", views.staff_dashboard, name="staff-dashboard"),
    path("my/", views.member_dashboard, name="member-dashboard"),
    path("steering/", views.steering_dashboard, name="steering-dashboard"),
    path("language/", views.set_language, name="set-language"),
    path("healthz", views.healthz, name="healthz"),
    path("register/", views.public_register, name="public-register"),
    path("register/export.csv", views.public_register_export, name="public-register-export"),
    path("audit/", audit_log.entry_list, name="audit-log"),
    path("audit/export.csv", audit_log.entry_export, name="audit-log-export"),
    # The register's organisation list at its own address, with each membership's state: this
    # pattern comes before members.urls, so it answers for members:organisation-list too.
    path("members/organisations/", views.organisation_list, name="organisation-list"),
    path("members/organisations/export.csv", views.organisation_export, name="organisation-export"),
]
