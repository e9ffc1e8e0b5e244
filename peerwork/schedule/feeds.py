"""A person's calendar feed (issue 6 item 6; DESIGN.md "Privacy model").

A phone's calendar app subscribes to ``/cal/<token>.ics`` and fetches it on its own, with
no session. The token is the only key: ``secrets.token_urlsafe(32)``, shown to the person
once, and kept only as its SHA-256. Each person has at most one live feed (a partial
unique constraint); making a new one stops the old, and stopping one makes its address
answer 404 at once.

What a feed holds, for the past two weeks and the next thirteen:

- the outreach shifts the person works (not cancelled): "Shift";
- the meetings they attend, each occurrence at its local time in the organisation's zone
  (a weekly 09:30 stays 09:30 across a daylight-saving change): "Team meeting",
  "Training" or "Event", the kind and never the title;
- the trips they travel on, as whole days: "Work trip";
- their own times away: "Busy".

Feeds are copied into other companies' calendar clouds, so every event carries a neutral
label and nothing else that could say who, where or why: no title, no place, no outreach
area, no organisation name, no reason, and nothing from a private planning note (guide
§2.3 on who learns about a person's treatment, §3.5). Each event has a stable UID (the
row's id and the date) and a link back to its page in Peerwork, where signing in decides
what is shown.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled
from icalendar import Calendar, Event, vDuration

from peerwork.core import audit
from peerwork.core.access import DataClass
from peerwork.core.models import Membership
from peerwork.core.notify import recipient_language
from peerwork.outreach.models import Shift, ShiftWorker
from peerwork.people.models import Unavailability

from . import windows
from .conflicts import zone_of
from .models import Attendee, CalendarFeed, Meeting, Traveller

# What a feed covers around today.
PAST = dt.timedelta(weeks=2)
AHEAD = dt.timedelta(weeks=13)
# ``last_read_at`` is written at most this often, however often a phone polls.
READ_NOTED_EVERY = dt.timedelta(hours=1)
# What a feed asks calendar apps to wait between fetches (many fetch less often anyway).
REFRESH = dt.timedelta(hours=1)
# The product identifier says which program wrote the file, nothing about whose it is.
PRODID = "-//Peerwork//Calendar feed//EN"
UID_DOMAIN = "peerwork"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# --- making and stopping --------------------------------------------------------------


def make_feed(*, actor: Membership) -> tuple[CalendarFeed, str]:
    """A new feed for ``actor`` and its secret token (shown once, never stored).

    Any live feed of theirs stops in the same transaction: one live feed per person.
    """
    if not actor.is_active:
        raise PermissionDenied
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    for attempt in range(2):
        try:
            with transaction.atomic():
                old = list(
                    CalendarFeed.objects.filter(
                        organisation_id=actor.organisation_id, member=actor, revoked_at=None
                    ).values_list("pk", flat=True)
                )
                if old:
                    CalendarFeed.objects.filter(pk__in=old, revoked_at=None).update(revoked_at=now)
                    for pk in old:
                        _audit(actor, "schedule.feed.revoke", pk)
                feed = CalendarFeed.objects.create(
                    organisation_id=actor.organisation_id,
                    member=actor,
                    token_hash=_hash(token),
                    created_at=now,
                )
                _audit(actor, "schedule.feed.make", feed.pk)
                return feed, token
        except IntegrityError:
            # Two requests made a feed at the same moment; the constraint let one win.
            # Try once more: this one stops that feed and becomes the live one.
            if attempt:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def revoke_feed(*, actor: Membership, feed: CalendarFeed) -> None:
    """Stop ``feed``: its address answers 404 from now on. Only its person may."""
    if feed.member_id != actor.pk or feed.organisation_id != actor.organisation_id:
        raise PermissionDenied
    if feed.revoked_at is not None:
        return
    now = timezone.now()
    with transaction.atomic():
        stopped = CalendarFeed.objects.filter(pk=feed.pk, revoked_at=None).update(revoked_at=now)
        if stopped:
            _audit(actor, "schedule.feed.revoke", feed.pk)
    feed.revoked_at = feed.revoked_at or now


def _audit(actor: Membership, action: str, feed_id: uuid.UUID) -> None:
    audit.record(
        actor=actor,
        action=action,
        object_type="schedule.calendar_feed",
        object_id=feed_id,
        subject=actor,
        data_class=DataClass.WORK,
    )


def live_feed(member: Membership) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(
        organisation_id=member.organisation_id, member=member, revoked_at=None
    ).first()


# --- opening ---------------------------------------------------------------------------


def feed_for_token(token: str) -> CalendarFeed | None:
    """The live feed ``token`` opens, with its person and organisation; None otherwise.

    Read without a scope on purpose (nobody is signed in: the token names one feed and the
    organisation comes from it). The lookup is by the token's hash, so how long it takes
    says nothing about how close a guess was to a real token; the hashes are compared again
    in constant time. A stopped feed, or one whose person has left, opens nothing.
    """
    if not token or len(token) > 200:
        return None
    wanted = _hash(token)
    with scopes_disabled():
        feed = (
            CalendarFeed.objects.select_related("member", "member__user", "member__organisation")
            .filter(token_hash=wanted, revoked_at=None)
            .first()
        )
    if feed is None or not hmac.compare_digest(feed.token_hash, wanted):
        return None
    if feed.member.organisation_id != feed.organisation_id or not feed.member.is_active:
        return None
    return feed


def note_read(feed: CalendarFeed, *, now: dt.datetime | None = None) -> None:
    """Remember when the feed was last fetched, at most once an hour (a conditional update,
    so polling phones cost no write most of the time)."""
    now = now or timezone.now()
    if feed.last_read_at is not None and feed.last_read_at > now - READ_NOTED_EVERY:
        return
    CalendarFeed.objects.filter(pk=feed.pk).filter(
        Q(last_read_at__isnull=True) | Q(last_read_at__lte=now - READ_NOTED_EVERY)
    ).update(last_read_at=now)
    feed.last_read_at = now


# --- the calendar ---------------------------------------------------------------------


def _link(name: str, *args: object) -> str:
    """The absolute address of a Peerwork page (on the configured base URL, never a
    request's Host header); the schedule's front page when that page is not there."""
    try:
        path = reverse(name, args=list(args))
    except NoReverseMatch:
        path = "/schedule/"
    return f"{settings.PEERWORK_BASE_URL}{path}"


def _event(
    *,
    uid_of: object,
    on: dt.date,
    summary: str,
    starts: dt.datetime | dt.date,
    ends: dt.datetime | dt.date,
    url: str,
    stamp: dt.datetime,
) -> Event:
    event = Event()
    event.add("uid", f"{uid_of}-{on.isoformat()}@{UID_DOMAIN}")
    event.add("dtstamp", stamp)
    event.add("dtstart", starts)
    event.add("dtend", ends)
    event.add("summary", summary)
    event.add("url", url)
    # Ask a shared calendar to show these as busy time, not their labels.
    event.add("class", "PRIVATE")
    return event


def calendar_for(member: Membership, *, now: dt.datetime | None = None) -> bytes:
    """The iCalendar text of ``member``'s feed (call inside their organisation's scope).

    Five queries whatever the number of events: shifts, meetings, trips, times away, and
    none per row.
    """
    now = now or timezone.now()
    zone = zone_of(member.organisation)
    today = now.astimezone(zone).date()
    first_day, last_day = today - PAST, today + AHEAD
    window_starts = windows.at(first_day, 0, zone)
    window_ends = windows.at(last_day, windows.DAY_MINUTES, zone)
    stamp = now.astimezone(dt.UTC).replace(microsecond=0)
    events: list[tuple[dt.datetime, Event]] = []

    with translation.override(recipient_language(member)):
        shift_label = _("Shift")
        trip_label = _("Work trip")
        busy_label = _("Busy")

        places = (
            ShiftWorker.objects.filter(
                organisation_id=member.organisation_id,
                member=member,
                shift__planned_start__lt=window_ends,
                shift__planned_return__gt=window_starts,
            )
            .exclude(shift__state=Shift.State.CANCELLED)
            .values_list("shift_id", "shift__planned_start", "shift__planned_return")
        )
        for shift_id, starts_at, ends_at in places:
            local_start = starts_at.astimezone(zone)
            events.append(
                (
                    starts_at,
                    _event(
                        uid_of=shift_id,
                        on=local_start.date(),
                        summary=shift_label,
                        starts=local_start,
                        ends=ends_at.astimezone(zone),
                        url=_link("outreach:shift", shift_id),
                        stamp=stamp,
                    ),
                )
            )

        meetings = (
            Meeting.objects.filter(
                organisation_id=member.organisation_id,
                cancelled_at=None,
                first_on__lte=last_day,
                pk__in=Attendee.objects.filter(
                    organisation_id=member.organisation_id, member=member
                ).values("meeting_id"),
            )
            .filter(Q(until__isnull=True) | Q(until__gte=first_day))
            .only("pk", "kind", "first_on", "starts", "minutes", "repeats", "until")
        )
        for meeting in meetings:
            label = str(Meeting.Kind(meeting.kind).label)
            start_minute = windows.minute_of(meeting.starts)
            url = _link("schedule:meeting", meeting.pk)
            for day in windows.occurrences(
                meeting.first_on, meeting.repeats, meeting.until, first_day, last_day
            ):
                starts = windows.at(day, start_minute, zone)
                events.append(
                    (
                        starts,
                        _event(
                            uid_of=meeting.pk,
                            on=day,
                            summary=label,
                            starts=starts,
                            ends=windows.at(day, start_minute + meeting.minutes, zone),
                            url=url,
                            stamp=stamp,
                        ),
                    )
                )

        trips = Traveller.objects.filter(
            organisation_id=member.organisation_id,
            member=member,
            trip__cancelled_at=None,
            trip__starts_on__lte=last_day,
            trip__ends_on__gte=first_day,
        ).values_list("trip_id", "trip__starts_on", "trip__ends_on")
        for trip_id, starts_on, ends_on in trips:
            events.append(
                (
                    windows.at(starts_on, 0, zone),
                    _event(
                        uid_of=trip_id,
                        on=starts_on,
                        summary=trip_label,
                        starts=starts_on,
                        ends=ends_on + dt.timedelta(days=1),
                        url=_link("schedule:trip", trip_id),
                        stamp=stamp,
                    ),
                )
            )

        away = Unavailability.objects.filter(
            organisation_id=member.organisation_id,
            membership=member,
            starts_at__lt=window_ends,
            ends_at__gt=window_starts,
        ).values_list("pk", "starts_at", "ends_at")
        busy_url = _link("schedule:mine")
        for away_id, starts_at, ends_at in away:
            local_start = starts_at.astimezone(zone)
            events.append(
                (
                    starts_at,
                    _event(
                        uid_of=away_id,
                        on=local_start.date(),
                        summary=busy_label,
                        starts=local_start,
                        ends=ends_at.astimezone(zone),
                        url=busy_url,
                        stamp=stamp,
                    ),
                )
            )

        calendar = Calendar()
        calendar.add("prodid", PRODID)
        calendar.add("version", "2.0")
        calendar.add("calscale", "GREGORIAN")
        calendar.add("x-wr-calname", _("Work"))
        calendar.add("x-wr-timezone", str(zone))
        # How often an app should fetch it again (RFC 7986, and the older name some read).
        calendar.add("refresh-interval", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", vDuration(REFRESH))
        for _starts, event in sorted(events, key=lambda pair: pair[0]):
            calendar.add_component(event)
        calendar.add_missing_timezones()
    return calendar.to_ical()


__all__ = [
    "AHEAD",
    "PAST",
    "calendar_for",
    "feed_for_token",
    "live_feed",
    "make_feed",
    "note_read",
    "revoke_feed",
]
