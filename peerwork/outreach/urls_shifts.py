"""The schedule, planning a shift, a shift's page and its buttons (issue 5 items 2–5)."""

from django.urls import path

from . import schedule_views, shift_views

urlpatterns = [
    path("outreach/", schedule_views.schedule, name="schedule"),
    path("outreach/plan/", schedule_views.plan, name="plan"),
    path("outreach/shifts/<str:shift_id>/", shift_views.shift_page, name="shift"),
    path("outreach/shifts/<str:shift_id>/check-out", shift_views.check_out, name="check_out"),
    path("outreach/shifts/<str:shift_id>/extend", shift_views.extend, name="extend"),
    path("outreach/shifts/<str:shift_id>/ok", shift_views.im_ok, name="im_ok"),
    path("outreach/shifts/<str:shift_id>/check-in", shift_views.check_in, name="check_in"),
    path(
        "outreach/shifts/<str:shift_id>/location",
        shift_views.share_location,
        name="share_location",
    ),
    path("outreach/shifts/<str:shift_id>/help", shift_views.ask_for_help, name="help"),
    path("outreach/shifts/<str:shift_id>/acknowledge", shift_views.acknowledge, name="acknowledge"),
    path("outreach/shifts/<str:shift_id>/close", shift_views.close, name="close"),
    path("outreach/shifts/<str:shift_id>/cancel", shift_views.cancel, name="cancel"),
]
