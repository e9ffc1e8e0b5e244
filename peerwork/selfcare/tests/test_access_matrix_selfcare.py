"""The [record: selfcare] rows of the access matrix, walked through the self-care gates
(``peerwork.selfcare.access``), the area services and the own-data export, with the real
people of the shared story (issue 7, "Tests that must exist").

The situation of every row is the self-care one (``situation.arrange_row``): Amina's risk
circle with Samuel's suggestion from an opening long expired, her self-control programme,
personal plan, weekly goal and kept self-check, and this week's team stress pulse with five
answers; an extra row adds its opening (open to Samuel, open to Ravi, expired, closed).
Rows whose subject is Olena ask of the same records: nobody reads them by role.

Each cell (column × action) is asked of each channel that can answer it; a channel with
nothing to say answers None. Reads and exports come first, then changes, then deletes,
since those change what the others look at. One test per row collects every
disagreement.

What each action means per column:

- circle, programme: the record's gate with the action; exported in the owner's export.
  The programme's services answer too: ``programmes_of`` and ``opened_to`` (list),
  ``read_programme`` and ``read_entries`` after the gate (read), ``save_target`` (change)
  and ``delete_programme`` (delete), which check the owner themselves.
- suggestion: the gate of the suggestion the row asks of (the actor's own when they made
  one, else Samuel's); change is deciding it for the owner and making one for anyone else
  (``suggest_on_circle_for_member``). Nobody deletes a suggestion; the gate has no say in
  it (None) and the services and the API answer it.
- plan, goal, self-check: the owner's gates, the same for every action.
- pulse: list and read are the team's aggregate: the pulse gate lets the team in and the
  week has at least ``PULSE_MINIMUM`` answers. Answering is the pulse service's.

The export channel asks whether the words only that record holds appear anywhere in the
actor's own-data export, so it catches a leak through any section, not only the record's
own.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django_scopes import scope, scopes_disabled

from peerwork.core import access_matrix
from peerwork.core.access import Action
from peerwork.core.models import Membership
from peerwork.people.export import build_export
from peerwork.selfcare import access, programmes
from peerwork.selfcare.models import PulseAnswer, SelfControlProgramme
from peerwork.selfcare.tests.situation import ARRANGE, WORDS, Situation, arrange_row

MATRIX = access_matrix.load()
SECTION = "record: selfcare"
ROWS = list(MATRIX.section(SECTION).rows)
ORDER = [Action.LIST, Action.READ, Action.EXPORT, Action.CHANGE, Action.DELETE]

Answer = bool | None


def opens(ask: Callable[[], object]) -> bool:
    """Allowed when it returns; refused when a gate or a service says 404 or 403. Anything
    else (a stale version, bad input) is a fault of the arrangement and fails loudly."""
    try:
        ask()
    except (Http404, PermissionDenied):
        return False
    return True


# --- the channels ------------------------------------------------------------------------


def gate(member: Membership | None, s: Situation, column: str, action: Action) -> Answer:
    if action == Action.EXPORT:
        return None
    if member is None:
        return False  # no membership: no gate lets anyone in
    read = action in (Action.LIST, Action.READ)
    wanted = Action.READ if read else action
    if column == "circle":
        return opens(lambda: access.circle_for_member(member, s.circle.pk, wanted))
    if column == "programme":
        return opens(lambda: access.programme_for_member(member, s.programme.pk, wanted))
    if column == "suggestion":
        suggestion = s.suggestion_of(member)
        if read:
            return opens(lambda: access.suggestion_for_member(member, suggestion.pk))
        if action == Action.CHANGE:
            if member.pk == s.circle.owner_id:
                return opens(
                    lambda: access.suggestion_for_member(member, suggestion.pk, Action.CHANGE)
                )
            return opens(lambda: access.suggest_on_circle_for_member(member, s.circle.pk))
        return None
    own = {
        "plan": (access.plan_for_member, s.plan.pk),
        "goal": (access.goal_for_member, s.goal.pk),
        "self-check": (access.selfcheck_for_member, s.self_check.pk),
    }
    if column in own:
        fn, pk = own[column]
        return opens(lambda: fn(member, pk))
    if column == "pulse":
        if not read:
            return None
        if not opens(lambda: access.pulse_team_for_member(member, s.team.pk)):
            return False
        answers = PulseAnswer.objects.filter(
            organisation_id=member.organisation_id, team=s.team, week_of=s.week_of
        ).count()
        return answers >= access.PULSE_MINIMUM
    return None


def words_of(member: Membership | None, s: Situation, column: str) -> list[str]:
    """The words only the record of ``column`` holds, as the row asks of it."""
    if column == "suggestion":
        suggestion = s.suggestion_of(member)
        return [str(suggestion.text)]
    return {
        "circle": [WORDS["circle"]],
        "programme": [WORDS["programme"], WORDS["entry"]],
        "plan": [WORDS["plan"]],
        "goal": [WORDS["goal"]],
        "self-check": [WORDS["self-check"]],
    }.get(column, [])


def export(
    member: Membership | None, s: Situation, column: str, action: Action, made: dict[str, str]
) -> Answer:
    """Whether the actor's own-data export holds the record's words: only the owner's
    does, and only for the columns she exports. The export is made once per row (``made``),
    before any change."""
    if action != Action.EXPORT:
        return None
    words = words_of(member, s, column)
    if not words:
        return None
    if member is None:
        return False
    if "text" not in made:
        made["text"] = json.dumps(build_export(member), ensure_ascii=False)
    text = made["text"]
    found = [w in text for w in words]
    assert all(found) or not any(found), f"part of the {column} only: {found}"
    return all(found)


def fresh(model: type[Any], pk: object) -> Any:
    """The record as it is now, whoever's scope the actor acts in."""
    with scopes_disabled():
        return model.objects.select_related("owner__organisation").get(pk=pk)


def _programme(member: Membership, s: Situation, action: Action) -> dict[str, Answer]:
    if action == Action.LIST:
        mine = {p.pk for p in programmes.programmes_of(member)}
        opened = {o.programme_id for o in programmes.opened_to(member)}
        return {"programmes_of, opened_to": s.programme.pk in mine | opened}
    if action == Action.READ:

        def read() -> None:
            found = access.programme_for_member(member, s.programme.pk)
            assert (
                programmes.read_programme(actor=member, programme=found).target
                == (WORDS["programme"])
            )
            records = programmes.read_entries(actor=member, programme=found)
            assert [r.antecedent for r in records] == [WORDS["entry"]]

        return {"read_programme": opens(read)}
    if action == Action.CHANGE:
        return {
            "save_target": opens(
                lambda: programmes.save_target(
                    actor=member,
                    programme=fresh(SelfControlProgramme, s.programme.pk),
                    version=None,
                    target="Spending less on the way home",
                )
            )
        }
    if action == Action.DELETE:
        return {
            "delete_programme": opens(
                lambda: programmes.delete_programme(
                    actor=member,
                    programme=fresh(SelfControlProgramme, s.programme.pk),
                    version=None,
                )
            )
        }
    return {}


def service(
    member: Membership | None, s: Situation, story: Any, column: str, action: Action
) -> dict[str, Answer]:
    """Every area service that answers the cell, by name."""
    if member is None or action == Action.EXPORT:
        return {}
    if column == "programme":
        return _programme(member, s, action)
    return {}


# --- the rows ------------------------------------------------------------------------------------


@pytest.mark.parametrize("row", ROWS)
def test_the_selfcare_row_agrees_with_the_gates_services_and_export(story: Any, row: str) -> None:
    actor = MATRIX.actors_of(SECTION)[row]
    situation = arrange_row(story, row)
    member = getattr(story, actor.person) if actor.person else None
    organisation = member.organisation_id if member else story.harbourside.pk
    section = MATRIX.section(SECTION)
    problems = []
    made: dict[str, str] = {}
    cells = sorted(
        (cell for cell in section.cells() if cell.actor == row),
        key=lambda cell: ORDER.index(cell.action),
    )
    for cell in cells:
        with scope(organisation=organisation):
            answers = {
                "gate": gate(member, situation, cell.column, cell.action),
                "export": export(member, situation, cell.column, cell.action, made),
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


def test_every_extra_situation_of_the_section_is_arranged() -> None:
    assert set(MATRIX.section(SECTION).extras) == set(ARRANGE)


def test_an_opening_opens_nothing_at_and_after_its_expiry(story: Any) -> None:
    situation = arrange_row(story, "mentor-opened")
    [circle_opening, _programme] = situation.openings
    with scope(organisation=story.harbourside.pk):
        live = access.live_openings(story.samuel, situation.now)
        assert live.filter(circle=situation.circle).exists()
        expiry = circle_opening.expires_at
        assert not access.live_openings(story.samuel, expiry).filter(pk=circle_opening.pk).exists()


def test_a_week_with_four_answers_is_not_shown_to_anyone(story: Any) -> None:
    situation = arrange_row(story, "self")
    with scope(organisation=story.harbourside.pk):
        PulseAnswer.objects.filter(team=situation.team, week_of=situation.week_of).first().delete()
        for member in (story.ravi, story.grace, story.daniel):
            assert gate(member, situation, "pulse", Action.READ) is False, member
