from django.urls import path

from contracts import views

app_name = "contracts"

urlpatterns = [
    path("verify/", views.verify, name="verify"),
    path("organisations/<int:organisation_pk>/<str:role>/sign/", views.membership_sign, name="membership-sign"),
    path("memberships/<int:pk>/", views.membership_detail, name="membership-detail"),
    path("memberships/<int:pk>/pdf/", views.membership_pdf, name="membership-pdf"),
    path("memberships/<int:pk>/notice/", views.membership_notice, name="membership-notice"),
    path("notices/<int:pk>/withdraw/", views.notice_withdraw, name="notice-withdraw"),
    path("memberships/<int:pk>/countersign/", views.membership_countersign, name="membership-countersign"),
    path("memberships/<int:pk>/breach/", views.breach_notice_create, name="breach-notice-create"),
    path("breach-notices/<int:pk>/respond/", views.breach_respond, name="breach-respond"),
    path("breach-notices/<int:pk>/outcome/", views.breach_outcome, name="breach-outcome"),
    path("breach-notices/<int:pk>/terminate/", views.breach_terminate, name="breach-terminate"),
    path("staff/memberships/", views.staff_membership_list, name="staff-membership-list"),
    path("staff/versions/", views.staff_version_list, name="staff-version-list"),
    path("staff/versions/new/", views.staff_version_edit, name="staff-version-create"),
    path("staff/versions/<int:pk>/", views.staff_version_edit, name="staff-version-edit"),
    path("staff/versions/<int:pk>/publish/", views.staff_version_publish, name="staff-version-publish"),
    path("staff/term-starts/", views.staff_term_starts, name="staff-term-starts"),
    path("staff/term-starts/<int:pk>/delete/", views.staff_term_start_delete, name="staff-term-start-delete"),
]
