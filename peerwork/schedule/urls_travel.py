"""Trips and events, the traveller's OST checklist and request letter, and the
organisation's scheduling settings (issue 6 item 5)."""

from django.urls import path

from . import settings_views, travel_views

urlpatterns = [
    path("schedule/trips/", travel_views.trips, name="trips"),
    path("schedule/trips/new/", travel_views.trip_new, name="trip_new"),
    path("schedule/trips/<str:trip_id>/", travel_views.trip_page, name="trip"),
    path("schedule/trips/<str:trip_id>/edit/", travel_views.trip_edit, name="trip_edit"),
    path("schedule/trips/<str:trip_id>/cancel/", travel_views.trip_cancel, name="trip_cancel"),
    path("schedule/travel/<str:traveller_id>/", travel_views.checklist, name="checklist"),
    path(
        "schedule/travel/<str:traveller_id>/letter.pdf",
        travel_views.letter_pdf,
        name="letter",
    ),
    path("schedule/settings/", settings_views.settings_page, name="settings"),
]
