from django.urls import path

from trustnet.accounts import views

app_name = "accounts"

urlpatterns = [
    path("organisations/<int:pk>/people/", views.organisation_people, name="organisation-people"),
    path("invitations/<int:pk>/revoke/", views.invitation_revoke, name="invitation-revoke"),
    path("roles/<int:pk>/revoke/", views.role_revoke, name="role-revoke"),
    path("staff/team/", views.staff_team, name="staff-team"),
    path("invitation/<str:token>/", views.invitation_accept, name="invitation-accept"),
    path("profile/", views.profile, name="profile"),
    path("profile/api-tokens/", views.api_tokens, name="api-tokens"),
    path("profile/api-tokens/<int:pk>/revoke/", views.api_token_revoke, name="api-token-revoke"),
]
