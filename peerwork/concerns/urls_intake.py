"""The intake pages of concerns (issue 8 items 1 and 6): the home, recording a concern, the
case page, correcting, closing and removing one, and the counts. Ids are named by what
they are (``concern_id``: ``peerwork.concerns.isolation_intake``); the person a new
concern is about goes in the query string (``new/?person=``).

``<concern_id>/`` takes any single segment, so ``peerwork.concerns.urls`` includes this
module last: the other areas' fixed paths (``library/``…) are matched first."""

from django.urls import path

from . import intake_views

urlpatterns = [
    path("", intake_views.home, name="home"),
    path("new/", intake_views.concern_new, name="concern_new"),
    path("aggregates/", intake_views.aggregates, name="aggregates"),
    path("<str:concern_id>/", intake_views.concern_page, name="concern"),
    path("<str:concern_id>/edit/", intake_views.concern_edit, name="concern_edit"),
    path("<str:concern_id>/close/", intake_views.concern_close, name="concern_close"),
    path("<str:concern_id>/delete/", intake_views.concern_delete, name="concern_delete"),
]
