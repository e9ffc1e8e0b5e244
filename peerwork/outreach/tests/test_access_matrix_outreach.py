"""The [record: shift] rows of the access matrix, walked through the outreach gates and
services (``gate``), the pages (``page``) and the own-data export (``export``), with the
real people of the shared story.

The situation of every row (the comments above the section): Amina (the subject) and
Olena are out on an evening shift that Ravi planned and that is overdue; the policy's
chain has one step, "the line manager", and its alert went to Ravi. Amina shared a rough
location for the shift. The extra rows change that as they say: Taslima is on call now
(``on-call``); the chain names Grace as a buddy after Ravi and she was alerted too
(``alerted-buddy``). Time is arranged in data around the real clock (the pages act at the
real time).

For each row, every cell (column × action) is asked of each channel that can answer it;
a channel with nothing to say answers None. One test per row collects every disagreement.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import Client
from django.utils import timezone
from django_scopes import scope

from peerwork.api.tests.helpers import signed_in
from peerwork.core import access_matrix
from peerwork.core.access import Action
from peerwork.core.models import Membership, User
from peerwork.outreach import access, services
from peerwork.outreach.escalation import escalation
from peerwork.outreach.models import OnCall, OutreachPolicy, Shift
from peerwork.people.export import build_export

MATRIX = access_matrix.load()
SECTION = "record: shift"
ROWS = list(MATRIX.section(SECTION).rows)
AREA = "The station underpass"
PLACE = "Near the bus depot"


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


def arrange(story: Any, row: str) -> Shift:
    """Amina and Olena's overdue shift, planned by Ravi, its alert sent to Ravi."""
    now = timezone.now()
    org = story.harbourside
    with scope(organisation=org.pk):
        policy = OutreachPolicy.objects.create(organisation=org)
        policy.steps.create(
            organisation=org, position=1, who="line_manager", channels=["inbox"], wait_minutes=15
        )
        if row == "alerted-buddy":
            policy.steps.create(
                organisation=org,
                position=2,
                who="buddy",
                buddy=story.grace,
                channels=["inbox"],
                wait_minutes=15,
            )
        if row == "on-call":
            OnCall.objects.create(
                organisation=org,
                member=story.taslima,
                starts_at=now - minutes(60),
                ends_at=now + minutes(600),
            )
        start = now - minutes(240)
        shift = services.plan_shift(
            actor=story.ravi,
            workers=[story.amina, story.olena],
            area=AREA,
            planned_start=start,
            planned_return=now - minutes(60),
            team=story.team,
            now=start - minutes(60),
        )
        services.check_out(actor=story.amina, shift=shift, now=start)
        services.share_location(actor=story.amina, shift=shift, location=PLACE, now=start)
        escalation(now - minutes(40))  # overdue: the first step alerts Ravi
        if row == "alerted-buddy":
            escalation(now)  # fifteen minutes on: the next step alerts Grace
        return Shift.objects.get(pk=shift.pk)


# --- the channels ------------------------------------------------------------------------

Answer = bool | None


def _gate(member: Membership | None, shift: Shift, column: str, action: Action) -> Answer:
    if member is None:
        return None
    with scope(organisation=member.organisation_id):
        if column == "shift":
            if action == Action.LIST:
                return access.shifts_for_member(member).filter(pk=shift.pk).exists()
            if action in (Action.READ, Action.CHANGE):
                return _opens(lambda: access.shift_for_member(member, shift.pk, action))
            if action == Action.DELETE:
                return False  # no gate deletes a shift
            return None
        if column == "location":
            if action in (Action.LIST, Action.READ):
                return _opens(
                    lambda: access.sees_private_parts(
                        member, access.shift_for_member(member, shift.pk)
                    )
                )
            if action == Action.CHANGE:
                return _opens(lambda: access.shift_for_member(member, shift.pk, access.WORK))
            return False
        if column == "alert":
            if action in (Action.LIST, Action.READ):
                return _opens(
                    lambda: access.may_handle(member, access.shift_for_member(member, shift.pk))
                )
            if action == Action.CHANGE:
                return _opens(lambda: access.shift_for_member(member, shift.pk, access.HANDLE))
            return False
    return None


def _opens(ask: Callable[[], object]) -> bool:
    try:
        return ask() is not False
    except (Http404, PermissionDenied):
        return False


def _page(client: Client, shift: Shift, column: str, action: Action) -> Answer:
    url = f"/outreach/shifts/{shift.pk}/"
    if column == "shift" and action == Action.LIST:
        day = timezone.localtime(shift.planned_start, timezone.get_fixed_timezone(180)).date()
        response = client.get(f"/outreach/?day={day.isoformat()}")
        return response.status_code == 200 and url in response.content.decode()
    if action == Action.READ:
        response = client.get(url)
        if response.status_code != 200:
            return False
        html = response.content.decode()
        return {"shift": AREA in html, "location": PLACE in html, "alert": "Alert sent" in html}[
            column
        ]
    if action == Action.CHANGE:
        target = {"shift": "cancel", "location": "location", "alert": "acknowledge"}[column]
        response = client.post(f"{url}{target}", {"location": PLACE})
        # Allowed: back on the shift's page (done, or refused with a message as the shift
        # is not planned); refused: 403 or 404 (or sign-in for the operator).
        return response.status_code == 302 and response["Location"] == url
    return None


def _export(member: Membership | None, shift: Shift, column: str, action: Action) -> Answer:
    if action != Action.EXPORT:
        return None
    if member is None or column != "shift":
        return False if column != "shift" else None
    with scope(organisation=member.organisation_id):
        return AREA in json.dumps(build_export(member), default=str)


def _client(member: Membership | None) -> Client:
    if member is not None:
        return signed_in(member)
    operator = User.objects.create_superuser("operator", "operator@example.org", "correct horse")
    client = Client()
    client.force_login(operator)
    return client


@pytest.mark.parametrize("row", ROWS)
def test_the_shift_row_agrees_with_the_gates_pages_and_export(story: Any, row: str) -> None:
    actor = MATRIX.actors_of(SECTION)[row]
    shift = arrange(story, row)
    member = getattr(story, actor.person) if actor.person else None
    client = _client(member)
    section = MATRIX.section(SECTION)
    problems = []
    # Changes last: acknowledging or cancelling changes the shift the reads look at.
    order = sorted(section.cells(), key=lambda c: (c.actor != row, c.action == Action.CHANGE))
    for cell in order:
        if cell.actor != row:
            continue
        answers = {
            "gate": _gate(member, shift, cell.column, cell.action),
            "page": _page(client, shift, cell.column, cell.action),
            "export": _export(member, shift, cell.column, cell.action),
        }
        for channel, answer in answers.items():
            if answer is None:
                continue
            if answer != cell.allowed:
                problems.append(
                    f"{cell.id} through {channel}: {'allowed' if answer else 'refused'}, "
                    f"the table says {'allowed' if cell.allowed else 'refused'}"
                )
    assert not problems, "\n".join(problems)


def test_every_row_of_the_section_has_an_actor_the_story_knows(story: Any) -> None:
    actors = MATRIX.actors_of(SECTION)
    for row in ROWS:
        person = actors[row].person
        assert person is None or isinstance(getattr(story, person), Membership), row
