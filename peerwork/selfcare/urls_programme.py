"""The self-control programme pages (issue 7 item 2; App. 8): my programmes, one per App. 8
step, the overview with the quick log, and opening a programme to my peer mentor."""

from django.urls import path

from . import programme_views as views

urlpatterns = [
    path("programmes/", views.programmes_page, name="programmes"),
    path("programmes/new/", views.programme_new, name="programme_new"),
    path("programmes/opened/", views.programmes_opened, name="programmes_opened"),
    path("programmes/<str:programme_id>/", views.programme_page, name="programme"),
    path(
        "programmes/<str:programme_id>/commitment/",
        views.programme_commitment,
        name="programme_commitment",
    ),
    path("programmes/<str:programme_id>/target/", views.programme_target, name="programme_target"),
    path(
        "programmes/<str:programme_id>/baseline/",
        views.programme_baseline,
        name="programme_baseline",
    ),
    path("programmes/<str:programme_id>/goal/", views.programme_goal, name="programme_goal"),
    path(
        "programmes/<str:programme_id>/strategies/",
        views.programme_strategies,
        name="programme_strategies",
    ),
    path("programmes/<str:programme_id>/log/", views.programme_log, name="programme_log"),
    path(
        "programmes/<str:programme_id>/progress/",
        views.programme_progress,
        name="programme_progress",
    ),
    path(
        "programmes/<str:programme_id>/revisions/",
        views.programme_revisions,
        name="programme_revisions",
    ),
    path(
        "programmes/<str:programme_id>/records/<str:entry_id>/remove/",
        views.programme_entry_remove,
        name="programme_entry_remove",
    ),
    path("programmes/<str:programme_id>/end/", views.programme_end, name="programme_end"),
    path("programmes/<str:programme_id>/delete/", views.programme_delete, name="programme_delete"),
    path("programmes/<str:programme_id>/open/", views.programme_open, name="programme_open"),
    path(
        "programme-openings/<str:opening_id>/close/",
        views.programme_opening_close,
        name="programme_opening_close",
    ),
]
