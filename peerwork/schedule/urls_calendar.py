"""The calendar feed's routes: the person's page (under /schedule/) and the feed itself
(under ``apps.FEED_PREFIX``, opened by its secret with no session)."""

from django.urls import path

from . import calendar_views

urlpatterns = [
    path("schedule/calendar/", calendar_views.calendar, name="calendar"),
    path("schedule/calendar/make/", calendar_views.calendar_make, name="calendar_make"),
    path("schedule/calendar/stop/", calendar_views.calendar_stop, name="calendar_stop"),
    path("cal/<str:token>.ics", calendar_views.feed, name="feed"),
]
