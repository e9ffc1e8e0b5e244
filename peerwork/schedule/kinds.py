"""The messages the schedule module sends (``peerwork.core.notify``).

None says why hours are what they are, or what a private note holds: a message says that
something changed and links to the page (§2.3).
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from peerwork.core.models import Notification
from peerwork.core.models.notifications import Channel
from peerwork.core.notify import register_kind


def _adjustment(notification: Notification) -> str | None:
    adjustment = notification.params.get("adjustment")
    return reverse("schedule:adjustment", args=[adjustment]) if adjustment else None


def _trip(notification: Notification) -> str | None:
    trip = notification.params.get("trip")
    return reverse("schedule:trip", args=[trip]) if trip else None


ADJUSTMENT_PROPOSED = register_kind(
    "schedule.adjustment_proposed",
    subject=_("A change of working hours is proposed"),
    body=_("A change of working hours was proposed for you to agree or not."),
    default_channels=(Channel.EMAIL,),
    link=_adjustment,
)
ADJUSTMENT_AGREED = register_kind(
    "schedule.adjustment_agreed",
    subject=_("A change of working hours is agreed"),
    body=_("A change of working hours is now agreed and is part of the working pattern."),
    default_channels=(Channel.EMAIL,),
    link=_adjustment,
)
ADJUSTMENT_REVIEW_DUE = register_kind(
    "schedule.adjustment_review_due",
    subject=_("Agreed working hours are due for review"),
    body=_("An agreed change of working hours reaches its review date. Talk it over together."),
    default_channels=(Channel.EMAIL,),
    link=_adjustment,
)
TRAVEL_NOTICE_DUE = register_kind(
    "schedule.travel_notice_due",
    subject=_("A trip is coming up: check your travel list"),
    body=_("A trip you are going on is coming up. Your travel list has dates to keep."),
    default_channels=(Channel.EMAIL,),
    link=_trip,
)
