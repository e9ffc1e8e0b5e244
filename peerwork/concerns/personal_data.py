"""Concerns in the register of personal data (``peerwork.people.personal_data``), and what
the own-data export holds back while an investigation is open (issue 8 item 6; issue 4
items 7 and 8; guide §4.2, §4.6, §4.7, App. 7, App. 9).

What the staff member a concern is about finds in their export, because it is about them
and they may read it (the [record: concerns] section of the access matrix):

- their **concerns**, with what was written, who recorded them, and anyone named to
  support them;
- the **review meetings** they were in as the staff member (App. 7), with their own
  account; the **meeting notes**, with both answers and any disagreement;
- the **stages** of each concern's path, the **targets** for their work (App. 9 q7) with
  their self-reflection, and any **hand-off** to the disciplinary procedure;
- any **investigation** (§4.4, §4.7): that it exists, its state and any suspension. Who
  investigates and what they found come only once it is completed: while it is open the
  export says that something is held back and why (``withheld_investigations``), never
  what;
- their **requests for advice** (§4.6), with the answer.

What erasure does. A concern and everything in its case (meetings, notes, stages,
targets, hand-off, investigation) is the organisation's record of how it handled a problem
at work, and the hand-off is what its own disciplinary procedure relies on; so erasing at
once does not delete it. But every word written about the person in it is sealed with
their key: once they are erased, nobody can read those words again, while the dates,
categories, states and outcomes stay. After the organisation's personnel period from the
day they left, the case rows themselves are deleted (``ANONYMISE``): a concern cannot be
cut loose from the person it is about, so deleting it is the only way to stop it pointing
at them. A request for advice is the person's own and is kept while they work here (an
approval may be what they rely on), then deleted.

What others find. Whoever recorded a concern, held or came to a meeting, asked for or
countersigned a hand-off, investigated, was named to support someone, or was asked for
advice finds their own part and when: never the other person's name, nor a word of the
record (Principle 1: those are the staff member's). Their part stays as the organisation's
record of its work when they leave; the separation of support and investigation (§4.7)
can still be checked afterwards.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peerwork.core.models import Membership
from peerwork.people.personal_data import (
    Item,
    OnErasure,
    PersonalData,
    fields,
    label,
    plain,
    register_personal_data,
    register_withholding,
)

from . import paths, support_menu
from .models import (
    AdviceRequest,
    Concern,
    Handoff,
    Investigation,
    Investigator,
    MeetingNote,
    NamedSupporter,
    PathStep,
    ReviewMeeting,
    Target,
)
from .other_paths import FIVE_QUESTIONS

CASE_KEPT = gettext_lazy(
    "The organisation's record of how it handled a concern about your work. It is kept for "
    "the organisation's personnel period after you leave, then deleted. What was written "
    "about you in it is sealed with your key: once you are erased, nobody can read it."
)
YOUR_PART_KEPT = gettext_lazy(
    "The organisation's record of who did what: it stays when you leave. It never holds "
    "the other person's name or what was written about them."
)
INVESTIGATION_OPEN = gettext_lazy(
    "an investigation about you is open. Who takes part in it and what it has found are "
    "added to your download once it is completed."
)


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _colleague(member: Membership) -> Membership:
    """Another current member of the organisation, for samples that need a second person."""
    other = (
        Membership.objects.filter(organisation_id=member.organisation_id, ended_at__isnull=True)
        .exclude(pk=member.pk)
        .select_related("user")
        .order_by("joined_at", "pk")
        .first()
    )
    if other is None:
        raise LookupError("a sample needs a second member in the organisation")
    return other


# --- samples (only tests call them) ---------------------------------------------------------


def _sample_concern(person: Membership, raised_by: Membership | None = None) -> Concern:
    concern = Concern(
        organisation_id=person.organisation_id,
        person=person,
        raised_by=raised_by or _colleague(person),
        source=Concern.Source.MANAGER,
        category=Concern.Category.TIME_KEEPING,
        path=Concern.Path.REVIEW,
        noticed_from=person.organisation.local_today() - dt.timedelta(days=14),
    )
    concern.what_happened = "Late for the morning handover three times"
    concern.save()
    return concern


def _sample_meeting(
    person: Membership, *, held_by: Membership | None = None, concern: Concern | None = None
) -> ReviewMeeting:
    meeting = ReviewMeeting(
        organisation_id=person.organisation_id,
        concern=concern,
        person=person,
        held_by=held_by or _colleague(person),
        starts_at=timezone.now() - dt.timedelta(days=1),
        state=ReviewMeeting.State.HELD,
    )
    meeting.person_account = "The bus timetable changed"
    meeting.save()
    return meeting


def _sample_investigation(person: Membership) -> Investigation:
    concern = _sample_concern(person)
    Concern.objects.filter(pk=concern.pk).update(
        category=Concern.Category.SUPPLY, path=Concern.Path.SUPPLY
    )
    investigation = Investigation(
        organisation_id=person.organisation_id,
        concern=concern,
        person=person,
        opened_by=concern.raised_by,
    )
    investigation.save()
    return investigation


# --- as the staff member a concern is about -------------------------------------------------


def _case_query(model: type[models.Model], member: Membership) -> models.QuerySet:
    return model._default_manager.filter(organisation_id=member.organisation_id, person=member)


def _delete_case(member: Membership, now: dt.datetime) -> int:
    """After the personnel period: the person's cases go whole. Hand-offs first (each
    names the meeting it rests on, which may not go before it), then the concerns with
    everything in them, then meetings that stood alone (App. 7 supervision)."""
    with transaction.atomic():
        count = 0
        for model in (Handoff, Concern, ReviewMeeting):
            deleted, _by_model = _case_query(model, member).delete()
            count += deleted
        return count


def _concern_rows(member: Membership) -> models.QuerySet[Concern]:
    return (
        _case_query(Concern, member)
        .select_related("raised_by__user", "closed_by__user")
        .prefetch_related("supporters__member__user")
        .order_by("raised_at")
    )


def _concern_export(rows: Sequence[Concern], member: Membership) -> list[Item]:
    signs = dict(Concern.Sign.choices)
    out = []
    for row in rows:
        item = fields(row, "raised_by", "raised_at", "source", "category", "path")
        item[label(Concern, "signs")] = [str(signs.get(code, code)) for code in row.signs]
        item |= fields(row, "noticed_from", "noticed_to")
        for name in ("what_happened", "evidence", "work_impact"):
            item[label(Concern, name)] = _text(getattr(row, name))
        item |= fields(row, "state", "outcome")
        item[label(Concern, "outcome_reason")] = _text(row.outcome_reason)
        item |= fields(row, "closed_at", "closed_by")
        item[_("Named to support you")] = [s.member.name for s in row.supporters.all()]
        out.append(item)
    return out


def _meeting_rows(member: Membership) -> models.QuerySet[ReviewMeeting]:
    return (
        _case_query(ReviewMeeting, member)
        .select_related("held_by__user", "peer_supporter__user")
        .order_by("starts_at")
    )


def _meeting_export(rows: Sequence[ReviewMeeting], member: Membership) -> list[Item]:
    out = []
    for row in rows:
        item = fields(row, "held_by", "peer_supporter", "starts_at", "place", "state")
        for name in (
            "purpose",
            "issue_and_standards",
            "expected_level",
            "person_account",
            "job_concerns",
        ):
            item[label(ReviewMeeting, name)] = _text(getattr(row, name))
        item[label(ReviewMeeting, "support_agreed")] = [
            support_menu.label_of(code) for code in row.support_agreed
        ]
        item[label(ReviewMeeting, "support_details")] = _text(row.support_details)
        external = _text(row.external_support)
        if not external and support_menu.EXTERNAL in row.support_agreed:
            external = str(support_menu.EXTERNAL_DEFAULT)
        item[label(ReviewMeeting, "external_support")] = external
        item |= fields(row, "meet_again", "held_at")
        out.append(item)
    return out


def _meeting_sample(member: Membership) -> object:
    return _sample_meeting(member)


def _note_rows(member: Membership) -> models.QuerySet[MeetingNote]:
    return (
        _case_query(MeetingNote, member)
        .select_related("meeting", "written_by__user")
        .order_by("written_at")
    )


def _note_export(rows: Sequence[MeetingNote], member: Membership) -> list[Item]:
    return [
        {
            label(ReviewMeeting, "starts_at"): plain(row.meeting.starts_at),
            label(MeetingNote, "summary"): _text(row.summary),
        }
        | fields(row, "review_on", "written_by", "written_at")
        | fields(row, "person_response", "person_responded_at")
        | {label(MeetingNote, "person_disagreement"): _text(row.person_disagreement)}
        | fields(row, "manager_response", "manager_responded_at")
        | {label(MeetingNote, "manager_disagreement"): _text(row.manager_disagreement)}
        for row in rows
    ]


def _note_sample(member: Membership) -> object:
    meeting = _sample_meeting(member)
    note = MeetingNote(
        organisation_id=member.organisation_id,
        meeting=meeting,
        person=member,
        written_by=meeting.held_by,
    )
    note.summary = "Agreed a later start on Mondays"
    note.save()
    return note


def _answers(
    questions: Sequence[paths.Question], answers: Mapping[str, object]
) -> dict[str, object]:
    """Structured answers in words: each question's label and the chosen labels."""
    out: dict[str, object] = {}
    asked = {question.key for question in questions}
    for question in questions:
        if question.key not in answers:
            continue
        value = answers[question.key]
        options = {code: str(text) for code, text in question.options()}
        if isinstance(value, list):
            shown: object = [options.get(str(v), str(v)) for v in value]
        else:
            shown = options.get(str(value), plain(value))
        out[str(question.label)] = shown
    # Anything a stage no longer asks stays, under its key, rather than being lost.
    out |= {key: plain(value) for key, value in answers.items() if key not in asked}
    return out


def _step_rows(member: Membership) -> models.QuerySet[PathStep]:
    return (
        _case_query(PathStep, member)
        .select_related("concern", "recorded_by__user")
        .order_by("recorded_at")
    )


def _step_export(rows: Sequence[PathStep], member: Membership) -> list[Item]:
    out = []
    for row in rows:
        spec = paths.spec_for(row.concern)
        stage = spec.stage(row.stage) if spec else None
        out.append(
            {
                label(Concern, "path"): str(row.concern.get_path_display()),
                label(PathStep, "stage"): str(stage.title) if stage else row.stage,
                label(PathStep, "answers"): _answers(stage.questions if stage else (), row.answers),
                label(PathStep, "notes"): _text(row.notes),
            }
            | fields(row, "recorded_by", "recorded_at")
        )
    return out


def _step_sample(member: Membership) -> object:
    concern = _sample_concern(member)
    step = PathStep(
        organisation_id=member.organisation_id,
        concern=concern,
        person=member,
        stage="describe",
        recorded_by=concern.raised_by,
    )
    step.notes = "The rota shows the late mornings"
    step.save()
    return step


def _target_rows(member: Membership) -> models.QuerySet[Target]:
    return _case_query(Target, member).select_related("set_by__user").order_by("set_at")


def _target_export(rows: Sequence[Target], member: Membership) -> list[Item]:
    return [
        fields(row, "measure")
        | {label(Target, "description"): _text(row.description)}
        | fields(row, "review_on")
        | {
            label(Target, "feedback_sources"): _text(row.feedback_sources),
            label(Target, "self_reflection"): _text(row.self_reflection),
        }
        | fields(row, "outcome", "reviewed_at", "set_by", "set_at")
        for row in rows
    ]


def _target_sample(member: Membership) -> object:
    concern = _sample_concern(member)
    target = Target(
        organisation_id=member.organisation_id,
        concern=concern,
        person=member,
        measure=Target.Measure.TIME_KEEPING,
        review_on=member.organisation.local_today() + dt.timedelta(days=28),
        set_by=concern.raised_by,
    )
    target.description = "At the handover by eight"
    target.feedback_sources = "The handover sign-in sheet"
    target.save()
    return target


def _handoff_rows(member: Membership) -> models.QuerySet[Handoff]:
    return (
        _case_query(Handoff, member)
        .select_related("requested_by__user", "countersigned_by__user")
        .order_by("requested_at")
    )


def _handoff_export(rows: Sequence[Handoff], member: Membership) -> list[Item]:
    return [
        fields(row, "grounds")
        | {label(Handoff, "reason"): _text(row.reason)}
        | fields(row, "requested_by", "requested_at", "countersigned_by", "countersigned_at")
        | fields(row, "state")
        for row in rows
    ]


def _handoff_sample(member: Membership) -> object:
    concern = _sample_concern(member)
    handoff = Handoff(
        organisation_id=member.organisation_id,
        concern=concern,
        person=member,
        grounds=Handoff.Grounds.GROSS_MISCONDUCT,
        requested_by=concern.raised_by,
        state=Handoff.State.WAITING,
    )
    handoff.reason = "Left the van unlocked overnight"
    handoff.save()
    return handoff


def _investigation_rows(member: Membership) -> models.QuerySet[Investigation]:
    return (
        _case_query(Investigation, member)
        .prefetch_related("investigators__member__user")
        .order_by("opened_at")
    )


def _investigation_export(rows: Sequence[Investigation], member: Membership) -> list[Item]:
    """That it exists, its state and any suspension; who took part and what was found
    only once it is completed (§4.7; while open, ``withheld_investigations`` says so)."""
    out = []
    for row in rows:
        item = fields(row, "opened_at", "state", "suspended_from", "suspended_until")
        if not row.is_open():
            item[label(Investigator, "member")] = [i.member.name for i in row.investigators.all()]
            item[label(Investigation, "findings")] = _text(row.findings)
            item |= fields(row, "outcome", "closed_at")
        out.append(item)
    return out


def _investigation_sample(member: Membership) -> object:
    return _sample_investigation(member)


def withheld_investigations(member: Membership) -> list[tuple[str, str]]:
    """While an investigation about ``member`` is open, what is inside it (who investigates
    and what they found) is held back from their export: one line per open investigation,
    with the reason and nothing of what (§4.7; issue 4 item 7)."""
    count = Investigation.objects.filter(
        organisation_id=member.organisation_id,
        person=member,
        state=Investigation.State.OPEN,
    ).count()
    return [("investigation", str(INVESTIGATION_OPEN))] * count


def _advice_rows(member: Membership) -> models.QuerySet[AdviceRequest]:
    return _case_query(AdviceRequest, member).select_related("asked__user").order_by("asked_at")


def _advice_export(rows: Sequence[AdviceRequest], member: Membership) -> list[Item]:
    return [
        # "asked" names both the person asked and when: the person gets a label of its own.
        {_("Whom you asked"): row.asked.name}
        | fields(row, "asked_at")
        | {label(AdviceRequest, "question"): _text(row.question)}
        | {label(AdviceRequest, "answers"): _answers(FIVE_QUESTIONS, row.answers)}
        | {label(AdviceRequest, "reply"): _text(row.reply)}
        | fields(row, "outcome", "answered_at")
        for row in rows
    ]


def _advice_sample(member: Membership) -> object:
    advice = AdviceRequest(
        organisation_id=member.organisation_id, person=member, asked=_colleague(member)
    )
    advice.question = "A client I used to know from the programme invited me to a wedding"
    advice.save()
    return advice


# --- as the one who did something in someone else's case -----------------------------------


def _parts(row: models.Model, member: Membership, roles: dict[str, str]) -> list[str]:
    return [str(text) for name, text in roles.items() if getattr(row, f"{name}_id") == member.pk]


def _recorded_rows(member: Membership) -> models.QuerySet[Concern]:
    return (
        Concern.objects.filter(organisation_id=member.organisation_id)
        .filter(Q(raised_by=member) | Q(closed_by=member))
        .exclude(person=member)
        .order_by("raised_at")
    )


def _recorded_export(rows: Sequence[Concern], member: Membership) -> list[Item]:
    roles = {"raised_by": _("Recorded it"), "closed_by": _("Closed it")}
    return [
        {_("Your part"): _parts(row, member, roles)} | fields(row, "raised_at", "closed_at")
        for row in rows
    ]


def _recorded_sample(member: Membership) -> object:
    return _sample_concern(_colleague(member), raised_by=member)


def _meeting_part_rows(member: Membership) -> models.QuerySet[ReviewMeeting]:
    return (
        ReviewMeeting.objects.filter(organisation_id=member.organisation_id)
        .filter(Q(held_by=member) | Q(peer_supporter=member))
        .exclude(person=member)
        .order_by("starts_at")
    )


def _meeting_part_export(rows: Sequence[ReviewMeeting], member: Membership) -> list[Item]:
    roles = {"held_by": _("Held it"), "peer_supporter": _("Came as a peer supporter")}
    return [
        {_("Your part"): _parts(row, member, roles)} | fields(row, "starts_at", "state")
        for row in rows
    ]


def _meeting_part_sample(member: Membership) -> object:
    return _sample_meeting(_colleague(member), held_by=member)


def _handoff_part_rows(member: Membership) -> models.QuerySet[Handoff]:
    return (
        Handoff.objects.filter(organisation_id=member.organisation_id)
        .filter(Q(requested_by=member) | Q(countersigned_by=member))
        .exclude(person=member)
        .order_by("requested_at")
    )


def _handoff_part_export(rows: Sequence[Handoff], member: Membership) -> list[Item]:
    roles = {"requested_by": _("Asked for it"), "countersigned_by": _("Countersigned it")}
    return [
        {_("Your part"): _parts(row, member, roles)}
        | fields(row, "requested_at", "countersigned_at", "state")
        for row in rows
    ]


def _handoff_part_sample(member: Membership) -> object:
    concern = _sample_concern(_colleague(member), raised_by=member)
    return Handoff.objects.create(
        organisation_id=member.organisation_id,
        concern=concern,
        person=concern.person,
        grounds=Handoff.Grounds.GROSS_MISCONDUCT,
        requested_by=member,
        state=Handoff.State.WAITING,
    )


def _investigator_rows(member: Membership) -> models.QuerySet[Investigator]:
    return (
        Investigator.objects.filter(organisation_id=member.organisation_id, member=member)
        .exclude(investigation__person=member)
        .select_related("investigation")
        .order_by("added_at")
    )


def _investigator_export(rows: Sequence[Investigator], member: Membership) -> list[Item]:
    return [
        fields(row, "added_at")
        | {label(Investigation, "state"): str(row.investigation.get_state_display())}
        for row in rows
    ]


def _investigator_sample(member: Membership) -> object:
    investigation = _sample_investigation(_colleague(member))
    return Investigator.objects.create(
        organisation_id=member.organisation_id, investigation=investigation, member=member
    )


def _supporter_rows(member: Membership) -> models.QuerySet[NamedSupporter]:
    return (
        NamedSupporter.objects.filter(organisation_id=member.organisation_id, member=member)
        .exclude(concern__person=member)
        .select_related("concern")
        .order_by("added_at")
    )


def _supporter_export(rows: Sequence[NamedSupporter], member: Membership) -> list[Item]:
    return [
        fields(row, "added_at")
        | {_("The concern is"): str(row.concern.get_state_display()).lower()}
        for row in rows
    ]


def _supporter_sample(member: Membership) -> object:
    concern = _sample_concern(_colleague(member))
    return NamedSupporter.objects.create(
        organisation_id=member.organisation_id, concern=concern, member=member
    )


def _asked_rows(member: Membership) -> models.QuerySet[AdviceRequest]:
    return (
        AdviceRequest.objects.filter(organisation_id=member.organisation_id, asked=member)
        .exclude(person=member)
        .order_by("asked_at")
    )


def _asked_export(rows: Sequence[AdviceRequest], member: Membership) -> list[Item]:
    return [fields(row, "asked_at", "outcome", "answered_at") for row in rows]


def _asked_sample(member: Membership) -> object:
    advice = AdviceRequest(
        organisation_id=member.organisation_id, person=_colleague(member), asked=member
    )
    advice.question = "May I give a client a lift home after the clinic?"
    advice.save()
    return advice


# --- the register ---------------------------------------------------------------------------


def _case_entry(
    key: str,
    model: type[models.Model],
    title: str | Promise,
    rows: Callable[[Membership], Iterable[Any]],
    export: Callable[[Sequence[Any], Membership], list[Item]],
    sample: Callable[[Membership], object],
) -> PersonalData:
    return PersonalData(
        key=key,
        model=model,
        title=title,
        rows=rows,
        export=export,
        on_erasure=OnErasure.ANONYMISE,
        explanation=CASE_KEPT,
        erase=_delete_case,
        sample=sample,
    )


def register() -> None:
    """Called from ``ConcernsConfig.ready``."""
    for item in (
        _case_entry(
            "concerns.concern",
            Concern,
            gettext_lazy("Concerns about your work"),
            _concern_rows,
            _concern_export,
            _sample_concern,
        ),
        _case_entry(
            "concerns.review_meeting",
            ReviewMeeting,
            gettext_lazy("Review meetings with you"),
            _meeting_rows,
            _meeting_export,
            _meeting_sample,
        ),
        _case_entry(
            "concerns.meeting_note",
            MeetingNote,
            gettext_lazy("Notes of your review meetings"),
            _note_rows,
            _note_export,
            _note_sample,
        ),
        _case_entry(
            "concerns.path_step",
            PathStep,
            gettext_lazy("The stages recorded on a concern about your work"),
            _step_rows,
            _step_export,
            _step_sample,
        ),
        _case_entry(
            "concerns.target",
            Target,
            gettext_lazy("Targets for your work"),
            _target_rows,
            _target_export,
            _target_sample,
        ),
        _case_entry(
            "concerns.handoff",
            Handoff,
            gettext_lazy("Hand-offs to the disciplinary procedure"),
            _handoff_rows,
            _handoff_export,
            _handoff_sample,
        ),
        _case_entry(
            "concerns.investigation",
            Investigation,
            gettext_lazy("Investigations about you"),
            _investigation_rows,
            _investigation_export,
            _investigation_sample,
        ),
        PersonalData(
            key="concerns.advice_request",
            model=AdviceRequest,
            title=gettext_lazy("Your requests for advice"),
            rows=_advice_rows,
            export=_advice_export,
            on_erasure=OnErasure.ERASE_ON_LEAVING,
            explanation=gettext_lazy(
                "Yours: kept while you work here, since an approval may be what you rely on, "
                "and deleted once you have left. What you wrote is sealed with your key: once "
                "you are erased, nobody can read it."
            ),
            sample=_advice_sample,
        ),
        PersonalData(
            key="concerns.recorded",
            model=Concern,
            title=gettext_lazy("Concerns you recorded or closed"),
            rows=_recorded_rows,
            export=_recorded_export,
            on_erasure=OnErasure.KEEP,
            explanation=YOUR_PART_KEPT,
            sample=_recorded_sample,
        ),
        PersonalData(
            key="concerns.meeting_part",
            model=ReviewMeeting,
            title=gettext_lazy("Review meetings you held or came to as a peer supporter"),
            rows=_meeting_part_rows,
            export=_meeting_part_export,
            on_erasure=OnErasure.KEEP,
            explanation=YOUR_PART_KEPT,
            sample=_meeting_part_sample,
        ),
        PersonalData(
            key="concerns.handoff_part",
            model=Handoff,
            title=gettext_lazy("Hand-offs you asked for or countersigned"),
            rows=_handoff_part_rows,
            export=_handoff_part_export,
            on_erasure=OnErasure.KEEP,
            explanation=YOUR_PART_KEPT,
            sample=_handoff_part_sample,
        ),
        PersonalData(
            key="concerns.investigator",
            model=Investigator,
            title=gettext_lazy("Investigations you took part in"),
            rows=_investigator_rows,
            export=_investigator_export,
            on_erasure=OnErasure.KEEP,
            explanation=gettext_lazy(
                "The organisation's record of who investigated: it stays, so that it can "
                "still be shown that nobody who supported the person investigated them. It "
                "never holds the person's name or the findings."
            ),
            sample=_investigator_sample,
        ),
        PersonalData(
            key="concerns.named_supporter",
            model=NamedSupporter,
            title=gettext_lazy("Colleagues you were named to support"),
            rows=_supporter_rows,
            export=_supporter_export,
            on_erasure=OnErasure.KEEP,
            explanation=gettext_lazy(
                "The organisation's record of who supported whom while a concern was open: "
                "it stays, so that it can still be shown that no supporter investigated. It "
                "never holds the colleague's name or the concern."
            ),
            sample=_supporter_sample,
        ),
        PersonalData(
            key="concerns.advice_asked",
            model=AdviceRequest,
            title=gettext_lazy("Requests for advice made to you"),
            rows=_asked_rows,
            export=_asked_export,
            on_erasure=OnErasure.KEEP,
            explanation=gettext_lazy(
                "The request belongs to the colleague who asked; it stays with them. Yours "
                "holds only when it was asked and answered, never who asked or what."
            ),
            sample=_asked_sample,
        ),
    ):
        register_personal_data(item)
    register_withholding(withheld_investigations)
