"""The [record: incident] rows of the access matrix, walked through the API: the list,
one incident, and recording a step (change). Each row's situation is the one the gate's
and pages' walk arranges (``test_access_matrix_incidents._arrange``): an on-duty arrest
of the subject on a shift, and an off-duty police stop they recorded themselves."""

from __future__ import annotations

from typing import Any

import pytest
from django_scopes import scope

from peerwork.core.access import Action
from peerwork.outreach.models import Incident
from peerwork.outreach.tests.test_access_matrix_incidents import MATRIX, ROWS, SECTION, _arrange
from peerwork.people.tests.api_calls import get, post

pytestmark = pytest.mark.django_db


def _answer(member: Any, story: Any, incident: Incident, action: Action) -> bool | None:
    if member is None:
        return None  # the operator has no membership: the API answers 401 to everything
    if action == Action.LIST:
        return str(incident.pk) in {i["id"] for i in get(member, "/incidents").json()["items"]}
    if action == Action.READ:
        return get(member, f"/incidents/{incident.pk}").status_code == 200
    if action == Action.CHANGE:
        with scope(organisation=story.harbourside.pk):
            incident.refresh_from_db()
        step = "lawyer" if incident.kind == Incident.Kind.ARREST else "safe_now"
        response = post(
            member, f"/incidents/{incident.pk}/steps", {"step": step}, if_match=incident.version
        )
        return response.status_code == 201
    return None  # no operation deletes or exports an incident


@pytest.mark.parametrize("actor_key", list(ROWS))
def test_each_row_of_the_incident_table_holds_through_the_api(story: Any, actor_key: str) -> None:
    actor = ROWS[actor_key]
    with scope(organisation=story.harbourside.pk):
        incidents = _arrange(story, actor_key)
    member = getattr(story, actor.person) if actor.person else None
    problems = []
    cells = [c for c in MATRIX.section(SECTION).cells() if c.actor == actor_key]
    for cell in sorted(cells, key=lambda c: c.action == Action.CHANGE):
        answer = _answer(member, story, incidents[cell.column], cell.action)
        if answer is not None and answer != cell.allowed:
            problems.append(
                f"{cell.id} through the API: {'allowed' if answer else 'refused'}, the table "
                f"says {'allowed' if cell.allowed else 'refused'}"
            )
    assert not problems, "\n".join(problems)
