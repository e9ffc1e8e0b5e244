"""The [record: schedule] rows of the access matrix, walked through the API: adjustments,
private planning notes, meetings, their conflicts, trips and the traveller's OST checklist
(issue 6 item 7). The situation of every row is the schedule's shared one
(``situation.arrange``): Amina's private note about a Tuesday appointment, her later start
on Tuesdays agreed with Ravi, Ravi's weekly Tuesday meeting she cannot be at from the
start, Ravi's training trip she goes on and whose checklist she opted in to; for the
``hr-with-share`` row she has shared OST and health with Grace by name.

Each cell (column × action) is asked of the operation that answers it; a cell the API has
nothing to say about answers None: exports (the own-data export is the people API's), and
the calendar feed, which has no operation (its address is made on its page). Reads come
first, then changes, then deletes, since those change what the reads look at.
"""

from __future__ import annotations

from typing import Any

import pytest
from django_scopes import scope

from peerwork.core import access_matrix
from peerwork.core.access import Action
from peerwork.people.models import Adjustment
from peerwork.people.tests.api_calls import call, get, post
from peerwork.schedule.models import Meeting, PrivateNeed, Traveller, Trip
from peerwork.schedule.tests.situation import APPOINTMENT, Situation, arrange

MATRIX = access_matrix.load()
SECTION = "record: schedule"
ROWS = list(MATRIX.section(SECTION).rows)
ORDER = [Action.LIST, Action.READ, Action.CHANGE, Action.DELETE, Action.EXPORT]


def _version(story: Any, model: type, pk: object) -> int:
    with scope(organisation=story.harbourside.pk):
        return int(model.objects.get(pk=pk).version)


def _allowed(response: Any) -> bool:
    """Done (2xx), or refused as not theirs to do (403, 404, 405). The situation is
    arranged so that every allowed change succeeds: anything else is a failure of its own."""
    assert response.status_code in (200, 201, 403, 404, 405), response.content
    return response.status_code in (200, 201)


def _listed(response: Any, wanted: object) -> bool:
    if response.status_code != 200:
        return False
    return str(wanted) in {str(item.get("id")) for item in response.json()["items"]}


def _adjustment(member: Any, story: Any, s: Situation, action: Action) -> bool | None:
    row = s.adjustment.pk
    if action == Action.LIST:
        query = "" if member.pk == story.amina.pk else f"?person={story.amina.pk}"
        return _listed(get(member, f"/adjustments{query}"), row)
    if action == Action.READ:
        return get(member, f"/adjustments/{row}").status_code == 200
    if action == Action.CHANGE:
        version = _version(story, Adjustment, row)
        return _allowed(post(member, f"/adjustments/{row}/end", {}, if_match=version))
    if action == Action.DELETE:
        return _allowed(call(member, "DELETE", f"/adjustments/{row}"))
    return None


def _note(member: Any, story: Any, s: Situation, action: Action) -> bool | None:
    note = s.need.pk
    if action == Action.LIST:
        query = "" if member.pk == story.amina.pk else f"?person={story.amina.pk}"
        return _listed(get(member, f"/private-notes{query}"), note)
    if action == Action.READ:
        response = get(member, f"/private-notes/{note}")
        return response.status_code == 200 and response.json()["details"]["starts"] == "13:00"
    if action == Action.CHANGE:
        version = _version(story, PrivateNeed, note)
        changed = {**APPOINTMENT, "starts": "13:30"}
        return _allowed(call(member, "PUT", f"/private-notes/{note}", changed, if_match=version))
    if action == Action.DELETE:
        return _allowed(call(member, "DELETE", f"/private-notes/{note}"))
    return None


def _meeting(member: Any, story: Any, s: Situation, action: Action) -> bool | None:
    meeting = s.meeting.pk
    if action == Action.LIST:
        return _listed(get(member, "/meetings"), meeting)
    if action == Action.READ:
        return get(member, f"/meetings/{meeting}").status_code == 200
    version = _version(story, Meeting, meeting)
    if action == Action.CHANGE:
        moved = {"starts": "11:00"}
        return _allowed(post(member, f"/meetings/{meeting}/move", moved, if_match=version))
    if action == Action.DELETE:
        return _allowed(post(member, f"/meetings/{meeting}/cancel", if_match=version))
    return None


def _conflicts(member: Any, story: Any, s: Situation, action: Action) -> bool | None:
    """Amina's conflicts in the meeting: the planners see them, and she does (also among
    her own); nobody else does."""
    if action not in (Action.LIST, Action.READ):
        return None
    response = get(member, f"/meetings/{s.meeting.pk}/conflicts")
    if response.status_code != 200:
        return False
    hers = [c for c in response.json()["items"] if c["person"]["id"] == str(story.amina.pk)]
    if action == Action.READ and member.pk == story.amina.pk:
        own = get(member, "/conflicts").json()["items"]
        return bool(hers) and len(own) == len(hers)
    return bool(hers)


def _trip(member: Any, story: Any, s: Situation, action: Action) -> bool | None:
    trip = s.trip.pk
    if action == Action.LIST:
        return _listed(get(member, "/trips"), trip)
    if action == Action.READ:
        return get(member, f"/trips/{trip}").status_code == 200
    version = _version(story, Trip, trip)
    if action == Action.CHANGE:
        body = {
            "title": "Peer counselling training, day one later",
            "kind": s.trip.kind,
            "place": s.trip.place,
            "starts_on": str(s.trip.starts_on),
            "ends_on": str(s.trip.ends_on),
            "first_session_at": "10:00",
            "travellers": [str(story.amina.pk)],
        }
        return _allowed(call(member, "PUT", f"/trips/{trip}", body, if_match=version))
    if action == Action.DELETE:
        return _allowed(post(member, f"/trips/{trip}/cancel", if_match=version))
    return None


def _checklist(member: Any, story: Any, s: Situation, action: Action) -> bool | None:
    traveller = s.traveller.pk
    if action in (Action.LIST, Action.READ):
        response = get(member, f"/travellers/{traveller}/checklist")
        return response.status_code == 200 and response.json()["opted_in"] is True
    if action == Action.CHANGE:
        version = _version(story, Traveller, traveller)
        body = {"opted_in": True, "take_home_limit": "2 a year"}
        return _allowed(
            call(member, "PUT", f"/travellers/{traveller}/checklist", body, if_match=version)
        )
    if action == Action.DELETE:
        return _allowed(call(member, "DELETE", f"/travellers/{traveller}/checklist"))
    return None


ASK = {
    "adjustment": _adjustment,
    "private-note": _note,
    "meeting": _meeting,
    "conflicts": _conflicts,
    "trip": _trip,
    "checklist": _checklist,
}


def test_every_column_but_the_feed_is_asked_of_the_api() -> None:
    assert set(MATRIX.section(SECTION).columns) == {*ASK, "feed"}


@pytest.mark.parametrize("row", ROWS)
def test_the_schedule_row_agrees_with_the_api(story: Any, row: str) -> None:
    actor = MATRIX.actors_of(SECTION)[row]
    situation = arrange(story, share_with_grace=row == "hr-with-share")
    member = getattr(story, actor.person) if actor.person else None
    cells = [c for c in MATRIX.section(SECTION).cells() if c.actor == row and c.column in ASK]
    problems = []
    for cell in sorted(cells, key=lambda c: ORDER.index(c.action)):
        if member is None:
            continue  # the operator has no membership: the API answers 401 to everything
        answer = ASK[cell.column](member, story, situation, cell.action)
        if answer is None:
            continue
        if answer != cell.allowed:
            problems.append(
                f"{cell.id} through the API: {'allowed' if answer else 'refused'}, the table "
                f"says {'allowed' if cell.allowed else 'refused'}"
            )
    assert not problems, "\n".join(problems)


def test_the_operator_gets_401_from_every_schedule_operation(story: Any) -> None:
    from django.test import Client

    situation = arrange(story)
    for path in (
        "/adjustments",
        f"/adjustments/{situation.adjustment.pk}",
        "/private-notes",
        f"/private-notes/{situation.need.pk}",
        "/meetings",
        f"/meetings/{situation.meeting.pk}/conflicts",
        "/trips",
        f"/travellers/{situation.traveller.pk}/checklist",
    ):
        assert Client().get(f"/api/v1{path}").status_code == 401, path
