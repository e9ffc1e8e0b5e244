"""The schedule module's pages. Each area keeps its routes in its own module: a person's
own schedule and private notes with working patterns and adjustments, meetings with
schedule health, trips and events with the OST travel checklist, and the calendar feed."""

from django.urls import include, path

app_name = "schedule"

urlpatterns = [
    path("", include("peerwork.schedule.urls_mine")),
    path("", include("peerwork.schedule.urls_meetings")),
    path("", include("peerwork.schedule.urls_travel")),
    path("", include("peerwork.schedule.urls_calendar")),
]
