from django.urls import path

from steering import views as views

app_name = "steering"

urlpatterns = [
    path("staff/steering/", views.staff_home, name="staff-home"),
    path("staff/steering/groups/new/", views.group_create, name="group-create"),
    path("staff/steering/groups/<int:pk>/edit/", views.group_edit, name="group-edit"),
    path("staff/steering/groups/<int:group_pk>/seats/new/", views.seat_create, name="seat-create"),
    path("staff/steering/seats/<int:pk>/edit/", views.seat_edit, name="seat-edit"),
    path("staff/steering/groups/<int:group_pk>/proposals/new/", views.proposal_create, name="proposal-create"),
    path("staff/steering/proposals/<int:pk>/", views.staff_proposal, name="staff-proposal"),
    path("staff/steering/proposals/<int:pk>/open/", views.proposal_open, name="proposal-open"),
    path("staff/steering/proposals/<int:pk>/close/", views.proposal_close, name="proposal-close"),
    path("steering/proposals/<int:pk>/", views.proposal_detail, name="proposal"),
    path("steering/proposals/<int:pk>/vote/", views.vote, name="vote"),
    path("steering/proposals/<int:pk>/minutes.pdf", views.minutes, name="minutes"),
    path("my/agreement-changes/", views.member_changes, name="member-changes"),
    path("my/agreement-changes/<int:pk>/", views.member_change_detail, name="member-change"),
    path("my/agreement-changes/<int:pk>/accept/", views.member_change_accept, name="member-change-accept"),
    path("my/agreement-changes/<int:pk>/terminate/", views.member_change_terminate, name="member-change-terminate"),
]
