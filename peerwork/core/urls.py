from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("healthz", views.healthz, name="healthz"),
    path("people", views.members, name="members"),
    path("teams", views.teams, name="teams"),
    path("invitations", views.invitations, name="invitations"),
    path("inbox", views.inbox, name="inbox"),
    path("tokens", views.tokens, name="tokens"),
]
