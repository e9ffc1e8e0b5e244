"""The [record: selfcare] rows of the access matrix, walked through the API (issue 7 item
9: the API honours the same privacy). The situation of every row is the self-care one
(``situation.arrange_row``): Amina's circle, programme, plan, weekly goal, kept self-check
and this week's team pulse, and the row's extra opening.

Each cell (column × action) is asked of the operation that answers it; a cell the API has
nothing to say about answers None: exports (the own-data export is the people API's).
Reads come first, then changes, then deletes, since those change what the reads look at.
Every actor acts through a personal token of their own organisation; the operator, who
has no membership, gets 401 from every operation (its own test).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django_scopes import scope

from peerwork.core import access_matrix
from peerwork.core.access import Action
from peerwork.people.tests.api_calls import call, get
from peerwork.selfcare.models import SelfControlProgramme
from peerwork.selfcare.tests.situation import WORDS, Situation, arrange_row

MATRIX = access_matrix.load()
SECTION = "record: selfcare"
ROWS = list(MATRIX.section(SECTION).rows)
ORDER = [Action.LIST, Action.READ, Action.CHANGE, Action.DELETE, Action.EXPORT]

PROGRAMMES = "/self-control-programmes"


def _version(story: Any, model: type, pk: object) -> int:
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


def _programme(member: Any, story: Any, s: Situation, action: Action) -> bool | None:
    programme = str(s.programme.pk)
    if action == Action.LIST:
        mine = _ids(get(member, PROGRAMMES))
        opened = _ids(get(member, f"{PROGRAMMES}/opened-to-me"), "programme_id")
        return programme in mine | opened
    if action == Action.READ:
        answer = get(member, f"{PROGRAMMES}/{programme}")
        entries = get(member, f"{PROGRAMMES}/{programme}/entries")
        chart = get(member, f"{PROGRAMMES}/{programme}/chart")
        read = answer.status_code == 200 and answer.json()["target"] == WORDS["programme"]
        assert entries.status_code == answer.status_code == chart.status_code, programme
        return read
    if action == Action.CHANGE:
        version = _version(story, SelfControlProgramme, s.programme.pk)
        body = {"target": "Spending less on the way home"}
        changed = _allowed(
            call(member, "PATCH", f"{PROGRAMMES}/{programme}", body, if_match=version)
        )
        record = {"phase": "monitoring", "count": 1}
        logged = _allowed(call(member, "POST", f"{PROGRAMMES}/{programme}/entries", record))
        assert changed == logged, "changing and logging disagree"
        return changed
    if action == Action.DELETE:
        return _allowed(call(member, "DELETE", f"{PROGRAMMES}/{programme}"))
    return None


ASK = {
    "programme": _programme,
}


@pytest.mark.parametrize("row", ROWS)
def test_the_selfcare_row_agrees_with_the_api(story: Any, row: str) -> None:
    actor = MATRIX.actors_of(SECTION)[row]
    situation = arrange_row(story, row)
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


def test_the_operator_gets_401_from_every_selfcare_operation(story: Any) -> None:
    situation = arrange_row(story, "self")
    for path in (
        PROGRAMMES,
        f"{PROGRAMMES}/{situation.programme.pk}",
        f"{PROGRAMMES}/{situation.programme.pk}/entries",
    ):
        assert Client().get(f"/api/v1{path}").status_code == 401, path
