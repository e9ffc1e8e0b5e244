"""The [record: schedule] rows of the access matrix, walked through the schedule's gates
(``access``), its services (``services``, ``travel``, ``feeds``) and the own-data export,
with the real people of the shared story.

The situation of every row is the schedule's shared one (``situation.arrange``): Amina's
private note about a Tuesday appointment, her later start on Tuesdays agreed with Ravi,
Ravi's weekly Tuesday meeting (Amina and Olena required) that Amina cannot be at from the
start, Ravi's training trip she goes on and whose OST checklist she opted in to, and her
calendar feed. For ``hr-with-share`` she has shared OST and health with Grace by name.
Rows whose subject is Olena (a coach, a mentor of someone else) ask of the same records.

Each cell (column × action) is asked of each channel that can answer it; a channel with
nothing to say answers None. Reads and exports come first, then changes, then deletes,
since those change what the others look at. One test per row collects every
disagreement.

What each action means per column:

- adjustment: read through ``adjustment_for_member``; change by agreeing a new proposal
  from the other side and by ending the agreed one; nobody deletes one; exported in the
  person's own-data export.
- private-note: ``need_for_member`` and ``read_need``; change by ``record_need``; delete
  by ``remove_need``; exported in the owner's export.
- meeting: ``meeting_for_member`` (read, change, delete); change by ``move_meeting``,
  delete by ``cancel_meeting``.
- conflicts: the meeting's gate, then ``conflicts_visible_to`` shows Amina's rows; kept
  rows are worked out, nobody changes or deletes them.
- trip: ``trip_for_member``; ``travel.update_trip`` and ``travel.cancel_trip``.
- checklist: ``checklist_for_member`` and ``travel.read_checklist``; change by
  ``travel.update_checklist``; exported in the traveller's export.
- feed: ``feed_for_member`` with Amina's feed id; change is making a new address (which
  stops hers only when it is hers), delete is ``feeds.revoke_feed``.

The own-data export also lists, for the person, the meetings they attend, their own
conflicts, the trips they go on and their feeds: those rows are theirs as attendee,
traveller or feed owner, which the table's meeting, conflicts, trip and feed columns do
not speak of, so the export channel answers only the columns the table marks E.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from peerwork.core import access_matrix
from peerwork.core.access import Action
from peerwork.core.models import Membership
from peerwork.people.export import build_export
from peerwork.people.models import Adjustment
from peerwork.schedule import access, feeds, services, travel
from peerwork.schedule.models import Meeting, PrivateNeed, Traveller, Trip
from peerwork.schedule.tests.situation import APPOINTMENT, Situation, arrange

MATRIX = access_matrix.load()
SECTION = "record: schedule"
ROWS = list(MATRIX.section(SECTION).rows)
ORDER = [Action.LIST, Action.READ, Action.EXPORT, Action.CHANGE, Action.DELETE]
EXPORTED = {
    "adjustment": "schedule.adjustment",
    "private-note": "schedule.private_need",
    "checklist": "schedule.travel_checklist",
}

Answer = bool | None


def opens(ask: Callable[[], object]) -> bool:
    """Allowed when it returns; refused when a gate or a service says 404 or 403. Anything
    else (a stale version, bad input) is a fault of the arrangement and fails loudly."""
    try:
        ask()
    except (Http404, PermissionDenied):
        return False
    return True


def fresh(model: type[Any], pk: object) -> Any:
    """The record as it is now, whoever's scope the actor acts in."""
    with scopes_disabled():
        return model.objects.select_related().get(pk=pk)


# --- the channels ------------------------------------------------------------------------


def gate(member: Membership | None, s: Situation, column: str, action: Action) -> Answer:
    if action == Action.EXPORT:
        return None
    if member is None:
        return False  # no membership: no gate lets anyone in
    read = action in (Action.LIST, Action.READ)
    if column == "adjustment":
        if action == Action.DELETE:
            return False  # nothing deletes an adjustment: it is ended
        wanted = Action.READ if read else Action.CHANGE
        return opens(lambda: access.adjustment_for_member(member, s.adjustment.pk, wanted))
    if column == "private-note":
        if action == Action.DELETE:
            return None  # the gate opens the note; whether it may be removed is the service's
        return opens(lambda: access.need_for_member(member, s.need.pk))
    if column == "meeting":
        wanted = Action.READ if read else action
        return opens(lambda: access.meeting_for_member(member, s.meeting.pk, wanted))
    if column == "conflicts":
        if not read:
            return False  # worked out, never changed or deleted by hand
        try:
            meeting = access.meeting_for_member(member, s.meeting.pk)
        except (Http404, PermissionDenied):
            return False
        return (
            access.conflicts_visible_to(member, meeting)
            .filter(member_id=s.need.owner_id)  # Amina's rows
            .exists()
        )
    if column == "trip":
        wanted = Action.READ if read else action
        return opens(lambda: access.trip_for_member(member, s.trip.pk, wanted))
    if column == "checklist":
        if action == Action.DELETE:
            return False  # opting out clears the list: a change of the traveller's
        return opens(lambda: access.checklist_for_member(member, s.traveller.pk))
    if column == "feed":
        if not read:
            return None  # making and stopping are the services'
        return opens(lambda: access.feed_for_member(member, s.feed.pk))
    return None


def service(
    member: Membership | None, s: Situation, story: Any, column: str, action: Action
) -> dict[str, Answer]:
    """Every service that answers the cell, by name."""
    if member is None or action in (Action.LIST, Action.EXPORT):
        return {}
    if column == "adjustment" and action == Action.CHANGE:
        return {
            "agree": opens(lambda: agree_a_new_proposal(member, story)),
            "end": opens(
                lambda: services.end_adjustment(
                    actor=member,
                    adjustment=fresh(Adjustment, s.adjustment.pk),
                    version=fresh(Adjustment, s.adjustment.pk).version,
                    last_day=s.today + dt.timedelta(days=400),
                )
            ),
        }
    if column == "private-note":
        if action == Action.READ:
            return {"read_need": opens(lambda: read_note(member, s))}
        if action == Action.CHANGE:
            return {"record_need": opens(lambda: change_note(member, s))}
        if action == Action.DELETE:
            return {
                "remove_need": opens(
                    lambda: services.remove_need(actor=member, need=fresh(PrivateNeed, s.need.pk))
                )
            }
    if column == "meeting" and action in (Action.CHANGE, Action.DELETE):
        meeting = fresh(Meeting, s.meeting.pk)
        if action == Action.CHANGE:
            return {
                "move_meeting": opens(
                    lambda: services.move_meeting(
                        actor=member, meeting=meeting, version=meeting.version, starts=dt.time(11)
                    )
                )
            }
        return {
            "cancel_meeting": opens(
                lambda: services.cancel_meeting(
                    actor=member, meeting=meeting, version=meeting.version
                )
            )
        }
    if column == "trip" and action in (Action.CHANGE, Action.DELETE):
        trip = fresh(Trip, s.trip.pk)
        if action == Action.CHANGE:
            return {"update_trip": opens(lambda: change_trip(member, trip, story))}
        return {
            "cancel_trip": opens(
                lambda: travel.cancel_trip(actor=member, trip=trip, version=trip.version)
            )
        }
    if column == "checklist":
        traveller = fresh(Traveller, s.traveller.pk)
        if action == Action.READ:
            return {
                "read_checklist": opens(
                    lambda: travel.read_checklist(actor=member, traveller=traveller)
                )
            }
        if action == Action.CHANGE:
            return {
                "update_checklist": opens(
                    lambda: travel.update_checklist(
                        actor=member,
                        traveller=traveller,
                        version=traveller.version,
                        details={"take_home_limit": "2 a year", "take_home_used": 1},
                    )
                )
            }
    if column == "feed" and action in (Action.CHANGE, Action.DELETE):
        if action == Action.CHANGE:
            return {"make_feed": makes_a_new_address_for_amina(member, story)}
        with scope(organisation=story.harbourside.pk):
            live = feeds.live_feed(story.amina)
        assert live is not None
        return {"revoke_feed": opens(lambda: feeds.revoke_feed(actor=member, feed=live))}
    return {}


def export(member: Membership | None, column: str, action: Action) -> Answer:
    """Whether the actor's own-data export holds the record: only the subject's does."""
    if action != Action.EXPORT or column not in EXPORTED:
        return None
    if member is None:
        return False
    sections = {section["key"]: section for section in build_export(member)["sections"]}
    return bool(sections[EXPORTED[column]]["items"])


# --- what the services are asked to do ---------------------------------------------------------


def agree_a_new_proposal(member: Membership, story: Any) -> None:
    """A Saturday proposal from the other side than ``member``'s, for them to agree."""
    proposer = story.ravi if member.pk == story.amina.pk else story.amina
    with scope(organisation=story.harbourside.pk):
        row = services.propose_adjustment(
            actor=proposer,
            person=story.amina,
            weekdays=[5],
            starts=dt.time(10, 0),
            ends=dt.time(14, 0),
            valid_from=timezone.localdate(),
        )
    agreed = services.agree_adjustment(actor=member, adjustment=row, version=row.version)
    assert agreed.state == Adjustment.State.AGREED


def read_note(member: Membership, s: Situation) -> None:
    need = access.need_for_member(member, s.need.pk)
    assert services.read_need(actor=member, need=need)["starts"] == APPOINTMENT["starts"]


def change_note(member: Membership, s: Situation) -> None:
    need = fresh(PrivateNeed, s.need.pk)
    services.record_need(
        actor=member,
        owner=need.owner,
        details={**APPOINTMENT, "travel_minutes": 25},
        need=need,
        version=need.version,
    )


def change_trip(member: Membership, trip: Trip, story: Any) -> None:
    travel.update_trip(
        actor=member,
        trip=trip,
        version=trip.version,
        fields=travel.TripFields(
            title="Peer counselling training, second part",
            kind=trip.kind,
            place=trip.place,
            starts_on=trip.starts_on,
            ends_on=trip.ends_on,
            first_session_at=trip.first_session_at,
            travellers=[story.amina.pk],
        ),
    )


def makes_a_new_address_for_amina(member: Membership, story: Any) -> bool:
    """Making a feed makes the actor's own: it changes Amina's only when it is Amina."""
    with scope(organisation=story.harbourside.pk):
        before = feeds.live_feed(story.amina)
    feeds.make_feed(actor=member)
    with scope(organisation=story.harbourside.pk):
        after = feeds.live_feed(story.amina)
    return before is None or after is None or before.pk != after.pk


# --- the rows ------------------------------------------------------------------------------------


@pytest.mark.parametrize("row", ROWS)
def test_the_schedule_row_agrees_with_the_gates_services_and_export(story: Any, row: str) -> None:
    actor = MATRIX.actors_of(SECTION)[row]
    situation = arrange(story, share_with_grace=row == "hr-with-share")
    member = getattr(story, actor.person) if actor.person else None
    organisation = member.organisation_id if member else story.harbourside.pk
    section = MATRIX.section(SECTION)
    problems = []
    cells = sorted(
        (cell for cell in section.cells() if cell.actor == row),
        key=lambda cell: ORDER.index(cell.action),
    )
    for cell in cells:
        with scope(organisation=organisation):
            answers = {
                "gate": gate(member, situation, cell.column, cell.action),
                "export": export(member, cell.column, cell.action),
                **service(member, situation, story, cell.column, cell.action),
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


def test_no_one_else_reaches_aminas_feed_by_its_id(story: Any) -> None:
    situation = arrange(story)
    for member in (story.ravi, story.grace, story.daniel, story.olena, story.taras):
        with scope(organisation=member.organisation_id), pytest.raises(Http404):
            access.feed_for_member(member, situation.feed.pk)
