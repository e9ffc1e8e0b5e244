"""Own-data export and erasure (issue 4 items 7, 8): no ids, each person's own."""

from django.urls import path

from . import export_views

urlpatterns = [
    path("me/export", export_views.export_page, name="export"),
    path("me/export.json", export_views.export_json, name="export_json"),
    path("me/export.html", export_views.export_html, name="export_html"),
    path("me/erase", export_views.erase, name="erase"),
]
