"""The [record: incident] rows of the access matrix, walked through the gate and the pages
with the real people of the shared story (issue 5 item 6; §4.4).

For each row the situation is arranged in data: an on-duty arrest of the row's subject on
a shift with a partner, opened by the partner, handled by Taslima, on call tonight, in the
``handler`` row only (Taslima is also the ``other-line-manager``, who does not see it) and
passed to the director in the ``director-passed`` row only; and an off-duty police stop
the subject recorded, with Joseph asked to help in the ``helper`` row only (Joseph is also
the ``volunteer``). Then every cell is asked:

- ``gate``: list (``incidents_for_member``), read, change and delete
  (``incident_for_member``), export (the actor's own-data export holds it);
- ``page``: the list, the incident page, recording a step, deleting (off duty).

One test per row collects every disagreement, naming the cell and the channel.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from peerwork.api.tests.helpers import signed_in
from peerwork.core import access_matrix
from peerwork.core.access import Action
from peerwork.core.models import Membership
from peerwork.outreach import access
from peerwork.outreach.models import Incident, OnCall, Shift, ShiftWorker
from peerwork.people import personal_data

pytestmark = pytest.mark.django_db

SECTION = "record: incident"
MATRIX = access_matrix.load()
ROWS = MATRIX.actors_of(SECTION)


def _arrange(story, actor_key: str) -> dict[str, Incident]:
    actor = ROWS[actor_key]
    subject: Membership = getattr(story, actor.subject or "amina")
    partner = story.olena if subject.pk != story.olena.pk else story.amina
    now = timezone.now()
    org = story.harbourside
    OnCall.objects.create(
        organisation=org,
        member=story.taslima,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(hours=8),
    )
    shift = Shift.objects.create(
        organisation=org,
        area="The market car park",
        planned_start=now - timedelta(hours=2),
        planned_return=now + timedelta(hours=1),
        state=Shift.State.OUT,
        created_by=subject,
    )
    for worker in (subject, partner):
        ShiftWorker.objects.create(organisation=org, shift=shift, member=worker)
    on_duty = Incident.objects.create(
        organisation=org,
        person=subject,
        shift=shift,
        on_duty=True,
        kind=Incident.Kind.ARREST,
        occurred_at=now - timedelta(minutes=30),
        summary="Taken in during the raid",
        opened_by=partner,
        handler=story.taslima if actor_key == "handler" else None,
        escalated_at=now if actor_key == "director-passed" else None,
    )
    off_duty = Incident.objects.create(
        organisation=org,
        person=subject,
        on_duty=False,
        kind=Incident.Kind.POLICE,
        occurred_at=now - timedelta(days=2),
        summary="Stopped on the way home",
        opened_by=subject,
        helper=story.joseph if actor_key == "helper" else None,
    )
    return {"on-duty": on_duty, "off-duty": off_duty}


def _gate(member: Membership | None, incident: Incident, action: Action) -> bool:
    if member is None:
        return False
    if action == Action.LIST:
        return access.incidents_for_member(member).filter(pk=incident.pk).exists()
    if action == Action.EXPORT:
        return any(
            entry.model is Incident and any(row.pk == incident.pk for row in entry.rows(member))
            for entry in personal_data.entries()
        )
    try:
        access.incident_for_member(member, incident.pk, action)
    except (Http404, PermissionDenied):
        return False
    return True


def _page(client, incident: Incident, action: Action) -> bool | None:
    if action == Action.LIST:
        html = client.get(reverse("outreach:incidents")).content.decode()
        return str(incident.pk) in html
    if action == Action.READ:
        return client.get(reverse("outreach:incident", args=[incident.pk])).status_code == 200
    if action == Action.CHANGE:
        incident.refresh_from_db()
        step = "lawyer" if incident.kind == Incident.Kind.ARREST else "safe_now"
        response = client.post(
            reverse("outreach:incident_step", args=[incident.pk]),
            {"step": step, "note": "", "version": incident.version},
        )
        return response.status_code == 302
    if action == Action.DELETE:
        if not Incident.objects.filter(pk=incident.pk).exists():
            return None
        incident.refresh_from_db()
        response = client.post(
            reverse("outreach:incident_delete", args=[incident.pk]),
            {"version": incident.version},
        )
        return response.status_code == 302
    return None  # the export has no page of its own here (people's export pages)


@pytest.mark.parametrize("actor_key", list(ROWS))
def test_each_row_of_the_incident_table_holds(story, actor_key):
    section = MATRIX.section(SECTION)
    actor = ROWS[actor_key]
    with scope(organisation=story.harbourside.pk):
        incidents = _arrange(story, actor_key)
        member = getattr(story, actor.person) if actor.person else None
        client = signed_in(member) if member is not None else None
        problems = []
        # Gate first (reads only), then pages (the delete comes last).
        for column in section.columns:
            allowed = section.allowed(actor_key, column)
            for action in (Action.LIST, Action.READ, Action.CHANGE, Action.DELETE, Action.EXPORT):
                expected = action in allowed
                got = _gate(member, incidents[column], action)
                if got != expected:
                    problems.append(f"gate {actor_key}:{column}:{action.value} {got}")
        if client is not None:
            for column in section.columns:
                allowed = section.allowed(actor_key, column)
                for action in (Action.LIST, Action.READ, Action.CHANGE, Action.DELETE):
                    got_page = _page(client, incidents[column], action)
                    if got_page is not None and got_page != (action in allowed):
                        problems.append(f"page {actor_key}:{column}:{action.value} {got_page}")
    assert not problems, problems
