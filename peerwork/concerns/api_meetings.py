"""Review meetings and meeting notes through the API (issue 8 items 2 and 8; App. 7;
shared/API.md).

Thin handlers: each finds the acting membership, calls the record's gate first
(``access.meeting_for_member``, ``access.note_for_member``), then a flow in ``meetings``,
and answers with a typed schema built here. Flows raise ``ValidationError`` (400, the
fields at fault named, nothing saved), ``PermissionDenied`` (403: someone who reads the
meeting but may not do this) and ``StaleVersion`` (409); gates raise ``Http404`` (404:
missing, another organisation's, or not the asker's to see, one answer).

What each side may change follows the [record: concerns] rows of the access matrix: the
manager (or HR) writes the agenda; the staff member, and only they, word their account,
their worries about the job and their support outside work, and choose a peer supporter.
A field of the other side is refused with 400 naming it. Only the two who were there
answer the note; anyone else gets 403 with the reason.

No ``from __future__ import annotations`` here: ``@paginate`` wraps handlers in
django-ninja's module, where the schemas' names could not be looked up.
"""

import datetime as dt
import uuid
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Header, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from peerwork.api.auth import member_of
from peerwork.api.schemas import Pages, PersonRef, Text, Time, codes, errors, person_ref
from peerwork.core import access as core_access
from peerwork.core.access import Action
from peerwork.core.api import etag, version_from
from peerwork.core.models import Membership
from peerwork.core.versions import StaleVersion
from peerwork.support import mentoring

from . import access, meetings, wording
from .models import MeetingNote, ReviewMeeting

router = Router(tags=["review meetings"])

StateCode = Annotated[ReviewMeeting.State, codes(ReviewMeeting.State)]

IfMatchRequired = Header(
    ...,
    alias="If-Match",
    description="The `version` as you read it (also the `ETag`); 409 if it changed since.",
)
IfMatchOptional = Header(
    None,
    alias="If-Match",
    description="Optional: the `version` as you read it; 409 if it changed since.",
)


def _member(request: HttpRequest) -> Membership:
    member = member_of(request)
    if not access.uses_concerns(member):
        raise Http404
    return member


def _version(if_match: str | None) -> int | None:
    return None if if_match is None else version_from(if_match)


def _colleague(member: Membership, wanted: uuid.UUID | None, field: str) -> Membership | None:
    """Someone named in a body, through the directory's gate; unseen is the field's fault."""
    if wanted is None:
        return None
    try:
        return core_access.membership_for_member(member, wanted)
    except Http404:
        raise ValidationError({field: [_("Choose someone from your organisation.")]}) from None


# --- shapes ----------------------------------------------------------------------------------


class HintOut(Schema):
    """A gentle note about a word typed (``peerwork.concerns.wording``): never a block."""

    field: str
    word: str
    instead: str
    message: str


def _hints(texts: dict[str, object]) -> list[dict[str, str]]:
    found = wording.hints_for_fields({k: v for k, v in texts.items() if isinstance(v, str)})
    return [
        {"field": name, "word": h.word, "instead": h.instead, "message": h.message}
        for name, group in found.items()
        for h in group
    ]


class SupportItem(Schema):
    code: str
    label: str
    guide: str = Field(description="The guide's section for it.")


class ConfirmationOut(Schema):
    """A peer mentor's or coach's yes or no that support is taking place, shown only when
    the staff member consents to it (§4.2)."""

    taking_place: bool
    made_at: Time


class ReviewMeetingSummary(Schema):
    id: uuid.UUID
    concern: uuid.UUID | None = Field(description="Null for a meeting on its own (supervision).")
    person: PersonRef
    held_by: PersonRef
    peer_supporter: PersonRef | None
    starts_at: Time
    place: str
    state: StateCode
    state_label: str
    note: uuid.UUID | None = Field(description="Its meeting note, once written.")
    version: int


class ReviewMeetingOut(ReviewMeetingSummary):
    """A review meeting and its agenda in App. 7's order."""

    purpose: str
    issue_and_standards: str
    expected_level: str
    person_account: str = Field(description="Worded by the staff member only.")
    job_concerns: str = Field(description="Worded by the staff member only.")
    support_agreed: list[str] = Field(description="Codes from the Section 3 menu.")
    support: list[SupportItem] = Field(description="The support agreed, in words.")
    support_details: str
    external_support: str = Field(
        description="How the record mentions support outside work: the staff member's words, "
        "or “External support agreed” when agreed and left blank; empty when not agreed."
    )
    external_support_worded: bool
    meet_again: bool | None
    held_at: Time | None
    your_side: str | None = Field(
        description="`manager` (the agenda), `person` (their own part), or null (read only)."
    )
    mentor_confirmation: ConfirmationOut | None
    hints: list[HintOut] = Field(
        default_factory=list, description="Wording hints about what was just sent."
    )


def _note_ids(found: list[ReviewMeeting]) -> dict[uuid.UUID, uuid.UUID]:
    if not found:
        return {}
    return dict(
        MeetingNote.objects.filter(
            organisation_id=found[0].organisation_id, meeting__in=[m.pk for m in found]
        ).values_list("meeting_id", "pk")
    )


def _summary_out(meeting: ReviewMeeting, note_id: uuid.UUID | None) -> dict[str, Any]:
    return {
        "id": meeting.pk,
        "concern": meeting.concern_id,
        "person": person_ref(meeting.person),
        "held_by": person_ref(meeting.held_by),
        "peer_supporter": person_ref(meeting.peer_supporter),
        "starts_at": meeting.starts_at,
        "place": meeting.place,
        "state": meeting.state,
        "state_label": str(ReviewMeeting.State(meeting.state).label),
        "note": note_id,
        "version": meeting.version,
    }


def _meeting_out(
    member: Membership, meeting: ReviewMeeting, hints: list[dict[str, str]] | None = None
) -> dict[str, Any]:
    note = meetings.note_of(meeting)
    confirmation = mentoring.confirmation_for(member, meeting.person)
    return {
        **_summary_out(meeting, note.pk if note else None),
        "purpose": str(meeting.purpose or ""),
        "issue_and_standards": str(meeting.issue_and_standards or ""),
        "expected_level": str(meeting.expected_level or ""),
        "person_account": str(meeting.person_account or ""),
        "job_concerns": str(meeting.job_concerns or ""),
        "support_agreed": list(meeting.support_agreed or []),
        "support": [
            {"code": line.code, "label": line.label, "guide": line.guide}
            for line in meetings.support_lines(meeting)
        ],
        "support_details": str(meeting.support_details or ""),
        "external_support": meetings.external_support_text(meeting),
        "external_support_worded": bool(str(meeting.external_support or "").strip()),
        "meet_again": meeting.meet_again,
        "held_at": meeting.held_at,
        "your_side": meetings.side_of(member, meeting),
        "mentor_confirmation": (
            {"taking_place": confirmation.taking_place, "made_at": confirmation.made_at}
            if confirmation is not None
            else None
        ),
        "hints": hints or [],
    }


# --- review meetings ---------------------------------------------------------------------------


@router.get(
    "/review-meetings",
    response={200: list[ReviewMeetingSummary], **errors(404)},
    summary="Review meetings",
)
@paginate(Pages)
def meeting_list(request: HttpRequest) -> list[dict[str, Any]]:
    """The review meetings you may read, latest first: your own, those you hold or were
    brought to as a peer supporter, your reports' (line managers), everyone's (HR)."""
    member = _member(request)
    found = list(meetings.meetings_visible_to(member).order_by("-starts_at", "id"))
    notes = _note_ids(found)
    return [_summary_out(meeting, notes.get(meeting.pk)) for meeting in found]


class ReviewMeetingIn(Schema):
    person: uuid.UUID | None = Field(
        None, description="The staff member; optional when `concern` is given (its person)."
    )
    concern: uuid.UUID | None = Field(
        None, description="The concern it is about; null for a meeting on its own."
    )
    starts_at: dt.datetime = Field(description="When, with its offset.")
    place: Text = Field("", max_length=meetings.PLACE_MAX)


@router.post(
    "/review-meetings",
    response={201: ReviewMeetingOut, **errors(400, 403, 404)},
    summary="Plan a review meeting",
)
def meeting_create(
    request: HttpRequest, payload: ReviewMeetingIn, response: HttpResponse
) -> Status:
    """The staff member's line manager or HR plans a meeting (App. 7), about a concern or
    on its own. The staff member is told, with a link and no details."""
    member = _member(request)
    concern = None
    if payload.concern is not None:
        try:
            concern = access.concern_for_member(member, payload.concern, Action.CHANGE)
        except Http404:
            raise ValidationError({"concern": [_("Choose a concern you work on.")]}) from None
    person = _colleague(member, payload.person, "person")
    meeting = meetings.schedule_meeting(
        actor=member,
        person=person,
        starts_at=payload.starts_at,
        place=payload.place,
        concern=concern,
    )
    etag(response, meeting.version)
    return Status(201, _meeting_out(member, meeting))


@router.get(
    "/review-meetings/{review_id}",
    response={200: ReviewMeetingOut, **errors(404)},
    summary="One review meeting",
)
def meeting_detail(request: HttpRequest, review_id: str, response: HttpResponse) -> dict[str, Any]:
    """For its two people, the peer supporter the staff member brought, the person's line
    manager and HR."""
    member = member_of(request)
    meeting = access.meeting_for_member(member, review_id)
    etag(response, meeting.version)
    return _meeting_out(member, meeting)


class ReviewMeetingChange(Schema):
    """Only the fields sent change. The manager (or HR): `starts_at`, `place`, `purpose`,
    `issue_and_standards`, `expected_level`, `support_agreed`, `support_details`,
    `meet_again`. The staff member: `person_account`, `job_concerns`, `external_support`
    and `peer_supporter` (null: nobody). Another side's field is refused with 400."""

    starts_at: dt.datetime | None = None
    place: Text | None = Field(None, max_length=meetings.PLACE_MAX)
    purpose: Text | None = Field(None, max_length=meetings.TEXT_MAX)
    issue_and_standards: Text | None = Field(None, max_length=meetings.TEXT_MAX)
    expected_level: Text | None = Field(None, max_length=meetings.TEXT_MAX)
    support_agreed: list[str] | None = Field(None, max_length=50)
    support_details: Text | None = Field(None, max_length=meetings.TEXT_MAX)
    meet_again: bool | None = None
    person_account: Text | None = Field(None, max_length=meetings.TEXT_MAX)
    job_concerns: Text | None = Field(None, max_length=meetings.TEXT_MAX)
    external_support: Text | None = Field(None, max_length=meetings.TEXT_MAX)
    peer_supporter: uuid.UUID | None = None


@router.patch(
    "/review-meetings/{review_id}",
    response={200: ReviewMeetingOut, **errors(400, 403, 404, 409)},
    summary="Change a review meeting",
)
def meeting_change(
    request: HttpRequest,
    review_id: str,
    payload: ReviewMeetingChange,
    response: HttpResponse,
    if_match: str = IfMatchRequired,
) -> dict[str, Any]:
    """Each side changes its own part at the version read (see the body's fields); nothing
    changes when any field sent is refused."""
    member = member_of(request)
    meeting = access.meeting_for_member(member, review_id, Action.CHANGE)
    version = version_from(if_match)
    sent = payload.model_fields_set
    changes: dict[str, object] = {}
    for name in sent - {"peer_supporter"}:
        value = getattr(payload, name)
        if name == "support_agreed" and value is None:
            value = []
        elif name in meetings.TEXT_FIELDS or name == "place":
            value = value or ""
        changes[name] = value
    meetings.check_changes(member, meeting, sent)
    meetings.clean_changes(changes)
    if "peer_supporter" in sent:
        supporter = _colleague(member, payload.peer_supporter, "peer_supporter")
        meetings.choose_supporter(
            actor=member, meeting=meeting, supporter=supporter, version=version
        )
        version = meeting.version
    if changes:
        meetings.change_meeting(actor=member, meeting=meeting, changes=changes, version=version)
    elif "peer_supporter" not in sent and version != meeting.version:
        raise StaleVersion
    etag(response, meeting.version)
    return _meeting_out(member, meeting, _hints(changes))


@router.post(
    "/review-meetings/{review_id}/held",
    response={200: ReviewMeetingOut, **errors(400, 403, 404, 409)},
    summary="Mark a review meeting held",
)
def meeting_held(
    request: HttpRequest,
    review_id: str,
    response: HttpResponse,
    if_match: str | None = IfMatchOptional,
) -> dict[str, Any]:
    """The manager (or HR), from the day it was planned for where the organisation works.
    Marking it held again changes nothing."""
    member = member_of(request)
    meeting = access.meeting_for_member(member, review_id, Action.CHANGE)
    meetings.mark_held(actor=member, meeting=meeting, version=_version(if_match))
    etag(response, meeting.version)
    return _meeting_out(member, meeting)


@router.post(
    "/review-meetings/{review_id}/cancel",
    response={200: ReviewMeetingOut, **errors(400, 403, 404, 409)},
    summary="Cancel a review meeting",
)
def meeting_cancel(
    request: HttpRequest,
    review_id: str,
    response: HttpResponse,
    if_match: str | None = IfMatchOptional,
) -> dict[str, Any]:
    """The manager (or HR) cancels a planned meeting; a held one stays held (400)."""
    member = member_of(request)
    meeting = access.meeting_for_member(member, review_id, Action.CHANGE)
    meetings.cancel_meeting(actor=member, meeting=meeting, version=_version(if_match))
    etag(response, meeting.version)
    return _meeting_out(member, meeting)


# --- meeting notes -------------------------------------------------------------------------


class NoteOut(Schema):
    """A meeting note (App. 7): not a warning, outside any disciplinary proceedings. Each
    of the two who were there agrees it or records what they disagree with."""

    id: uuid.UUID
    meeting: uuid.UUID
    person: PersonRef
    manager: PersonRef = Field(description="The manager who held the meeting.")
    summary: str
    review_on: dt.date | None = Field(description="The date agreed to meet again.")
    written_by: PersonRef | None
    written_at: Time
    status: str = Field(description="What the note is, and is not, in words.")
    person_response: str = Field(description="`agreed`, `disagreed`, or empty.")
    person_responded_at: Time | None
    person_disagreement: str
    manager_response: str = Field(description="`agreed`, `disagreed`, or empty.")
    manager_responded_at: Time | None
    manager_disagreement: str
    agreed: bool = Field(description="Both agreed it.")
    settled: bool = Field(description="Both answered: agreed, or a disagreement beside it.")
    waiting_for_you: bool
    version: int
    hints: list[HintOut] = Field(
        default_factory=list, description="Wording hints about what was just sent."
    )


def _note_out(
    member: Membership, note: MeetingNote, hints: list[dict[str, str]] | None = None
) -> dict[str, Any]:
    meeting = note.meeting
    return {
        "id": note.pk,
        "meeting": meeting.pk,
        "person": person_ref(meeting.person),
        "manager": person_ref(meeting.held_by),
        "summary": str(note.summary or ""),
        "review_on": note.review_on,
        "written_by": person_ref(note.written_by),
        "written_at": note.written_at,
        "status": str(meetings.NOT_A_WARNING),
        "person_response": note.person_response,
        "person_responded_at": note.person_responded_at,
        "person_disagreement": str(note.person_disagreement or ""),
        "manager_response": note.manager_response,
        "manager_responded_at": note.manager_responded_at,
        "manager_disagreement": str(note.manager_disagreement or ""),
        "agreed": note.is_agreed(),
        "settled": note.is_settled(),
        "waiting_for_you": meetings.waiting_for(member, note),
        "version": note.version,
        "hints": hints or [],
    }


class NoteIn(Schema):
    summary: Text = Field(max_length=meetings.SUMMARY_MAX)
    review_on: dt.date | None = Field(
        None, description="When you agreed to meet again to review progress; after today."
    )


@router.post(
    "/review-meetings/{review_id}/note",
    response={201: NoteOut, **errors(400, 403, 404)},
    summary="Write the meeting note",
)
def note_create(
    request: HttpRequest, review_id: str, payload: NoteIn, response: HttpResponse
) -> Status:
    """The manager (or HR) writes the note once the meeting is held (on or after its day,
    writing it marks a planned meeting held). The two who were there are asked to agree."""
    member = member_of(request)
    meeting = access.meeting_for_member(member, review_id, Action.CHANGE)
    note = meetings.write_note(
        actor=member, meeting=meeting, summary=payload.summary, review_on=payload.review_on
    )
    etag(response, note.version)
    return Status(201, _note_out(member, note, _hints({"summary": payload.summary})))


@router.get(
    "/meeting-notes/{meeting_note_id}",
    response={200: NoteOut, **errors(404)},
    summary="One meeting note",
)
def note_detail(
    request: HttpRequest, meeting_note_id: str, response: HttpResponse
) -> dict[str, Any]:
    """Read like its meeting."""
    member = member_of(request)
    note = access.note_for_member(member, meeting_note_id)
    etag(response, note.version)
    return _note_out(member, note)


class NoteChange(Schema):
    """Only the fields sent change; `review_on: null` removes the date."""

    summary: Text | None = Field(None, max_length=meetings.SUMMARY_MAX)
    review_on: dt.date | None = None


@router.patch(
    "/meeting-notes/{meeting_note_id}",
    response={200: NoteOut, **errors(400, 403, 404, 409)},
    summary="Change a meeting note",
)
def note_change(
    request: HttpRequest,
    meeting_note_id: str,
    payload: NoteChange,
    response: HttpResponse,
    if_match: str = IfMatchRequired,
) -> dict[str, Any]:
    """The manager (or HR) changes the summary or the date to meet again. A new summary
    clears both answers: both are asked again."""
    member = member_of(request)
    note = access.note_for_member(member, meeting_note_id, Action.CHANGE)
    sent = payload.model_fields_set
    summary = (payload.summary or "") if "summary" in sent else str(note.summary or "")
    meetings.change_note(
        actor=member,
        note=note,
        summary=summary,
        review_on=payload.review_on if "review_on" in sent else note.review_on,
        version=version_from(if_match),
    )
    etag(response, note.version)
    return _note_out(member, note, _hints({"summary": payload.summary}))


@router.post(
    "/meeting-notes/{meeting_note_id}/agree",
    response={200: NoteOut, **errors(403, 404, 409)},
    summary="Agree a meeting note",
)
def note_agree(
    request: HttpRequest,
    meeting_note_id: str,
    response: HttpResponse,
    if_match: str | None = IfMatchOptional,
) -> dict[str, Any]:
    """The staff member or the manager who held the meeting agrees the note; anyone else
    gets 403 with the reason, and nothing changes."""
    member = member_of(request)
    note = access.note_for_member(member, meeting_note_id)
    meetings.answer_note(actor=member, note=note, agrees=True, version=_version(if_match))
    etag(response, note.version)
    return _note_out(member, note)


class DisagreeIn(Schema):
    disagreement: Text = Field(
        max_length=meetings.DISAGREEMENT_MAX,
        description="What you disagree with; kept beside the note.",
    )


@router.post(
    "/meeting-notes/{meeting_note_id}/disagree",
    response={200: NoteOut, **errors(400, 403, 404, 409)},
    summary="Record a disagreement with a meeting note",
)
def note_disagree(
    request: HttpRequest,
    meeting_note_id: str,
    payload: DisagreeIn,
    response: HttpResponse,
    if_match: str | None = IfMatchOptional,
) -> dict[str, Any]:
    """One of the two who were there records what they disagree with; it stays beside the
    note and both still read it. Anyone else: 403 with the reason."""
    member = member_of(request)
    note = access.note_for_member(member, meeting_note_id)
    meetings.answer_note(
        actor=member,
        note=note,
        agrees=False,
        disagreement=payload.disagreement,
        version=_version(if_match),
    )
    etag(response, note.version)
    return _note_out(member, note, _hints({"disagreement": payload.disagreement}))
