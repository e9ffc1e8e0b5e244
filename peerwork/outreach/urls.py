"""The outreach module's pages. Each area keeps its routes in its own module: the schedule
and the shift page, the shift link opened with a PIN, the SMS webhook, incidents with the
legal-contacts directory and the documents, and the policy settings."""

from django.urls import include, path

app_name = "outreach"

urlpatterns = [
    path("", include("peerwork.outreach.urls_shifts")),
    path("", include("peerwork.outreach.urls_link")),
    path("", include("peerwork.outreach.urls_sms")),
    path("", include("peerwork.outreach.urls_incidents")),
    path("", include("peerwork.outreach.urls_policy")),
]
