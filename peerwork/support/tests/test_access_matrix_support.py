"""The [record: support] rows of the access matrix, walked through the support gates
(``peerwork.support.access``), the area services and the own-data export, with the real
people of the shared story (issue 7, "Tests that must exist").

The situation of every row is the support one (``situation.arrange_row``): Samuel mentors
Amina and Leila coaches Olena, each under an agreement with a logged session; Amina
consents to Samuel's yes/no confirmation to Ravi, Olena no longer does; Amina's request
for a mentor was paired; the Friday lunch group (Farah facilitating, Amina a member) met,
shared learning and went through mediation; Ravi organises a retreat. Rows whose subject
is Olena ask of Olena's pair, agreement, session and confirmation; the group and retreat
columns ask of the same group and retreat for every row.

Each cell (column × action) is asked of each channel that can answer it; a channel with
nothing to say answers None. Reads and exports come first, then changes, then deletes.
One test per row collects every disagreement.

What each action means per column, for the gate channel:

- pair: ``relationship_for_member`` with the action (HR makes and ends pairs).
- agreement: ``agreement_for_member``; nothing deletes an agreement (None: the services
  and the API answer it).
- sessions: read through ``session_log_for_member`` and ``session_for_member``; writing
  is ``session_log_for_member`` for change; removing is ``session_for_member`` for
  delete.
- confirmation: read is whether ``confirmations_visible_to`` shows the subject's answer;
  giving one (change) is writing to the pair as its supporter while the person's consent
  stands (``consents_to_confirmation``).
- request: ``request_for_member``, which opens the request to the person and HR for
  every change (withdrawing, pairing); delete: None.
- group: ``group_for_member`` with the action.
- group-inside, learning: the group's gate, then ``sees_group_inside`` (its members and
  facilitator) for reading who is in it and for changing either.
- group-step: the group's gate, then its members, its facilitator and the organisation's
  management (``manages_groups``) read the steps; management records them.
- retreat: ``retreat_for_member`` with the action.

The export channel asks whether the words only the subject's agreement or session holds
appear anywhere in the actor's own-data export: only for the columns the table exports.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django_scopes import scope, scopes_disabled

from peerwork.core import access_matrix
from peerwork.core.access import Action
from peerwork.core.models import Membership, SupportRelationship
from peerwork.people.export import build_export
from peerwork.support import access, agreements, groups, mentoring, retreats
from peerwork.support.models import (
    GroupStep,
    MentoringRequest,
    Retreat,
    SupportAgreement,
    SupportGroup,
    SupportSession,
)
from peerwork.support.tests.situation import ARRANGE, WORDS, Situation, arrange_row

MATRIX = access_matrix.load()
SECTION = "record: support"
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


def _group_then(member: Membership, s: Situation, inside: Callable[[], bool]) -> bool:
    try:
        access.group_for_member(member, s.group.pk)
    except (Http404, PermissionDenied):
        return False
    return inside()


# --- the channels ------------------------------------------------------------------------


def gate(
    member: Membership | None, subject: Membership, s: Situation, column: str, action: Action
) -> Answer:
    if action == Action.EXPORT:
        return None
    if member is None:
        return False  # no membership: no gate lets anyone in
    read = action in (Action.LIST, Action.READ)
    wanted = Action.READ if read else action
    pair = s.pair_of(subject)
    if column == "pair":
        return opens(lambda: access.relationship_for_member(member, pair.pk, wanted))
    if column == "agreement":
        if action == Action.DELETE:
            return None
        agreement = s.agreement_of(subject)
        return opens(lambda: access.agreement_for_member(member, agreement.pk, wanted))
    if column == "sessions":
        session = s.session_of(subject)
        if read:
            log = opens(lambda: access.session_log_for_member(member, pair.pk))
            one = opens(lambda: access.session_for_member(member, session.pk))
            assert log == one, "the log and its session disagree"
            return log
        if action == Action.CHANGE:
            return opens(lambda: access.session_log_for_member(member, pair.pk, Action.CHANGE))
        return opens(lambda: access.session_for_member(member, session.pk, Action.DELETE))
    if column == "confirmation":
        if read:
            confirmation = s.confirmation_of(subject)
            return (
                access.confirmations_visible_to(member, subject).filter(pk=confirmation.pk).exists()
            )
        if action == Action.CHANGE:
            writes = opens(lambda: access.session_log_for_member(member, pair.pk, Action.CHANGE))
            return writes and access.consents_to_confirmation(pair)
        return None
    if column == "request":
        if action == Action.DELETE:
            return None
        return opens(lambda: access.request_for_member(member, s.request.pk, wanted))
    if column == "group":
        return opens(lambda: access.group_for_member(member, s.group.pk, wanted))
    if column in ("group-inside", "learning"):
        if action == Action.DELETE:
            return None
        if column == "learning" and read:
            return opens(lambda: access.group_for_member(member, s.group.pk))
        return _group_then(member, s, lambda: access.sees_group_inside(member, s.group))
    if column == "group-step":
        if action == Action.DELETE:
            return None
        if read:
            return _group_then(
                member,
                s,
                lambda: access.sees_group_inside(member, s.group) or access.manages_groups(member),
            )
        return _group_then(member, s, lambda: access.manages_groups(member))
    if column == "retreat":
        if action == Action.EXPORT:
            return None
        return opens(lambda: access.retreat_for_member(member, s.retreat.pk, wanted))
    return None


def words_of(subject: Membership, s: Situation, column: str) -> list[str]:
    olena = subject.pk == s.coaching.person_id
    if column == "agreement":
        return [WORDS["olena-contact" if olena else "amina-contact"]]
    if column == "sessions":
        return [WORDS["olena-session" if olena else "amina-session"]]
    if column == "request" and subject.pk == s.request.person_id:
        return [WORDS["request"]]
    return []


def export(
    member: Membership | None,
    subject: Membership,
    s: Situation,
    column: str,
    action: Action,
    made: dict[str, str],
) -> Answer:
    """Whether the actor's own-data export holds the words of the subject's record, for
    the columns the table exports. The export is made once per row, before any change."""
    if action != Action.EXPORT:
        return None
    words = words_of(subject, s, column)
    if not words:
        return None
    if member is None:
        return False
    if "text" not in made:
        made["text"] = json.dumps(build_export(member), ensure_ascii=False)
    return all(word in made["text"] for word in words)


def fresh(model: type[Any], pk: object) -> Any:
    """The record as it is now, whoever's scope the actor acts in."""
    with scopes_disabled():
        return model.objects.get(pk=pk)


def _gated(ask: Callable[[], object], then: Callable[[Any], object]) -> bool:
    """The gate first, as every page and API operation does, then the service."""
    try:
        found = ask()
    except (Http404, PermissionDenied):
        return False
    return opens(lambda: then(found))


def _terms_changed(group: SupportGroup) -> groups.GroupTerms:
    terms = groups.GroupTerms.of(group)
    terms.place = "Drop-in centre, upstairs room"
    return terms


def _group(member: Membership, s: Situation, column: str, action: Action) -> dict[str, Answer]:
    gate_read = lambda: access.group_for_member(member, s.group.pk)  # noqa: E731
    if column == "group":
        if action == Action.LIST:
            return {"groups_seen_by": groups.groups_seen_by(member).filter(pk=s.group.pk).exists()}
        if action == Action.READ:
            return {"terms_text": _gated(gate_read, groups.terms_text)}
        group = fresh(SupportGroup, s.group.pk)
        if action == Action.CHANGE:
            return {
                "change_terms": opens(
                    lambda: groups.change_terms(
                        actor=member,
                        group=group,
                        version=group.version,
                        terms=_terms_changed(group),
                    )
                )
            }
        if action == Action.DELETE:
            return {
                "close_group": opens(
                    lambda: groups.close_group(actor=member, group=group, version=group.version)
                )
            }
    if column == "group-inside":
        if action in (Action.LIST, Action.READ):

            def inside(group: SupportGroup) -> None:
                if not access.sees_group_inside(member, group):
                    raise Http404
                assert s.membership.member_id in {m.pk for m in groups.current_members(group)}

            return {"current_members": _gated(gate_read, inside)}
        if action == Action.CHANGE:
            return {
                "record_meeting": opens(
                    lambda: groups.record_meeting(
                        actor=member,
                        group=fresh(SupportGroup, s.group.pk),
                        held_on=s.today,
                        attended=5,
                    )
                )
            }
    if column == "learning":
        if action in (Action.LIST, Action.READ):
            seen = groups.learning_seen_by(member).filter(pk=s.learning.pk)
            return {"learning_seen_by": seen.exists()}
        if action == Action.CHANGE:
            return {
                "share_learning": opens(
                    lambda: groups.share_learning(
                        actor=member,
                        group=fresh(SupportGroup, s.group.pk),
                        text="Lunch away from the drop-in helps",
                    )
                )
            }
    if column == "group-step":
        if action in (Action.LIST, Action.READ):

            def steps(group: SupportGroup) -> None:
                if not groups.sees_steps(member, group):
                    raise Http404

            return {"sees_steps": _gated(gate_read, steps)}
        if action == Action.CHANGE:
            return {
                "record_step": opens(
                    lambda: groups.record_step(
                        actor=member,
                        group=fresh(SupportGroup, s.group.pk),
                        kind=GroupStep.Kind.TOR_REVIEW,
                        held_on=s.today,
                        outcome="The group agreed its terms again",
                    )
                )
            }
    return {}


def _retreat(member: Membership, s: Situation, action: Action) -> dict[str, Answer]:
    if action in (Action.LIST, Action.READ):
        return {
            "agenda_of": _gated(
                lambda: access.retreat_for_member(member, s.retreat.pk), retreats.agenda_of
            )
        }
    retreat = fresh(Retreat, s.retreat.pk)
    if action == Action.CHANGE:
        fields = retreats.RetreatFields(
            title=retreat.title,
            purpose=retreat.purpose,
            place="Watamu",
            starts_on=retreat.starts_on,
            ends_on=retreat.ends_on,
            agenda=["Walk on the beach"],
            attendees=[a.pk for a in retreats.invited(retreat)],
        )
        return {
            "change_retreat": opens(
                lambda: retreats.change_retreat(
                    actor=member, retreat=retreat, version=retreat.version, fields=fields
                )
            )
        }
    if action == Action.DELETE:
        return {
            "cancel_retreat": opens(
                lambda: retreats.cancel_retreat(
                    actor=member, retreat=retreat, version=retreat.version
                )
            )
        }
    return {}


def refused_by_state(ask: Callable[[], object]) -> bool:
    """Like ``opens``, but a ``ValidationError`` counts as let through: the actor passed
    every access check and met a rule of the record's state (a request already paired, a
    person who has a mentor already), which is not what the cell asks."""
    try:
        ask()
    except (Http404, PermissionDenied):
        return False
    except ValidationError:
        return True
    return True


def _pair(
    member: Membership, subject: Membership, s: Situation, action: Action
) -> dict[str, Answer]:
    pair = s.pair_of(subject)
    if action == Action.LIST:
        own = mentoring.pairs_of(member)
        ids = {p.pk for p in own["mine"] + own["supporting"]}
        if access.makes_pairs(member):
            ids |= set(agreements.pairs_in(member.organisation_id).values_list("pk", flat=True))
        return {"pairs_of, pairs_in": pair.pk in ids}
    if action == Action.CHANGE:
        # HR makes a pair for the subject: a coach for Amina, a mentor for Olena.
        coach = subject.pk == s.mentoring.person_id
        supporter = fresh(
            Membership, s.coaching.supporter_id if coach else s.mentoring.supporter_id
        )
        return {
            "make_pair": opens(
                lambda: mentoring.make_pair(
                    actor=member,
                    person=fresh(Membership, subject.pk),
                    supporter=supporter,
                    kind=SupportRelationship.Kind.COACH
                    if coach
                    else SupportRelationship.Kind.MENTOR,
                )
            )
        }
    if action == Action.DELETE:
        return {
            "end_pair": opens(
                lambda: mentoring.end_pair(actor=member, pair=fresh(SupportRelationship, pair.pk))
            )
        }
    return {}


def _agreement(
    member: Membership, subject: Membership, s: Situation, action: Action
) -> dict[str, Answer]:
    agreement = s.agreement_of(subject)
    if action in (Action.LIST, Action.READ):

        def read(found: SupportAgreement) -> None:
            assert agreements.terms_of(found).paragraphs

        return {"terms_of": _gated(lambda: access.agreement_for_member(member, agreement.pk), read)}
    if action == Action.CHANGE:
        return {
            "agree": opens(
                lambda: agreements.agree(
                    actor=member, agreement=fresh(SupportAgreement, agreement.pk)
                )
            )
        }
    return {}


def _sessions(
    member: Membership, subject: Membership, s: Situation, action: Action
) -> dict[str, Answer]:
    pair = s.pair_of(subject)
    session = s.session_of(subject)
    if action in (Action.LIST, Action.READ):

        def read(found: SupportRelationship) -> None:
            log = mentoring.read_sessions(actor=member, pair=found)
            assert str(session.notes) in [entry.notes for entry in log]

        return {
            "read_sessions": _gated(lambda: access.session_log_for_member(member, pair.pk), read)
        }
    if action == Action.CHANGE:
        return {
            "log_session": opens(
                lambda: mentoring.log_session(
                    actor=member,
                    pair=fresh(SupportRelationship, pair.pk),
                    held_on=s.today,
                    minutes=30,
                    notes="A short check-in by phone",
                )
            )
        }
    if action == Action.DELETE:
        return {
            "remove_session": opens(
                lambda: mentoring.remove_session(
                    actor=member, session=fresh(SupportSession, session.pk)
                )
            )
        }
    return {}


def _confirmation(
    member: Membership, subject: Membership, s: Situation, action: Action
) -> dict[str, Answer]:
    if action in (Action.LIST, Action.READ):
        found = mentoring.confirmation_for(member, subject)
        return {"confirmation_for": found is not None and found.pk == s.confirmation_of(subject).pk}
    if action == Action.CHANGE:
        # Without the person's consent the supporter's answer is refused too (a
        # ValidationError saying so): refused, as the table says.
        try:
            mentoring.confirm_support(
                actor=member,
                pair=fresh(SupportRelationship, s.pair_of(subject).pk),
                taking_place=True,
            )
        except (Http404, PermissionDenied, ValidationError):
            return {"confirm_support": False}
        return {"confirm_support": True}
    return {}


def _request(
    member: Membership, subject: Membership, s: Situation, story: Any, action: Action
) -> dict[str, Answer]:
    if action == Action.READ:

        def read(found: MentoringRequest) -> None:
            assert mentoring.read_request_note(actor=member, request=found) == WORDS["request"]

        return {
            "read_request_note": _gated(
                lambda: access.request_for_member(member, s.request.pk), read
            )
        }
    if action == Action.CHANGE:
        if member.pk == s.request.person_id:
            # Her request is paired: she withdraws a new one she makes now.
            waiting = mentoring.ask_for_mentor(actor=member, note="Someone for evenings")
            return {
                "withdraw_request": opens(
                    lambda: mentoring.withdraw_request(actor=member, request=waiting)
                )
            }
        return {
            "pair_request": refused_by_state(
                lambda: mentoring.pair_request(
                    actor=member,
                    request=fresh(MentoringRequest, s.request.pk),
                    supporter=fresh(Membership, story.samuel.pk),
                )
            )
        }
    return {}


def service(
    member: Membership | None,
    subject: Membership,
    s: Situation,
    story: Any,
    column: str,
    action: Action,
) -> dict[str, Answer]:
    """Every area service that answers the cell, by name."""
    if member is None or action == Action.EXPORT:
        return {}
    if column == "pair":
        return _pair(member, subject, s, action)
    if column == "agreement":
        return _agreement(member, subject, s, action)
    if column == "sessions":
        return _sessions(member, subject, s, action)
    if column == "confirmation":
        return _confirmation(member, subject, s, action)
    if column == "request":
        return _request(member, subject, s, story, action)
    if column in ("group", "group-inside", "learning", "group-step"):
        return _group(member, s, column, action)
    if column == "retreat":
        return _retreat(member, s, action)
    return {}


# --- the rows ------------------------------------------------------------------------------------


@pytest.mark.parametrize("row", ROWS)
def test_the_support_row_agrees_with_the_gates_services_and_export(story: Any, row: str) -> None:
    actor = MATRIX.actors_of(SECTION)[row]
    situation = arrange_row(story, row)
    member = getattr(story, actor.person) if actor.person else None
    subject = getattr(story, actor.subject or "amina")
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


def test_nobody_finds_the_pairs_confidential_words_in_their_export_but_the_staff_member(
    story: Any,
) -> None:
    """The whole story, not one row: every confidential word of both pairs, and what Amina
    wrote in her request, appears in exactly one export, the staff member's own."""
    situation = arrange_row(story, "self")
    people = [
        story.amina,
        story.olena,
        story.samuel,
        story.leila,
        story.ravi,
        story.grace,
        story.daniel,
        story.farah,
        story.chen,
    ]
    owners = {
        WORDS["amina-session"]: story.amina,
        WORDS["amina-contact"]: story.amina,
        WORDS["request"]: story.amina,
        WORDS["olena-session"]: story.olena,
        WORDS["olena-contact"]: story.olena,
    }
    with scope(organisation=story.harbourside.pk):
        texts = {p.pk: json.dumps(build_export(p), ensure_ascii=False) for p in people}
    for words, owner in owners.items():
        holders = [p.name for p in people if words in texts[p.pk]]
        assert holders == [owner.name], (words, holders)
    assert situation.request.person_id == story.amina.pk
