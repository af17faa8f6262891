from django.urls import path

from members import views

app_name = "members"

urlpatterns = [
    path("members/organisations/", views.organisation_list, name="organisation-list"),
    path("members/organisations/new/", views.organisation_create, name="organisation-create"),
    path("members/organisations/<int:pk>/", views.organisation_detail, name="organisation-detail"),
    path("members/organisations/<int:pk>/edit/", views.organisation_edit, name="organisation-edit"),
    path("members/organisations/<int:pk>/register/", views.organisation_register, name="organisation-register"),
    path("members/organisations/<int:pk>/schools/new/", views.school_edit, name="school-create"),
    path("members/organisations/<int:pk>/schools/import/", views.school_import, name="school-import"),
    path("members/organisations/<int:pk>/schools/export/", views.school_export, name="school-export"),
    path("members/organisations/<int:pk>/schools/<int:school_pk>/", views.school_edit, name="school-edit"),
    path("members/organisations/<int:pk>/schools/<int:school_pk>/delete/", views.school_delete, name="school-delete"),
    path("members/organisations/<int:pk>/schools/<int:school_pk>/offices/new/", views.office_add, name="office-add"),
    path(
        "members/organisations/<int:pk>/schools/<int:school_pk>/offices/<int:office_pk>/delete/",
        views.office_delete,
        name="office-delete",
    ),
    path("members/organisations/<int:pk>/login-sources/new/", views.login_source_edit, name="login-source-create"),
    path(
        "members/organisations/<int:pk>/login-sources/<int:source_pk>/",
        views.login_source_edit,
        name="login-source-edit",
    ),
    path(
        "members/organisations/<int:pk>/login-sources/<int:source_pk>/check-metadata/",
        views.login_source_metadata_check,
        name="login-source-metadata-check",
    ),
    path(
        "members/organisations/<int:pk>/login-sources/<int:source_pk>/delete/",
        views.login_source_delete,
        name="login-source-delete",
    ),
    path("members/organisations/<int:pk>/allowed-services/", views.allowed_services, name="allowed-services"),
    path("members/organisations/<int:pk>/services/new/<str:protocol>/", views.service_create, name="service-create"),
    path("members/services/", views.service_list, name="service-list"),
    path("members/services/<int:pk>/", views.service_detail, name="service-detail"),
    path("members/services/<int:pk>/edit/", views.service_edit, name="service-edit"),
    path("members/services/<int:pk>/promote/", views.service_promote, name="service-promote"),
    path("members/services/<int:pk>/rotate-secret/", views.service_secret_rotate, name="service-secret-rotate"),
    path("members/services/<int:pk>/withdraw/", views.service_withdraw, name="service-withdraw"),
    path("members/review/", views.review_queue, name="review-queue"),
    path("members/review/settings/", views.review_policy, name="review-policy"),
    path("members/review/approve/", views.review_approve_selected, name="review-approve-selected"),
    path("members/versions/<int:pk>/approve/", views.version_approve, name="version-approve"),
    path("members/versions/<int:pk>/reject/", views.version_reject, name="version-reject"),
    # People: invitations and roles
    path("organisations/<int:pk>/people/", views.organisation_people, name="organisation-people"),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation-revoke"),
    path("roles/<int:pk>/revoke/", views.role_revoke, name="role-revoke"),
    path("staff/team/", views.staff_team, name="staff-team"),
    path("invitation/<str:token>/", views.invitation_accept, name="invitation-accept"),
    # Login sources: attribute mapping (issue 14)
    path(
        "members/organisations/<int:pk>/login-sources/<int:source_pk>/mapping/",
        views.login_source_mapping,
        name="login-source-mapping",
    ),
    # Login sources from test to production (issue 14)
    path(
        "members/organisations/<int:pk>/login-sources/<int:source_pk>/view/",
        views.login_source_detail,
        name="login-source-detail",
    ),
    path(
        "members/organisations/<int:pk>/login-sources/<int:source_pk>/promote/",
        views.login_source_promote,
        name="login-source-promote",
    ),
    path("members/login-sources/<int:pk>/approve/", views.login_source_approve, name="login-source-approve"),
    path("members/login-sources/<int:pk>/reject/", views.login_source_reject, name="login-source-reject"),
    # What the MPASSid login page shows for a login source (issue 14).
    path(
        "members/organisations/<int:pk>/login-sources/<int:source_pk>/login-page/",
        views.login_source_login_page,
        name="login-source-login-page",
    ),
    path(
        "members/organisations/<int:pk>/login-sources/<int:source_pk>/logo/",
        views.login_source_logo,
        name="login-source-logo",
    ),
]
