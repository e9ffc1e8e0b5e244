"""Tenancy: organisations, their sites and teams, and the memberships that carry roles.

A person (``User``) may belong to several organisations; everything they do happens as one
``Membership``, and every organisation-owned row is reached through django-scopes, so a query
that forgets its organisation raises instead of leaking (DESIGN.md "Privacy model").
"""

from __future__ import annotations

import uuid
import zoneinfo
from datetime import date, datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

if TYPE_CHECKING:
    from django.db.models import Manager


class User(AbstractUser):
    """A person who can sign in. Their work in an organisation is a ``Membership``."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    display_name = models.CharField(_("name shown to others"), max_length=150, blank=True)
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("Pages are shown in this language; empty means the browser's."),
    )

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def name(self) -> str:
        return self.display_name or self.get_full_name() or self.username


class Organisation(models.Model):
    """A tenant: one harm-reduction, HIV or drug-user-led organisation."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    slug = models.SlugField(_("short name"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    languages = models.JSONField(
        _("languages"),
        default=list,
        blank=True,
        help_text=_("Language codes the organisation works in, first is the default."),
    )
    session_idle_minutes = models.PositiveSmallIntegerField(
        _("sign out after idle minutes"),
        default=15,
        validators=[MinValueValidator(5), MaxValueValidator(240)],
    )
    session_max_hours = models.PositiveSmallIntegerField(
        _("sign out after hours in all"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(24)],
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        """Where the organisation works: dates people agree (a review, a week, "today") are
        dated there, not on the server's clock. An unknown zone name counts as UTC."""
        try:
            return zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo("UTC")

    def local_today(self, now: datetime | None = None) -> date:
        """Today where the organisation works."""
        return timezone.localdate(now or timezone.now(), self.zone)


class OrganisationOwned(models.Model):
    """Base for every row that belongs to one organisation.

    The UUID is made in Python before the first save, so sealed values can bind to it.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="+", verbose_name=_("organisation")
    )

    objects = ScopedManager(organisation="organisation")

    class Meta:
        abstract = True


class Site(OrganisationOwned):
    """A place the organisation works from: a drop-in, an office, a clinic."""

    name = models.CharField(_("name"), max_length=200)
    address = models.TextField(_("address"), blank=True)

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="site_name_unique_per_org"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Team(OrganisationOwned):
    """A team within a site (or the organisation as a whole when it has no site)."""

    site = models.ForeignKey(
        Site,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="teams",
        verbose_name=_("site"),
    )
    name = models.CharField(_("name"), max_length=200)
    # Raised on every change so a client holding an old copy gets 409 (API.md "If-Match").
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="team_name_unique_per_org"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    """The roles of PRODUCT.md "Who uses it"; a membership may hold several."""

    STAFF = "staff", _("Staff member")
    VOLUNTEER = "volunteer", _("Volunteer")
    LINE_MANAGER = "line_manager", _("Line manager")
    HR = "hr", _("HR officer")
    DIRECTOR = "director", _("Director")
    PEER_MENTOR = "peer_mentor", _("Peer mentor")
    COACH = "coach", _("Coach or supervisor")
    FACILITATOR = "facilitator", _("Support-group facilitator")
    PEER_INTERVIEWER = "peer_interviewer", _("Peer interviewer")
    ORG_ADMIN = "org_admin", _("Organisation admin")


class Membership(OrganisationOwned):
    """A person's place in one organisation: their roles, team and line manager."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("person"),
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("team"),
    )
    title = models.CharField(_("role title"), max_length=200, blank=True)
    line_manager = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("line manager"),
    )
    work_email = models.EmailField(_("work email"), blank=True)
    work_phone = models.CharField(_("work phone"), max_length=32, blank=True)
    joined_at = models.DateTimeField(_("joined"), default=timezone.now)
    ended_at = models.DateTimeField(_("left"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    if TYPE_CHECKING:
        role_grants: Manager[MembershipRole]
        reports: Manager[Membership]

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="one_membership_per_org")
        ]
        indexes = [models.Index(fields=["organisation", "ended_at"])]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation_id}"

    @property
    def name(self) -> str:
        return self.user.name

    @property
    def is_active(self) -> bool:
        return self.ended_at is None or self.ended_at > timezone.now()

    @cached_property
    def roles(self) -> frozenset[str]:
        """Role codes, read once (prefetch ``role_grants`` to read them with the list)."""
        return frozenset(grant.role for grant in self.role_grants.all())

    def has_role(self, *roles: str) -> bool:
        return not self.roles.isdisjoint(roles)

    def role_labels(self) -> list[str]:
        return [str(label) for value, label in Role.choices if value in self.roles]

    def manages(self, other: Membership) -> bool:
        """Line management is of named people: only direct reports count."""
        return (
            other.line_manager_id == self.id
            and self.has_role(Role.LINE_MANAGER)
            and other.organisation_id == self.organisation_id
        )


def active_members(prefix: str = "") -> models.Q:
    """Memberships that have not ended (an end date may be set ahead of time): the query
    twin of ``Membership.is_active``, for pages, services and background loops alike."""
    now = timezone.now()
    return models.Q(**{f"{prefix}ended_at__isnull": True}) | models.Q(
        **{f"{prefix}ended_at__gt": now}
    )


class MembershipRole(OrganisationOwned):
    membership = models.ForeignKey(
        Membership,
        on_delete=models.CASCADE,
        related_name="role_grants",
        verbose_name=_("membership"),
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.UniqueConstraint(fields=["membership", "role"], name="one_grant_per_role")
        ]

    def __str__(self) -> str:
        return self.get_role_display()


class SupportRelationship(OrganisationOwned):
    """A peer mentor or a coach supporting one staff member.

    Confidential notes are readable by exactly these two people (§3.11, §3.13, App. 4); the
    access module reads the relationship from here so every module agrees on who they are.
    Mentoring sits outside line management (§3.11), so a line manager cannot mentor their
    own report.
    """

    class Kind(models.TextChoices):
        MENTOR = "mentor", _("Peer mentoring")
        COACH = "coach", _("Coaching or supervision")

    supporter = models.ForeignKey(
        Membership,
        on_delete=models.CASCADE,
        related_name="supporting",
        verbose_name=_("mentor or coach"),
    )
    person = models.ForeignKey(
        Membership,
        on_delete=models.CASCADE,
        related_name="supported_by",
        verbose_name=_("staff member"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    started_on = models.DateField(_("started"), default=timezone.localdate)
    ended_on = models.DateField(_("ended"), null=True, blank=True)

    class Meta:
        verbose_name = _("support relationship")
        verbose_name_plural = _("support relationships")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(supporter=models.F("person")), name="support_not_self"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}"

    def is_current(self) -> bool:
        return self.ended_on is None or self.ended_on >= timezone.localdate()


INVITATION_LIFETIME = timedelta(days=7)


class Invitation(OrganisationOwned):
    """An org admin's invitation by email; its link creates the account (or joins one)."""

    email = models.EmailField(_("email"))
    roles = models.JSONField(_("roles"), default=list)
    team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("team"),
    )
    invited_by = models.ForeignKey(
        Membership,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.email

    def is_open(self) -> bool:
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )
