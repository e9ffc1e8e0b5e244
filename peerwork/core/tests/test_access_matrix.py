"""The access matrix, walked cell by cell with the real people of the shared story.

``access_matrix.txt`` says who may do what; ``can()`` and the access gates must answer the
same for every actor × data class × action. The relations each row names (Ravi manages
Amina, Samuel mentors her, Leila coaches Olena and not Amina …) are checked too, so a row
cannot pass for the wrong reason.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from django_scopes import scope

from peerwork.core import access, access_matrix
from peerwork.core.access import Action, DataClass, can
from peerwork.core.access_matrix import Cell, MatrixError, parse
from peerwork.core.middleware import memberships_of
from peerwork.core.models import (
    ApiToken,
    Invitation,
    Membership,
    Notification,
    Role,
    SupportRelationship,
    User,
)
from peerwork.core.services import set_roles

MATRIX = access_matrix.load()
PERSON = MATRIX.section(access_matrix.PERSON)
ORGANISATION = MATRIX.section(access_matrix.ORGANISATION)
ACTORS_WITH_A_MEMBERSHIP = [key for key, actor in MATRIX.actors.items() if actor.person]


# --- casting the table's actors from the story ------------------------------------------


def operator_member() -> Membership | None:
    """The instance operator: a superuser, who has no membership to act through."""
    user = User.objects.create_superuser("operator", "operator@example.org", "correct horse")
    members = memberships_of(user)
    assert members == [], "the operator must not hold a membership"
    return None


def cast(story: Any, key: str) -> tuple[Membership | None, Membership | None]:
    """The acting member and the subject a row of the table names."""
    actor = MATRIX.actors[key]
    subject = getattr(story, actor.subject) if actor.subject else None
    member = getattr(story, actor.person) if actor.person else operator_member()
    return member, subject


def about(key: str) -> str:
    actor = MATRIX.actors[key]
    return f"{key} ({actor.person or 'no membership'} about {actor.subject}: {actor.description})"


def answer_about_person(
    member: Membership | None, action: Action, data_class: str, subject: Membership | None
) -> bool:
    """``can()`` as a request asks it: inside the acting member's organisation scope."""
    if member is None:
        return can(None, action, data_class, subject)
    with scope(organisation=member.organisation_id):
        return can(member, action, data_class, subject)


def answer_about_organisation(story: Any, member: Membership | None, action: Action) -> bool:
    """Harbourside's site and team through their gates, as a view reaches them.

    ``can()`` with no subject cannot tell organisations apart (the gate's scoped lookup
    does), so it is asked only of Harbourside's own members, and must agree with the gates.
    """
    if member is None:
        return can(None, action, DataClass.WORK)
    answers: dict[str, bool] = {}
    with scope(organisation=member.organisation_id):
        gates: list[tuple[Callable[..., object], uuid.UUID]] = [
            (access.site_for_member, story.site.pk),
            (access.team_for_member, story.team.pk),
        ]
        for gate, object_id in gates:
            try:
                gate(member, object_id, action)
                answers[gate.__name__] = True
            except (Http404, PermissionDenied):
                answers[gate.__name__] = False
        if member.organisation_id == story.harbourside.pk:
            answers["can"] = can(member, action, DataClass.WORK)
    assert len(set(answers.values())) == 1, f"the gates and can() disagree: {answers}"
    return next(iter(answers.values()))


def walk(story: Any, member: Membership | None, subject: Membership | None) -> dict[str, bool]:
    """Every cell of [person] and [organisation] for one actor, keyed ``section:class:action``."""
    answers = {}
    for data_class in PERSON.columns:
        for action in access_matrix.ACTIONS:
            answers[f"person:{data_class}:{action}"] = answer_about_person(
                member, action, data_class, subject
            )
    for action in access_matrix.ACTIONS:
        answers[f"organisation:work:{action}"] = answer_about_organisation(story, member, action)
    return answers


def table_row(*keys: str) -> dict[str, bool]:
    """The union of the table's rows for ``keys``, keyed like ``walk()``."""
    expected = {}
    for section in (PERSON, ORGANISATION):
        for data_class in section.columns:
            for action in access_matrix.ACTIONS:
                expected[f"{section.name}:{data_class}:{action}"] = any(
                    action in section.allowed(key, data_class) for key in keys
                )
    return expected


# --- every cell -------------------------------------------------------------------------


@pytest.mark.parametrize("cell", PERSON.cells(), ids=lambda cell: cell.id)
def test_can_answers_each_cell_about_a_person_as_the_table_says(story: Any, cell: Cell) -> None:
    member, subject = cast(story, cell.actor)
    allowed = answer_about_person(member, cell.action, cell.column, subject)
    assert allowed == cell.allowed, (
        f"{about(cell.actor)} × {cell.column} × {cell.action}: the table says "
        f"{'allow' if cell.allowed else 'deny'}, can() says {'allow' if allowed else 'deny'}"
    )


@pytest.mark.parametrize("cell", ORGANISATION.cells(), ids=lambda cell: cell.id)
def test_the_gates_answer_each_cell_about_the_organisation_as_the_table_says(
    story: Any, cell: Cell
) -> None:
    member, _subject = cast(story, cell.actor)
    allowed = answer_about_organisation(story, member, cell.action)
    assert allowed == cell.allowed, (
        f"{about(cell.actor)} × sites and teams × {cell.action}: the table says "
        f"{'allow' if cell.allowed else 'deny'}, the gates say {'allow' if allowed else 'deny'}"
    )


# --- the table covers everything and names real relations -------------------------------


def test_the_table_has_rows_for_every_role() -> None:
    exercised = {actor.role for actor in MATRIX.actors.values()}
    missing = set(Role.values) - exercised
    assert not missing, f"roles without rows in access_matrix.txt: {sorted(missing)}"


def test_each_row_is_played_by_someone_who_holds_its_role(story: Any) -> None:
    for key, actor in MATRIX.actors.items():
        if actor.person is None:
            assert actor.role is None, f"{key}: a person without a membership holds no role"
            continue
        member = getattr(story, actor.person)
        assert actor.role in member.roles, f"{about(key)} does not hold the role {actor.role}"


def test_the_table_has_a_column_for_every_data_class() -> None:
    assert set(PERSON.columns) == set(DataClass)
    assert set(ORGANISATION.columns) == {DataClass.WORK}


def test_every_action_is_explained_in_the_table_and_allowed_to_someone() -> None:
    text = access_matrix.MATRIX_PATH.read_text(encoding="utf-8")
    for letter, action in zip(access_matrix.LETTERS, Action, strict=True):
        assert f"{letter} {action.value}" in text, f"the notation does not explain {action}"
        assert any(cell.allowed for cell in PERSON.cells() if cell.action is action), action
    assert len(set(access_matrix.LETTERS)) == len(Action), "two actions share a letter"


def test_every_section_has_a_row_for_every_actor() -> None:
    for section in MATRIX.sections.values():
        missing = set(MATRIX.actors) - set(section.rows)
        assert not missing, f"[{section.name}] has no rows for {sorted(missing)}"


def test_the_rows_are_the_relations_they_name(story: Any) -> None:
    with scope(organisation=story.harbourside.pk):
        assert story.ravi.manages(story.amina)
        assert story.taslima.has_role(Role.LINE_MANAGER)
        assert not story.taslima.manages(story.amina)
        assert access.supports(story.samuel, story.amina)
        assert not access.supports(story.samuel, story.olena)
        assert access.supports(story.leila, story.olena)
        assert not access.supports(story.leila, story.amina)
        assert not story.leila.has_role(*access.WORKING_ROLES)
        assert story.farah.roles == {Role.FACILITATOR}
        assert story.peter.roles == {Role.PEER_INTERVIEWER}
        assert story.joseph.roles == {Role.VOLUNTEER}
    assert story.taras.organisation_id != story.amina.organisation_id
    assert MATRIX.actors["self"].person == MATRIX.actors["self"].subject


# --- the rules behind the cells -------------------------------------------------------


@pytest.mark.parametrize("key", ACTORS_WITH_A_MEMBERSHIP)
def test_an_ended_membership_is_denied_everything(story: Any, key: str) -> None:
    member, subject = cast(story, key)
    assert member is not None
    member.ended_at = timezone.now() - timedelta(minutes=1)
    member.save(update_fields=["ended_at"])

    answers = walk(story, member, subject)

    assert not any(answers.values()), [cell for cell, allowed in answers.items() if allowed]


def test_an_opening_a_module_registers_cannot_reach_an_ended_membership(
    story: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Openings (sharing grants, risk circles) need not remember ended memberships."""
    monkeypatch.setattr(access, "_openings", [])
    access.register_opening(lambda actor, action, data_class, subject: action == Action.READ)
    assert answer_about_person(story.ravi, Action.READ, DataClass.DISCLOSED, story.amina)

    story.ravi.ended_at = timezone.now() - timedelta(seconds=1)
    story.ravi.save(update_fields=["ended_at"])

    assert not answer_about_person(story.ravi, Action.READ, DataClass.DISCLOSED, story.amina)


def test_a_membership_ending_in_the_future_still_works_until_then(story: Any) -> None:
    story.grace.ended_at = timezone.now() + timedelta(days=30)
    story.grace.save(update_fields=["ended_at"])

    assert walk(story, story.grace, story.amina) == table_row("hr")


def test_an_ended_support_relationship_stops_the_mentors_confidential_access(story: Any) -> None:
    confidential = [f"person:confidential:{action}" for action in Action]
    before = walk(story, story.samuel, story.amina)
    assert [before[cell] for cell in confidential] == [True, True, True, True, False]

    with scope(organisation=story.harbourside.pk):
        SupportRelationship.objects.filter(supporter=story.samuel, person=story.amina).update(
            ended_on=timezone.localdate() - timedelta(days=1)
        )

    after = walk(story, story.samuel, story.amina)
    assert not any(after[cell] for cell in confidential)
    # Samuel is still a colleague: the directory stays open to him.
    assert after == table_row("peer-mentor-not-of-subject")


def test_support_lasts_through_its_last_day(story: Any) -> None:
    with scope(organisation=story.harbourside.pk):
        SupportRelationship.objects.filter(supporter=story.leila, person=story.olena).update(
            ended_on=timezone.localdate()
        )
    assert walk(story, story.leila, story.olena) == table_row("coach")


def test_an_ended_coaching_relationship_leaves_an_external_coach_nothing(story: Any) -> None:
    with scope(organisation=story.harbourside.pk):
        SupportRelationship.objects.filter(supporter=story.leila, person=story.olena).update(
            ended_on=timezone.localdate() - timedelta(days=1)
        )
    answers = walk(story, story.leila, story.olena)
    assert not any(answers.values()), [cell for cell, allowed in answers.items() if allowed]


def test_a_coach_of_the_subject_reads_their_work_card_and_their_notes_only(story: Any) -> None:
    """Leila coaching Amina as well as Olena: Amina's row becomes the coach row."""
    assert walk(story, story.leila, story.amina) == table_row("coach-not-of-subject")
    with scope(organisation=story.harbourside.pk):
        SupportRelationship.objects.create(
            organisation=story.harbourside,
            supporter=story.leila,
            person=story.amina,
            kind=SupportRelationship.Kind.COACH,
        )
    assert walk(story, story.leila, story.amina) == table_row("coach")


def test_a_line_manager_loses_personnel_access_when_the_line_manager_changes(story: Any) -> None:
    personnel = [f"person:personnel:{action}" for action in Action]
    assert any(walk(story, story.ravi, story.amina)[cell] for cell in personnel)

    with scope(organisation=story.harbourside.pk):
        story.amina.line_manager = story.taslima
        story.amina.save(update_fields=["line_manager"])
        amina = Membership.objects.get(pk=story.amina.pk)

    assert walk(story, story.ravi, amina) == table_row("other-line-manager")
    assert walk(story, story.taslima, amina) == table_row("line-manager")


def make_chen_hr_too(story: Any) -> tuple[Membership, Membership]:
    set_roles(membership=story.chen, roles=[Role.ORG_ADMIN, Role.HR])
    return story.chen, story.amina


def make_daniel_aminas_line_manager(story: Any) -> tuple[Membership, Membership]:
    set_roles(membership=story.daniel, roles=[Role.STAFF, Role.DIRECTOR, Role.LINE_MANAGER])
    with scope(organisation=story.harbourside.pk):
        story.amina.line_manager = story.daniel
        story.amina.save(update_fields=["line_manager"])
    return story.daniel, story.amina


def make_leila_a_volunteer_too(story: Any) -> tuple[Membership, Membership]:
    set_roles(membership=story.leila, roles=[Role.COACH, Role.VOLUNTEER])
    return story.leila, story.olena


@pytest.mark.parametrize(
    ("arrange", "rows"),
    [
        (make_chen_hr_too, ("org-admin", "hr")),
        (make_daniel_aminas_line_manager, ("director", "line-manager")),
        (make_leila_a_volunteer_too, ("coach", "volunteer")),
    ],
    ids=["org-admin+hr", "director+line-manager", "coach+volunteer"],
)
def test_a_person_holding_two_roles_gets_the_union_of_their_rows(
    story: Any, arrange: Callable[[Any], tuple[Membership, Membership]], rows: tuple[str, str]
) -> None:
    member, subject = arrange(story)
    expected = table_row(*rows)
    # Each role alone gives less than the two together, so the union is really tested.
    assert all(expected != table_row(key) for key in rows)

    assert walk(story, member, subject) == expected


# --- the access gates -------------------------------------------------------------------


def other_organisations_objects(story: Any) -> dict[str, tuple[Callable[..., Any], Any]]:
    """A real object of each kind at Riverside, with the gate that reaches it.

    Taras (made Riverside's org admin for invitations) owns them all, so each gate is also
    shown to hand them to him: a 404 for Harbourside then cannot be a broken gate.
    """
    riverside = story.riverside
    taras = story.taras
    set_roles(membership=taras, roles=[Role.STAFF, Role.LINE_MANAGER, Role.ORG_ADMIN])
    now = timezone.now()
    with scope(organisation=riverside.pk):
        invitation = Invitation.objects.create(
            organisation=riverside,
            email="oksana@example.org",
            roles=[Role.STAFF],
            invited_by=taras,
            expires_at=now + timedelta(days=7),
        )
        token = ApiToken.objects.create(
            organisation=riverside,
            membership=taras,
            name="sync",
            prefix="pw_riverside1",
            digest="0" * 64,
            expires_at=now + timedelta(days=30),
        )
        notification = Notification.objects.create(
            organisation=riverside, recipient=taras, kind="core.test"
        )
    return {
        "membership": (access.membership_for_member, taras),
        "team": (access.team_for_member, story.other_team),
        "site": (access.site_for_member, story.other_site),
        "invitation": (access.invitation_for_member, invitation),
        "token": (access.token_for_member, token),
        "notification": (access.notification_for_member, notification),
    }


GATE_KINDS = ["membership", "team", "site", "invitation", "token", "notification"]


@pytest.mark.parametrize("kind", GATE_KINDS)
def test_another_organisations_object_is_not_found_while_its_owner_gets_it(
    story: Any, kind: str
) -> None:
    gate, obj = other_organisations_objects(story)[kind]
    with scope(organisation=story.riverside.pk):
        assert gate(story.taras, obj.pk) == obj

    for name in ("chen", "grace", "daniel", "ravi", "amina"):
        member = getattr(story, name)
        with scope(organisation=member.organisation_id), pytest.raises(Http404):
            gate(member, obj.pk)
        with scope(organisation=member.organisation_id), pytest.raises(Http404):
            gate(member, str(obj.pk))


MALFORMED_IDS = [
    "",
    "not-a-uuid",
    "123",
    123,
    None,
    [],
    {"id": 1},
    "../etc/passwd",
    "1' OR '1'='1",
    "%00",
    "\x00",
    "ʕ•ᴥ•ʔ",
    "9" * 400,
    f"{uuid.UUID(int=1)}x",
    uuid.UUID(int=1),
]


@pytest.mark.parametrize("kind", GATE_KINDS)
def test_malformed_or_unknown_ids_are_not_found(story: Any, kind: str) -> None:
    gate, obj = other_organisations_objects(story)[kind]
    with scope(organisation=story.riverside.pk):
        assert gate(story.taras, obj.pk) == obj  # the same call with a good id works
        for bad in MALFORMED_IDS:
            with pytest.raises(Http404):
                gate(story.taras, bad)


def test_a_colleague_who_may_read_but_not_change_is_refused(story: Any) -> None:
    with scope(organisation=story.harbourside.pk):
        assert access.membership_for_member(story.ravi, story.amina.pk, Action.CHANGE)
        assert access.site_for_member(story.chen, story.site.pk, Action.CHANGE)
        assert access.team_for_member(story.chen, story.team.pk, Action.DELETE)

        assert access.membership_for_member(story.joseph, story.amina.pk) == story.amina
        with pytest.raises(PermissionDenied):
            access.membership_for_member(story.joseph, story.amina.pk, Action.CHANGE)
        with pytest.raises(PermissionDenied):
            access.membership_for_member(story.taslima, story.amina.pk, Action.CHANGE)
        with pytest.raises(PermissionDenied):
            access.site_for_member(story.grace, story.site.pk, Action.CHANGE)
        with pytest.raises(PermissionDenied):
            access.team_for_member(story.ravi, story.team.pk, Action.DELETE)


def test_someone_who_may_not_read_is_not_told_the_record_exists(story: Any) -> None:
    with scope(organisation=story.harbourside.pk):
        for member in (story.farah, story.peter, story.leila):
            for action in (Action.READ, Action.CHANGE):
                with pytest.raises(Http404):
                    access.membership_for_member(member, story.amina.pk, action)
                with pytest.raises(Http404):
                    access.team_for_member(member, story.team.pk, action)
        # Leila does find Olena, whom she coaches.
        assert access.membership_for_member(story.leila, story.olena.pk) == story.olena


def test_tokens_notifications_and_invitations_stay_with_their_own_people(story: Any) -> None:
    now = timezone.now()
    with scope(organisation=story.harbourside.pk):
        token = ApiToken.objects.create(
            organisation=story.harbourside,
            membership=story.amina,
            name="phone",
            prefix="pw_harbour01",
            digest="0" * 64,
            expires_at=now + timedelta(days=30),
        )
        notification = Notification.objects.create(
            organisation=story.harbourside, recipient=story.amina, kind="core.test"
        )
        invitation = Invitation.objects.create(
            organisation=story.harbourside,
            email="new@example.org",
            roles=[Role.STAFF],
            invited_by=story.chen,
            expires_at=now + timedelta(days=7),
        )
        assert access.token_for_member(story.amina, token.pk) == token
        assert access.notification_for_member(story.amina, notification.pk) == notification
        assert access.invitation_for_member(story.chen, invitation.pk) == invitation

        for member in (story.ravi, story.grace, story.daniel, story.chen, story.samuel):
            with pytest.raises(Http404):
                access.token_for_member(member, token.pk)
            with pytest.raises(Http404):
                access.notification_for_member(member, notification.pk)
        for member in (story.amina, story.ravi, story.grace, story.daniel):
            with pytest.raises(Http404):
                access.invitation_for_member(member, invitation.pk)


# --- the parser -----------------------------------------------------------------------

GOOD = """
[actors]
self      amina  amina  staff   the subject
operator  -      amina  -       no membership

[person]
actor     work   personnel
self      LR--E  LR--E   # comments may follow a row
operator  -----  -----
"""


def test_the_parser_reads_cells_as_sets_of_actions() -> None:
    matrix = parse(GOOD)
    person = matrix.section("person")
    assert person.allowed("self", "work") == {Action.LIST, Action.READ, Action.EXPORT}
    assert person.allowed("operator", "personnel") == frozenset()
    assert matrix.actors["operator"].person is None
    assert matrix.actors["self"].description == "the subject"
    assert len(person.cells()) == 2 * 2 * len(Action)
    assert matrix.records() == []


def test_the_parser_reads_record_sections_for_later_modules() -> None:
    matrix = parse(GOOD + "\n[record: shift]\nactor check-in\nself LRC--\noperator -----\n")
    (shift,) = matrix.records()
    assert shift.name == "record: shift"
    assert shift.allowed("self", "check-in") == {Action.LIST, Action.READ, Action.CHANGE}
    assert shift.cells()[0].id == "self:check-in:list"


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (GOOD.replace("LR--E  LR--E", "LRX-E  LR--E"), 8, "position 3 is change"),
        (GOOD.replace("LR--E  LR--E", "LR--   LR--E"), 8, "must have 5 positions"),
        (GOOD.replace("LR--E  LR--E", "LR--E"), 8, "has 1 cells"),
        (GOOD.replace("LR--E  LR--E", "lr--e  LR--E"), 8, "must be 'L' or '-'"),
        (GOOD + "someone  -----  -----\n", 10, "unknown actor 'someone'"),
        (GOOD + "self  -----  -----\n", 10, "has two rows"),
        (GOOD.replace("[person]", "[people]"), 6, "unknown section [people]"),
        (GOOD.replace("actor     work", "actor     wrok"), 7, "must be data classes"),
        (GOOD.replace("actor     work   personnel", "self LR--- LR---"), 7, "header line"),
        (GOOD.replace("staff   the", "boss    the"), 3, "unknown role 'boss'"),
        (
            GOOD.replace("operator  -      amina  -       no membership", "operator - amina"),
            4,
            "an actor line is",
        ),
        (GOOD + "[person]\nactor work\nself -----\n", 10, "appears twice"),
        ("stray line\n" + GOOD, 1, "outside any section"),
        (GOOD.split("[person]")[1].join(["[person]", ""]), 1, "[actors] must come before"),
        (GOOD + "[record: shift]\n", 10, "[record: shift] has no rows"),
        ("# nothing\n", None, "no [actors] section"),
    ],
    ids=[
        "bad-letter",
        "short-cell",
        "missing-cell",
        "lower-case",
        "unknown-actor",
        "duplicate-row",
        "unknown-section",
        "unknown-class",
        "missing-header",
        "unknown-role",
        "short-actor-line",
        "duplicate-section",
        "outside-section",
        "actors-not-first",
        "empty-section",
        "no-actors",
    ],
)
def test_the_parser_names_the_line_of_a_malformed_table(
    text: str, line: int | None, message: str
) -> None:
    with pytest.raises(MatrixError) as raised:
        parse(text, source="broken.txt")
    assert raised.value.line == line
    assert message in str(raised.value)
    assert str(raised.value).startswith("broken.txt")
