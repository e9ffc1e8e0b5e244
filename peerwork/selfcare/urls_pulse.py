"""The stress pulse pages of selfcare (issue 7 item 3; §3.9)."""

from django.urls import path

from . import pulse_views

urlpatterns: list = [
    path("pulse/", pulse_views.pulse_page, name="pulse"),
    path("pulse/teams/", pulse_views.pulse_teams, name="pulse_teams"),
]
