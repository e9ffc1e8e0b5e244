"""A person's own schedule and private planning notes, a person's hours for their line
manager and HR, and adjustments of working hours (``mine_views``). Ids are named by what
they are (``note_id``, ``person_id``, ``adjustment_id``: ``peerwork.schedule.isolation``)."""

from django.urls import path

from . import mine_views

urlpatterns = [
    path("schedule/", mine_views.mine, name="mine"),
    path("schedule/notes/new/", mine_views.need_new, name="need_new"),
    path("schedule/notes/<str:note_id>/", mine_views.need_page, name="need"),
    path("schedule/notes/<str:note_id>/remove/", mine_views.need_remove, name="need_remove"),
    path("schedule/notes/<str:note_id>/propose/", mine_views.need_propose, name="need_propose"),
    path("schedule/notes/<str:note_id>/away/", mine_views.need_away, name="need_away"),
    path("schedule/people/<str:person_id>/", mine_views.person_page, name="person"),
    path(
        "schedule/people/<str:person_id>/adjustments/new/",
        mine_views.adjustment_new,
        name="adjustment_new",
    ),
    path(
        "schedule/adjustments/<str:adjustment_id>/",
        mine_views.adjustment_page,
        name="adjustment",
    ),
    path(
        "schedule/adjustments/<str:adjustment_id>/agree/",
        mine_views.adjustment_agree,
        name="adjustment_agree",
    ),
    path(
        "schedule/adjustments/<str:adjustment_id>/decline/",
        mine_views.adjustment_decline,
        name="adjustment_decline",
    ),
    path(
        "schedule/adjustments/<str:adjustment_id>/end/",
        mine_views.adjustment_end,
        name="adjustment_end",
    ),
]
