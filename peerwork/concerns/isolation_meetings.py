"""Makers of another organisation's review meetings and meeting notes for the organisation
isolation walk (``peerwork.core.isolation.register_isolation_maker``; nothing here runs in
production). The makers go by parameter name and serve the pages and the API alike.

- ``review_id``: a review meeting on its own (supervision, App. 7) that an HR officer there
  planned with its ordinary member (Taras at Riverside) for an hour ago, still planned. HR
  holds it, so the officer owns it: changes the agenda, marks it held, cancels it and
  writes its note (writing it marks the meeting held). The staff member's own part and the
  choice of a peer supporter are theirs: for HR those answer with the reason, on the
  meeting's page.
- ``meeting_note_id``: the note of such a meeting, held and written by that officer, who
  changes it and, as one of the two who were there, agrees it or records a disagreement.
"""

from __future__ import annotations

import datetime as dt
from typing import cast

from django.utils import timezone

from peerwork.core.isolation import (
    Body,
    Made,
    Other,
    register_isolation_maker,
    register_isolation_request,
)
from peerwork.core.models import Role

from . import meetings
from .models import MeetingNote, ReviewMeeting

API = "/api/v1"


def _planned(other: Other) -> ReviewMeeting:
    hr = other.member_with(Role.HR)
    return meetings.schedule_meeting(
        actor=hr,
        person=other.member,
        starts_at=timezone.now() - dt.timedelta(hours=1),
        place="Isolation room",
    )


def _review(other: Other) -> Made:
    meeting = _planned(other)
    return Made(value=str(meeting.pk), owner=other.member_with(Role.HR), obj=meeting)


def _note(other: Other) -> Made:
    meeting = _planned(other)
    hr = other.member_with(Role.HR)
    meetings.mark_held(actor=hr, meeting=meeting)
    note = meetings.write_note(actor=hr, meeting=meeting, summary="Isolation summary")
    return Made(value=str(note.pk), owner=hr, obj=note)


register_isolation_maker("review_id", _review)
register_isolation_maker("meeting_note_id", _note)


# --- what the changes send --------------------------------------------------------------


def _if_match(made: Made) -> dict[str, str]:
    return {"If-Match": f'"{cast(ReviewMeeting | MeetingNote, made.obj).version}"'}


def _agenda_form(made: Made) -> Body:
    meeting = cast(ReviewMeeting, made.obj)
    local = timezone.localtime(meeting.starts_at, meeting.person.organisation.zone)
    return Body(
        data={
            "version": str(meeting.version),
            "starts_at": local.strftime("%Y-%m-%dT%H:%M"),
            "place": "Isolation room, upstairs",
            "purpose": "Isolation purpose",
        }
    )


def _note_form(made: Made) -> Body:
    return Body(data={"summary": "Isolation summary"})


def _note_change_form(made: Made) -> Body:
    note = cast(MeetingNote, made.obj)
    return Body(data={"summary": "Isolation summary, changed", "version": str(note.version)})


def _disagree_form(made: Made) -> Body:
    note = cast(MeetingNote, made.obj)
    return Body(data={"disagreement": "Not as I recall it", "version": str(note.version)})


def _meeting_change(made: Made) -> Body:
    return Body(data={"place": "Isolation room, upstairs"}, headers=_if_match(made))


def _note_change(made: Made) -> Body:
    return Body(data={"summary": "Isolation summary, changed"}, headers=_if_match(made))


def _note_write(made: Made) -> Body:
    return Body(data={"summary": "Isolation summary"})


def _disagree(made: Made) -> Body:
    return Body(data={"disagreement": "Not as I recall it"})


register_isolation_request("POST concerns:review_agenda", _agenda_form)
register_isolation_request("POST concerns:review_note", _note_form)
register_isolation_request("POST concerns:meeting_note_edit", _note_change_form)
register_isolation_request("POST concerns:meeting_note_disagree", _disagree_form)
register_isolation_request(f"PATCH {API}/review-meetings/{{review_id}}", _meeting_change)
register_isolation_request(f"POST {API}/review-meetings/{{review_id}}/note", _note_write)
register_isolation_request(f"PATCH {API}/meeting-notes/{{meeting_note_id}}", _note_change)
register_isolation_request(f"POST {API}/meeting-notes/{{meeting_note_id}}/disagree", _disagree)
