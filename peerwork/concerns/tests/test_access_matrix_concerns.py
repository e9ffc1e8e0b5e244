"""The [record: concerns] rows of the access matrix, walked through the concerns gates
(``peerwork.concerns.access``), the area services and the own-data export, with the real
people of the shared story (issue 8 item 6, "the access matrix rows").

The situation of every row is the concerns one (``situation.arrange_row``): Ravi's
attendance concern about Amina on the App. 9 path, with a stage, two work targets, a review
meeting Amina brought Samuel to, its note and a hand-off waiting for HR; her §4.7 concern
with an open investigation Grace opened; her request for advice to Ravi; Olena's closed
time-keeping concern with its meeting and note. Rows whose subject is Olena ask of her
concern, meeting and note; she has no stage, target, hand-off, investigation or request
for advice, so those cells have nothing to ask (None).

Each cell (column × action) is asked of each channel that can answer it; a channel with
nothing to say answers None. Reads and exports come first, then changes, then deletes.
One test per row collects every disagreement.

What each action means per column, for the gate channel:

- concern, meeting, note, target, path, handoff, advice: the record's gate with the action
  (list and read are the read gate). Only a concern is ever deleted (HR, raised in error);
  nothing deletes the others, so their delete cells are the services' (None here).
- investigation: its gate for reading (that it exists, its state, any suspension).
  Changing it (suspending, naming investigators, completing) is HR's: the gate lets HR and
  the investigators through ("the service decides which"), and the change is HR's only.
- findings: the investigation's gate, then ``reads_findings``; writing findings is the
  gate for a change (HR and the investigators), then ``reads_findings``.
- aggregate: ``sees_aggregates``; library: ``uses_concerns`` in the subject's organisation
  (the library is the same text everywhere; another organisation's member reads their own).

The export channel asks whether the words only the subject's record holds appear in the
actor's own-data export: only for the columns the table exports, and for findings (which
nobody's export may hold while the investigation is open).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django_scopes import scope, scopes_disabled

from peerwork.concerns import access, app9, intake, investigations, meetings, paths
from peerwork.concerns import advice as advice_service
from peerwork.concerns.models import (
    AdviceRequest,
    Concern,
    Handoff,
    Investigation,
    MeetingNote,
    PathStep,
    ReviewMeeting,
    Target,
)
from peerwork.concerns.other_paths import FIVE_KEYS
from peerwork.concerns.tests.situation import (
    ARRANGE,
    WORDS,
    Situation,
    arrange_row,
    without_handoff,
)
from peerwork.core import access_matrix
from peerwork.core.access import Action
from peerwork.core.models import AuditEvent, Membership
from peerwork.people.export import build_export

MATRIX = access_matrix.load()
SECTION = "record: concerns"
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


def _then(ask: Callable[[], object], inside: Callable[[Any], bool]) -> bool:
    """The gate first, as every page and API operation does, then a further rule."""
    try:
        found = ask()
    except (Http404, PermissionDenied):
        return False
    return inside(found)


# --- the gate channel ---------------------------------------------------------------------


def _record_gate(
    member: Membership, subject: Membership, s: Situation, column: str
) -> Callable[[str], object] | None:
    """The gate of the column's record for the subject, as a function of the action; None
    when the subject has no such record."""
    amina = s.is_amina(subject)
    gates: dict[str, Callable[[str], object]] = {
        "concern": lambda a: access.concern_for_member(member, s.concern_of(subject).pk, a),
        "meeting": lambda a: access.meeting_for_member(member, s.meeting_of(subject).pk, a),
        "note": lambda a: access.note_for_member(member, s.note_of(subject).pk, a),
    }
    if amina:
        gates |= {
            "target": lambda a: access.target_for_member(member, s.target.pk, a),
            "path": lambda a: access.step_for_member(member, s.step.pk, a),
            "handoff": lambda a: access.handoff_for_member(member, s.handoff.pk, a),
            "investigation": lambda a: access.investigation_for_member(
                member, s.investigation.pk, a
            ),
            "advice": lambda a: access.advice_for_member(member, s.advice.pk, a),
        }
    return gates.get(column)


def gate(
    member: Membership | None, subject: Membership, s: Situation, column: str, action: Action
) -> Answer:
    if action == Action.EXPORT:
        return None
    if member is None:
        return False  # no membership: no gate lets anyone in
    read = action in (Action.LIST, Action.READ)
    if column == "aggregate":
        return access.sees_aggregates(member) if read else None
    if column == "library":
        if not read:
            return None
        return access.uses_concerns(member) and member.organisation_id == subject.organisation_id
    if column == "findings":
        investigation_gate = _record_gate(member, subject, s, "investigation")
        if investigation_gate is None or action == Action.DELETE:
            return None
        wanted = Action.READ if read else Action.CHANGE
        return _then(lambda: investigation_gate(wanted), lambda i: access.reads_findings(member, i))
    ask = _record_gate(member, subject, s, column)
    if ask is None:
        return None
    if read:
        return opens(lambda: ask(Action.READ))
    if action == Action.DELETE:
        return opens(lambda: ask(Action.DELETE)) if column == "concern" else None
    if column == "investigation":
        return _then(lambda: ask(Action.CHANGE), lambda _i: access.is_hr(member))
    return opens(lambda: ask(Action.CHANGE))


# --- the export channel -------------------------------------------------------------------


def words_of(subject: Membership, s: Situation, column: str) -> list[str]:
    if not s.is_amina(subject):
        return {
            "concern": [WORDS["olena"]],
            "note": [WORDS["olena-note"]],
        }.get(column, [])
    return {
        "concern": [WORDS["concern"], WORDS["evidence"]],
        "meeting": [WORDS["account"]],
        "note": [WORDS["note"]],
        "target": [WORDS["target"], WORDS["reflection"]],
        "path": [WORDS["step"]],
        "handoff": [WORDS["handoff"]],
        "findings": [WORDS["findings"]],
        "advice": [WORDS["advice"]],
    }.get(column, [])


def _holds_investigation(data: dict[str, Any], s: Situation) -> bool:
    """The export lists the investigation: that it is open, and the suspension's dates."""
    for section in data["sections"]:
        if section["key"] != "concerns.investigation":
            continue
        for item in section["items"]:
            if str(s.investigation.suspended_from) in item.values():
                return True
    return False


def export(
    member: Membership | None,
    subject: Membership,
    s: Situation,
    column: str,
    action: Action,
    made: dict[str, Any],
) -> Answer:
    """Whether the actor's own-data export holds the subject's record, for the columns the
    table exports (and findings, which no export may hold while the investigation is
    open). The export is made once per row, before any change."""
    if action != Action.EXPORT:
        return None
    if column == "investigation":
        if not s.is_amina(subject):
            return None
        if member is None:
            return False
        if "data" not in made:
            made["data"] = build_export(member)
        return _holds_investigation(made["data"], s)
    words = words_of(subject, s, column)
    if not words:
        return None
    if member is None:
        return False
    if "data" not in made:
        made["data"] = build_export(member)
    text = json.dumps(made["data"], ensure_ascii=False)
    return all(word in text for word in words)


# --- the services -------------------------------------------------------------------------


def fresh(model: type[Any], pk: object) -> Any:
    """The record as it is now (an earlier cell of the row may have changed it)."""
    with scopes_disabled():
        return model.objects.get(pk=pk)


def _gated(ask: Callable[[], object], then: Callable[[Any], object]) -> bool:
    """The gate first, as every page and API operation does, then the service."""
    try:
        found = ask()
    except (Http404, PermissionDenied):
        return False
    return opens(lambda: then(found))


def _listed(rows: Any, pk: object) -> bool:
    return any(row.pk == pk for row in rows)


def _concern(
    member: Membership, subject: Membership, s: Situation, action: Action
) -> dict[str, Answer]:
    concern = s.concern_of(subject)
    gate_for = lambda a: lambda: access.concern_for_member(member, concern.pk, a)  # noqa: E731
    if action == Action.LIST:
        return {"concerns_visible_to": _listed(intake.concerns_visible_to(member), concern.pk)}
    if action == Action.CHANGE:

        def change(found: Concern) -> object:
            fields = intake.ConcernFields(
                source=found.source,
                category=found.category,
                noticed_from=found.noticed_from,
                noticed_to=found.noticed_to,
                what_happened=f"{found.what_happened} A fifth Monday was missed.",
                evidence=str(found.evidence or ""),
                work_impact=str(found.work_impact or ""),
                signs=found.signs,
                path=found.path,
            )
            return intake.change_concern(
                actor=member, concern=found, fields=fields, version=found.version
            )

        return {"change_concern": _gated(gate_for(Action.CHANGE), change)}
    if action == Action.DELETE:

        def delete(found: Concern) -> None:
            without_handoff(found)
            intake.delete_concern(actor=member, concern=found)

        return {"delete_concern": _gated(gate_for(Action.DELETE), delete)}
    return {}


def _meeting(
    member: Membership, subject: Membership, s: Situation, action: Action
) -> dict[str, Answer]:
    meeting = s.meeting_of(subject)
    if action == Action.LIST:
        return {"meetings_visible_to": _listed(meetings.meetings_visible_to(member), meeting.pk)}
    if action == Action.CHANGE:
        # The staff member words her own account; anyone else writes the agenda.
        own = member.pk == meeting.person_id
        changes = (
            {"person_account": "The later matatu works better"}
            if own
            else {"purpose": "To agree what helps on Mondays"}
        )

        def change(found: ReviewMeeting) -> object:
            return meetings.change_meeting(
                actor=member, meeting=found, changes=changes, version=found.version
            )

        return {
            "change_meeting": _gated(
                lambda: access.meeting_for_member(member, meeting.pk, Action.CHANGE), change
            )
        }
    return {}


def _note(
    member: Membership, subject: Membership, s: Situation, action: Action
) -> dict[str, Answer]:
    note = s.note_of(subject)
    if action != Action.CHANGE:
        return {}

    def change(found: MeetingNote) -> object:
        # The two who were there answer it; whoever else works the case rewrites it.
        if found.meeting.was_there(member):
            return meetings.answer_note(actor=member, note=found, agrees=True)
        return meetings.change_note(
            actor=member,
            note=found,
            summary=f"{found.summary} Both will look at it again.",
            review_on=found.review_on,
            version=found.version,
        )

    name = "answer_note" if s.meeting_of(subject).was_there(member) else "change_note"
    return {name: _gated(lambda: access.note_for_member(member, note.pk, Action.CHANGE), change)}


def _target(member: Membership, s: Situation, action: Action) -> dict[str, Answer]:
    if action == Action.LIST:
        return {"targets_visible_to": _listed(app9.targets_visible_to(member), s.target.pk)}
    if action != Action.CHANGE:
        return {}

    def change(found: Target) -> object:
        # The staff member writes her self-reflection; the manager and HR the target.
        if member.pk == found.person_id:
            return app9.write_reflection(
                actor=member,
                target=found,
                self_reflection="Packing the van early helps",
                version=found.version,
            )
        fields = app9.TargetFields(
            measure=found.measure,
            description=f"{found.description} (checked weekly)",
            review_on=found.review_on,
            feedback_sources=str(found.feedback_sources),
            set_in=found.set_in,
        )
        return app9.change_target(actor=member, target=found, fields=fields, version=found.version)

    return {
        "write_reflection, change_target": _gated(
            lambda: access.target_for_member(member, s.target.pk, Action.CHANGE), change
        )
    }


def _path(member: Membership, s: Situation, action: Action) -> dict[str, Answer]:
    if action != Action.CHANGE:
        return {}

    def correct(found: PathStep) -> object:
        return paths.record_step(
            actor=member,
            concern=found.concern,
            stage_key=found.stage,
            answers={"indications": ["lateness", "tasks"], "evidence": ["records"]},
            notes=f"{found.notes} Tasks slipped too.",
            version=found.version,
        )

    return {
        "record_step": _gated(
            lambda: access.step_for_member(member, s.step.pk, Action.CHANGE), correct
        )
    }


def _handoff(member: Membership, s: Situation, action: Action) -> dict[str, Answer]:
    if action != Action.CHANGE:
        return {}

    def change(found: Handoff) -> object:
        # HR countersigns; whoever asked for it may withdraw it.
        if access.is_hr(member):
            return app9.countersign_handoff(actor=member, handoff=found, version=found.version)
        return app9.withdraw_handoff(actor=member, handoff=found, version=found.version)

    return {
        "countersign_handoff, withdraw_handoff": _gated(
            lambda: access.handoff_for_member(member, s.handoff.pk, Action.CHANGE), change
        )
    }


def _investigation(member: Membership, s: Situation, action: Action) -> dict[str, Answer]:
    if action == Action.LIST:
        found = investigations.investigations_for(member)
        return {"investigations_for": _listed(found, s.investigation.pk)}
    if action != Action.CHANGE:
        return {}

    def suspend(found: Investigation) -> object:
        return investigations.set_suspension(
            actor=member,
            investigation=found,
            suspended_from=found.suspended_from,
            suspended_until=found.suspended_until,
            version=found.version,
        )

    return {
        "set_suspension": _gated(
            lambda: access.investigation_for_member(member, s.investigation.pk, Action.CHANGE),
            suspend,
        )
    }


def _findings(member: Membership, s: Situation, action: Action) -> dict[str, Answer]:
    if action != Action.CHANGE:
        return {}

    def write(found: Investigation) -> object:
        return investigations.record_findings(
            actor=member,
            investigation=found,
            findings=f"{found.findings} A third client was asked.",
            version=found.version,
        )

    return {
        "record_findings": _gated(
            lambda: access.investigation_for_member(member, s.investigation.pk, Action.CHANGE),
            write,
        )
    }


def _advice(member: Membership, s: Situation, action: Action) -> dict[str, Answer]:
    gate_read = lambda: access.advice_for_member(member, s.advice.pk)  # noqa: E731
    if action == Action.LIST:
        return {"requests_for": _listed(advice_service.requests_for(member), s.advice.pk)}
    if action == Action.READ:

        def read(found: AdviceRequest) -> None:
            assert advice_service.read_question(actor=member, advice=found) == WORDS["advice"]

        return {"read_question": _gated(gate_read, read)}
    if action != Action.CHANGE:
        return {}

    def change(found: AdviceRequest) -> object:
        # The one asked answers; the one who asked may withdraw it.
        if member.pk == found.asked_id:
            return advice_service.answer_advice(
                actor=member,
                advice=found,
                answers=dict.fromkeys(FIVE_KEYS, "unsure"),
                reply="Let us talk it through on Thursday",
                outcome=AdviceRequest.Outcome.ADVICE,
                version=found.version,
            )
        return advice_service.withdraw_advice(actor=member, advice=found, version=found.version)

    return {"answer_advice, withdraw_advice": _gated(gate_read, change)}


def service(
    member: Membership | None,
    subject: Membership,
    s: Situation,
    story: Any,
    column: str,
    action: Action,
) -> dict[str, Answer]:
    """Every area service that answers the cell, by name. Records the subject does not
    have (Olena has no target, stage, hand-off, investigation or request for advice) have
    nothing to ask."""
    if member is None or action == Action.EXPORT:
        return {}
    if column == "concern":
        return _concern(member, subject, s, action)
    if column == "meeting":
        return _meeting(member, subject, s, action)
    if column == "note":
        return _note(member, subject, s, action)
    if not s.is_amina(subject):
        return {}
    if column == "target":
        return _target(member, s, action)
    if column == "path":
        return _path(member, s, action)
    if column == "handoff":
        return _handoff(member, s, action)
    if column == "investigation":
        return _investigation(member, s, action)
    if column == "findings":
        return _findings(member, s, action)
    if column == "advice":
        return _advice(member, s, action)
    return {}


# --- the rows -----------------------------------------------------------------------------


@pytest.mark.parametrize("row", ROWS)
def test_the_concerns_row_agrees_with_the_gates_services_and_export(story: Any, row: str) -> None:
    actor = MATRIX.actors_of(SECTION)[row]
    situation = arrange_row(story, row)
    member = getattr(story, actor.person) if actor.person else None
    subject = getattr(story, actor.subject or "amina")
    organisation = member.organisation_id if member else story.harbourside.pk
    section = MATRIX.section(SECTION)
    problems = []
    made: dict[str, Any] = {}
    cells = sorted(
        (cell for cell in section.cells() if cell.actor == row),
        key=lambda cell: ORDER.index(cell.action),
    )
    for cell in cells:
        with scope(organisation=organisation):
            answers = {
                "gate": gate(member, subject, situation, cell.column, cell.action),
                "export": export(member, subject, situation, cell.column, cell.action, made),
                **service(member, subject, situation, story, cell.column, cell.action),
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


# --- beyond the cells: the second concern, and the counts -------------------------------------


def test_an_investigator_reads_the_concern_under_investigation_and_nothing_else_of_hers(
    story: Any,
) -> None:
    """Taslima needs what is alleged (§4.7) and nothing of the App. 9 case, its meetings,
    targets, hand-off or Amina's request for advice; she changes none of it, and once the
    investigation is completed she no longer reads the concern."""
    s = arrange_row(story, "investigator")
    t = story.taslima
    with scope(organisation=story.harbourside.pk):
        assert opens(lambda: access.concern_for_member(t, s.supply.pk))
        assert not opens(lambda: access.concern_for_member(t, s.supply.pk, Action.CHANGE))
        assert not opens(lambda: access.concern_for_member(t, s.concern.pk))
        assert not opens(lambda: access.meeting_for_member(t, s.meeting.pk))
        assert not opens(lambda: access.note_for_member(t, s.note.pk))
        assert not opens(lambda: access.target_for_member(t, s.target.pk))
        assert not opens(lambda: access.step_for_member(t, s.step.pk))
        assert not opens(lambda: access.handoff_for_member(t, s.handoff.pk))
        assert not opens(lambda: access.advice_for_member(t, s.advice.pk))
        assert not _listed(intake.concerns_visible_to(t), s.supply.pk)
        investigations.complete_investigation(
            actor=story.grace,
            investigation=fresh(Investigation, s.investigation.pk),
            outcome=Investigation.Outcome.NO_GROUNDS,
        )
        assert not opens(lambda: access.concern_for_member(t, s.supply.pk))
        assert opens(lambda: access.investigation_for_member(t, s.investigation.pk))


def test_the_supporter_she_named_reads_that_concern_and_never_its_investigation(
    story: Any,
) -> None:
    """Samuel, whom Amina named to support her through the suspension, reads the §4.7
    concern while it is open; asking for the investigation gets him what an outsider gets,
    and the attempt is audited (§4.7)."""
    s = arrange_row(story, "peer-mentor")
    samuel = story.samuel
    with scope(organisation=story.harbourside.pk):
        assert opens(lambda: access.concern_for_member(samuel, s.supply.pk))
        assert _listed(intake.concerns_visible_to(samuel), s.supply.pk)
        before = AuditEvent.objects.filter(action="concerns.investigation_read_refused").count()
        assert not opens(lambda: access.investigation_for_member(samuel, s.investigation.pk))
        refused = AuditEvent.objects.filter(action="concerns.investigation_read_refused")
        assert refused.count() == before + 1
        assert refused.latest("at").actor_id == samuel.pk
        assert not _listed(investigations.investigations_for(samuel), s.investigation.pk)


def test_the_counts_the_director_sees_never_show_one_to_four(story: Any) -> None:
    """The aggregates hide every count from 1 to 4 (shown as "fewer than 5"), and one more
    beside a lone hidden count, so nobody in a small team can be picked out."""
    s = arrange_row(story, "director")
    with scope(organisation=story.harbourside.pk):
        quarters = intake.aggregates(story.harbourside, now=s.now)
    shown = [
        figure.shown
        for quarter in quarters
        for figure in (
            *quarter.by_category,
            *quarter.by_path,
            *quarter.by_outcome,
            quarter.reached_meeting,
            quarter.handed_off,
        )
    ]
    assert all(count is None or count == 0 or count >= intake.MINIMUM_GROUP_SIZE for count in shown)
    assert None in shown  # the situation's three concerns are there, hidden
