"""The pages of area D (issue 8 item 4): the other Section 4 paths and requests for advice
before acting (§4.6). Ids are named by what they are (``advice_id``:
``peerwork.concerns.isolation_paths``); a path's name travels in the query string."""

from django.urls import URLPattern, path

from . import advice_views

urlpatterns: list[URLPattern] = [
    path("advice/", advice_views.advice_list, name="advice_list"),
    path("advice/new/", advice_views.advice_new, name="advice_new"),
    path("advice/<str:advice_id>/", advice_views.advice_page, name="advice"),
    path("advice/<str:advice_id>/answer/", advice_views.advice_answer, name="advice_answer"),
    path("advice/<str:advice_id>/withdraw/", advice_views.advice_withdraw, name="advice_withdraw"),
]
