"""The investigation and named-supporter pages of concerns (issue 8 items 4 and 5; §4.7).
Ids are named by what they are (``investigation_id``, ``named_supporter_id``:
``peerwork.concerns.isolation_investigations``); the concern a page starts from is a query
(``?concern=``), like the support agreement's ``?pair=``."""

from django.urls import path

from . import investigation_views as views

urlpatterns = [
    path("investigations/", views.investigation_list, name="investigations"),
    path("investigations/new/", views.investigation_new, name="investigation_new"),
    path(
        "investigations/<str:investigation_id>/",
        views.investigation_page,
        name="investigation",
    ),
    path(
        "investigations/<str:investigation_id>/investigators/",
        views.investigator_add,
        name="investigator_add",
    ),
    path(
        "investigations/<str:investigation_id>/investigators/remove/",
        views.investigator_remove,
        name="investigator_remove",
    ),
    path(
        "investigations/<str:investigation_id>/findings/",
        views.findings_save,
        name="investigation_findings",
    ),
    path(
        "investigations/<str:investigation_id>/suspension/",
        views.suspension,
        name="investigation_suspension",
    ),
    path(
        "investigations/<str:investigation_id>/suspension/end/",
        views.suspension_end,
        name="investigation_suspension_end",
    ),
    path(
        "investigations/<str:investigation_id>/complete/",
        views.complete,
        name="investigation_complete",
    ),
    path("supporters/", views.supporters, name="supporters"),
    path(
        "supporters/<str:named_supporter_id>/remove/",
        views.supporter_remove,
        name="supporter_remove",
    ),
]
