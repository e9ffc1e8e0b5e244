"""The people module's pages: "My information", "Shared with me", staff records, exception
reports, own-data export and erasure. Each area keeps its routes beside its views."""

from django.urls import include, path

app_name = "people"

urlpatterns = [
    path("", include("peerwork.people.urls_mine")),
    path("", include("peerwork.people.urls_records")),
    path("", include("peerwork.people.urls_export")),
]
