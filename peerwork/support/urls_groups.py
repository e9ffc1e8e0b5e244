"""The peer support group and retreat pages of support (issue 7 items 7 and 8; §3.10,
§3.12, §4.8). Ids are named by what they are (``group_id``, ``retreat_id``:
``peerwork.support.isolation_groups``)."""

from django.urls import URLPattern, path

from . import group_views, retreat_views

urlpatterns: list[URLPattern] = [
    path("groups/", group_views.group_list, name="groups"),
    path("groups/new/", group_views.group_new, name="group_new"),
    path("groups/<str:group_id>/", group_views.group_page, name="group"),
    path("groups/<str:group_id>/terms/", group_views.group_edit, name="group_edit"),
    path("groups/<str:group_id>/terms.pdf", group_views.group_terms_pdf, name="group_terms_pdf"),
    path("groups/<str:group_id>/join/", group_views.group_join, name="group_join"),
    path("groups/<str:group_id>/leave/", group_views.group_leave, name="group_leave"),
    path(
        "groups/<str:group_id>/meetings/",
        group_views.group_meeting_new,
        name="group_meeting_new",
    ),
    path(
        "groups/<str:group_id>/learning/",
        group_views.group_learning_new,
        name="group_learning_new",
    ),
    path("groups/<str:group_id>/steps/new/", group_views.group_step_new, name="group_step_new"),
    path("groups/<str:group_id>/close/", group_views.group_close, name="group_close"),
    path("retreats/", retreat_views.retreat_list, name="retreats"),
    path("retreats/new/", retreat_views.retreat_new, name="retreat_new"),
    path("retreats/<str:retreat_id>/", retreat_views.retreat_page, name="retreat"),
    path("retreats/<str:retreat_id>/edit/", retreat_views.retreat_edit, name="retreat_edit"),
    path("retreats/<str:retreat_id>/cancel/", retreat_views.retreat_cancel, name="retreat_cancel"),
]
