"""The people module's pages: "My information", "Shared with me", staff records, exception
reports, own-data export and erasure, and the retention policy. Each area keeps its routes
in its own module."""

from django.urls import include, path

app_name = "people"

urlpatterns = [
    path("", include("peerwork.people.urls_mine")),
    path("", include("peerwork.people.urls_records")),
    path("", include("peerwork.people.urls_export")),
    path("", include("peerwork.people.urls_policy")),
]
