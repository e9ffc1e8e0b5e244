"""The pages of a concern's path (every path's stages), its targets and its hand-off (issue 8
items 3 and 4). Ids are named by what they are (``concern_id``, ``target_id``,
``handoff_id``: ``peerwork.concerns.isolation_app9``); the stage is a query string
(``?stage=q1``), not part of the path."""

from django.urls import path

from . import app9_views

urlpatterns = [
    path("<str:concern_id>/stage/", app9_views.stage_page, name="stage"),
    path("<str:concern_id>/targets/new/", app9_views.target_new, name="target_new"),
    path("<str:concern_id>/handoff/", app9_views.handoff_new, name="handoff_new"),
    path("targets/<str:target_id>/", app9_views.target_page, name="target"),
    path("targets/<str:target_id>/edit/", app9_views.target_edit, name="target_edit"),
    path("targets/<str:target_id>/review/", app9_views.target_review, name="target_review"),
    path("handoffs/<str:handoff_id>/", app9_views.handoff_page, name="handoff"),
    path(
        "handoffs/<str:handoff_id>/countersign/",
        app9_views.handoff_countersign,
        name="handoff_countersign",
    ),
    path(
        "handoffs/<str:handoff_id>/withdraw/",
        app9_views.handoff_withdraw,
        name="handoff_withdraw",
    ),
    path("handoffs/<str:handoff_id>/summary.pdf", app9_views.handoff_pdf_view, name="handoff_pdf"),
]
