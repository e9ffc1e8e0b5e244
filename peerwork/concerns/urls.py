"""The concerns pages (issue 8). Each area keeps its routes in its own module: intake and
the case page (§4.2), review meetings and meeting notes (App. 7), the App. 9 path with its
targets and hand-off, the other Section 4 paths, investigations (§4.4, §4.7), requests for
advice (§4.6) and the training library (App. 10)."""

from django.urls import include, path

app_name = "concerns"

urlpatterns = [
    path("", include("peerwork.concerns.urls_meetings")),
    path("", include("peerwork.concerns.urls_app9")),
    path("", include("peerwork.concerns.urls_paths")),
    path("", include("peerwork.concerns.urls_investigations")),
    path("", include("peerwork.concerns.urls_library")),
    # Last: its ``<concern_id>/`` takes any single segment (``library/``, ``advice/``…).
    path("", include("peerwork.concerns.urls_intake")),
]
