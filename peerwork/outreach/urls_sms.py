"""The SMS routes: the gateways' inbound webhook, and the org admin's SMS number settings
(issue 5 item 3)."""

from django.urls import path

from . import sms_views

urlpatterns = [
    path("outreach/sms/in/<str:number_id>/", sms_views.inbound, name="sms_inbound"),
    path("outreach/sms/", sms_views.numbers_page, name="sms_numbers"),
    path("outreach/sms/<str:number_id>/secret", sms_views.number_secret, name="sms_number_secret"),
    path("outreach/sms/<str:number_id>/switch", sms_views.number_switch, name="sms_number_switch"),
]
