"""The messages the people module sends (``peerwork.core.notify``).

Every message says that something happened and links to the page where the reader may see
it; none carries what was disclosed, shared or reported, so an inbox, an email or an SMS
read over someone's shoulder reveals nothing (§2.3).
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from peerwork.core.models import Notification
from peerwork.core.models.notifications import Channel
from peerwork.core.notify import register_kind


def _mine(notification: Notification) -> str:
    return reverse("people:mine")


def _shares(notification: Notification) -> str:
    return reverse("people:shares")


def _shared_grant(notification: Notification) -> str | None:
    grant = notification.params.get("grant")
    return reverse("people:shared_grant", args=[grant]) if grant else None


def _report(notification: Notification) -> str | None:
    report = notification.params.get("report")
    return reverse("people:exception_report", args=[report]) if report else None


DISCLOSURE_ENTERED = register_kind(
    "people.disclosure_entered",
    subject=_("HR entered information for you"),
    body=_(
        "An HR officer entered an answer in “My information” for you, under a share you "
        "made. Check that it is right; you can change or remove it."
    ),
    default_channels=(Channel.EMAIL,),
    link=_mine,
)
SHARE_PAUSED = register_kind(
    "people.share_paused",
    subject=_("A share with your line manager is paused"),
    body=_(
        "Your line manager has changed, so what you shared with your line manager is hidden "
        "until you confirm it for your new line manager, or stop it."
    ),
    default_channels=(Channel.EMAIL,),
    link=_shares,
)
SHARED_WITH_YOU = register_kind(
    "people.shared_with_you",
    subject=_("A colleague shared information with you"),
    body=_(
        "A colleague chose to share some of their information with you, for a purpose they "
        "named. Please keep it to yourself."
    ),
    default_channels=(),
    link=_shared_grant,
)
EXCEPTION_REPORT_RECEIVED = register_kind(
    "people.exception_report_received",
    subject=_("An exception report was sent to you"),
    body=_(
        "A mentor or coach made an exception report and named you to receive it. Read it in "
        "Peerwork; it is not sent by email."
    ),
    default_channels=(Channel.EMAIL,),
    link=_report,
)
EXCEPTION_REPORT_ABOUT_YOU = register_kind(
    "people.exception_report_about_you",
    subject=_("Your mentor or coach made an exception report"),
    body=_(
        "Your mentor or coach has reported something from your conversations, because they "
        "believe it is gross misconduct or that someone's life is in danger. You can read "
        "exactly what was reported, and who received it, in Peerwork."
    ),
    default_channels=(Channel.EMAIL,),
    link=_report,
)
