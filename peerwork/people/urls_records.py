"""Routes of staff records, working patterns, availability, exception reports and HR
entering a disclosure for a person (``record_views``). Path parameters are named as
``peerwork.people.isolation`` makes them."""

from django.urls import path

from . import record_views

urlpatterns = [
    path("records", record_views.staff_records, name="staff_records"),
    path("records/<str:person_id>", record_views.staff_record, name="staff_record"),
    path("records/<str:person_id>/edit", record_views.staff_record_edit, name="staff_record_edit"),
    path("records/<str:person_id>/pattern", record_views.working_pattern, name="working_pattern"),
    path("shared/<str:shared_id>/enter", record_views.disclose_for, name="disclose_for"),
    path("me/availability", record_views.my_availability, name="availability"),
    path(
        "me/availability/<str:unavailability_id>/remove",
        record_views.unavailability_remove,
        name="unavailability_remove",
    ),
    path(
        "supported/<str:supported_id>/exception-report",
        record_views.exception_new,
        name="exception_new",
    ),
    path("exception-reports", record_views.exception_report_list, name="exception_reports"),
    path(
        "exception-reports/<str:report_id>",
        record_views.exception_report_detail,
        name="exception_report",
    ),
]
