"""The support pages (issue 7). Each area keeps its routes in its own module: mentoring
and coaching with their agreements and session logs (§3.11, §3.13, App. 4), and peer
support groups and retreats (§3.10, §3.12, §4.8)."""

from django.urls import include, path

app_name = "support"

urlpatterns = [
    path("", include("peerwork.support.urls_mentoring")),
    path("", include("peerwork.support.urls_groups")),
]
