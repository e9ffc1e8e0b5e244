"""The paths pages of concerns (issue 8). Ids are named by what they are
(``concern_id``, ``meeting_id``…: ``peerwork.concerns.isolation_paths``)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
