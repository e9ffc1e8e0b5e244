"""Asking for advice before acting (§4.6; issue 8 item 4).

A staff member who is thinking of a closer personal relationship with a client is best
served by talking it over early, before stepping across the usual boundaries, with someone
they choose: their line manager, HR, their peer mentor or their coach (§4.6). Being open
early is what the guide asks for, so a request for advice is **not a concern**: it is a
different record (``AdviceRequest``), never listed with concerns, never counted in their
figures, never on a case page, and it never turns into one.

It is the two people's alone: the asker and the person they asked
(``access.advice_for_member``). The person asked reads the question (each read audited:
it is confidential between the two), considers the five questions of §4.6 (yes, no or not
sure yet), writes a reply and gives an outcome: approved, advice given, or not approved.
The asker may withdraw the request while it waits. Both changes name the version read.

Messages say only that a request or an answer is waiting, with a link; never who asked or
what about.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peerwork.core import audit
from peerwork.core.access import DataClass
from peerwork.core.models import (
    Membership,
    Notification,
    Role,
    SupportRelationship,
    active_members,
)
from peerwork.core.models.notifications import Channel
from peerwork.core.notify import notify, register_kind
from peerwork.core.versions import StaleVersion

from .access import uses_concerns
from .models import AdviceRequest
from .other_paths import FIVE_QUESTIONS
from .paths import Stage, clean_answers

QUESTION_MAX = 4000
REPLY_MAX = 4000

Outcome = AdviceRequest.Outcome
# What the person asked may answer with.
ANSWERS: tuple[str, ...] = (Outcome.APPROVED, Outcome.ADVICE, Outcome.NOT_APPROVED)
ANSWER_CHOICES = [(code, label) for code, label in Outcome.choices if code in ANSWERS]

# The five questions as ``paths.clean_answers`` checks them.
_FIVE = Stage(
    key="advice",
    title=gettext_lazy("The five questions"),
    guide="§4.6",
    prompt=gettext_lazy("Answer each with yes, no or not sure yet."),
    questions=FIVE_QUESTIONS,
)


def _link(notification: Notification) -> str | None:
    advice = notification.params.get("advice")
    return reverse("concerns:advice", args=[advice]) if advice else None


# Neutral words: a lock screen shows the subject; nothing says who asked or about what.
ADVICE_ASKED = register_kind(
    "concerns.advice_asked",
    subject=gettext_lazy("A colleague asks for your advice"),
    body=gettext_lazy("A colleague has asked for your advice. Open Peerwork to read it."),
    default_channels=(Channel.EMAIL,),
    link=_link,
)
ADVICE_ANSWERED = register_kind(
    "concerns.advice_answered",
    subject=gettext_lazy("Your request for advice has an answer"),
    body=gettext_lazy("The person you asked for advice has answered. Open Peerwork to read it."),
    default_channels=(Channel.EMAIL,),
    link=_link,
)


# --- whom to ask ---------------------------------------------------------------------------


def _mentors_and_coaches(member: Membership) -> QuerySet[SupportRelationship]:
    today = timezone.localdate()
    return SupportRelationship.objects.filter(
        organisation_id=member.organisation_id, person=member, started_on__lte=today
    ).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=today))


def advisers_for(member: Membership) -> QuerySet[Membership]:
    """Whom ``member`` may ask (§4.6): their line manager, HR, their current peer mentor
    and their coach. Never themself."""
    org = member.organisation_id
    chosen = Q(role_grants__role=Role.HR) | Q(
        pk__in=_mentors_and_coaches(member).values("supporter")
    )
    if member.line_manager_id:
        chosen |= Q(pk=member.line_manager_id)
    return (
        Membership.objects.filter(active_members(), chosen, organisation_id=org)
        .exclude(pk=member.pk)
        .select_related("user")
        .distinct()
        .order_by("user__display_name", "user__username")
    )


def relation_of(adviser: Membership, member: Membership) -> str:
    """Why ``member`` may ask ``adviser``, in words: "Your line manager", "HR"…"""
    if member.line_manager_id == adviser.pk:
        return _("Line manager")
    kinds = set(
        _mentors_and_coaches(member).filter(supporter=adviser).values_list("kind", flat=True)
    )
    if SupportRelationship.Kind.MENTOR in kinds:
        return _("Peer mentor")
    if SupportRelationship.Kind.COACH in kinds:
        return _("Coach")
    return _("HR")


def requests_for(member: Membership) -> QuerySet[AdviceRequest]:
    """The requests ``member`` made and those made of them, newest first."""
    return (
        AdviceRequest.objects.filter(organisation_id=member.organisation_id)
        .filter(Q(person=member) | Q(asked=member))
        .select_related("person__user", "asked__user", "person__organisation")
        .order_by("-asked_at", "id")
    )


# --- reading -------------------------------------------------------------------------------


def read_question(*, actor: Membership, advice: AdviceRequest) -> str:
    """The question, for the two. The person asked reads what the asker confided: the read
    is audited first (its own transaction: call outside one)."""
    if actor.pk == advice.asked_id:
        audit.record_read(
            actor=actor,
            action="concerns.advice.read",
            object_type="advice_request",
            object_id=advice.pk,
            subject=advice.person,
            data_class=DataClass.CONFIDENTIAL,
        )
    elif actor.pk != advice.person_id:
        raise PermissionDenied
    return str(advice.question or "")


def read_questions(*, actor: Membership, requests: Iterable[AdviceRequest]) -> None:
    """Several questions shown together (a list answer): the reads of those asked of
    ``actor`` are audited at once."""
    audit.record_reads(
        {
            "actor": actor,
            "action": "concerns.advice.read",
            "object_type": "advice_request",
            "object_id": advice.pk,
            "subject": advice.person,
            "data_class": DataClass.CONFIDENTIAL,
        }
        for advice in requests
        if advice.asked_id == actor.pk
    )


def may_answer(member: Membership, advice: AdviceRequest) -> bool:
    return member.pk == advice.asked_id and advice.outcome == Outcome.WAITING


def may_withdraw(member: Membership, advice: AdviceRequest) -> bool:
    return member.pk == advice.person_id and advice.outcome == Outcome.WAITING


# --- changes -------------------------------------------------------------------------------


def _record(actor: Membership, action: str, advice: AdviceRequest, **detail: object) -> None:
    audit.record(
        actor=actor,
        action=f"concerns.advice.{action}",
        object_type="advice_request",
        object_id=advice.pk,
        subject=advice.person,
        data_class=DataClass.CONFIDENTIAL,
        detail=detail or None,
    )


def _text(value: str, field: str, limit: int, missing: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: [missing]})
    if len(text) > limit:
        raise ValidationError(
            {field: [_("Please keep this under %(n)d characters.") % {"n": limit}]}
        )
    return text


def ask_for_advice(
    *,
    actor: Membership,
    asked: Membership | None,
    question: str,
    now: dt.datetime | None = None,
) -> AdviceRequest:
    """``actor`` asks ``asked`` (their line manager, HR, their peer mentor or coach) for
    advice before acting. ``asked`` is told on commit that a request waits, nothing more."""
    if not uses_concerns(actor):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if asked is None or not advisers_for(actor).filter(pk=asked.pk).exists():
        errors["asked"] = [
            _("Choose your line manager, someone in HR, your peer mentor or your coach.")
        ]
    try:
        text = _text(question, "question", QUESTION_MAX, _("Write what you would like advice on."))
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors or asked is None:
        raise ValidationError(errors)
    now = now or timezone.now()
    with transaction.atomic():
        advice = AdviceRequest(
            organisation_id=actor.organisation_id,
            person=actor,
            asked=asked,
            asked_at=now,
        )
        advice.question = text
        advice.save()
        _record(actor, "ask", advice)
        notify(recipient=asked, kind=ADVICE_ASKED.kind, params={"advice": str(advice.pk)}, now=now)
    return advice


def answer_advice(
    *,
    actor: Membership,
    advice: AdviceRequest,
    answers: Mapping[str, object],
    reply: str,
    outcome: str,
    version: int | None = None,
    now: dt.datetime | None = None,
) -> AdviceRequest:
    """The person asked answers: the five questions, a reply and an outcome (approved,
    advice given, not approved). Once, while it waits; the asker is told on commit.
    ``StaleVersion`` when it changed since ``version`` (withdrawn meanwhile)."""
    if actor.pk != advice.asked_id or not actor.is_active:
        raise PermissionDenied(_("Only the person asked answers a request for advice."))
    if advice.outcome != Outcome.WAITING:
        raise ValidationError(_("This request is no longer waiting for an answer."))
    errors: dict[str, list[str]] = {}
    try:
        cleaned = clean_answers(_FIVE, answers)
    except ValidationError as error:
        errors.update(error.message_dict)
        cleaned = {}
    try:
        text = _text(reply, "reply", REPLY_MAX, _("Write your reply."))
    except ValidationError as error:
        errors.update(error.message_dict)
        text = ""
    if outcome not in ANSWERS:
        errors["outcome"] = [_("Choose an outcome: approved, advice given or not approved.")]
    if errors:
        raise ValidationError(errors)
    now = now or timezone.now()
    at = advice.version if version is None else version
    with transaction.atomic():
        moved = AdviceRequest.objects.filter(
            organisation_id=advice.organisation_id,
            pk=advice.pk,
            version=at,
            outcome=Outcome.WAITING,
        ).update(answers=cleaned, outcome=outcome, answered_at=now, version=F("version") + 1)
        if not moved:
            raise StaleVersion
        advice.refresh_from_db()
        advice.reply = text  # sealed: written by save, never by update()
        advice.save(update_fields=["reply"])
        _record(actor, "answer", advice, outcome=outcome)
        notify(
            recipient=advice.person,
            kind=ADVICE_ANSWERED.kind,
            params={"advice": str(advice.pk)},
            now=now,
        )
    return advice


def withdraw_advice(
    *, actor: Membership, advice: AdviceRequest, version: int | None = None
) -> AdviceRequest:
    """The asker withdraws the request while it waits (only they can)."""
    if actor.pk != advice.person_id or not actor.is_active:
        raise PermissionDenied(_("Only the person who asked withdraws a request for advice."))
    if advice.outcome != Outcome.WAITING:
        raise ValidationError(_("This request is no longer waiting: there is nothing to withdraw."))
    at = advice.version if version is None else version
    with transaction.atomic():
        moved = AdviceRequest.objects.filter(
            organisation_id=advice.organisation_id,
            pk=advice.pk,
            version=at,
            outcome=Outcome.WAITING,
        ).update(outcome=Outcome.WITHDRAWN, version=F("version") + 1)
        if not moved:
            raise StaleVersion
        advice.refresh_from_db()
        _record(actor, "withdraw", advice)
    return advice


def five_answered(advice: AdviceRequest) -> list[tuple[str, str]]:
    """The five questions with the answers given, in words, for a page."""
    words = {"yes": _("Yes"), "no": _("No"), "unsure": _("Not sure yet")}
    return [
        (str(question.label), words.get(str(advice.answers.get(question.key)), "—"))
        for question in FIVE_QUESTIONS
    ]
