"""Private self-care tools (PRODUCT.md module 4; guide §3.8, §3.9, §4.10, App. 3, 8, 11).

Everything here is the person's own (DESIGN.md "private": owner only, opened for a time to a
person they choose). The content of every record is sealed under the owner's key; the plain
columns are only what queries need (dates, states, a version), so a database reader learns
that a person keeps a circle or a plan, never what is in it.

- ``RiskCircle`` (§3.8, App. 3): the person's risk areas, each rated 1–10 with a prevention
  and a management strategy. One current circle per person; each save keeps a
  ``RiskCircleVersion`` to compare with later (App. 3 step 11: review once a year or when
  life changes).
- ``Opening``: the owner opens their circle (to a peer mentor, manager or coach they choose)
  or their self-control programme (to the peer mentor who coaches it, §4.2) until an
  expiry. Nothing else is ever opened.
- ``CircleSuggestion``: what someone the circle is opened to suggests for one area's
  prevention or management ring; the owner accepts it (it joins the strategy) or not.
- ``SelfControlProgramme`` and its ``SelfControlEntry`` rows (App. 8): commitment, target
  behaviour, baseline records, goal, strategies, self-monitoring and revisions.
- ``RelapsePlan`` (§3.9): cravings, high-risk situations, ongoing factors, support people.
- ``WeeklyGoal`` (§3.9 organisational strategies: concrete goals for each week).
- ``SelfCheck``: a burnout (§3.9) or grief (§4.10, App. 11) self-check the person chose to
  keep; nothing is stored unless they save it.
- ``PulseAnswer`` (§3.9 "observing and responding to changes in the team's stress levels"):
  an anonymous answer with no link to its person; ``PulseReceipt`` says only that a person
  answered in a week, so nobody answers twice and nobody's answer can be found.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerwork.core.models import Membership, Team
from peerwork.core.models.tenancy import OrganisationOwned
from peerwork.core.sealing import SealedField


class RiskCircle(OrganisationOwned):
    """A person's risk assessment circle (App. 3). ``content`` is sealed JSON described in
    ``peerwork.selfcare.circles``; ``review_due_on`` is when the yearly (or after-a-change)
    review reminder is due, and ``review_reminded_at`` claims that reminder once."""

    owner = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="+", verbose_name=_("person")
    )
    content = SealedField(_("risk areas"), owner="owner")
    created_at = models.DateTimeField(_("started"), default=timezone.now)
    saved_at = models.DateTimeField(_("last saved"), default=timezone.now)
    review_due_on = models.DateField(_("review by"), null=True, blank=True)
    changed_at = models.DateTimeField(_("big change marked"), null=True, blank=True)
    review_reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("risk assessment circle")
        verbose_name_plural = _("risk assessment circles")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "owner"], name="one_circle_per_person")
        ]
        indexes = [models.Index(fields=["review_due_on", "review_reminded_at"])]

    def __str__(self) -> str:
        return str(self.pk)


class RiskCircleVersion(OrganisationOwned):
    """A saved state of a circle, kept to compare with later ones (App. 3 step 11)."""

    circle = models.ForeignKey(
        RiskCircle, on_delete=models.CASCADE, related_name="versions", verbose_name=_("circle")
    )
    owner = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="+", verbose_name=_("person")
    )
    number = models.PositiveIntegerField(_("version"))
    content = SealedField(_("risk areas"), owner="owner")
    saved_at = models.DateTimeField(_("saved"), default=timezone.now)

    class Meta:
        verbose_name = _("earlier risk circle")
        verbose_name_plural = _("earlier risk circles")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["circle", "number"], name="one_circle_version_number")
        ]

    def __str__(self) -> str:
        return str(self.pk)


class SelfControlProgramme(OrganisationOwned):
    """A self-control programme (App. 8). ``content`` is sealed JSON described in
    ``peerwork.selfcare.programmes``: commitment, target behaviour, goal, strategies and
    revisions. ``goal_by`` is plain so the chart and the list can be ordered by it."""

    owner = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="+", verbose_name=_("person")
    )
    content = SealedField(_("programme"), owner="owner")
    started_on = models.DateField(_("started"), default=timezone.localdate)
    goal_by = models.DateField(_("goal by"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    updated_at = models.DateTimeField(_("changed"), default=timezone.now)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("self-control programme")
        verbose_name_plural = _("self-control programmes")
        ordering = ["-started_on"]

    def __str__(self) -> str:
        return str(self.pk)


class Opening(OrganisationOwned):
    """The owner opens one record to one person until ``expires_at`` (DESIGN.md "private":
    opened for a time to a person they choose). Exactly one of ``circle`` and ``programme``
    is set. Closing early sets ``closed_at``; an opening past its expiry is closed without
    anything having to run."""

    owner = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="+", verbose_name=_("person")
    )
    grantee = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="+", verbose_name=_("opened to")
    )
    circle = models.ForeignKey(
        RiskCircle,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="openings",
        verbose_name=_("risk circle"),
    )
    programme = models.ForeignKey(
        SelfControlProgramme,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="openings",
        verbose_name=_("self-control programme"),
    )
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    expires_at = models.DateTimeField(_("until"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        verbose_name = _("opening")
        verbose_name_plural = _("openings")
        ordering = ["-opened_at"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(circle__isnull=False, programme__isnull=True)
                    | Q(circle__isnull=True, programme__isnull=False)
                ),
                name="opening_opens_one_record",
            ),
            models.CheckConstraint(
                condition=~Q(owner=models.F("grantee")), name="opening_not_to_self"
            ),
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("opened_at")), name="opening_ends_after_start"
            ),
        ]
        indexes = [models.Index(fields=["organisation", "grantee", "closed_at", "expires_at"])]

    def __str__(self) -> str:
        return str(self.pk)

    def is_live(self, now: object = None) -> bool:
        now = now or timezone.now()
        return self.closed_at is None and self.expires_at > now  # type: ignore[operator]


class CircleSuggestion(OrganisationOwned):
    """A suggestion for one area's prevention or management strategy (App. 3 step 7: "the
    coach may offer strategies used by other peers for your consideration"). Sealed under
    the circle owner's key: it is about their risks. ``accepted`` is None until they decide."""

    class Ring(models.TextChoices):
        PREVENTION = "prevention", _("Preventing the risk")
        MANAGEMENT = "management", _("Managing it if it happens")

    circle = models.ForeignKey(
        RiskCircle, on_delete=models.CASCADE, related_name="suggestions", verbose_name=_("circle")
    )
    owner = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="+", verbose_name=_("person")
    )
    author = models.ForeignKey(
        Membership,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("suggested by"),
    )
    # The random key of the area inside the sealed content: says nothing by itself.
    area = models.CharField(_("risk area"), max_length=32)
    ring = models.CharField(_("ring"), max_length=16, choices=Ring.choices)
    text = SealedField(_("suggestion"), owner="owner")
    made_at = models.DateTimeField(_("suggested"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    accepted = models.BooleanField(_("accepted"), null=True, blank=True)

    class Meta:
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")
        ordering = ["made_at"]

    def __str__(self) -> str:
        return str(self.pk)


class SelfControlEntry(OrganisationOwned):
    """One record of the target behaviour: during the baseline (App. 8 "identifying the
    problem") or while the strategies are in use ("self-monitoring")."""

    class Phase(models.TextChoices):
        BASELINE = "baseline", _("Baseline record")
        MONITORING = "monitoring", _("Self-monitoring")

    programme = models.ForeignKey(
        SelfControlProgramme,
        on_delete=models.CASCADE,
        related_name="entries",
        verbose_name=_("programme"),
    )
    owner = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="+", verbose_name=_("person")
    )
    day = models.DateField(_("day"))
    phase = models.CharField(_("kind"), max_length=16, choices=Phase.choices)
    content = SealedField(_("record"), owner="owner")
    made_at = models.DateTimeField(_("recorded"), default=timezone.now)

    class Meta:
        verbose_name = _("self-control record")
        verbose_name_plural = _("self-control records")
        ordering = ["day", "made_at"]

    def __str__(self) -> str:
        return str(self.pk)


class RelapsePlan(OrganisationOwned):
    """A personal plan for cravings, high-risk situations and support (§3.9: the three
    aims of relapse management; "a lapse is not collapse"). One per person."""

    owner = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="+", verbose_name=_("person")
    )
    content = SealedField(_("plan"), owner="owner")
    updated_at = models.DateTimeField(_("changed"), default=timezone.now)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("personal plan")
        verbose_name_plural = _("personal plans")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "owner"], name="one_plan_per_person")
        ]

    def __str__(self) -> str:
        return str(self.pk)


class WeeklyGoal(OrganisationOwned):
    """A concrete goal a person sets themself for one week (§3.9)."""

    owner = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="+", verbose_name=_("person")
    )
    week_of = models.DateField(_("week of"))  # the Monday
    text = SealedField(_("goal"), owner="owner")
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    made_at = models.DateTimeField(_("set"), default=timezone.now)

    class Meta:
        verbose_name = _("weekly goal")
        verbose_name_plural = _("weekly goals")
        ordering = ["-week_of", "made_at"]
        indexes = [models.Index(fields=["organisation", "owner", "week_of"])]

    def __str__(self) -> str:
        return str(self.pk)


class SelfCheck(OrganisationOwned):
    """A burnout or grief self-check the person chose to keep for themself. It is
    information for them, never a score anyone else sees (§3.9, App. 11)."""

    class Kind(models.TextChoices):
        BURNOUT = "burnout", _("Burnout signs")
        GRIEF = "grief", _("Grief reactions")

    owner = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="+", verbose_name=_("person")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    content = SealedField(_("what I noticed"), owner="owner")
    made_at = models.DateTimeField(_("kept"), default=timezone.now)

    class Meta:
        verbose_name = _("self-check")
        verbose_name_plural = _("self-checks")
        ordering = ["-made_at"]

    def __str__(self) -> str:
        return str(self.pk)


class PulseAnswer(OrganisationOwned):
    """One anonymous answer to the weekly team stress pulse (§3.9). No person, no time
    finer than the week: the row cannot be traced back to whoever gave it."""

    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    week_of = models.DateField(_("week of"))
    level = models.PositiveSmallIntegerField(
        _("stress"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )

    class Meta:
        verbose_name = _("stress pulse answer")
        verbose_name_plural = _("stress pulse answers")
        constraints = [
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=5), name="pulse_level_1_to_5"
            )
        ]
        indexes = [models.Index(fields=["organisation", "week_of", "team"])]

    def __str__(self) -> str:
        return str(self.pk)


class PulseReceipt(OrganisationOwned):
    """That ``member`` answered the pulse in a week; nothing about what they answered."""

    member = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="+")
    week_of = models.DateField(_("week of"))

    class Meta:
        verbose_name = _("stress pulse receipt")
        verbose_name_plural = _("stress pulse receipts")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "member", "week_of"], name="one_pulse_per_week"
            )
        ]

    def __str__(self) -> str:
        return str(self.pk)
