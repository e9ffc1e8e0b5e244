"""The shift link opened with a PIN (issue 5 items 3 and 4) and the PIN settings page.

The link is short on purpose (``/s/…``): a worker types or saves it on a phone."""

from django.urls import path

from . import link_views, pin_views

urlpatterns = [
    path("s/<str:token>/", link_views.link, name="link"),
    path("outreach/pin/", pin_views.pin, name="pin"),
]
