"""The [record: concerns] rows of the access matrix, walked through the API (issue 8 items 6
and 8: the API honours the same privacy as the pages). The situation of every row is the
concerns one (``situation.arrange_row``): Amina's App. 9 concern with its stage, targets,
review meeting (Samuel brought), note and waiting hand-off; her §4.7 concern under an open
investigation; her request for advice to Ravi; Olena's closed concern with its meeting and
note. Rows whose subject is Olena ask of her concern, meeting and note; she has nothing
else to ask of.

Each cell (column × action) is asked of the operation that answers it; a cell the API has
nothing to say about answers None: exports (the own-data export is the people API's),
deletes of anything but a concern (no operation deletes a meeting, note, target, stage,
hand-off, investigation or request for advice), listing hand-offs (there is no list of
them: a hand-off is found through its concern), changing the aggregates, and the training
library, which has no API (its pages are walked by ``test_library_access``). Reads come
first, then changes, then deletes.

What a change is, per column: correcting the concern; each side's own field of the
meeting (the staff member's account; the agenda for anyone else); agreeing the note for
the two who were there, rewriting it for anyone else; her self-reflection on a target, or
the target itself; correcting the stage; countersigning the hand-off (HR) or withdrawing
it (anyone else); recording the suspension again (the investigation); writing findings;
answering a request for advice (the one asked) or withdrawing it (anyone else).

Every actor acts through a personal token of their own organisation; the operator, who has
no membership, gets 401 from every operation (its own test).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django_scopes import scope

from peerwork.concerns import access
from peerwork.concerns.models import (
    AdviceRequest,
    Concern,
    Investigation,
    MeetingNote,
    PathStep,
    ReviewMeeting,
    Target,
)
from peerwork.concerns.other_paths import FIVE_KEYS
from peerwork.concerns.tests.situation import (
    WORDS,
    Situation,
    arrange_row,
    without_handoff,
)
from peerwork.core import access_matrix
from peerwork.core.access import Action
from peerwork.core.models import Membership
from peerwork.people.tests.api_calls import call, get, post

MATRIX = access_matrix.load()
SECTION = "record: concerns"
ROWS = list(MATRIX.section(SECTION).rows)
ORDER = [Action.LIST, Action.READ, Action.CHANGE, Action.DELETE, Action.EXPORT]

Ask = Any


def _version(story: Any, model: type[Any], pk: object) -> int:
    with scope(organisation=story.harbourside.pk):
        return int(model.objects.get(pk=pk).version)


def _allowed(response: Any) -> bool:
    """Done (2xx), or refused as not theirs to do (403, 404, 405). The situation is
    arranged so that every allowed change succeeds: anything else is a failure of its own."""
    assert response.status_code in (200, 201, 403, 404, 405), response.content
    return response.status_code in (200, 201)


def _ids(response: Any, key: str = "id") -> set[str]:
    if response.status_code != 200:
        return set()
    body = response.json()
    items = body["items"] if isinstance(body, dict) else body
    return {str(item.get(key)) for item in items}


def _concern(
    member: Membership, subject: Membership, story: Any, s: Situation, action: Action
) -> bool | None:
    concern = s.concern_of(subject)
    path = f"/concerns/{concern.pk}"
    if action == Action.LIST:
        return str(concern.pk) in _ids(get(member, "/concerns"))
    if action == Action.READ:
        answer = get(member, path)
        return answer.status_code == 200 and answer.json()["what_happened"] == str(
            concern.what_happened
        )
    if action == Action.CHANGE:
        version = _version(story, Concern, concern.pk)
        body = {"evidence": "The sign-in sheets for March and April"}
        return _allowed(call(member, "PATCH", path, body, if_match=version))
    if action == Action.DELETE:
        without_handoff(concern)
        return _allowed(call(member, "DELETE", path))
    return None


def _meeting(
    member: Membership, subject: Membership, story: Any, s: Situation, action: Action
) -> bool | None:
    meeting = s.meeting_of(subject)
    path = f"/review-meetings/{meeting.pk}"
    if action == Action.LIST:
        return str(meeting.pk) in _ids(get(member, "/review-meetings"))
    if action == Action.READ:
        answer = get(member, path)
        return answer.status_code == 200 and answer.json()["person_account"] == str(
            meeting.person_account
        )
    if action == Action.CHANGE:
        version = _version(story, ReviewMeeting, meeting.pk)
        body = (
            {"person_account": "The later matatu works better"}
            if member.pk == meeting.person_id
            else {"purpose": "To agree what helps on Mondays"}
        )
        return _allowed(call(member, "PATCH", path, body, if_match=version))
    return None


def _note(
    member: Membership, subject: Membership, story: Any, s: Situation, action: Action
) -> bool | None:
    note = s.note_of(subject)
    path = f"/meeting-notes/{note.pk}"
    if action == Action.LIST:
        return str(note.pk) in _ids(get(member, "/review-meetings"), key="note")
    if action == Action.READ:
        answer = get(member, path)
        return answer.status_code == 200 and answer.json()["summary"] == str(note.summary)
    if action == Action.CHANGE:
        version = _version(story, MeetingNote, note.pk)
        if s.meeting_of(subject).was_there(member):
            return _allowed(post(member, f"{path}/agree", if_match=version))
        body = {"summary": f"{note.summary} Both will look at it again."}
        return _allowed(call(member, "PATCH", path, body, if_match=version))
    return None


def _target(
    member: Membership, subject: Membership, story: Any, s: Situation, action: Action
) -> bool | None:
    if not s.is_amina(subject):
        return None
    path = f"/targets/{s.target.pk}"
    if action == Action.LIST:
        return str(s.target.pk) in _ids(get(member, "/targets"))
    if action == Action.READ:
        answer = get(member, path)
        return answer.status_code == 200 and answer.json()["description"] == WORDS["target"]
    if action == Action.CHANGE:
        version = _version(story, Target, s.target.pk)
        body = (
            {"self_reflection": "Packing the van early helps"}
            if member.pk == s.target.person_id
            else {"description": f"{WORDS['target']} (checked weekly)"}
        )
        return _allowed(call(member, "PATCH", path, body, if_match=version))
    return None


def _path(
    member: Membership, subject: Membership, story: Any, s: Situation, action: Action
) -> bool | None:
    if not s.is_amina(subject):
        return None
    path = f"/path-steps/{s.step.pk}"
    if action == Action.LIST:
        return str(s.step.pk) in _ids(get(member, f"/concerns/{s.concern.pk}/steps"))
    if action == Action.READ:
        answer = get(member, path)
        return answer.status_code == 200 and answer.json()["notes"] == WORDS["step"]
    if action == Action.CHANGE:
        version = _version(story, PathStep, s.step.pk)
        body = {"notes": f"{WORDS['step']} Tasks slipped too."}
        return _allowed(call(member, "PATCH", path, body, if_match=version))
    return None


def _handoff(
    member: Membership, subject: Membership, story: Any, s: Situation, action: Action
) -> bool | None:
    if not s.is_amina(subject) or action == Action.LIST:
        return None
    path = f"/handoffs/{s.handoff.pk}"
    if action == Action.READ:
        return get(member, path).status_code == 200
    if action == Action.CHANGE:
        # HR countersigns; whoever asked for it may withdraw it.
        hr = access.is_hr(member)
        return _allowed(post(member, f"{path}/countersign" if hr else f"{path}/withdraw"))
    return None


def _investigation(
    member: Membership, subject: Membership, story: Any, s: Situation, action: Action
) -> bool | None:
    if not s.is_amina(subject):
        return None
    path = f"/investigations/{s.investigation.pk}"
    if action == Action.LIST:
        return str(s.investigation.pk) in _ids(get(member, "/investigations"))
    if action == Action.READ:
        answer = get(member, path)
        return answer.status_code == 200 and answer.json()["suspended_from"] == str(
            s.investigation.suspended_from
        )
    if action == Action.CHANGE:
        version = _version(story, Investigation, s.investigation.pk)
        body = {
            "suspended_from": str(s.investigation.suspended_from),
            "suspended_until": str(s.investigation.suspended_until),
        }
        return _allowed(call(member, "PATCH", path, body, if_match=version))
    return None


def _findings(
    member: Membership, subject: Membership, story: Any, s: Situation, action: Action
) -> bool | None:
    if not s.is_amina(subject):
        return None
    path = f"/investigations/{s.investigation.pk}"
    if action in (Action.LIST, Action.READ):
        answer = get(member, path)
        if answer.status_code != 200:
            return False
        body = answer.json()
        if not body["inside"]:
            assert body["findings"] is None and body["investigators"] is None, body
            return False
        return bool(body["findings"] == WORDS["findings"])
    if action == Action.CHANGE:
        version = _version(story, Investigation, s.investigation.pk)
        body = {"findings": f"{WORDS['findings']} A third client was asked."}
        return _allowed(call(member, "PATCH", path, body, if_match=version))
    return None


def _advice(
    member: Membership, subject: Membership, story: Any, s: Situation, action: Action
) -> bool | None:
    if not s.is_amina(subject):
        return None
    path = f"/advice-requests/{s.advice.pk}"
    if action == Action.LIST:
        return str(s.advice.pk) in _ids(get(member, "/advice-requests"))
    if action == Action.READ:
        answer = get(member, path)
        return answer.status_code == 200 and answer.json()["question"] == WORDS["advice"]
    if action == Action.CHANGE:
        version = _version(story, AdviceRequest, s.advice.pk)
        if member.pk == s.advice.asked_id:
            body = {
                "answers": dict.fromkeys(FIVE_KEYS, "unsure"),
                "reply": "Let us talk it through on Thursday",
                "outcome": "advice",
            }
            return _allowed(post(member, f"{path}/answer", body, if_match=version))
        return _allowed(post(member, f"{path}/withdraw", if_match=version))
    return None


def _aggregate(
    member: Membership, subject: Membership, story: Any, s: Situation, action: Action
) -> bool | None:
    if action not in (Action.LIST, Action.READ):
        return None
    answer = get(member, "/concern-aggregates")
    assert answer.status_code in (200, 404), answer.content
    if answer.status_code != 200:
        return False
    quarters = answer.json()["quarters"]
    assert quarters and all(f["hidden"] for f in quarters[0]["by_category"] if f["count"] is None)
    return True


ASK: dict[str, Ask] = {
    "concern": _concern,
    "meeting": _meeting,
    "note": _note,
    "target": _target,
    "path": _path,
    "handoff": _handoff,
    "investigation": _investigation,
    "findings": _findings,
    "advice": _advice,
    "aggregate": _aggregate,
}
# Columns with no operation of their own: the library is pages only.
NO_API = {"library"}


def test_every_column_is_asked_of_the_api_or_said_to_have_none() -> None:
    assert set(MATRIX.section(SECTION).columns) == set(ASK) | NO_API


@pytest.mark.parametrize("row", ROWS)
def test_the_concerns_row_agrees_with_the_api(story: Any, row: str) -> None:
    actor = MATRIX.actors_of(SECTION)[row]
    situation = arrange_row(story, row)
    member = getattr(story, actor.person) if actor.person else None
    subject = getattr(story, actor.subject or "amina")
    cells = [c for c in MATRIX.section(SECTION).cells() if c.actor == row and c.column in ASK]
    problems = []
    for cell in sorted(cells, key=lambda c: ORDER.index(c.action)):
        if member is None:
            continue  # the operator has no membership: the API answers 401 to everything
        answer = ASK[cell.column](member, subject, story, situation, cell.action)
        if answer is None:
            continue
        if answer != cell.allowed:
            problems.append(
                f"{cell.id} through the API: {'allowed' if answer else 'refused'}, the table "
                f"says {'allowed' if cell.allowed else 'refused'}"
            )
    assert not problems, "\n".join(problems)


def test_the_operator_gets_401_from_every_concerns_operation(story: Any) -> None:
    s = arrange_row(story, "self")
    for path in (
        "/concerns",
        f"/concerns/{s.concern.pk}",
        f"/concerns/{s.concern.pk}/steps",
        f"/path-steps/{s.step.pk}",
        "/review-meetings",
        f"/review-meetings/{s.meeting.pk}",
        f"/meeting-notes/{s.note.pk}",
        "/targets",
        f"/targets/{s.target.pk}",
        f"/handoffs/{s.handoff.pk}",
        "/investigations",
        f"/investigations/{s.investigation.pk}",
        f"/concerns/{s.supply.pk}/supporters",
        "/advice-requests",
        f"/advice-requests/{s.advice.pk}",
        "/concern-aggregates",
    ):
        assert Client().get(f"/api/v1{path}").status_code == 401, path


def test_no_answer_to_anyone_but_her_holds_a_word_of_her_investigations_findings(
    story: Any,
) -> None:
    """While it is open, the findings reach HR only (no investigator is named yet): not
    her, not her line manager, not the peer mentor she named to support her."""
    s = arrange_row(story, "self")
    path = f"/investigations/{s.investigation.pk}"
    for member in (story.amina, story.ravi, story.samuel, story.daniel, story.taslima):
        answer = get(member, path)
        assert WORDS["findings"] not in answer.content.decode(), member.name
        listed = get(member, "/investigations")
        assert WORDS["findings"] not in listed.content.decode(), member.name
    assert get(story.grace, path).json()["findings"] == WORDS["findings"]
