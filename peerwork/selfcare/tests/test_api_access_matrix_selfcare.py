"""The [record: selfcare] rows of the access matrix, walked through the API (issue 7 item
9: the API honours the same privacy). The situation of every row is the self-care one
(``situation.arrange_row``): Amina's circle, programme, plan, weekly goal, kept self-check
and this week's team pulse, and the row's extra opening.

Each cell (column × action) is asked of the operation that answers it; a cell the API has
nothing to say about answers None: exports (the own-data export is the people API's), a
suggestion's deletion and a kept self-check's change (no operation does either). The
owner's circle, plan, goals and self-checks are "mine" operations that act on the caller's
own records; for those, allowed means Amina's record is the one found or changed. The
pulse is answered for oneself only: allowed means Amina's answer this week.
Reads come first, then changes, then deletes, since those change what the reads look at.
Every actor acts through a personal token of their own organisation; the operator, who
has no membership, gets 401 from every operation (its own test).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django_scopes import scope, scopes_disabled

from peerwork.core import access_matrix
from peerwork.core.access import Action
from peerwork.people.tests.api_calls import call, get, post
from peerwork.selfcare import pulse
from peerwork.selfcare.models import RelapsePlan, RiskCircle, SelfControlProgramme
from peerwork.selfcare.tests.situation import AREA, WORDS, Situation, arrange_row

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


def _fresh(model: type, pk: object) -> Any:
    with scopes_disabled():
        return model.objects.filter(pk=pk).first()


def _circle(member: Any, story: Any, s: Situation, action: Action) -> bool | None:
    """Her circle is `/risk-circles/mine` to her and `/risk-circles/opened/{id}` to whom
    she opened it. Changing and deleting act on the caller's own circle: allowed means
    hers moved."""
    circle = str(s.circle.pk)
    if action == Action.LIST:
        mine = get(member, "/risk-circles/mine")
        own = mine.status_code == 200 and mine.json()["id"] == circle
        return own or circle in _ids(get(member, "/risk-circles/opened"), "circle")
    if action == Action.READ:
        mine = get(member, "/risk-circles/mine")
        opened = get(member, f"/risk-circles/opened/{circle}")
        for answer in (mine, opened):
            if answer.status_code == 200 and answer.json()["id"] == circle:
                return bool(answer.json()["areas"][0]["name"] == WORDS["circle"])
        return False
    before = _fresh(RiskCircle, s.circle.pk)
    if action == Action.CHANGE:
        response = post(member, "/risk-circles/mine/big-change", {}, if_match=before.version)
        assert response.status_code in (200, 404), response.content
        after = _fresh(RiskCircle, s.circle.pk)
        return after.version != before.version
    if action == Action.DELETE:
        response = call(member, "DELETE", "/risk-circles/mine")
        assert response.status_code in (200, 404), response.content
        return _fresh(RiskCircle, s.circle.pk) is None
    return None


def _suggestion(member: Any, story: Any, s: Situation, action: Action) -> bool | None:
    suggestion = s.suggestion_of(member)
    owner = member.pk == s.circle.owner_id
    circle = str(s.circle.pk)
    if action == Action.LIST:
        if owner:
            return str(suggestion.pk) in _ids(get(member, "/risk-circles/mine/suggestions"))
        opened = get(member, f"/risk-circles/opened/{circle}")
        if opened.status_code != 200:
            return False
        return str(suggestion.pk) in {str(x["id"]) for x in opened.json()["my_suggestions"]}
    if action == Action.READ:
        answer = get(member, f"/risk-circle-suggestions/{suggestion.pk}")
        return answer.status_code == 200 and answer.json()["text"] == str(suggestion.text)
    if action == Action.CHANGE:
        decided = _allowed(post(member, f"/risk-circle-suggestions/{suggestion.pk}/accept"))
        if owner:
            return decided
        assert not decided, "someone other than the owner kept a suggestion"
        body = {"area": AREA, "ring": "management", "text": "Ask for a second outreach card"}
        return _allowed(post(member, f"/risk-circles/opened/{circle}/suggestions", body))
    return None  # nothing deletes a suggestion


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


def _plan(member: Any, story: Any, s: Situation, action: Action) -> bool | None:
    plan = str(s.plan.pk)
    if action == Action.LIST:
        return plan in _ids(get(member, "/relapse-plans"))
    if action == Action.READ:
        answer = get(member, f"/relapse-plans/{plan}")
        return answer.status_code == 200 and answer.json()["own_cravings"] == [WORDS["plan"]]
    if action == Action.CHANGE:
        version = _version(story, RelapsePlan, s.plan.pk)
        body = {"own_cravings": ["Walk the long way round"]}
        return _allowed(call(member, "PUT", f"/relapse-plans/{plan}", body, if_match=version))
    if action == Action.DELETE:
        return _allowed(call(member, "DELETE", f"/relapse-plans/{plan}"))
    return None


def _goal(member: Any, story: Any, s: Situation, action: Action) -> bool | None:
    goal = str(s.goal.pk)
    if action == Action.LIST:
        return goal in _ids(get(member, f"/weekly-goals?week={s.goal.week_of.isoformat()}"))
    if action == Action.READ:
        # No operation reads one goal: a goal is read in its week's list.
        found = get(member, f"/weekly-goals?week={s.goal.week_of.isoformat()}")
        texts = (
            {str(item["id"]): item["text"] for item in found.json()["items"]}
            if (found.status_code == 200)
            else {}
        )
        return texts.get(goal) == WORDS["goal"]
    if action == Action.CHANGE:
        return _allowed(call(member, "PATCH", f"/weekly-goals/{goal}", {"done": True}))
    if action == Action.DELETE:
        return _allowed(call(member, "DELETE", f"/weekly-goals/{goal}"))
    return None


def _self_check(member: Any, story: Any, s: Situation, action: Action) -> bool | None:
    check = str(s.self_check.pk)
    if action == Action.LIST:
        return check in _ids(get(member, "/self-checks"))
    if action == Action.READ:
        answer = get(member, f"/self-checks/{check}")
        return answer.status_code == 200 and answer.json()["note"] == WORDS["self-check"]
    if action == Action.DELETE:
        return _allowed(call(member, "DELETE", f"/self-checks/{check}"))
    return None  # a kept self-check is never edited: no operation changes one


def _pulse(member: Any, story: Any, s: Situation, action: Action) -> bool | None:
    if action in (Action.LIST, Action.READ):
        answer = get(member, "/pulse-teams")
        if answer.status_code != 200:
            assert answer.status_code == 404, answer.content
            return False
        for group in answer.json()["teams"]:
            if group["team"]["id"] == str(s.team.pk):
                [week] = [w for w in group["weeks"] if w["week_of"] == s.week_of.isoformat()]
                assert week["answers"] in (None, len(s.answered)), week
                return bool(week["shown"])
        return False
    if action == Action.CHANGE:
        # Answering is always for oneself: allowed means Amina's answer for this week.
        response = post(member, "/pulse-answers", {"level": 3})
        assert response.status_code in (201, 404), response.content
        with scope(organisation=story.harbourside.pk):
            return pulse.answered(story.amina, pulse.this_week(story.amina))
    return None


ASK = {
    "circle": _circle,
    "suggestion": _suggestion,
    "programme": _programme,
    "plan": _plan,
    "goal": _goal,
    "self-check": _self_check,
    "pulse": _pulse,
}


def test_every_column_is_asked_of_the_api() -> None:
    assert set(MATRIX.section(SECTION).columns) == set(ASK)


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
        "/risk-circles/mine",
        "/risk-circles/opened",
        f"/risk-circles/opened/{situation.circle.pk}",
        f"/risk-circle-suggestions/{situation.suggestion.pk}",
        PROGRAMMES,
        f"{PROGRAMMES}/{situation.programme.pk}",
        f"{PROGRAMMES}/{situation.programme.pk}/entries",
        f"/relapse-plans/{situation.plan.pk}",
        "/weekly-goals",
        f"/self-checks/{situation.self_check.pk}",
        "/pulse-teams",
    ):
        assert Client().get(f"/api/v1{path}").status_code == 401, path
