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
- pulse: list and read are the team's aggregate of last week: the pulse gate lets the team
  in and the week has at least ``PULSE_MINIMUM`` answers; ``pulse.overview`` shows it.
  Change is answering (``pulse.answer``), which is always for oneself: it changes Amina's
  pulse only when Amina answers.

The services answer each cell as the pages and the API call them: the gate first where
a service takes the record as found (``areas_of``, ``read_programme``, ``read_plan``,
``read_selfcheck``, the suggestion lists), the service alone where it checks the actor
itself (``mark_big_change``, ``delete_circle``, ``decide_suggestion``, ``suggest``,
``save_target``, ``delete_programme``, ``save_plan``, ``remove_plan``, ``set_goal_done``,
``remove_goal``, ``remove_selfcheck``). A kept self-check is never edited, so no service
answers its change.

The export channel asks whether the words only that record holds appear anywhere in the
actor's own-data export, so it catches a leak through any section, not only the record's
own.
"""

from __future__ import annotations

import datetime as dt
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
from peerwork.selfcare import access, circles, programmes, pulse, wellbeing
from peerwork.selfcare.models import (
    CircleSuggestion,
    PulseAnswer,
    RelapsePlan,
    RiskCircle,
    SelfCheck,
    SelfControlProgramme,
    WeeklyGoal,
)
from peerwork.selfcare.tests.situation import AREA, ARRANGE, WORDS, Situation, arrange_row

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
        return model.objects.select_related("owner__organisation", "owner__user").get(pk=pk)


def _gated(ask: Callable[[], object], then: Callable[[Any], object]) -> bool:
    """The gate first, as every page and API operation does, then the service."""
    try:
        found = ask()
    except (Http404, PermissionDenied):
        return False
    return opens(lambda: then(found))


def _circle(member: Membership, s: Situation, action: Action) -> dict[str, Answer]:
    if action == Action.LIST:
        own = circles.circle_of(member)
        opened = {o.circle_id for o in circles.opened_to(member)}
        return {
            "circle_of, opened_to": (own is not None and own.pk == s.circle.pk)
            or s.circle.pk in opened
        }
    if action == Action.READ:

        def read(circle: RiskCircle) -> None:
            areas = circles.areas_of(actor=member, circle=circle)
            assert areas[0].name == WORDS["circle"]

        return {"areas_of": _gated(lambda: access.circle_for_member(member, s.circle.pk), read)}
    if action == Action.CHANGE:
        circle = fresh(RiskCircle, s.circle.pk)
        return {
            "mark_big_change": opens(
                lambda: circles.mark_big_change(
                    actor=member, circle=circle, version=circle.version, now=s.now
                )
            )
        }
    if action == Action.DELETE:
        return {
            "delete_circle": opens(
                lambda: circles.delete_circle(actor=member, circle=fresh(RiskCircle, s.circle.pk))
            )
        }
    return {}


def _suggestion(member: Membership, s: Situation, action: Action) -> dict[str, Answer]:
    suggestion = s.suggestion_of(member)
    owner = member.pk == s.circle.owner_id
    if action == Action.LIST:

        def listed(circle: RiskCircle) -> None:
            found = (
                circles.pending_suggestions(circle)
                if owner
                else circles.suggestions_by(member, circle)
            )
            if suggestion.pk not in {row.pk for row in found}:
                raise PermissionDenied

        name = "pending_suggestions" if owner else "suggestions_by"
        return {name: _gated(lambda: access.circle_for_member(member, s.circle.pk), listed)}
    if action == Action.READ:

        def read(found: CircleSuggestion) -> None:
            assert str(found.text) == str(suggestion.text)

        return {
            "suggestion": _gated(lambda: access.suggestion_for_member(member, suggestion.pk), read)
        }
    if action == Action.CHANGE:
        decided = opens(
            lambda: circles.decide_suggestion(
                actor=member, suggestion=fresh(CircleSuggestion, suggestion.pk), accept=True
            )
        )
        if owner:
            return {"decide_suggestion": decided}
        assert not decided, "someone other than the owner decided a suggestion"
        return {
            "suggest": opens(
                lambda: circles.suggest(
                    actor=member,
                    circle=fresh(RiskCircle, s.circle.pk),
                    area=AREA,
                    ring=CircleSuggestion.Ring.MANAGEMENT,
                    text="Ask the drop-in for a second outreach card",
                )
            )
        }
    return {}


def _programme(member: Membership, s: Situation, action: Action) -> dict[str, Answer]:
    if action == Action.LIST:
        mine = {p.pk for p in programmes.programmes_of(member)}
        opened = {o.programme_id for o in programmes.opened_to(member)}
        return {"programmes_of, opened_to": s.programme.pk in mine | opened}
    if action == Action.READ:

        def read(found: SelfControlProgramme) -> None:
            plan = programmes.read_programme(actor=member, programme=found)
            assert plan.target == WORDS["programme"]
            records = programmes.read_entries(actor=member, programme=found)
            assert [r.antecedent for r in records] == [WORDS["entry"]]

        return {
            "read_programme": _gated(
                lambda: access.programme_for_member(member, s.programme.pk), read
            )
        }
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


def _plan(member: Membership, s: Situation, action: Action) -> dict[str, Answer]:
    if action == Action.LIST:
        own = wellbeing.plan_of(member)
        return {"plan_of": own is not None and own.pk == s.plan.pk}
    if action == Action.READ:

        def read(plan: RelapsePlan) -> None:
            assert wellbeing.read_plan(plan)["own_cravings"] == [WORDS["plan"]]

        return {"read_plan": _gated(lambda: access.plan_for_member(member, s.plan.pk), read)}
    if action == Action.CHANGE:
        plan = fresh(RelapsePlan, s.plan.pk)
        content = {"own_cravings": ["Walk the long way round"]}
        return {
            "save_plan": opens(
                lambda: wellbeing.save_plan(
                    actor=member, content=content, plan=plan, version=plan.version
                )
            )
        }
    if action == Action.DELETE:
        return {
            "remove_plan": opens(
                lambda: wellbeing.remove_plan(actor=member, plan=fresh(RelapsePlan, s.plan.pk))
            )
        }
    return {}


def _goal(member: Membership, s: Situation, action: Action) -> dict[str, Answer]:
    if action == Action.LIST:
        return {"goals_of": s.goal.pk in {g.pk for g in wellbeing.goals_of(member, s.goal.week_of)}}
    if action == Action.READ:

        def read(goal: WeeklyGoal) -> None:
            assert str(goal.text) == WORDS["goal"]

        return {"goal": _gated(lambda: access.goal_for_member(member, s.goal.pk), read)}
    if action == Action.CHANGE:
        return {
            "set_goal_done": opens(
                lambda: wellbeing.set_goal_done(
                    actor=member, goal=fresh(WeeklyGoal, s.goal.pk), done=True
                )
            )
        }
    if action == Action.DELETE:
        return {
            "remove_goal": opens(
                lambda: wellbeing.remove_goal(actor=member, goal=fresh(WeeklyGoal, s.goal.pk))
            )
        }
    return {}


def _self_check(member: Membership, s: Situation, action: Action) -> dict[str, Answer]:
    check = s.self_check
    if action == Action.LIST:
        return {"selfchecks_of": wellbeing.selfchecks_of(member).filter(pk=check.pk).exists()}
    if action == Action.READ:

        def read(found: SelfCheck) -> None:
            assert wellbeing.read_selfcheck(found)["note"] == WORDS["self-check"]

        return {
            "read_selfcheck": _gated(lambda: access.selfcheck_for_member(member, check.pk), read)
        }
    if action == Action.DELETE:
        return {
            "remove_selfcheck": opens(
                lambda: wellbeing.remove_selfcheck(actor=member, check=fresh(SelfCheck, check.pk))
            )
        }
    return {}  # a kept self-check is never edited: there is no service to ask


def _pulse(member: Membership, s: Situation, story: Any, action: Action) -> dict[str, Answer]:
    if action in (Action.LIST, Action.READ):

        def week_shown() -> bool:
            seen = pulse.overview(actor=member, now=s.now)
            for group in seen.teams:
                if group.team is not None and group.team.pk == s.team.pk:
                    [week] = [w for w in group.weeks if w.week_of == s.week_of]
                    assert week.answers in (None, len(s.answered)), week
                    return week.shown
            return False

        try:
            return {"overview": week_shown()}
        except Http404:
            return {"overview": False}
    if action == Action.CHANGE:
        # Answering is always for oneself: it changes Amina's pulse only when it is Amina.
        try:
            week = pulse.answer(actor=member, level=3, now=s.now)
        except Http404:
            return {"answer": False}
        return {"answer": pulse.answered(story.amina, week)}
    return {}


def service(
    member: Membership | None, s: Situation, story: Any, column: str, action: Action
) -> dict[str, Answer]:
    """Every area service that answers the cell, by name."""
    if member is None or action == Action.EXPORT:
        return {}
    if column == "circle":
        return _circle(member, s, action)
    if column == "suggestion":
        return _suggestion(member, s, action)
    if column == "programme":
        return _programme(member, s, action)
    if column == "plan":
        return _plan(member, s, action)
    if column == "goal":
        return _goal(member, s, action)
    if column == "self-check":
        return _self_check(member, s, action)
    if column == "pulse":
        return _pulse(member, s, story, action)
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


def test_a_week_with_four_answers_is_shown_to_nobody_not_even_its_count(story: Any) -> None:
    situation = arrange_row(story, "self")
    next_week = situation.now + dt.timedelta(days=7)
    with scope(organisation=story.harbourside.pk):
        for member in (story.amina, story.olena, story.joseph, story.samuel):
            week = pulse.answer(actor=member, level=5, now=situation.now)
        for member in (story.ravi, story.grace, story.daniel):
            assert gate(member, situation, "pulse", Action.READ) is True, member
            seen = pulse.overview(actor=member, now=next_week)
            [team] = [g for g in seen.teams if g.team is not None and g.team.pk == story.team.pk]
            [four] = [w for w in team.weeks if w.week_of == week]
            assert four.answers is None and four.average is None and four.high_share is None
            [five] = [w for w in team.weeks if w.week_of == situation.week_of]
            assert five.answers == 5, member


def test_the_week_still_going_is_shown_to_nobody(story: Any) -> None:
    """Were it shown, a manager could read it before and after one colleague answered."""
    situation = arrange_row(story, "self")
    with scope(organisation=story.harbourside.pk):
        for member in (story.amina, story.olena, story.joseph, story.samuel, story.taslima):
            week = pulse.answer(actor=member, level=4, now=situation.now)
        seen = pulse.overview(actor=story.grace, now=situation.now)
        assert week not in seen.weeks
