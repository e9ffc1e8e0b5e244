"""People records, disclosures and sharing grants (PRODUCT.md module 1; guide §2.3, §2.4).

Four kinds of record about a person in one organisation:

- ``Profile``: how they want to be named and reached. Pronouns and languages are work data,
  shown on their directory card; the emergency contact is sealed under the person's key and
  only they read it.
- ``StaffRecord``: personnel data (grade, contract, hours, dates). The position is
  ``Membership.title`` and the line manager ``Membership.line_manager``: one place each.
- ``Disclosure``: what a person chooses to tell this organisation about drug use, OST,
  health, accommodations and criminal record (§2.3 "My information, my choice"). Every
  answer is sealed under the person's data key; a change adds a new row, so a person's
  movement between §2.4's groups keeps its history, visible to them alone.
- ``SharingGrant``: the owner's choice to let a person, their line manager, their team or the
  whole organisation read chosen categories, for a purpose, until an expiry.

Work facts for planning (``WorkingPattern``, ``Unavailability``) carry no reason, ever:
``availability_for`` in ``services`` is what other modules read (DESIGN.md "Privacy model").
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from peerwork.core.models import Membership, Team
from peerwork.core.models.tenancy import OrganisationOwned
from peerwork.core.sealing import SealedField

# A share to a person lasts this long unless the owner chooses otherwise (issue 4: default
# 6 months, renewable).
DEFAULT_SHARE_DAYS = 183


class Category(models.TextChoices):
    """What a disclosure is about; a share names one or more of these."""

    DRUG_USE = "drug_use", _("Relationship to drug use")
    OST = "ost", _("Opioid substitution therapy (OST)")
    HEALTH = "health", _("Health conditions")
    ACCOMMODATIONS = "accommodations", _("Support or adjustments I need at work")
    CRIMINAL_RECORD = "criminal_record", _("Criminal record")


class Profile(OrganisationOwned):
    """How a person wants to be named and reached at work, in one organisation."""

    membership = models.OneToOneField(
        Membership, on_delete=models.CASCADE, related_name="profile", verbose_name=_("person")
    )
    pronouns = models.CharField(_("pronouns"), max_length=40, blank=True)
    languages = models.CharField(
        _("languages I speak"),
        max_length=200,
        blank=True,
        help_text=_("For example: Swahili, English."),
    )
    emergency_contact = SealedField(
        _("emergency contact"),
        owner="membership",
        null=True,
        blank=True,
        help_text=_("A name and a phone number. Only you can see it."),
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return str(self.pk)


class StaffRecord(OrganisationOwned):
    """A membership's terms of work: personnel data (the person, their line manager, HR)."""

    class Contract(models.TextChoices):
        EMPLOYEE = "employee", _("Employee")
        VOLUNTEER = "volunteer", _("Volunteer")
        SESSIONAL = "sessional", _("Sessional worker")

    # Emptied when the record is anonymised after the retention period (see below).
    membership = models.OneToOneField(
        Membership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="staff_record",
        verbose_name=_("person"),
    )
    grade = models.CharField(_("grade"), max_length=40, blank=True)
    contract = models.CharField(
        _("contract type"), max_length=16, choices=Contract.choices, default=Contract.EMPLOYEE
    )
    hours_per_week = models.DecimalField(
        _("hours per week"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(80)],
    )
    started_on = models.DateField(_("start date"), null=True, blank=True)
    ends_on = models.DateField(_("end date"), null=True, blank=True)
    # Set when the retention period for personnel records has passed after the person left:
    # the record keeps its dates, grade and contract (for the organisation's figures) but no
    # longer points at anyone (issue 4 "Leaving and erasure").
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("staff record")
        verbose_name_plural = _("staff records")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(started_on__isnull=True)
                | Q(ends_on__gte=models.F("started_on")),
                name="staff_record_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return str(self.pk)


class Disclosure(OrganisationOwned):
    """One answer a person gave this organisation about one category (§2.3, §2.4).

    ``content`` is a JSON object sealed under the owner's key; its keys depend on the
    category (``peerwork.people.disclosures`` describes them, with "prefer not to say" as an
    answer of its own). A new answer replaces the current one by setting its
    ``replaced_at``: the rows form the person's history, which only they see.
    """

    owner = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="disclosures", verbose_name=_("person")
    )
    category = models.CharField(_("about"), max_length=20, choices=Category.choices)
    content = SealedField(_("answer"), owner="owner")
    made_at = models.DateTimeField(_("made"), default=timezone.now)
    replaced_at = models.DateTimeField(_("replaced"), null=True, blank=True)
    # HR entering it for the person under a share from them; None when the person did.
    entered_by = models.ForeignKey(
        Membership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
    )

    class Meta:
        verbose_name = _("disclosure")
        verbose_name_plural = _("disclosures")
        ordering = ["-made_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "category"],
                condition=Q(replaced_at__isnull=True),
                name="one_current_disclosure_per_category",
            )
        ]

    def __str__(self) -> str:
        return str(self.pk)

    @property
    def answer(self) -> dict[str, Any]:
        """The opened answer ({} once erased)."""
        text = self.content
        if not text:
            return {}
        value = json.loads(text)
        return value if isinstance(value, dict) else {}

    def set_answer(self, answer: dict[str, Any]) -> None:
        self.content = json.dumps(answer, ensure_ascii=False, sort_keys=True)


class SharingGrantQuerySet(models.QuerySet["SharingGrant"]):
    def live(self, now: datetime | None = None) -> SharingGrantQuerySet:
        """Not revoked and not expired (a paused line-manager share is still "live" here:
        ``SharingGrant.is_active`` also checks who the line manager is now)."""
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=now)
        )


class SharingGrant(OrganisationOwned):
    """The owner lets someone read chosen categories, for a purpose, until an expiry (§2.3).

    Audiences:
    - ``person``: one named colleague (``grantee``).
    - ``line_manager``: whoever was the owner's line manager when they confirmed it
      (``grantee``). When the line manager changes the share pauses, failing closed, until
      the owner confirms it for the new one (``services.confirm_grant``).
    - ``team``: the members of ``team`` (the owner's team when they shared).
    - ``organisation``: every working member, for people open about their lives (§2.3).
    Audiences have no expiry unless the owner sets one; person shares always have one.
    """

    class Audience(models.TextChoices):
        PERSON = "person", _("A person I choose")
        LINE_MANAGER = "line_manager", _("My line manager")
        TEAM = "team", _("My team")
        ORGANISATION = "organisation", _("Everyone in the organisation")

    owner = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="grants_made", verbose_name=_("owner")
    )
    audience = models.CharField(_("shared with"), max_length=16, choices=Audience.choices)
    grantee = models.ForeignKey(
        Membership,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="grants_received",
        verbose_name=_("person"),
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("team"),
    )
    categories = models.JSONField(_("what is shared"), default=list)
    purpose = SealedField(_("purpose"), owner="owner")
    created_at = models.DateTimeField(_("shared"), default=timezone.now)
    expires_at = models.DateTimeField(_("until"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("stopped"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = ScopedManager(  # type: ignore[misc]  # the base's manager, with live()
        organisation="organisation",
        _manager_class=models.Manager.from_queryset(SharingGrantQuerySet),
    )

    class Meta:
        verbose_name = _("share")
        verbose_name_plural = _("shares")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(audience__in=["person", "line_manager"], grantee__isnull=False)
                    | Q(audience="team", team__isnull=False)
                    | Q(audience="organisation")
                ),
                name="grant_names_its_audience",
            ),
            models.CheckConstraint(
                condition=~Q(owner=models.F("grantee")), name="grant_not_to_self"
            ),
        ]
        indexes = [
            models.Index(
                fields=["organisation", "grantee", "revoked_at"], name="grant_grantee_idx"
            ),
            models.Index(fields=["organisation", "owner", "revoked_at"], name="grant_owner_idx"),
        ]

    def __str__(self) -> str:
        return str(self.pk)

    # --- state rules (the one place they live) ---

    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def is_expired(self, now: datetime | None = None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())

    def is_paused(self) -> bool:
        """A line-manager share whose line manager has changed since the owner confirmed it."""
        return (
            self.audience == self.Audience.LINE_MANAGER
            and self.owner.line_manager_id != self.grantee_id
        )

    def is_active(self, now: datetime | None = None) -> bool:
        return not (self.is_revoked() or self.is_expired(now) or self.is_paused())

    def covers(self, category: str) -> bool:
        return category in self.categories

    def reaches(self, member: Membership) -> bool:
        """Whether ``member`` is in this share's audience (states aside)."""
        if member.pk == self.owner_id or member.organisation_id != self.organisation_id:
            return False
        if self.audience in (self.Audience.PERSON, self.Audience.LINE_MANAGER):
            return member.pk == self.grantee_id
        if self.audience == self.Audience.TEAM:
            return member.team_id is not None and member.team_id == self.team_id
        return True  # the whole organisation (access.can still requires a working member)

    def state(self, now: datetime | None = None) -> str:
        if self.is_revoked():
            return "revoked"
        if self.is_expired(now):
            return "expired"
        if self.is_paused():
            return "paused"
        return "active"


class WorkingPattern(OrganisationOwned):
    """The agreed working hours of one weekday for a person: a work fact anyone planning
    may see. Regular OST dispensing is agreed as a later start here (§2.4.1: flexible
    hours negotiated as terms of employment), never recorded as a daily appointment."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    membership = models.ForeignKey(
        Membership,
        on_delete=models.CASCADE,
        related_name="working_pattern",
        verbose_name=_("person"),
    )
    weekday = models.PositiveSmallIntegerField(_("day"), choices=Weekday.choices)
    starts = models.TimeField(_("starts"))
    ends = models.TimeField(_("ends"))
    # Core hours inside a flexible day: the person chooses when to start and finish between
    # ``starts`` and ``ends`` and is there between these two (issue 6 item 1). Both empty: a
    # fixed day.
    core_starts = models.TimeField(_("core hours from"), null=True, blank=True)
    core_ends = models.TimeField(_("core hours until"), null=True, blank=True)
    home_working = models.BooleanField(_("works from home"), default=False)
    agreed_on = models.DateField(_("agreed on"), default=timezone.localdate)
    agreed_by = models.ForeignKey(
        Membership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agreed with"),
    )

    class Meta:
        verbose_name = _("working pattern")
        verbose_name_plural = _("working patterns")
        ordering = ["weekday"]
        constraints = [
            models.UniqueConstraint(fields=["membership", "weekday"], name="one_pattern_per_day"),
            models.CheckConstraint(
                condition=Q(ends__gt=models.F("starts")), name="pattern_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(core_starts__isnull=True, core_ends__isnull=True)
                | Q(
                    core_starts__gte=models.F("starts"),
                    core_ends__gt=models.F("core_starts"),
                    core_ends__lte=models.F("ends"),
                ),
                name="pattern_core_inside_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts:%H:%M}–{self.ends:%H:%M}"


class Adjustment(OrganisationOwned):
    """An agreed change to a person's working pattern, with a start and a review date.

    A later start on dispensing days, an earlier finish, a longer break, reduced hours under
    §4.9: flexible working negotiated as terms of employment (§2.4.1, §3.5, §3.6). It holds
    the hours only. Why they are what they are stays in the person's private record
    (``schedule.PrivateNeed``), which nothing here points to, so a manager, a planner and
    a calendar see "starts 10:45 Mon–Fri, agreed 2026-11-01" and never the reason.

    Either side proposes; it applies once both the person and their line manager (or HR)
    have agreed (``agreed_on``). Agreed adjustments of one person never overlap on a
    weekday and a date, so the hours of any day have one answer.
    """

    class State(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        AGREED = "agreed", _("Agreed")
        DECLINED = "declined", _("Not agreed")
        ENDED = "ended", _("Ended")

    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="adjustments", verbose_name=_("person")
    )
    weekdays = models.JSONField(_("days"), default=list)
    # Each empty: the pattern's own time that day.
    starts = models.TimeField(_("starts"), null=True, blank=True)
    ends = models.TimeField(_("ends"), null=True, blank=True)
    break_starts = models.TimeField(_("break from"), null=True, blank=True)
    break_ends = models.TimeField(_("break until"), null=True, blank=True)
    valid_from = models.DateField(_("from"))
    valid_until = models.DateField(_("until"), null=True, blank=True)
    review_on = models.DateField(_("review on"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=12, choices=State.choices, default=State.PROPOSED
    )
    proposed_by = models.ForeignKey(
        Membership,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    proposed_at = models.DateTimeField(_("proposed"), default=timezone.now)
    person_agreed_at = models.DateTimeField(_("agreed by the person"), null=True, blank=True)
    manager_agreed_at = models.DateTimeField(_("agreed by the manager"), null=True, blank=True)
    agreed_by = models.ForeignKey(
        Membership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agreed with"),
    )
    agreed_on = models.DateField(_("agreed on"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    # Set when the review reminder went out: the deadline loop claims it with a conditional
    # update, so the person and the manager are reminded once.
    review_reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("agreed adjustment")
        verbose_name_plural = _("agreed adjustments")
        ordering = ["valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=models.F("valid_from")),
                name="adjustment_until_after_from",
            ),
            models.CheckConstraint(
                condition=Q(starts__isnull=True)
                | Q(ends__isnull=True)
                | Q(ends__gt=models.F("starts")),
                name="adjustment_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(break_starts__isnull=True, break_ends__isnull=True)
                | Q(break_ends__gt=models.F("break_starts")),
                name="adjustment_break_ends_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["membership", "state"], name="adjustment_idx"),
            models.Index(
                fields=["review_on"],
                condition=Q(state="agreed", review_reminded_at__isnull=True),
                name="adjustment_review_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return str(self.pk)

    def applies_on(self, day: date) -> bool:
        """Agreed, and in force on ``day`` (its weekday among the adjusted days)."""
        return (
            self.state == self.State.AGREED
            and self.valid_from <= day
            and (self.valid_until is None or day <= self.valid_until)
            and day.weekday() in self.weekdays
        )


class Unavailability(OrganisationOwned):
    """A one-off time a person is not available, with a neutral label and no reason."""

    class Kind(models.TextChoices):
        UNAVAILABLE = "unavailable", _("Unavailable")
        APPOINTMENT = "appointment", _("Appointment")

    membership = models.ForeignKey(
        Membership,
        on_delete=models.CASCADE,
        related_name="unavailabilities",
        verbose_name=_("person"),
    )
    kind = models.CharField(_("shown as"), max_length=16, choices=Kind.choices)
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("until"))
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("time unavailable")
        verbose_name_plural = _("times unavailable")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="unavailability_ends_after_start",
            )
        ]
        indexes = [models.Index(fields=["membership", "starts_at"], name="unavailability_idx")]

    def __str__(self) -> str:
        return self.get_kind_display()


class ExceptionReport(OrganisationOwned):
    """One of the two exits from confidential support (§3.11, §3.13, App. 4).

    A peer mentor or coach records that what they heard is actual or planned gross
    misconduct, or that someone's life is in danger. The report goes to the recipient the
    terms of reference name; the staff member is told at once. ``disclosed`` is sealed under
    the staff member's key: it is about them, and erasing them erases it.
    """

    class Reason(models.TextChoices):
        GROSS_MISCONDUCT = "gross_misconduct", _("Gross misconduct, actual or planned")
        LIFE_IN_DANGER = "life_in_danger", _("Someone's life is in danger")

    person = models.ForeignKey(
        Membership,
        on_delete=models.CASCADE,
        related_name="exception_reports",
        verbose_name=_("staff member"),
    )
    supporter = models.ForeignKey(
        Membership,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("mentor or coach"),
    )
    recipient = models.ForeignKey(
        Membership,
        on_delete=models.SET_NULL,
        null=True,
        related_name="exception_reports_received",
        verbose_name=_("reported to"),
    )
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    disclosed = SealedField(_("what is disclosed"), owner="person")
    made_at = models.DateTimeField(_("made"), default=timezone.now)
    person_told_at = models.DateTimeField(_("staff member told"), null=True, blank=True)

    class Meta:
        verbose_name = _("exception report")
        verbose_name_plural = _("exception reports")
        ordering = ["-made_at"]

    def __str__(self) -> str:
        return str(self.pk)


class RetentionPolicy(OrganisationOwned):
    """How long this organisation keeps a leaver's records (issue 4 "Leaving and erasure")."""

    private_days = models.PositiveSmallIntegerField(
        _("days to keep disclosures and shares after someone leaves"),
        default=30,
        validators=[MaxValueValidator(365)],
    )
    personnel_days = models.PositiveIntegerField(
        _("days to keep staff records after someone leaves"),
        default=6 * 365,
        validators=[MinValueValidator(0), MaxValueValidator(50 * 365)],
    )

    class Meta:
        verbose_name = _("retention policy")
        verbose_name_plural = _("retention policies")
        constraints = [
            models.UniqueConstraint(fields=["organisation"], name="one_retention_policy_per_org")
        ]

    def __str__(self) -> str:
        return str(self.pk)


class Erasure(OrganisationOwned):
    """That a person's private records in this organisation were erased, and when: kept so
    the retention step is safe to rerun and the person's page can say it happened. A person
    may erase at once while still a member and disclose again later; the retention step
    erases a leaver once more unless an erasure came after they left."""

    membership = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="erasures", verbose_name=_("person")
    )
    erased_at = models.DateTimeField(_("erased"), default=timezone.now)
    by_person = models.BooleanField(_("asked for by the person"), default=False)

    class Meta:
        verbose_name = _("erasure")
        verbose_name_plural = _("erasures")

    def __str__(self) -> str:
        return str(self.pk)
