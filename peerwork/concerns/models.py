"""Concerns and problem management (PRODUCT.md module 5; guide Section 4, App. 7, App. 9,
App. 10).

Support before discipline is the path of least resistance here (Principle 3): a concern is
about work, a meeting comes before anything formal, and Peerwork never runs discipline; it
hands a summary to the organisation's own procedure once the guide's conditions are met.

- ``Concern``: intake framed on the effect on work (§4.2). The category is required and is
  always a work category; observed signs (pinned pupils, sweating…) are recorded beside it
  and are never the category: on their own they are not a problem and can be normal on OST
  (§4.2, App. 10 case 1). Each concern follows one ``path``: a review meeting only (App. 7),
  the App. 9 checklist for problem drug use at work, or one of the other Section 4 paths.
- ``ReviewMeeting`` (App. 7) and its ``MeetingNote``: the agenda in the appendix's order;
  the staff member words their own account and any support they use outside work. The note
  is not a warning and sits outside disciplinary proceedings; both people agree it, or a
  disagreement is recorded beside it.
- ``PathStep``: one stage of a path with what was found (App. 9's eight questions; the short
  guided records of §4.3–§4.7 and mediation).
- ``Target`` (App. 9 q7): measures of work, never of drug use or abstinence (§4.2, §4.3),
  with a review date, objective sources of feedback and the person's self-reflection.
- ``Handoff``: the hand-off to the organisation's disciplinary procedure, only on the
  grounds App. 9 and §4.4/§4.7 allow (``peerwork.concerns.app9``).
- ``Investigation`` with ``Investigator``, and ``NamedSupporter``: §4.7 keeps those who
  support a person apart from those who investigate them
  (``peerwork.concerns.separation``).
- ``AdviceRequest``: a staff member asks for advice before acting (§4.6). It is not a
  concern and never becomes one.

Everything written about the person is sealed under their key (erasing them erases it).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peerwork.core.models import Membership
from peerwork.core.models.tenancy import OrganisationOwned
from peerwork.core.sealing import SealedField


class Concern(OrganisationOwned):
    """A concern about a staff member's work (§4.2), recorded by their line manager or HR."""

    class Source(models.TextChoices):
        MANAGER = "manager", _("Their manager")
        COLLEAGUE = "colleague", _("A colleague")
        CLIENT = "client", _("A client, through a member of staff")
        SELF = "self", _("The staff member themselves")

    class Category(models.TextChoices):
        # What happened at work: every category is an effect on work (§4.2).
        PERFORMANCE = "performance", _("Performance")
        TIME_KEEPING = "time_keeping", _("Time-keeping")
        ATTENDANCE = "attendance", _("Attendance")
        CONDUCT = "conduct", _("Conduct")
        BOUNDARIES = "boundaries", _("Boundaries with clients")
        SUPPLY = "supply", _("Supplying or asking for drugs")
        THEFT_FRAUD = "theft_fraud", _("Theft or fraud")
        CLIENT_COMPLAINT = "client_complaint", _("A client's complaint")

    class Sign(models.TextChoices):
        # Recorded, never a category: each can be normal on OST (§4.2, App. 10 case 1).
        PINNED_PUPILS = "pinned_pupils", _("Pinned pupils")
        DILATED_PUPILS = "dilated_pupils", _("Dilated pupils")
        PALENESS = "paleness", _("Paleness")
        SWEATING = "sweating", _("Sweating")
        DROWSINESS = "drowsiness", _("Drowsiness")

    class Path(models.TextChoices):
        REVIEW = "review", _("A review meeting (App. 7)")
        PROBLEM_DRUG_USE = "problem_drug_use", _("Problem drug use at work (App. 9)")
        PERSONAL_MODELS = "personal_models", _("Imposing a personal model of drug use (§4.3)")
        THEFT_FRAUD = "theft_fraud", _("Theft or fraud (§4.4)")
        CLIENT_COMPLAINT = "client_complaint", _("A client's complaint about a peer (§4.5)")
        CLIENT_RELATIONSHIP = "client_relationship", _("A relationship with a client (§4.6)")
        SUPPLY = "supply", _("Supplying or asking for drugs (§4.7)")
        MEDIATION = "mediation", _("Mediation between colleagues")

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")
        HANDED_OFF = "handed_off", _("Handed to the disciplinary procedure")

    class Outcome(models.TextChoices):
        NO_ACTION = "no_action", _("No action")
        RESOLVED = "resolved", _("Resolved with support")
        PATTERN_REVIEW = "pattern_review", _("A review of the agreed working pattern instead")
        NO_GROUNDS = "no_grounds", _("No grounds found")

    person = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="+", verbose_name=_("staff member")
    )
    raised_by = models.ForeignKey(
        Membership,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    raised_at = models.DateTimeField(_("recorded"), default=timezone.now)
    source = models.CharField(_("who raised it"), max_length=16, choices=Source.choices)
    category = models.CharField(_("effect on work"), max_length=20, choices=Category.choices)
    path = models.CharField(_("path"), max_length=24, choices=Path.choices, default=Path.REVIEW)
    # Sign codes (``Sign``) as a list: recorded beside the category, never instead of it.
    signs = models.JSONField(_("signs noticed"), default=list, blank=True)
    noticed_from = models.DateField(_("first noticed"))
    noticed_to = models.DateField(_("last noticed"), null=True, blank=True)
    what_happened = SealedField(_("what happened at work"), owner="person")
    evidence = SealedField(_("evidence"), owner="person", blank=True)
    work_impact = SealedField(_("the effect on work"), owner="person", blank=True)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default="open")
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    outcome_reason = SealedField(_("why"), owner="person", blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("concern")
        verbose_name_plural = _("concerns")
        ordering = ["-raised_at"]
        indexes = [models.Index(fields=["organisation", "state", "raised_at"])]

    def __str__(self) -> str:
        return str(self.pk)

    def is_open(self) -> bool:
        return self.state == self.State.OPEN

    def signs_only(self) -> bool:
        """Signs were noticed and nothing about work was said: on their own they are not a
        problem and can be normal on OST (§4.2, App. 10 case 1)."""
        return bool(self.signs) and not str(self.work_impact or "").strip()


class ReviewMeeting(OrganisationOwned):
    """A meeting between a staff member and their manager about a concern, in App. 7's
    order. The staff member may bring a peer supporter. It may also stand alone, as part of
    ordinary supervision (App. 7), with no concern."""

    class State(models.TextChoices):
        SCHEDULED = "scheduled", _("Planned")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    concern = models.ForeignKey(
        Concern,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="meetings",
        verbose_name=_("concern"),
    )
    person = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="+", verbose_name=_("staff member")
    )
    held_by = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="+", verbose_name=_("manager")
    )
    # Chosen by the staff member (App. 7; a peer mentor sees the meeting only when invited).
    peer_supporter = models.ForeignKey(
        Membership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("peer supporter"),
    )
    starts_at = models.DateTimeField(_("when"))
    place = models.CharField(_("where"), max_length=200, blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=State.choices, default=State.SCHEDULED
    )
    # App. 7, in order.
    purpose = SealedField(_("purpose of the meeting"), owner="person", blank=True)
    issue_and_standards = SealedField(
        _("the issue and the standards that apply"), owner="person", blank=True
    )
    expected_level = SealedField(
        _("the level expected for the post and grade"), owner="person", blank=True
    )
    # Worded by the staff member, not the manager (the person decides, issue 8 item 2).
    person_account = SealedField(_("the staff member's account"), owner="person", blank=True)
    job_concerns = SealedField(
        _("the staff member's concerns about their job"), owner="person", blank=True
    )
    # Codes from the Section 3 menu (``peerwork.concerns.meetings.SUPPORT_MENU``).
    support_agreed = models.JSONField(_("support agreed"), default=list, blank=True)
    support_details = SealedField(
        _("support, training and development agreed"), owner="person", blank=True
    )
    # Worded by the staff member; blank reads "External support agreed".
    external_support = SealedField(
        _("support outside work, as the staff member words it"), owner="person", blank=True
    )
    meet_again = models.BooleanField(_("meet again"), null=True, blank=True)
    held_at = models.DateTimeField(_("held"), null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("review meeting")
        verbose_name_plural = _("review meetings")
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["state", "starts_at"])]

    def __str__(self) -> str:
        return str(self.pk)

    def was_there(self, member: Membership) -> bool:
        """The two people whose meeting it is: they agree its note."""
        return member.pk in (self.person_id, self.held_by_id)


class MeetingNote(OrganisationOwned):
    """The agreed summary of a review meeting (App. 7). Not a warning; outside disciplinary
    proceedings. The staff member and the manager each agree it or record a disagreement
    beside it; changing the summary asks both again."""

    class Response(models.TextChoices):
        AGREED = "agreed", _("Agreed")
        DISAGREED = "disagreed", _("Disagrees")

    meeting = models.OneToOneField(
        ReviewMeeting, on_delete=models.CASCADE, related_name="note", verbose_name=_("meeting")
    )
    person = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="+", verbose_name=_("staff member")
    )
    summary = SealedField(_("summary"), owner="person")
    review_on = models.DateField(_("meet again to review on"), null=True, blank=True)
    review_reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    written_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    written_at = models.DateTimeField(_("written"), default=timezone.now)
    person_response = models.CharField(
        _("staff member"), max_length=16, choices=Response.choices, blank=True
    )
    person_responded_at = models.DateTimeField(null=True, blank=True)
    person_disagreement = SealedField(
        _("what the staff member disagrees with"), owner="person", blank=True
    )
    manager_response = models.CharField(
        _("manager"), max_length=16, choices=Response.choices, blank=True
    )
    manager_responded_at = models.DateTimeField(null=True, blank=True)
    manager_disagreement = SealedField(
        _("what the manager disagrees with"), owner="person", blank=True
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("meeting note")
        verbose_name_plural = _("meeting notes")
        indexes = [models.Index(fields=["review_on", "review_reminded_at"])]

    def __str__(self) -> str:
        return str(self.pk)

    def is_settled(self) -> bool:
        """Both people have answered: agreed, or a disagreement recorded beside it."""
        return bool(self.person_response and self.manager_response)

    def is_agreed(self) -> bool:
        return self.person_response == self.manager_response == self.Response.AGREED


class PathStep(OrganisationOwned):
    """One stage of a concern's path, with what was found. The stages of each path, their
    questions and the answers they take are in ``peerwork.concerns.paths`` (App. 9 in
    ``peerwork.concerns.app9``); ``answers`` holds the structured ones by key."""

    concern = models.ForeignKey(
        Concern, on_delete=models.CASCADE, related_name="steps", verbose_name=_("concern")
    )
    person = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="+", verbose_name=_("staff member")
    )
    stage = models.CharField(_("stage"), max_length=40)
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    notes = SealedField(_("what was found"), owner="person", blank=True)
    meeting = models.ForeignKey(
        ReviewMeeting,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("meeting"),
    )
    recorded_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), default=timezone.now)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        ordering = ["recorded_at"]
        constraints = [
            models.UniqueConstraint(fields=["concern", "stage"], name="one_step_per_stage")
        ]

    def __str__(self) -> str:
        return str(self.pk)


class Target(OrganisationOwned):
    """A target for work (App. 9 q7): set whether or not the problem is acknowledged, with a
    review date, objective sources of feedback and the person's self-reflection. Measures
    are of work only: never abstinence or a way of using, whatever the person prefers
    (§4.2, §4.3)."""

    class Measure(models.TextChoices):
        TIME_KEEPING = "time_keeping", _("Time-keeping")
        ATTENDANCE = "attendance", _("Attendance")
        TASKS_DELIVERED = "tasks_delivered", _("Tasks delivered on time")
        QUALITY = "quality", _("Quality of work")
        CLIENT_WORK = "client_work", _("Work with clients")
        CONDUCT = "conduct", _("Conduct at work")
        TEAMWORK = "teamwork", _("Working with colleagues")

    class Outcome(models.TextChoices):
        OPEN = "open", _("Not reviewed yet")
        MET = "met", _("Met")
        PARTLY = "partly", _("Partly met")
        UNMET = "unmet", _("Not met")

    concern = models.ForeignKey(
        Concern, on_delete=models.CASCADE, related_name="targets", verbose_name=_("concern")
    )
    person = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="+", verbose_name=_("staff member")
    )
    measure = models.CharField(_("measure"), max_length=20, choices=Measure.choices)
    description = SealedField(_("what good looks like"), owner="person")
    review_on = models.DateField(_("review on"))
    feedback_sources = SealedField(_("objective sources of feedback"), owner="person")
    self_reflection = SealedField(
        _("the staff member's self-reflection"), owner="person", blank=True
    )
    set_in = models.ForeignKey(
        ReviewMeeting,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("set in the meeting"),
    )
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=Outcome.choices, default=Outcome.OPEN
    )
    reviewed_in = models.ForeignKey(
        ReviewMeeting,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed in the meeting"),
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    set_by = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, related_name="+")
    set_at = models.DateTimeField(_("set"), default=timezone.now)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["review_on", "set_at"]
        indexes = [models.Index(fields=["review_on", "review_reminded_at"])]

    def __str__(self) -> str:
        return str(self.pk)


class Handoff(OrganisationOwned):
    """The hand-off of a concern to the organisation's disciplinary procedure. Peerwork
    does not run discipline: it checks the grounds (``peerwork.concerns.app9``) and makes a
    summary document for that procedure."""

    class Grounds(models.TextChoices):
        UNMET_DESPITE_SUPPORT = "unmet_despite_support", _("Targets not met despite support")
        SUPPORT_REFUSED = "support_refused", _("Targets not met and support refused")
        GROSS_MISCONDUCT = "gross_misconduct", _("Gross misconduct")

    class State(models.TextChoices):
        WAITING = "waiting", _("Waiting for HR's countersignature")
        HANDED_OFF = "handed_off", _("Handed off")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    concern = models.OneToOneField(
        Concern, on_delete=models.CASCADE, related_name="handoff", verbose_name=_("concern")
    )
    person = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="+", verbose_name=_("staff member")
    )
    grounds = models.CharField(_("grounds"), max_length=24, choices=Grounds.choices)
    # The review held on or after a target's date that records the targets unmet.
    review = models.ForeignKey(
        ReviewMeeting,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("review meeting"),
    )
    reason = SealedField(_("written reason"), owner="person", blank=True)
    requested_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    countersigned_by = models.ForeignKey(
        Membership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("countersigned by"),
    )
    countersigned_at = models.DateTimeField(_("countersigned"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=16, choices=State.choices)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("hand-off to the disciplinary procedure")
        verbose_name_plural = _("hand-offs to the disciplinary procedure")

    def __str__(self) -> str:
        return str(self.pk)


class Investigation(OrganisationOwned):
    """A formal investigation (§4.4, §4.7). The person is presumed innocent and remains an
    employee until it is completed; support goes on, by people who take no part in it."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Completed")

    class Outcome(models.TextChoices):
        NO_GROUNDS = "no_grounds", _("No grounds found")
        RESTORATIVE = "restorative", _("Resolved by restorative justice")
        SUPPORT = "support", _("Resolved with support")
        DISCIPLINARY = "disciplinary", _("Grounds for the disciplinary procedure")

    concern = models.OneToOneField(
        Concern,
        on_delete=models.CASCADE,
        related_name="investigation",
        verbose_name=_("concern"),
    )
    person = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="+", verbose_name=_("staff member")
    )
    opened_by = models.ForeignKey(
        Membership, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default="open")
    # Suspension with support (§4.7): dates only; it is not a finding.
    suspended_from = models.DateField(_("suspended from"), null=True, blank=True)
    suspended_until = models.DateField(_("suspended until"), null=True, blank=True)
    findings = SealedField(_("findings"), owner="person", blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    closed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("investigation")
        verbose_name_plural = _("investigations")

    def __str__(self) -> str:
        return str(self.pk)

    def is_open(self) -> bool:
        return self.state == self.State.OPEN


class Investigator(OrganisationOwned):
    """Someone who takes part in an investigation. Never someone who supports the person
    (§4.7; ``peerwork.concerns.separation``)."""

    investigation = models.ForeignKey(
        Investigation,
        on_delete=models.CASCADE,
        related_name="investigators",
        verbose_name=_("investigation"),
    )
    member = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="+", verbose_name=_("investigator")
    )
    added_by = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("investigator")
        verbose_name_plural = _("investigators")
        constraints = [
            models.UniqueConstraint(
                fields=["investigation", "member"], name="one_investigator_row_per_member"
            )
        ]

    def __str__(self) -> str:
        return str(self.pk)


class NamedSupporter(OrganisationOwned):
    """Someone named to support the person while a concern is open (a suspension with
    support, §4.7, or a peer under pressure from clients, §4.5). Never an investigator."""

    concern = models.ForeignKey(
        Concern, on_delete=models.CASCADE, related_name="supporters", verbose_name=_("concern")
    )
    member = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="+", verbose_name=_("supporter")
    )
    added_by = models.ForeignKey(Membership, on_delete=models.SET_NULL, null=True, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("named supporter")
        verbose_name_plural = _("named supporters")
        constraints = [
            models.UniqueConstraint(fields=["concern", "member"], name="one_supporter_row")
        ]

    def __str__(self) -> str:
        return str(self.pk)


class AdviceRequest(OrganisationOwned):
    """A staff member asks for advice before acting, about a relationship with a client
    (§4.6). It is not a concern: being open early is what the guide asks for. The outcome
    can be approval."""

    class Outcome(models.TextChoices):
        WAITING = "waiting", _("Waiting for an answer")
        APPROVED = "approved", _("Approved")
        ADVICE = "advice", _("Advice given")
        NOT_APPROVED = "not_approved", _("Not approved")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    person = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="+", verbose_name=_("staff member")
    )
    asked = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="+", verbose_name=_("asked")
    )
    question = SealedField(_("what you would like advice on"), owner="person")
    # §4.6's five questions, answered by whoever is asked: key -> "yes" / "no" / "unsure".
    answers = models.JSONField(_("the five questions"), default=dict, blank=True)
    reply = SealedField(_("reply"), owner="person", blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=Outcome.choices, default=Outcome.WAITING
    )
    asked_at = models.DateTimeField(_("asked"), default=timezone.now)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("request for advice")
        verbose_name_plural = _("requests for advice")
        ordering = ["-asked_at"]

    def __str__(self) -> str:
        return str(self.pk)
