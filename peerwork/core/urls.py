from django.urls import path

from . import health, views

app_name = "core"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("healthz", health.healthz, name="healthz"),
    path("organisation", views.switch_organisation, name="switch_organisation"),
    path("language", views.set_language, name="set_language"),
    path("people", views.members, name="members"),
    path("people/<str:membership_id>", views.member_detail, name="member"),
    path("teams", views.teams, name="teams"),
    path("teams/new", views.team_create, name="team_create"),
    path("teams/<str:team_id>", views.team_detail, name="team"),
    path("teams/<str:team_id>/edit", views.team_edit, name="team_edit"),
    path("invitations", views.invitations, name="invitations"),
    path(
        "invitations/<str:invitation_id>/withdraw",
        views.invitation_withdraw,
        name="invitation_withdraw",
    ),
    path("join/<str:token>", views.join, name="join"),
    path("inbox", views.inbox, name="inbox"),
    path("inbox/<str:notification_id>/read", views.inbox_read, name="inbox_read"),
    path("tokens", views.tokens, name="tokens"),
    path("tokens/<str:token_id>/revoke", views.token_revoke, name="token_revoke"),
]
