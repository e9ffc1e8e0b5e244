"""Outreach shifts and the policy that watches them (PRODUCT.md module 2; guide §4.4).

The guide asks an organisation to keep a schedule of shifts with their planned return
times, to decide in its outreach policy when a late worker counts as missing, to send
workers in pairs and to plan for the worst case as a team (§4.4). Here:

- ``OutreachPolicy``: per organisation (``site`` empty) or per site: the grace period after
  the planned return, when an overdue shift counts as missing, whether pairs are required,
  the field guidelines shown at check-out and the team's contingency plans, agreed and
  dated. ``EscalationStep`` rows are its chain: who is alerted, how, and how long to wait
  for "I'm on it" before the next step. ``OnCall`` is the rota of on-call managers.
- ``Shift``: who goes (``ShiftWorker``, a pair where required), where in words, what they
  carry, when they plan to start and return, and its state. ``ShiftEvent`` is the
  timeline: every state change, alert and acknowledgement, with opaque ids only.

The deadline loop finds shifts by ``escalation_due_at`` (a partial index over the states
that are watched) and claims each step with a conditional update of ``escalation_step``, so
several loops may run at once and each step is taken once (DESIGN.md "deadlines").
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerwork.core.models import Membership, Site, Team
from peerwork.core.models.notifications import Channel
from peerwork.core.models.tenancy import OrganisationOwned
from peerwork.core.sealing import SealedField


class OutreachPolicy(OrganisationOwned):
    """When a late worker counts as overdue and missing, and who is alerted (§4.4)."""

    site = models.ForeignKey(
        Site,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("site"),
        help_text=_("Empty: the organisation's policy, used by sites without their own."),
    )
    grace_minutes = models.PositiveSmallIntegerField(
        _("minutes of grace after the planned return"), default=15
    )
    missing_after_minutes = models.PositiveSmallIntegerField(
        _("minutes overdue before a worker counts as missing"), default=60
    )
    pairs_required = models.BooleanField(_("outreach in pairs"), default=True)
    guidelines = models.TextField(
        _("field guidelines shown at check-out"),
        blank=True,
        help_text=_("Empty: Peerwork's own list (picture ID, go in pairs, and so on)."),
    )
    contingency_plans = models.TextField(
        _("the team's plans for the worst case"),
        blank=True,
        help_text=_("What the team agreed to do in a raid, an arrest or violence."),
    )
    contingency_agreed_on = models.DateField(_("plans agreed on"), null=True, blank=True)
    project_manager = models.ForeignKey(
        Membership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("project manager"),
        help_text=_("Whose work contact is on the outreach ID card and the police liaison letter."),
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("outreach policy")
        verbose_name_plural = _("outreach policies")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "site"], name="one_outreach_policy_per_site"
            ),
            models.UniqueConstraint(
                fields=["organisation"],
                condition=Q(site__isnull=True),
                name="one_organisation_outreach_policy",
            ),
        ]

    def __str__(self) -> str:
        return str(self.pk)

    @property
    def grace(self) -> timedelta:
        return timedelta(minutes=self.grace_minutes)

    @property
    def missing_after(self) -> timedelta:
        return timedelta(minutes=self.missing_after_minutes)


class EscalationStep(OrganisationOwned):
    """One step of a policy's chain: who is alerted, how, and how long to wait."""

    class Who(models.TextChoices):
        PARTNER = "partner", _("The outreach partner")
        BUDDY = "buddy", _("A named buddy")
        LINE_MANAGER = "line_manager", _("The worker's line manager")
        ON_CALL = "on_call", _("The on-call manager")
        DIRECTOR = "director", _("The director")

    policy = models.ForeignKey(
        OutreachPolicy, on_delete=models.CASCADE, related_name="steps", verbose_name=_("policy")
    )
    position = models.PositiveSmallIntegerField(_("order"))
    who = models.CharField(_("who"), max_length=16, choices=Who.choices)
    buddy = models.ForeignKey(
        Membership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("buddy"),
    )
    channels = models.JSONField(_("how"), default=list)
    wait_minutes = models.PositiveSmallIntegerField(
        _("minutes to wait for “I'm on it” before the next step"), default=15
    )

    class Meta:
        verbose_name = _("escalation step")
        verbose_name_plural = _("escalation steps")
        ordering = ["policy", "position"]
        constraints = [
            models.UniqueConstraint(fields=["policy", "position"], name="one_step_per_position"),
            models.CheckConstraint(
                condition=~Q(who="buddy") | Q(buddy__isnull=False), name="a_buddy_step_names_one"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}: {self.get_who_display()}"

    def channel_list(self) -> list[str]:
        known = set(Channel.values)
        return [c for c in self.channels if c in known]

    @property
    def wait(self) -> timedelta:
        return timedelta(minutes=self.wait_minutes)


class OnCall(OrganisationOwned):
    """The on-call rota: who answers alerts and HELP between two times."""

    site = models.ForeignKey(
        Site,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("site"),
    )
    member = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="+", verbose_name=_("on-call manager")
    )
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))

    class Meta:
        verbose_name = _("on-call turn")
        verbose_name_plural = _("on-call rota")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="on_call_ends_after_start"
            )
        ]
        indexes = [models.Index(fields=["organisation", "starts_at", "ends_at"])]

    def __str__(self) -> str:
        return str(self.pk)


# States in which the loop watches a shift (and the partial index covers).
WATCHED_STATES = ("out", "overdue", "missing", "help")


class Shift(OrganisationOwned):
    """An outreach shift: planned → out → returned, or out → overdue → missing → closed."""

    class State(models.TextChoices):
        PLANNED = "planned", _("Planned")
        OUT = "out", _("Out")
        RETURNED = "returned", _("Returned")
        OVERDUE = "overdue", _("Overdue")
        MISSING = "missing", _("Missing")
        HELP = "help", _("Help asked for")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")

    site = models.ForeignKey(
        Site, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    area = models.CharField(
        _("area or venue"),
        max_length=200,
        help_text=_("In words. No address of a client, no GPS."),
    )
    materials = models.CharField(_("materials carried"), max_length=300, blank=True)
    # A worker may choose to share a rough place for this shift only; it is cleared when
    # the shift ends (issue 5 item 2). Words, never coordinates.
    coarse_location = models.CharField(
        _("rough location"),
        max_length=120,
        blank=True,
        help_text=_("Shared by a worker for this shift only, cleared when it ends."),
    )
    planned_start = models.DateTimeField(_("planned start"))
    planned_return = models.DateTimeField(_("planned return"))
    state = models.CharField(
        _("state"), max_length=12, choices=State.choices, default=State.PLANNED
    )
    checked_out_at = models.DateTimeField(_("checked out"), null=True, blank=True)
    returned_at = models.DateTimeField(_("returned"), null=True, blank=True)
    # When the deadline loop must next act: planned return + grace while out; the next
    # step's time while overdue or missing; None when nothing is watched.
    escalation_due_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The next escalation step to run (0: none run yet). Raised by each claim.
    escalation_step = models.PositiveSmallIntegerField(default=0, editable=False)
    # HELP (a tap or an SMS) or the duress PIN. A silent request shows to the shift's own
    # workers as an ordinary check-in, so nobody looking over their shoulder sees it.
    help_at = models.DateTimeField(_("help asked for"), null=True, blank=True)
    help_silent = models.BooleanField(default=False, editable=False)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        Membership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    created_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("outreach shift")
        verbose_name_plural = _("outreach shifts")
        ordering = ["planned_start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_return__gt=models.F("planned_start")),
                name="shift_returns_after_start",
            )
        ]
        indexes = [
            models.Index(
                fields=["escalation_due_at"],
                condition=Q(state__in=WATCHED_STATES, escalation_due_at__isnull=False),
                name="shift_escalation_due_idx",
            ),
            models.Index(fields=["organisation", "planned_start"], name="shift_schedule_idx"),
        ]

    def __str__(self) -> str:
        return str(self.pk)

    # --- state rules (the one place they live) ---

    def deadline(self, policy: OutreachPolicy) -> datetime:
        """When the shift becomes overdue: the planned return plus the policy's grace."""
        return self.planned_return + policy.grace

    def state_shown_to_worker(self) -> str:
        """What the shift's own workers see: a silent call for help (the duress PIN) looks
        like a check-in, so nobody looking at their phone learns of it (issue 5 item 4)."""
        if self.state == self.State.HELP and self.help_silent:
            return self.State.RETURNED
        return self.state

    def may_extend(self, now: datetime | None = None) -> bool:
        """A worker extends before the return time passes, never after (issue 5 item 3)."""
        return self.state == self.State.OUT and (now or timezone.now()) < self.planned_return


class ShiftWorker(OrganisationOwned):
    """A worker on a shift (two where pairs are required)."""

    shift = models.ForeignKey(
        Shift, on_delete=models.CASCADE, related_name="workers", verbose_name=_("shift")
    )
    member = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="+", verbose_name=_("worker")
    )

    class Meta:
        verbose_name = _("worker on a shift")
        verbose_name_plural = _("workers on a shift")
        constraints = [
            models.UniqueConstraint(fields=["shift", "member"], name="one_place_per_worker")
        ]

    def __str__(self) -> str:
        return str(self.pk)


class ShiftEvent(OrganisationOwned):
    """One line of a shift's timeline: what happened, when, and who (ids only)."""

    class Kind(models.TextChoices):
        PLANNED = "planned", _("Planned")
        CHECKED_OUT = "checked_out", _("Checked out")
        EXTENDED = "extended", _("Return time extended")
        OK = "ok", _("“I'm OK”")
        CHECKED_IN = "checked_in", _("Checked in")
        OVERDUE = "overdue", _("Overdue")
        ALERTED = "alerted", _("Alert sent")
        ACKNOWLEDGED = "acknowledged", _("“I'm on it”")
        MISSING = "missing", _("Missing")
        HELP = "help", _("Help asked for")
        LOCATION = "location", _("Rough location shared")
        INCIDENT = "incident", _("Incident recorded")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")
        SET_ASIDE = "set_aside", _("Set aside after an error")

    shift = models.ForeignKey(
        Shift, on_delete=models.CASCADE, related_name="events", verbose_name=_("shift")
    )
    at = models.DateTimeField(_("time"), default=timezone.now)
    kind = models.CharField(_("what"), max_length=16, choices=Kind.choices)
    actor = models.ForeignKey(
        Membership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    detail = models.JSONField(default=dict, blank=True)
    # The order lines were written in, for lines of the same time (overdue and its first
    # alert are written at one "now"): the ids are random, so they cannot say it.
    seq = models.BigIntegerField(default=time.time_ns, editable=False)

    class Meta:
        verbose_name = _("shift event")
        verbose_name_plural = _("shift events")
        ordering = ["shift", "at", "seq"]
        indexes = [models.Index(fields=["shift", "at"], name="shift_event_idx")]

    def __str__(self) -> str:
        return self.get_kind_display()


class ShiftPin(OrganisationOwned):
    """A worker's short personal PIN for shift links and SMS, and their duress PIN.

    Stored as keyed hashes (HMAC under the server's secret, ``pins.py``): a four-digit PIN
    has too few values for a slow hash to protect it offline, so what protects it is the
    key and the online limit on wrong tries (``failures``, ``locked_until``). The duress
    PIN opens the same page and checks in as normal, but raises a silent alert (item 4).
    """

    member = models.OneToOneField(
        Membership, on_delete=models.CASCADE, related_name="+", verbose_name=_("worker")
    )
    pin_hash = models.CharField(max_length=128, editable=False)
    duress_hash = models.CharField(max_length=128, blank=True, editable=False)
    failures = models.PositiveSmallIntegerField(default=0, editable=False)
    locked_until = models.DateTimeField(null=True, blank=True, editable=False)
    changed_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("shift PIN")
        verbose_name_plural = _("shift PINs")

    def __str__(self) -> str:
        return str(self.pk)


class SmsNumber(OrganisationOwned):
    """The organisation's number that workers text ``OUT``, ``IN``, ``EXT 30`` or ``HELP``
    to, and how its gateway proves an inbound message is its own (item 3)."""

    class Gateway(models.TextChoices):
        AFRICAS_TALKING = "africastalking", _("Africa's Talking")
        TWILIO = "twilio", _("Twilio")
        HTTP = "http", _("Generic HTTP gateway")

    number = models.CharField(_("number"), max_length=32, unique=True)
    gateway = models.CharField(_("gateway"), max_length=16, choices=Gateway.choices)
    # Twilio: the account's auth token; the others: a secret Peerwork generates.
    secret = SealedField(_("signing secret"), owner=None)
    is_active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("outreach SMS number")
        verbose_name_plural = _("outreach SMS numbers")

    def __str__(self) -> str:
        return self.number


class InboundSms(OrganisationOwned):
    """One inbound message seen, by the gateway's message id: what makes a replayed
    webhook change nothing. Never the text (it holds a PIN) and never the sender's number."""

    number = models.ForeignKey(SmsNumber, on_delete=models.CASCADE, related_name="+")
    message_id = models.CharField(max_length=100)
    received_at = models.DateTimeField(default=timezone.now)
    member = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # A short code: "out", "in", "ext", "help", "unknown_number", "wrong_pin", …
    outcome = models.CharField(max_length=32, blank=True)

    class Meta:
        verbose_name = _("inbound SMS")
        verbose_name_plural = _("inbound SMS")
        constraints = [
            models.UniqueConstraint(fields=["number", "message_id"], name="one_inbound_sms")
        ]
        indexes = [models.Index(fields=["received_at"], name="inbound_sms_received_idx")]

    def __str__(self) -> str:
        return str(self.pk)


class Incident(OrganisationOwned):
    """Something that happened to a worker: an arrest, a police encounter, violence, a
    robbery, an injury, a needle-stick (item 6; guide §4.4, §3.4, App. 10 cases 6 and 8).

    On duty (``shift`` set), anyone on the shift or its chain may open one; off duty, only
    the person records anything, or the ``helper`` they ask. An off-duty incident is the
    person's own: it reaches no manager and opens nothing disciplinary (§4.4). The details
    are sealed under the person's key.
    """

    class Kind(models.TextChoices):
        ARREST = "arrest", _("Arrested or detained")
        POLICE = "police", _("Police encounter")
        VIOLENCE = "violence", _("Violence")
        ROBBERY = "robbery", _("Robbery")
        INJURY = "injury", _("Injury")
        NEEDLE_STICK = "needle_stick", _("Needle-stick injury")

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    person = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="+", verbose_name=_("worker")
    )
    shift = models.ForeignKey(
        Shift,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="incidents",
        verbose_name=_("shift"),
    )
    on_duty = models.BooleanField(_("on duty"))
    kind = models.CharField(_("what happened"), max_length=16, choices=Kind.choices)
    occurred_at = models.DateTimeField(_("when"))
    summary = SealedField(_("what happened, in words"), owner="person", blank=True)
    opened_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    helper = models.ForeignKey(
        Membership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("someone I asked to help"),
    )
    handler = models.ForeignKey(
        Membership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handling manager"),
    )
    escalated_at = models.DateTimeField(_("passed to the director"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=8, choices=State.choices, default="open")
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-occurred_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(on_duty=False) | Q(shift__isnull=False),
                name="an_on_duty_incident_has_a_shift",
            )
        ]

    def __str__(self) -> str:
        return str(self.pk)


class IncidentStep(OrganisationOwned):
    """One of the guide's steps for an incident, done: who did it and when (§4.4)."""

    class Consent(models.TextChoices):
        NOT_NEEDED = "", _("Not needed")
        GIVEN = "given", _("The worker agreed")
        REFUSED = "refused", _("The worker said no")

    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="steps", verbose_name=_("incident")
    )
    person = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    step = models.CharField(_("step"), max_length=32)
    consent = models.CharField(
        _("consent"), max_length=8, choices=Consent.choices, blank=True, default=""
    )
    note = SealedField(_("note"), owner="person", blank=True)
    done_at = models.DateTimeField(_("done"), default=timezone.now)
    done_by = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = _("incident step")
        verbose_name_plural = _("incident steps")
        ordering = ["incident", "done_at"]

    def __str__(self) -> str:
        return self.step


class LegalEvent(OrganisationOwned):
    """A line of a court case's timeline: charges, hearings, lawyer, bail, support given
    (App. 10 case 8)."""

    class Kind(models.TextChoices):
        CHARGE = "charge", _("Charges")
        HEARING = "hearing", _("Hearing")
        LAWYER = "lawyer", _("Lawyer")
        BAIL = "bail", _("Bail")
        SUPPORT = "support", _("Support given")
        OUTCOME = "outcome", _("Outcome")

    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, related_name="legal_events", verbose_name=_("incident")
    )
    person = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("what"), max_length=8, choices=Kind.choices)
    on = models.DateField(_("date"))
    note = SealedField(_("note"), owner="person", blank=True)
    recorded_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("court case entry")
        verbose_name_plural = _("court case entries")
        ordering = ["incident", "on", "created_at"]

    def __str__(self) -> str:
        return self.get_kind_display()


class LegalContact(OrganisationOwned):
    """The legal-contacts directory of a site (or the whole organisation): whom to call
    when a worker is arrested (item 7; §4.4)."""

    class Kind(models.TextChoices):
        LAWYER = "lawyer", _("Lawyer")
        LEGAL_AID = "legal_aid", _("Legal aid")
        PARALEGAL = "paralegal", _("Paralegal")

    site = models.ForeignKey(
        Site,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("site"),
        help_text=_("Empty: for every site."),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=120)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    hours = models.CharField(_("hours"), max_length=120, blank=True)
    languages = models.CharField(_("languages"), max_length=120, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("legal contact")
        verbose_name_plural = _("legal contacts")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name
