from django.contrib import admin
from django.urls import include, path

from peerwork.api.urls import api

urlpatterns = [
    path("", include("peerwork.core.urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("operator/", admin.site.urls),
]
