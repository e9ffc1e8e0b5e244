"""Support at work outside line management (PRODUCT.md module 4; guide §3.10–§3.13, §4.8,
App. 4).

The pair itself, a peer mentor or a coach with one staff member, is
``core.SupportRelationship``: every module's access rules read it from there. This module
adds what the pair works under and does:

- ``MentoringRequest``: a staff member asks for a peer mentor (§3.11); HR makes the pair.
- ``SupportAgreement``: the terms of reference of one pair (App. 4 "psychological/
  professional support model terms of reference"; for mentoring the same terms, lighter):
  sessions, how concerns about management or policy are raised, the two exceptions and to
  whom an exception report goes, the review date, and the three acknowledgements. The staff
  member's acknowledgement of the reporting duty comes before any session is logged
  (App. 4: "all staff should be made aware of this obligation at the start of their first
  session"). ``confirm_consent_at``: the staff member lets the supporter confirm to their
  line manager that support is taking place, yes or no, nothing more (§4.2).
- ``SupportSession``: the supporter's log of one session, sealed under the staff member's
  key and readable by the two of them only (§3.11, §3.13).
- ``SupportConfirmation``: the supporter's yes or no that support is taking place, given
  under that consent.
- ``SupportGroup`` with ``GroupMember``, ``GroupMeeting``, ``GroupLearning`` and
  ``GroupStep`` (§3.10, §4.8, App. 4 "support group model terms of reference"): open to every
  staff member; what the group learns reaches management only when the group shares it;
  when a group goes wrong the §4.8 steps come in order.
- ``Retreat`` (§3.12): purpose and an agenda that includes auditing how the organisation
  employs people who use drugs.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerwork.core.models import Membership, SupportRelationship
from peerwork.core.models.tenancy import OrganisationOwned
from peerwork.core.sealing import SealedField


class MentoringRequest(OrganisationOwned):
    """A staff member asks for a peer mentor, perhaps a named one (§3.11)."""

    class State(models.TextChoices):
        OPEN = "open", _("Waiting for a mentor")
        PAIRED = "paired", _("Paired")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    person = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="+", verbose_name=_("staff member")
    )
    wanted = models.ForeignKey(
        Membership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("mentor asked for"),
    )
    # What the person wants HR to know to find a good match, in their words.
    note = SealedField(_("what would help"), owner="person")
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default="open")
    made_at = models.DateTimeField(_("asked"), default=timezone.now)
    relationship = models.ForeignKey(
        SupportRelationship,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("pair"),
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("request for a mentor")
        verbose_name_plural = _("requests for a mentor")
        ordering = ["made_at"]

    def __str__(self) -> str:
        return str(self.pk)


class SupportAgreement(OrganisationOwned):
    """The terms one support pair works under (App. 4). The text of the agreement is made
    from these fields in the organisation's language (``peerwork.support.agreements``)."""

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", _("Every week")
        FORTNIGHTLY = "fortnightly", _("Every two weeks")
        MONTHLY = "monthly", _("Every month")
        ONE_OFF = "one_off", _("One session")
        AS_NEEDED = "as_needed", _("When asked for")

    relationship = models.OneToOneField(
        SupportRelationship,
        on_delete=models.CASCADE,
        related_name="agreement",
        verbose_name=_("pair"),
    )
    person = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="+", verbose_name=_("staff member")
    )
    supporter = models.ForeignKey(
        Membership,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("mentor or coach"),
    )
    service = models.CharField(_("service"), max_length=200)
    sessions = models.PositiveSmallIntegerField(
        _("number of sessions"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    frequency = models.CharField(_("how often"), max_length=16, choices=Frequency.choices)
    session_minutes = models.PositiveSmallIntegerField(
        _("minutes a session"),
        default=60,
        validators=[MinValueValidator(10), MaxValueValidator(480)],
    )
    concerns_route = models.TextField(
        _("how the coach raises concerns about management or policy"), blank=True
    )
    exception_recipient = models.ForeignKey(
        Membership,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("exception reports go to"),
    )
    exception_route = models.TextField(_("how an exception is reported"), blank=True)
    # How the two keep in touch (§3.11: coffee, a phone, a message): the person's words.
    contact = SealedField(_("how to keep in touch"), owner="person")
    review_on = models.DateField(_("review on"))
    review_reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    drafted_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    drafted_at = models.DateTimeField(_("drafted"), default=timezone.now)
    person_agreed_at = models.DateTimeField(_("agreed by the staff member"), null=True)
    duty_acknowledged_at = models.DateTimeField(
        _("reporting duty acknowledged by the staff member"), null=True
    )
    supporter_agreed_at = models.DateTimeField(_("agreed by the mentor or coach"), null=True)
    organisation_agreed_at = models.DateTimeField(_("agreed for the organisation"), null=True)
    organisation_agreed_by = models.ForeignKey(
        Membership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agreed for the organisation by"),
    )
    confirm_consent_at = models.DateTimeField(
        _("staff member lets the supporter confirm support to their line manager"),
        null=True,
        blank=True,
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("support agreement")
        verbose_name_plural = _("support agreements")
        indexes = [models.Index(fields=["review_on", "review_reminded_at"])]

    def __str__(self) -> str:
        return str(self.pk)

    def is_agreed(self) -> bool:
        """All three have agreed (App. 4 is a three-way agreement)."""
        return None not in (
            self.person_agreed_at,
            self.supporter_agreed_at,
            self.organisation_agreed_at,
        )

    def may_log_sessions(self) -> bool:
        """Sessions are logged once the staff member has acknowledged the reporting duty
        (App. 4)."""
        return self.duty_acknowledged_at is not None


class SupportSession(OrganisationOwned):
    """One mentoring or coaching session, in the supporter's words (§3.11, §3.13).
    Confidential: the two people only; it leaves them only through an exception report."""

    relationship = models.ForeignKey(
        SupportRelationship,
        on_delete=models.CASCADE,
        related_name="sessions",
        verbose_name=_("pair"),
    )
    person = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="+", verbose_name=_("staff member")
    )
    held_on = models.DateField(_("date"))
    minutes = models.PositiveSmallIntegerField(
        _("minutes"), null=True, blank=True, validators=[MaxValueValidator(600)]
    )
    notes = SealedField(_("notes"), owner="person")
    logged_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    logged_at = models.DateTimeField(_("logged"), default=timezone.now)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("support session")
        verbose_name_plural = _("support sessions")
        ordering = ["-held_on", "-logged_at"]

    def __str__(self) -> str:
        return str(self.pk)


class SupportConfirmation(OrganisationOwned):
    """The supporter's "support is taking place: yes or no" for the staff member's line
    manager, given only while the staff member consents (§4.2: support "recognised by
    managers"). No content, no dates of sessions: one answer and when it was given."""

    relationship = models.ForeignKey(
        SupportRelationship,
        on_delete=models.CASCADE,
        related_name="confirmations",
        verbose_name=_("pair"),
    )
    person = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="+", verbose_name=_("staff member")
    )
    taking_place = models.BooleanField(_("support is taking place"))
    made_at = models.DateTimeField(_("confirmed"), default=timezone.now)

    class Meta:
        verbose_name = _("support confirmation")
        verbose_name_plural = _("support confirmations")
        ordering = ["-made_at"]

    def __str__(self) -> str:
        return str(self.pk)


class SupportGroup(OrganisationOwned):
    """A peer support group and its terms of reference (§3.10, App. 4). Open to every staff
    member (§4.8); a support structure, not a team within a team, and not a 12-step group
    (§3.10)."""

    class Timing(models.TextChoices):
        OWN_TIME = "own_time", _("In members' own time")
        WORK_HOURS = "work_hours", _("During work hours")
        LUNCH = "lunch", _("During the lunch break")

    class State(models.TextChoices):
        ACTIVE = "active", _("Meeting")
        SUSPENDED = "suspended", _("Suspended for a fixed period")
        CLOSED = "closed", _("Closed")

    name = models.CharField(_("name"), max_length=200)
    facilitator = models.ForeignKey(
        Membership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("facilitator"),
    )
    place = models.CharField(_("place"), max_length=200)
    frequency = models.CharField(_("how often"), max_length=200)
    timing = models.CharField(_("when"), max_length=16, choices=Timing.choices)
    management_contact = models.TextField(_("how management contacts the group"))
    concerns_to = models.TextField(_("where concerns arising in the group go"))
    review_on = models.DateField(_("terms reviewed on"))
    review_reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default="active")
    suspended_until = models.DateField(_("suspended until"), null=True, blank=True)
    created_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("started"), default=timezone.now)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("peer support group")
        verbose_name_plural = _("peer support groups")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state="suspended", suspended_until__isnull=False)
                | ~Q(state="suspended"),
                name="group_suspension_has_an_end",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def is_suspended(self, today: object) -> bool:
        return (
            self.state == self.State.SUSPENDED
            and self.suspended_until is not None
            and self.suspended_until >= today  # type: ignore[operator]
        )


class GroupMember(OrganisationOwned):
    group = models.ForeignKey(
        SupportGroup, on_delete=models.CASCADE, related_name="members", verbose_name=_("group")
    )
    member = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="+", verbose_name=_("member")
    )
    joined_at = models.DateTimeField(_("joined"), default=timezone.now)
    left_at = models.DateTimeField(_("left"), null=True, blank=True)

    class Meta:
        verbose_name = _("group member")
        verbose_name_plural = _("group members")
        constraints = [
            models.UniqueConstraint(
                fields=["group", "member"],
                condition=Q(left_at__isnull=True),
                name="one_current_group_membership",
            )
        ]

    def __str__(self) -> str:
        return str(self.pk)


class GroupMeeting(OrganisationOwned):
    """That the group met, and how many came; what was said stays in the room."""

    group = models.ForeignKey(
        SupportGroup, on_delete=models.CASCADE, related_name="meetings", verbose_name=_("group")
    )
    held_on = models.DateField(_("date"))
    attended = models.PositiveSmallIntegerField(
        _("how many came"), null=True, blank=True, validators=[MaxValueValidator(500)]
    )
    recorded_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("group meeting")
        verbose_name_plural = _("group meetings")
        ordering = ["-held_on"]

    def __str__(self) -> str:
        return str(self.pk)


class GroupLearning(OrganisationOwned):
    """Learning the group chooses to share with management and the wider staff (App. 4)."""

    group = models.ForeignKey(
        SupportGroup, on_delete=models.CASCADE, related_name="learning", verbose_name=_("group")
    )
    text = models.TextField(_("what the group shares"))
    shared_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    shared_at = models.DateTimeField(_("shared"), default=timezone.now)

    class Meta:
        verbose_name = _("shared learning")
        verbose_name_plural = _("shared learning")
        ordering = ["-shared_at"]

    def __str__(self) -> str:
        return str(self.pk)


class GroupStep(OrganisationOwned):
    """One step of the §4.8 path when a group goes wrong, in its order: mediation, then a
    meeting to review the terms of reference, and only then suspension for a fixed period."""

    class Kind(models.TextChoices):
        MEDIATION = "mediation", _("Mediation")
        TOR_REVIEW = "tor_review", _("Terms of reference reviewed with the group")
        SUSPENSION = "suspension", _("Suspension for a fixed period")
        RESUMED = "resumed", _("Group resumed")

    ORDER = (Kind.MEDIATION, Kind.TOR_REVIEW, Kind.SUSPENSION)

    group = models.ForeignKey(
        SupportGroup, on_delete=models.CASCADE, related_name="steps", verbose_name=_("group")
    )
    kind = models.CharField(_("step"), max_length=16, choices=Kind.choices)
    held_on = models.DateField(_("date"))
    outcome = models.TextField(_("what came of it"))
    ends_on = models.DateField(_("suspended until"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("group step")
        verbose_name_plural = _("group steps")
        ordering = ["recorded_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="suspension", ends_on__isnull=False) | ~Q(kind="suspension"),
                name="suspension_step_has_an_end",
            )
        ]

    def __str__(self) -> str:
        return str(self.pk)


class Retreat(OrganisationOwned):
    """A peer retreat (§3.12): time together, development, and an audit of how the
    organisation employs people who use drugs. ``agenda`` is a list of items (see
    ``peerwork.support.retreats``); the audit item is always on it."""

    title = models.CharField(_("title"), max_length=200)
    purpose = models.TextField(_("purpose"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    agenda = models.JSONField(_("agenda"), default=list)
    audit_notes = models.TextField(_("what the audit found"), blank=True)
    organiser = models.ForeignKey(
        Membership,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("organiser"),
    )
    # The retreat on everyone's schedule (an event with its attendees and their conflicts).
    meeting = models.ForeignKey(
        "schedule.Meeting",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("on the schedule"),
    )
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("peer retreat")
        verbose_name_plural = _("peer retreats")
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="retreat_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.title
