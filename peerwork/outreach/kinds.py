"""The outreach module's kinds of message (``peerwork.core.notify``).

They go to lock screens, shared inboxes and SMS, so they say as little as possible: that a
shift needs someone, never the area, what the workers carry or who they are. The link
opens the shift, where a signed-in person allowed to see it reads the rest.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from peerwork.core.models import Notification
from peerwork.core.models.notifications import Channel
from peerwork.core.notify import register_kind

# Alerts matter more than any preference for quiet: in the app, by email and by SMS.
ALERT_CHANNELS = (Channel.EMAIL, Channel.SMS)


def _shift_link(notification: Notification) -> str | None:
    return reverse("outreach:shift", args=[notification.params["shift"]])


OVERDUE = register_kind(
    "outreach.overdue",
    subject=_("An outreach shift is overdue"),
    body=_(
        "A worker has not checked in from an outreach shift. Open the shift and say "
        "“I'm on it” if you are handling it."
    ),
    default_channels=ALERT_CHANNELS,
    link=_shift_link,
)
MISSING = register_kind(
    "outreach.missing",
    subject=_("An outreach shift needs you now"),
    body=_(
        "A worker is still not back from an outreach shift and now counts as missing. "
        "Follow the team's plan for the worst case."
    ),
    default_channels=ALERT_CHANNELS,
    link=_shift_link,
)
BACK = register_kind(
    "outreach.back",
    subject=_("An outreach worker is back"),
    body=_("The outreach shift you were alerted about has checked in. Nothing more to do."),
    default_channels=ALERT_CHANNELS,
    link=_shift_link,
)
HELP = register_kind(
    "outreach.help",
    subject=_("An outreach worker needs help now"),
    body=_(
        "A worker on an outreach shift has asked for help. Open the shift, say “I'm on it” "
        "and follow the team's plan for the worst case."
    ),
    default_channels=ALERT_CHANNELS,
    link=_shift_link,
)
# The duress PIN: for the managers only, never to the workers' own phones. Worded like any
# urgent alert, so a message seen by someone else gives nothing away.
DURESS = register_kind(
    "outreach.duress",
    subject=_("Urgent: an outreach shift needs you now"),
    body=_(
        "A worker raised a silent alert. Do not call or text their phone first: it may be "
        "seen. Open the shift, say “I'm on it” and follow the team's plan for the worst case."
    ),
    default_channels=ALERT_CHANNELS,
    link=_shift_link,
)


# --- incidents (item 6): neutral words; the incident page says the rest to those who may
# read it. Never the kind of incident, never the worker's name.


def _incident_link(notification: Notification) -> str | None:
    return reverse("outreach:incident", args=[notification.params["incident"]])


INCIDENT = register_kind(
    "outreach.incident",
    subject=_("A worker may need your support"),
    body=_(
        "Something happened on an outreach shift and you are asked to support the worker. "
        "Open the record to see the steps."
    ),
    default_channels=ALERT_CHANNELS,
    link=_incident_link,
)
INCIDENT_HELPER = register_kind(
    "outreach.incident_helper",
    subject=_("A colleague asked for your help"),
    body=_("A colleague asked you to help with a record of theirs. Open it when you can."),
    default_channels=(Channel.EMAIL,),
    link=_incident_link,
)
INCIDENT_HANDED = register_kind(
    "outreach.incident_handed",
    subject=_("Someone else is supporting the worker now"),
    body=_("Another manager took over the record you were handling. Nothing more to do."),
    default_channels=(Channel.EMAIL,),
    link=None,
)
INCIDENT_DIRECTOR = register_kind(
    "outreach.incident_director",
    subject=_("A record was passed to you"),
    body=_("A manager passed you a record about a worker's outreach shift. Open it to read it."),
    default_channels=(Channel.EMAIL,),
    link=_incident_link,
)


def _worker_link(notification: Notification) -> str | None:
    """The worker's own shift link (``links``): a key to their shift's page, so it goes
    only to the worker it names, and says nothing of the shift in the message itself."""
    from .links import link_path  # links reads the URL configuration, which imports views

    return link_path(notification.params["shift"], notification.params["member"])


# To each worker when a shift is planned: their link, opened with their PIN (item 3).
SHIFT_PLANNED = register_kind(
    "outreach.shift_planned",
    subject=_("You have an outreach shift"),
    body=_(
        "You are on an outreach shift. Open this link on your phone and keep it (add it to "
        "your home screen): with your PIN it checks you out and in without signing in. Keep "
        "the link to yourself."
    ),
    default_channels=(Channel.EMAIL, Channel.SMS),
    link=_worker_link,
)
