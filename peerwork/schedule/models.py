"""Scheduling around OST and health care (PRODUCT.md module 3; guide §2.4.1, §3.4, §3.5, §3.6,
§4.9, App. 10 case 3).

- ``PrivateNeed``: what a person records for themself about a regular need that shapes
  their day: OST dispensing (days, opening hours, how they collect, the wait, travel, take-
  home days) or a recurring health appointment. Sealed under the person's key and theirs
  alone (HR helps only under the person's share). Peerwork turns it into a proposed
  ``people.Adjustment`` of their working pattern; what crosses to the manager is the hours.
- ``ScheduleSettings``: per organisation, the prescriber's notice period for travel and the
  hours of the day inside which meetings are suggested.
- ``Meeting`` with its ``Attendee`` rows: team meetings, trainings and events, one-off or
  recurring, with required and optional attendees. ``decisions_from`` is a late-join
  agenda: the meeting starts on time and takes its decisions once everyone can be there.
- ``Conflict``: the occurrences a required or optional attendee cannot be at from the
  start, worked out from availability only (no reason is ever stored or shown) and kept
  up to date on every change of a meeting, an attendee, a pattern, an adjustment or a time
  away, so a schedule-health page reads rows instead of recomputing an organisation.
- ``Trip`` with its ``Traveller`` rows: work travel and events, including the logistics
  the §3.4 tips ask organisers to know (the dispensing site near the event, when it opens,
  how far it is, a transport plan) and, for each traveller on OST who opts in, a private
  checklist sealed under their key.
- ``CalendarFeed``: a secret, revocable address of a person's iCalendar feed, kept as a
  hash.
"""

from __future__ import annotations

import datetime as dt

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerwork.core.models import Membership, Team
from peerwork.core.models.tenancy import OrganisationOwned
from peerwork.core.sealing import SealedField


class PrivateNeed(OrganisationOwned):
    """A regular need a person keeps for themself (§2.4.1, §3.5, §3.6).

    ``content`` is a JSON object sealed under the owner's key; its keys, including what
    kind of need it is, are described in ``peerwork.schedule.needs``. Nothing else in the
    row says what it is about, so a database reader learns only that a person keeps a
    private planning note.
    """

    owner = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="+", verbose_name=_("person")
    )
    content = SealedField(_("details"), owner="owner")
    # HR entering it for the person under a share from them; None when the person did.
    entered_by = models.ForeignKey(
        Membership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
    )
    created_at = models.DateTimeField(_("recorded"), default=timezone.now)
    updated_at = models.DateTimeField(_("changed"), default=timezone.now)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("private planning note")
        verbose_name_plural = _("private planning notes")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return str(self.pk)


class ScheduleSettings(OrganisationOwned):
    """How an organisation plans: notice for travel, the day meetings are suggested in."""

    prescriber_notice_days = models.PositiveSmallIntegerField(
        _("days of notice an OST prescriber needs before travel"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text=_("Travellers on OST are reminded to tell their prescriber by then (§2.4.1)."),
    )
    day_starts = models.TimeField(_("meetings from"), default=dt.time(8, 0))
    day_ends = models.TimeField(_("meetings until"), default=dt.time(18, 0))
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("scheduling settings")
        verbose_name_plural = _("scheduling settings")
        constraints = [
            models.UniqueConstraint(fields=["organisation"], name="one_schedule_settings_per_org"),
            models.CheckConstraint(
                condition=Q(day_ends__gt=models.F("day_starts")),
                name="schedule_day_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return str(self.pk)


class Meeting(OrganisationOwned):
    """A team meeting, training or event: one-off or recurring, at a place, with attendees.

    Times are local to the organisation's zone, so a weekly 09:30 meeting stays at 09:30
    across daylight-saving changes.
    """

    class Kind(models.TextChoices):
        TEAM_MEETING = "team_meeting", _("Team meeting")
        TRAINING = "training", _("Training")
        EVENT = "event", _("Event")

    class Repeats(models.TextChoices):
        NEVER = "never", _("Once")
        WEEKLY = "weekly", _("Every week")
        FORTNIGHTLY = "fortnightly", _("Every two weeks")
        MONTHLY = "monthly", _("Every month on the same date")

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    place = models.CharField(_("place"), max_length=200, blank=True)
    team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("team"),
    )
    organiser = models.ForeignKey(
        Membership,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("organiser"),
    )
    first_on = models.DateField(_("first date"))
    starts = models.TimeField(_("starts"))
    minutes = models.PositiveSmallIntegerField(
        _("length in minutes"), validators=[MinValueValidator(5), MaxValueValidator(720)]
    )
    repeats = models.CharField(
        _("repeats"), max_length=12, choices=Repeats.choices, default=Repeats.NEVER
    )
    until = models.DateField(_("last date"), null=True, blank=True)
    # A late-join agenda: updates first, decisions from this time (issue 6 item 4).
    decisions_from = models.TimeField(_("decisions from"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    # How far ahead ``Conflict`` rows have been worked out; the deadline loop moves it on.
    conflicts_until = models.DateField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["first_on", "starts"]
        constraints = [
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gte=models.F("first_on")),
                name="meeting_until_after_first",
            ),
        ]
        indexes = [models.Index(fields=["conflicts_until"], name="meeting_horizon_idx")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


class Attendee(OrganisationOwned):
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="attendees", verbose_name=_("meeting")
    )
    member = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="+", verbose_name=_("person")
    )
    required = models.BooleanField(_("required"), default=True)

    class Meta:
        verbose_name = _("attendee")
        verbose_name_plural = _("attendees")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="one_attendee_per_meeting")
        ]
        indexes = [models.Index(fields=["member"], name="attendee_member_idx")]

    def __str__(self) -> str:
        return str(self.pk)


class Conflict(OrganisationOwned):
    """One occurrence of a meeting that one attendee cannot be at from start to end.

    No reason: only when they can arrive (``arrives_at``) or leave (``leaves_at``), both
    local times, or neither when they cannot be there at all.
    """

    class Kind(models.TextChoices):
        LATE = "late", _("Arrives after the start")
        EARLY = "early", _("Leaves before the end")
        AWAY = "away", _("Cannot be there")

    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="conflicts", verbose_name=_("meeting")
    )
    member = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="+", verbose_name=_("person")
    )
    occurs_on = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    arrives_at = models.TimeField(_("can arrive at"), null=True, blank=True)
    leaves_at = models.TimeField(_("must leave at"), null=True, blank=True)

    class Meta:
        verbose_name = _("conflict")
        verbose_name_plural = _("conflicts")
        ordering = ["occurs_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "member", "occurs_on"], name="one_conflict_per_occurrence"
            )
        ]
        indexes = [
            models.Index(fields=["member", "occurs_on"], name="conflict_member_idx"),
            models.Index(fields=["meeting", "occurs_on"], name="conflict_meeting_idx"),
        ]

    def __str__(self) -> str:
        return str(self.pk)


class Trip(OrganisationOwned):
    """Work travel, or an event elsewhere or hosted here (§2.4.1, the §3.4 tips)."""

    class Kind(models.TextChoices):
        TRAVEL = "travel", _("Work travel")
        EVENT_ELSEWHERE = "event_elsewhere", _("An event elsewhere")
        HOSTED_EVENT = "hosted_event", _("An event we host")

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    place = models.CharField(_("place"), max_length=200)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    first_session_at = models.TimeField(_("first session each day"), null=True, blank=True)
    organiser = models.ForeignKey(
        Membership,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("organiser"),
    )
    # The dispensing site near the event: where, when it opens, how far it is (§3.4 tips).
    ost_site_name = models.CharField(_("OST site near the event"), max_length=200, blank=True)
    ost_site_address = models.TextField(_("its address"), blank=True)
    ost_site_opens = models.TimeField(_("it opens at"), null=True, blank=True)
    ost_site_travel_minutes = models.PositiveSmallIntegerField(
        _("minutes from the venue or accommodation"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(240)],
    )
    transport_plan = models.TextField(_("transport to and from the site"), blank=True)
    # Hosted events: OST arranged for visiting participants, and said so when announced.
    ost_access_arranged = models.BooleanField(
        _("OST access arranged for participants"), default=False
    )
    announcement = models.TextField(_("announcement"), blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("trip or event")
        verbose_name_plural = _("trips and events")
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="trip_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


class Traveller(OrganisationOwned):
    """One person going on a trip. Who goes is work data; the OST checklist is not.

    ``checklist`` is sealed under the traveller's key and stays empty unless they opt in
    (``peerwork.schedule.travel`` describes its keys: the take-home limit and how much of it
    is used, the dates of the request and the reply, what is packed, and the details and
    consent a request letter needs).
    """

    trip = models.ForeignKey(
        Trip, on_delete=models.CASCADE, related_name="travellers", verbose_name=_("trip")
    )
    member = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="+", verbose_name=_("person")
    )
    checklist = SealedField(_("checklist"), owner="member")
    # Every traveller, on OST or not, is reminded of their list when the prescriber's notice
    # period begins, so the reminder itself says nothing about anyone (claimed once).
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("traveller")
        verbose_name_plural = _("travellers")
        constraints = [
            models.UniqueConstraint(fields=["trip", "member"], name="one_traveller_per_trip")
        ]

    def __str__(self) -> str:
        return str(self.pk)


class CalendarFeed(OrganisationOwned):
    """The secret address of one person's calendar feed; only its hash is kept."""

    member = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="+", verbose_name=_("person")
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("made"), default=timezone.now)
    revoked_at = models.DateTimeField(_("stopped"), null=True, blank=True)
    last_read_at = models.DateTimeField(_("last read"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(revoked_at__isnull=True),
                name="one_live_feed_per_person",
            )
        ]

    def __str__(self) -> str:
        return str(self.pk)
