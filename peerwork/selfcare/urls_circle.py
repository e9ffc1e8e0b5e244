"""The risk circle pages of selfcare (issue 7 item 1; App. 3). ``circle`` and
``circles_opened`` are linked to from other pages: keep their names."""

from django.urls import path

from . import circle_views

urlpatterns = [
    path("circle/", circle_views.circle, name="circle"),
    path("circle/edit/", circle_views.circle_edit, name="circle_edit"),
    path("circle/changed/", circle_views.circle_changed, name="circle_changed"),
    path("circle/delete/", circle_views.circle_delete, name="circle_delete"),
    path("circle/versions/", circle_views.circle_versions, name="circle_versions"),
    path("circle/open/", circle_views.circle_open, name="circle_open"),
    path(
        "circle/openings/<str:circle_opening_id>/close/",
        circle_views.circle_close,
        name="circle_close",
    ),
    path(
        "circle/suggestions/<str:suggestion_id>/accept/",
        circle_views.suggestion_accept,
        name="circle_suggestion_accept",
    ),
    path(
        "circle/suggestions/<str:suggestion_id>/decline/",
        circle_views.suggestion_decline,
        name="circle_suggestion_decline",
    ),
    path("circle/opened/", circle_views.circles_opened, name="circles_opened"),
    path("circle/opened/<str:circle_id>/", circle_views.opened_circle, name="opened_circle"),
    path(
        "circle/opened/<str:circle_id>/suggest/",
        circle_views.opened_circle_suggest,
        name="opened_circle_suggest",
    ),
]
