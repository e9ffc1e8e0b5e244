"""The self-care pages (issue 7). Each area keeps its routes in its own module: the risk
circle (App. 3), the self-control programme (App. 8), and the rest of looking after
oneself (burnout, relapse plan, weekly goals, grief, the team stress pulse: §3.9, §4.10)."""

from django.urls import include, path

app_name = "selfcare"

urlpatterns = [
    path("", include("peerwork.selfcare.urls_wellbeing")),
    path("", include("peerwork.selfcare.urls_circle")),
    path("", include("peerwork.selfcare.urls_programme")),
    path("", include("peerwork.selfcare.urls_pulse")),
]
