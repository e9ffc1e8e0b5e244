"""The [record: shift] rows of the access matrix, walked through the API: the schedule,
one shift's answer (its rough location and its alert), and the actions that change each
column (cancel, share a location, "I'm on it"). The situation of every row is the one the
gates' and pages' walk arranges (``test_access_matrix_outreach.arrange``): Amina and Olena's
overdue shift, planned by Ravi, its alert sent to Ravi, Amina's rough location shared."""

from __future__ import annotations

from typing import Any

import pytest

from peerwork.core.access import Action
from peerwork.outreach.models import Shift
from peerwork.outreach.tests.test_access_matrix_outreach import (
    AREA,
    MATRIX,
    PLACE,
    ROWS,
    SECTION,
    arrange,
)
from peerwork.people.tests.api_calls import get, post

# Cells the API is known to disagree with, and why; each must still disagree.
CHANGES = {"shift": "cancel", "location": "location", "alert": "acknowledge"}


def _answer(member: Any, shift: Shift, column: str, action: Action) -> bool | None:
    if member is None:
        return None  # the operator has no membership: the API answers 401 to everything
    if action == Action.LIST:
        if column != "shift":
            return None  # the schedule shows no location and no alert
        return str(shift.pk) in {i["id"] for i in get(member, "/shifts").json()["items"]}
    if action == Action.READ:
        response = get(member, f"/shifts/{shift.pk}")
        if response.status_code != 200:
            return False
        body = response.json()
        return {
            "shift": body["area"] == AREA,
            "location": body["location"] == PLACE,
            "alert": body["alert"] is not None,
        }[column]
    if action == Action.CHANGE:
        response = post(member, f"/shifts/{shift.pk}/{CHANGES[column]}", {"location": PLACE})
        # Allowed: done, or refused for the shift's state (a cancel of an overdue shift).
        return response.status_code not in (403, 404)
    return None


@pytest.mark.parametrize("row", ROWS)
def test_the_shift_row_agrees_with_the_api(story: Any, row: str) -> None:
    actor = MATRIX.actors_of(SECTION)[row]
    shift = arrange(story, row)
    member = getattr(story, actor.person) if actor.person else None
    cells = [c for c in MATRIX.section(SECTION).cells() if c.actor == row]
    problems = []
    # Changes last: acknowledging changes the shift the reads look at.
    for cell in sorted(cells, key=lambda c: c.action == Action.CHANGE):
        answer = _answer(member, shift, cell.column, cell.action)
        if answer is None:
            continue
        if answer != cell.allowed:
            problems.append(
                f"{cell.id} through the API: {'allowed' if answer else 'refused'}, the table "
                f"says {'allowed' if cell.allowed else 'refused'}"
            )
    assert not problems, "\n".join(problems)
