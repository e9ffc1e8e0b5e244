"""Routes of meetings, trainings and events, their suggestion buttons, and schedule health
(issue 6 items 3 and 4)."""

from django.urls import URLPattern, path

from . import health_views, meeting_views

urlpatterns: list[URLPattern] = [
    path("schedule/meetings/", meeting_views.meeting_list, name="meetings"),
    path("schedule/meetings/new/", meeting_views.meeting_new, name="meeting_new"),
    path("schedule/meetings/<str:meeting_id>/", meeting_views.meeting_page, name="meeting"),
    path(
        "schedule/meetings/<str:meeting_id>/edit/",
        meeting_views.meeting_edit,
        name="meeting_edit",
    ),
    path(
        "schedule/meetings/<str:meeting_id>/move/",
        meeting_views.meeting_move,
        name="meeting_move",
    ),
    path(
        "schedule/meetings/<str:meeting_id>/late-join/",
        meeting_views.meeting_late_join,
        name="meeting_late_join",
    ),
    path(
        "schedule/meetings/<str:meeting_id>/cancel/",
        meeting_views.meeting_cancel,
        name="meeting_cancel",
    ),
    path("schedule/health/", health_views.health, name="health"),
]
