"""The review meeting pages (issue 8 item 2; App. 7, §4.2, App. 9 q5 and q7): planning a
meeting (about a concern, or on its own as supervision), the meeting page with its agenda
in App. 7's order, each side writing its own part, the staff member choosing a peer
supporter, holding or cancelling it, and the meeting note the two who were there agree.

Thin views: the first line is the record's gate (``access.meeting_for_member``,
``access.note_for_member``, or the concern's for a new meeting); the flows are in
``meetings``. A refused rule shows its message and keeps what was typed; a stale save
keeps it too and says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from peerwork.core.access import Action
from peerwork.core.models import Membership
from peerwork.core.versions import StaleVersion
from peerwork.core.views import MemberRequest, member_page
from peerwork.people.forms import VersionForm, put_errors
from peerwork.support import mentoring

from . import access, meetings, support_menu, wording
from .meeting_forms import (
    AGENDA_LABELS,
    AgendaForm,
    DisagreeForm,
    NoteForm,
    ScheduleForm,
    SupporterForm,
    agenda_initial,
)
from .models import MeetingNote, ReviewMeeting

LIST_LIMIT = 100


def _member(request: HttpRequest) -> Membership:
    return cast(MemberRequest, request).member


def _stale() -> str:
    return _(
        "Someone else changed this meeting meanwhile, so your change was not saved. What you "
        "typed is still here: save again to replace what is there now."
    )


def _message(error: ValidationError | PermissionDenied) -> str:
    if isinstance(error, ValidationError):
        return " ".join(str(m) for m in error.messages)
    return str(error) or _("You cannot do this here.")


def concern_url(meeting: ReviewMeeting) -> str | None:
    """The concern's page, once the intake area serves it."""
    if meeting.concern_id is None:
        return None
    try:
        return reverse("concerns:concern", args=[meeting.concern_id])
    except NoReverseMatch:
        return None


def _to_meeting(meeting: ReviewMeeting, anchor: str = "") -> HttpResponse:
    return redirect(reverse("concerns:review", args=[meeting.pk]) + anchor)


# --- what the page shows -----------------------------------------------------------------


@dataclass
class Shown:
    label: str
    text: str
    lines: list[str] = field(default_factory=list)
    theirs: bool = False  # written by the staff member


@dataclass
class Item:
    """One part of an agenda step: a field the reader writes, or what is written."""

    field: Any = None
    shown: Shown | None = None


@dataclass
class StepView:
    step: meetings.AgendaStep
    number: int
    items: list[Item]


def _shown(meeting: ReviewMeeting, name: str) -> Shown:
    label = str(AGENDA_LABELS[name])
    if name == "support_agreed":
        lines = [f"{line.label} ({line.guide})" for line in meetings.support_lines(meeting)]
        return Shown(label, "", lines)
    if name == "external_support":
        return Shown(label, meetings.external_support_text(meeting), theirs=True)
    if name == "meet_again":
        text = {True: _("Yes"), False: _("No")}.get(meeting.meet_again, "")  # type: ignore[arg-type]
        return Shown(label, text)
    return Shown(label, str(getattr(meeting, name) or ""), theirs=name in meetings.PERSON_FIELDS)


def _steps(meeting: ReviewMeeting, form: AgendaForm | None) -> list[StepView]:
    """The agenda in App. 7's order; each step's parts in order, as inputs for what the
    reader writes and as text for the rest."""
    editable = set(form.fields) if form is not None else set()
    views = []
    for number, step in enumerate(meetings.AGENDA, start=1):
        items = [
            Item(field=form[name])
            if form is not None and name in editable
            else Item(shown=_shown(meeting, name))
            for name in step.manager_fields + step.person_fields
        ]
        views.append(StepView(step=step, number=number, items=items))
    return views


def _page(
    request: HttpRequest,
    meeting: ReviewMeeting,
    *,
    agenda_form: AgendaForm | None = None,
    supporter_form: SupporterForm | None = None,
    note_form: NoteForm | None = None,
    disagree_form: DisagreeForm | None = None,
    stale: bool = False,
) -> HttpResponse:
    member = _member(request)
    side = meetings.side_of(member, meeting)
    open_meeting = meeting.state != ReviewMeeting.State.CANCELLED
    if agenda_form is None and side is not None and open_meeting:
        agenda_form = AgendaForm(side=side, meeting=meeting, initial=agenda_initial(meeting, side))
    is_person = member.pk == meeting.person_id
    scheduled = meeting.state == ReviewMeeting.State.SCHEDULED
    if supporter_form is None and is_person and scheduled:
        supporter_form = SupporterForm(
            meeting=meeting,
            initial={"peer_supporter": meeting.peer_supporter_id, "version": meeting.version},
        )
    note = meetings.note_of(meeting)
    manager = side == meetings.MANAGER
    may_write_note = (
        manager
        and note is None
        and (meeting.state == ReviewMeeting.State.HELD or meetings.may_mark_held(meeting))
    )
    if note_form is None and manager and open_meeting:
        if note is not None:
            note_form = NoteForm(
                initial={
                    "summary": str(note.summary or ""),
                    "review_on": note.review_on,
                    "version": note.version,
                }
            )
        elif may_write_note:
            note_form = NoteForm()
    party = meetings.party_of(member, meeting) if note is not None else None
    if disagree_form is None and party is not None and note is not None:
        disagree_form = DisagreeForm(
            initial={
                "disagreement": str(getattr(note, f"{party}_disagreement") or ""),
                "version": note.version,
            }
        )
    hints: dict[str, list[wording.Hint]] = {}
    for bound in (agenda_form, note_form, disagree_form):
        if bound is not None and bound.is_bound:
            hints.update(wording.hints_for_fields(bound))
    agenda_when = (
        [agenda_form[name] for name in ("starts_at", "place") if name in agenda_form.fields]
        if agenda_form is not None
        else []
    )
    context: dict[str, Any] = {
        "meeting": meeting,
        "local_start": meetings.local_start(meeting),
        "concern_url": concern_url(meeting),
        "side": side,
        "is_person": is_person,
        "manager": manager,
        "agenda_form": agenda_form,
        "agenda_when": agenda_when,
        "steps": _steps(meeting, agenda_form),
        "self_referral": support_menu.SELF_REFERRAL,
        "supporter_form": supporter_form,
        "confirmation": mentoring.confirmation_for(member, meeting.person),
        "may_hold": manager and meetings.may_mark_held(meeting),
        "may_cancel": manager and scheduled,
        "note": note,
        "note_form": note_form,
        "may_write_note": may_write_note,
        "party": party,
        "waiting": note is not None and meetings.waiting_for(member, note),
        "disagree_form": disagree_form,
        "not_a_warning": meetings.NOT_A_WARNING,
        "external_support": meetings.external_support_text(meeting),
        "support_lines": meetings.support_lines(meeting),
        "hints": hints,
        "stale": stale,
    }
    return render(request, "concerns/review.html", context)


# --- lists and planning ------------------------------------------------------------------


@require_safe
@member_page
def reviews(request: HttpRequest) -> HttpResponse:
    """The review meetings the member is part of or works on: planned ones first."""
    member = _member(request)
    if not access.uses_concerns(member):
        raise Http404
    found = meetings.meetings_visible_to(member)
    planned = list(
        found.filter(state=ReviewMeeting.State.SCHEDULED).order_by("starts_at")[:LIST_LIMIT]
    )
    past = list(found.exclude(state=ReviewMeeting.State.SCHEDULED)[:LIST_LIMIT])
    context = {
        "planned": planned,
        "past": past,
        "may_plan": meetings.plans_meetings(member),
    }
    return render(request, "concerns/reviews.html", context)


@require_http_methods(["GET", "POST"])
@member_page
def review_new(request: HttpRequest) -> HttpResponse:
    """The line manager or HR plans a review meeting: about a concern (``?concern=``) or on
    its own, as part of supervision (App. 7)."""
    member = _member(request)
    concern_id = request.GET.get("concern")
    concern = access.concern_for_member(member, concern_id, Action.CHANGE) if concern_id else None
    if concern is None:
        if not access.uses_concerns(member):
            raise Http404
        if not meetings.plans_meetings(member):
            raise PermissionDenied
    with_person = concern is None
    if request.method != "POST":
        initial = {"person": request.GET.get("person")} if with_person else {}
        form = ScheduleForm(member=member, with_person=with_person, initial=initial)
    else:
        form = ScheduleForm(request.POST, member=member, with_person=with_person)
        if form.is_valid():
            try:
                meeting = meetings.schedule_meeting(
                    actor=member,
                    person=form.cleaned_data.get("person"),
                    starts_at=form.cleaned_data.get("starts_at"),
                    place=form.cleaned_data.get("place") or "",
                    concern=concern,
                )
            except ValidationError as error:
                put_errors(form, error)
            else:
                messages.success(
                    request,
                    _(
                        "The meeting is planned. %(name)s is told and can choose to bring a "
                        "peer supporter."
                    )
                    % {"name": meeting.person.name},
                )
                return _to_meeting(meeting)
    context = {"form": form, "concern": concern}
    return render(request, "concerns/review_new.html", context)


# --- the meeting ---------------------------------------------------------------------------


@require_safe
@member_page
def review_page(request: HttpRequest, review_id: str) -> HttpResponse:
    meeting = access.meeting_for_member(_member(request), review_id)
    return _page(request, meeting)


@require_POST
@member_page
def review_agenda(request: HttpRequest, review_id: str) -> HttpResponse:
    """Each side saves its own part: the manager (or HR) the agenda, the staff member their
    account, their worries about the job and how support outside work is worded."""
    meeting = access.meeting_for_member(_member(request), review_id, Action.CHANGE)
    member = _member(request)
    side = meetings.side_of(member, meeting)
    if side is None:
        raise PermissionDenied
    form = AgendaForm(request.POST, side=side, meeting=meeting)
    stale = False
    if form.is_valid():
        version = form.cleaned_data.get("version")
        try:
            meetings.change_meeting(
                actor=member,
                meeting=meeting,
                changes=form.changes(),
                version=meeting.version if version is None else version,
            )
        except ValidationError as error:
            put_errors(form, error)
        except StaleVersion:
            meeting = access.meeting_for_member(member, review_id)
            form.keep_typing_over(meeting.version)
            stale = True
        else:
            messages.success(
                request,
                _("Your account is saved.") if side == meetings.PERSON else _("Saved."),
            )
            wording.add_hint_messages(request, wording.hints_for_fields(form))
            return _to_meeting(meeting)
    return _page(request, meeting, agenda_form=form, stale=stale)


@require_POST
@member_page
def review_supporter(request: HttpRequest, review_id: str) -> HttpResponse:
    """The staff member brings a peer supporter, or nobody."""
    meeting = access.meeting_for_member(_member(request), review_id, Action.CHANGE)
    member = _member(request)
    form = SupporterForm(request.POST, meeting=meeting)
    stale = False
    if form.is_valid():
        version = form.cleaned_data.get("version")
        try:
            meetings.choose_supporter(
                actor=member,
                meeting=meeting,
                supporter=form.cleaned_data.get("peer_supporter"),
                version=meeting.version if version is None else version,
            )
        except ValidationError as error:
            if member.pk != meeting.person_id:
                messages.error(request, _message(error))
                return _to_meeting(meeting)
            put_errors(form, error)
        except StaleVersion:
            meeting = access.meeting_for_member(member, review_id)
            form.keep_typing_over(meeting.version)
            stale = True
        else:
            if meeting.peer_supporter is not None:
                messages.success(
                    request,
                    _("%(name)s is asked to come with you.")
                    % {"name": meeting.peer_supporter.name},
                )
            else:
                messages.success(request, _("Saved: you come on your own."))
            return _to_meeting(meeting)
    if member.pk != meeting.person_id:
        return _to_meeting(meeting)
    return _page(request, meeting, supporter_form=form, stale=stale)


def _act(request: HttpRequest, review_id: str, flow: Any, done: str) -> HttpResponse:
    meeting = access.meeting_for_member(_member(request), review_id, Action.CHANGE)
    form = VersionForm(request.POST)
    version = form.cleaned_data.get("version") if form.is_valid() else None
    try:
        flow(actor=_member(request), meeting=meeting, version=version)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, _message(error))
    except StaleVersion:
        messages.error(request, _stale())
    else:
        messages.success(request, done)
    return _to_meeting(meeting)


@require_POST
@member_page
def review_held(request: HttpRequest, review_id: str) -> HttpResponse:
    return _act(
        request,
        review_id,
        meetings.mark_held,
        _("The meeting is marked held. Write its note when you are ready."),
    )


@require_POST
@member_page
def review_cancel(request: HttpRequest, review_id: str) -> HttpResponse:
    return _act(request, review_id, meetings.cancel_meeting, _("The meeting is cancelled."))


# --- the meeting note ------------------------------------------------------------------------


@require_POST
@member_page
def review_note(request: HttpRequest, review_id: str) -> HttpResponse:
    """The manager (or HR) writes the note of a held meeting."""
    meeting = access.meeting_for_member(_member(request), review_id, Action.CHANGE)
    member = _member(request)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            meetings.write_note(
                actor=member,
                meeting=meeting,
                summary=form.cleaned_data.get("summary") or "",
                review_on=form.cleaned_data.get("review_on"),
            )
        except PermissionDenied as error:
            messages.error(request, _message(error))
            return _to_meeting(meeting)
        except ValidationError as error:
            put_errors(form, error)
        else:
            messages.success(
                request,
                _("The note is written. %(name)s is asked to read it and say whether they agree.")
                % {"name": meeting.person.name},
            )
            wording.add_hint_messages(request, wording.hints_for_fields(form))
            return _to_meeting(meeting, "#note")
    return _page(request, meeting, note_form=form)


def _note_meeting(request: HttpRequest, note: MeetingNote) -> ReviewMeeting:
    return access.meeting_for_member(_member(request), note.meeting_id)


@require_POST
@member_page
def meeting_note_edit(request: HttpRequest, meeting_note_id: str) -> HttpResponse:
    """The manager (or HR) changes the summary or the date to meet again; a new summary
    asks both again."""
    note = access.note_for_member(_member(request), meeting_note_id, Action.CHANGE)
    member = _member(request)
    meeting = _note_meeting(request, note)
    form = NoteForm(request.POST)
    stale = False
    if form.is_valid():
        version = form.cleaned_data.get("version")
        try:
            meetings.change_note(
                actor=member,
                note=note,
                summary=form.cleaned_data.get("summary") or "",
                review_on=form.cleaned_data.get("review_on"),
                version=note.version if version is None else version,
            )
        except PermissionDenied as error:
            messages.error(request, _message(error))
            return _to_meeting(meeting, "#note")
        except ValidationError as error:
            put_errors(form, error)
        except StaleVersion:
            note.refresh_from_db()
            form.keep_typing_over(note.version)
            stale = True
        else:
            messages.success(request, _("The note is saved."))
            wording.add_hint_messages(request, wording.hints_for_fields(form))
            return _to_meeting(meeting, "#note")
    return _page(request, meeting, note_form=form, stale=stale)


@require_POST
@member_page
def meeting_note_agree(request: HttpRequest, meeting_note_id: str) -> HttpResponse:
    """One of the two who were there agrees the note; anyone else is told who agrees it.
    (The gate reads; ``meetings.answer_note`` says who answers.)"""
    note = access.note_for_member(_member(request), meeting_note_id)
    meeting = _note_meeting(request, note)
    form = VersionForm(request.POST)
    version = form.cleaned_data.get("version") if form.is_valid() else None
    try:
        meetings.answer_note(actor=_member(request), note=note, agrees=True, version=version)
    except (PermissionDenied, ValidationError) as error:
        messages.error(request, _message(error))
    except StaleVersion:
        messages.error(
            request,
            _("The note was changed meanwhile, so nothing was saved. Please read it again."),
        )
    else:
        messages.success(request, _("You agreed the note."))
    return _to_meeting(meeting, "#note")


@require_POST
@member_page
def meeting_note_disagree(request: HttpRequest, meeting_note_id: str) -> HttpResponse:
    """One of the two who were there records what they disagree with, beside the note."""
    note = access.note_for_member(_member(request), meeting_note_id)
    meeting = _note_meeting(request, note)
    form = DisagreeForm(request.POST)
    if form.is_valid():
        version = form.cleaned_data.get("version")
        try:
            meetings.answer_note(
                actor=_member(request),
                note=note,
                agrees=False,
                disagreement=form.cleaned_data.get("disagreement") or "",
                version=version,
            )
        except PermissionDenied as error:
            messages.error(request, _message(error))
            return _to_meeting(meeting, "#note")
        except ValidationError as error:
            put_errors(form, error)
        except StaleVersion:
            note.refresh_from_db()
            form.keep_typing_over(note.version)
            form.add_error(
                None,
                _(
                    "The note was changed meanwhile, so nothing was saved. Please read it "
                    "again; what you typed is still here."
                ),
            )
        else:
            messages.success(request, _("What you disagree with is kept beside the note."))
            return _to_meeting(meeting, "#note")
    if meetings.party_of(_member(request), meeting) is None:
        messages.error(request, str(meetings.NOT_THERE))
        return _to_meeting(meeting, "#note")
    return _page(request, meeting, disagree_form=form)
