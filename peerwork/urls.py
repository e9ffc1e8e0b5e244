from django.urls import include, path

from peerwork.api.urls import api
from peerwork.core.admin import operator_site

urlpatterns = [
    path("", include("peerwork.core.urls")),
    path("", include("peerwork.people.urls")),
    path("", include("peerwork.outreach.urls")),
    path("", include("peerwork.schedule.urls")),
    path("selfcare/", include("peerwork.selfcare.urls")),
    path("support/", include("peerwork.support.urls")),
    path("concerns/", include("peerwork.concerns.urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    # The operator's own admin site: only what peerwork.core.admin registers (no people).
    path("operator/", operator_site.urls),
]
