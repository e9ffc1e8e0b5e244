"""Adjustments of a working pattern through the services (issue 6 items 1 and 2; §2.4.1:
flexible hours are negotiated as terms of employment, §3.5: reviewed together).

Either side proposes; the proposer's side has agreed and the other side is told. It is
agreed once both sides have, and only then does it change anyone's hours. The person is
one side; their line manager or HR the other, so the same side agreeing twice agrees
nothing. Agreed adjustments of one person never overlap. Messages carry the
adjustment's id only.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django_scopes import scope

from peerwork.core.models import Notification
from peerwork.core.versions import StaleVersion
from peerwork.people.availability import availability_for, set_working_pattern
from peerwork.people.models import Adjustment
from peerwork.people.services import share
from peerwork.schedule import kinds, services

pytestmark = pytest.mark.django_db

T = dt.time
WORKDAY = (T(9, 0), T(17, 30))


def today() -> dt.date:
    return timezone.localdate()


def propose(story: Any, actor: Any = None, **kw: Any) -> Adjustment:
    values: dict[str, Any] = {
        "actor": actor or story.amina,
        "person": story.amina,
        "weekdays": [0, 1, 2, 3, 4],
        "starts": T(10, 45),
        "valid_from": today(),
        "review_on": today() + dt.timedelta(days=180),
    }
    values.update(kw)
    return services.propose_adjustment(**values)


def agree(actor: Any, row: Adjustment) -> Adjustment:
    return services.agree_adjustment(actor=actor, adjustment=row, version=row.version)


def messages(member: Any, kind: str) -> list[dict[str, Any]]:
    return [
        n.params
        for n in Notification.objects.filter(recipient=member, kind=kind).order_by("created_at")
    ]


def state_of(row: Adjustment) -> tuple[Any, ...]:
    fresh = Adjustment.objects.get(pk=row.pk)
    return (
        fresh.state,
        fresh.valid_from,
        fresh.valid_until,
        fresh.person_agreed_at,
        fresh.manager_agreed_at,
        fresh.ended_at,
        fresh.version,
    )


@pytest.fixture(autouse=True)
def weekdays(story: Any) -> None:
    with scope(organisation=story.harbourside.pk):
        set_working_pattern(
            actor=story.ravi, membership=story.amina, days=dict.fromkeys(range(5), WORKDAY)
        )


# --- propose and agree -------------------------------------------------------------------


def test_a_proposal_by_the_person_waits_for_the_line_manager_who_is_told(story: Any) -> None:
    with scope(organisation=story.harbourside.pk):
        row = propose(story)
        assert row.state == Adjustment.State.PROPOSED
        assert row.person_agreed_at is not None and row.manager_agreed_at is None
        assert messages(story.ravi, kinds.ADJUSTMENT_PROPOSED.kind) == [{"adjustment": str(row.pk)}]
        assert messages(story.amina, kinds.ADJUSTMENT_PROPOSED.kind) == []


def test_agreed_by_the_other_side_it_is_agreed_and_the_person_is_told(story: Any) -> None:
    with scope(organisation=story.harbourside.pk):
        row = agree(story.ravi, propose(story))
        assert row.state == Adjustment.State.AGREED
        assert row.agreed_by_id == story.ravi.pk
        assert row.agreed_on == timezone.localdate(
            timezone.now(), zoneinfo.ZoneInfo("Africa/Nairobi")
        )
        assert messages(story.amina, kinds.ADJUSTMENT_AGREED.kind) == [{"adjustment": str(row.pk)}]


def test_a_proposal_by_the_line_manager_waits_for_the_person(story: Any) -> None:
    with scope(organisation=story.harbourside.pk):
        row = propose(story, actor=story.ravi)
        assert row.person_agreed_at is None and row.manager_agreed_at is not None
        assert messages(story.amina, kinds.ADJUSTMENT_PROPOSED.kind) == [
            {"adjustment": str(row.pk)}
        ]
        row = agree(story.amina, row)
        assert row.state == Adjustment.State.AGREED
        assert messages(story.ravi, kinds.ADJUSTMENT_AGREED.kind) == [{"adjustment": str(row.pk)}]


def test_the_same_side_agreeing_again_does_not_make_it_agreed(story: Any) -> None:
    with scope(organisation=story.harbourside.pk):
        mine = propose(story)
        mine = agree(story.amina, mine)
        mine = agree(story.amina, mine)
        assert mine.state == Adjustment.State.PROPOSED
        # HR and the line manager are one side: a proposal by Ravi agreed by Grace waits.
        theirs = propose(story, actor=story.ravi, weekdays=[5])
        theirs = agree(story.grace, theirs)
        assert theirs.state == Adjustment.State.PROPOSED
        assert messages(story.amina, kinds.ADJUSTMENT_AGREED.kind) == []


def test_only_the_agreed_one_changes_the_hours_planners_see(story: Any) -> None:
    tuesday = today() + dt.timedelta(days=(1 - today().weekday()) % 7 or 7)
    window = (
        timezone.make_aware(dt.datetime.combine(tuesday, T(0, 0))),
        timezone.make_aware(dt.datetime.combine(tuesday, T(23, 0))),
    )
    with scope(organisation=story.harbourside.pk):
        row = propose(story)
        assert availability_for(story.amina, *window).adjustments == ()
        agree(story.ravi, row)
        [terms] = availability_for(story.amina, *window).adjustments
        assert terms.starts == T(10, 45)


def test_hr_proposes_as_the_manager_side(story: Any) -> None:
    with scope(organisation=story.harbourside.pk):
        row = propose(story, actor=story.grace)
        assert row.manager_agreed_at is not None
        assert agree(story.amina, row).state == Adjustment.State.AGREED


def test_the_manager_sees_the_hours_in_words_never_why(story: Any) -> None:
    with scope(organisation=story.harbourside.pk):
        row = agree(story.ravi, propose(story))
        assert services.describe(row) == "starts 10:45 Mon–Fri"
        other = propose(
            story, weekdays=[1, 3], starts=None, break_starts=T(12, 40), break_ends=T(14, 20)
        )
        assert services.describe(other) == "break 12:40–14:20 Tue, Thu"


# --- decline and end -------------------------------------------------------------------------


def test_a_declined_one_cannot_be_agreed(story: Any) -> None:
    with scope(organisation=story.harbourside.pk):
        row = services.decline_adjustment(actor=story.ravi, adjustment=propose(story), version=1)
        assert row.state == Adjustment.State.DECLINED
        with pytest.raises(ValidationError) as refused:
            agree(story.amina, row)
        assert refused.value.messages == ["Only a proposed adjustment can be agreed."]
        with pytest.raises(ValidationError):
            services.decline_adjustment(actor=story.ravi, adjustment=row, version=row.version)


def test_either_side_ends_an_agreed_one_from_a_day_on(story: Any) -> None:
    with scope(organisation=story.harbourside.pk):
        row = agree(story.ravi, propose(story))
        last_day = today() + dt.timedelta(days=30)
        ended = services.end_adjustment(
            actor=story.amina, adjustment=row, version=row.version, last_day=last_day
        )
        assert ended.valid_until == last_day
        assert ended.state == Adjustment.State.AGREED  # it still applies until then
        assert ended.ended_at is not None


def test_ending_one_before_its_first_day_ends_it_outright(story: Any) -> None:
    with scope(organisation=story.harbourside.pk):
        row = agree(story.ravi, propose(story, valid_from=today() + dt.timedelta(days=10)))
        ended = services.end_adjustment(actor=story.ravi, adjustment=row, version=row.version)
        assert ended.state == Adjustment.State.ENDED


def test_only_an_agreed_one_can_be_ended_and_not_after_it_already_ends(story: Any) -> None:
    with scope(organisation=story.harbourside.pk):
        row = propose(story)
        with pytest.raises(ValidationError) as refused:
            services.end_adjustment(actor=story.ravi, adjustment=row, version=row.version)
        assert refused.value.messages == ["Only an agreed adjustment can be ended."]
        row = agree(story.ravi, propose(story, weekdays=[5], valid_until=today()))
        with pytest.raises(ValidationError) as refused:
            services.end_adjustment(
                actor=story.ravi,
                adjustment=row,
                version=row.version,
                last_day=today() + dt.timedelta(days=3),
            )
        assert refused.value.messages == ["It already ends before that day."]


# --- overlaps ------------------------------------------------------------------------------


def test_an_overlapping_adjustment_is_refused_and_nothing_is_saved(story: Any) -> None:
    with scope(organisation=story.harbourside.pk):
        first = agree(story.ravi, propose(story))
        second = propose(story, weekdays=[2], starts=T(11, 0))
        before = (state_of(first), state_of(second))
        with pytest.raises(ValidationError) as refused:
            agree(story.ravi, second)
        assert refused.value.messages == [
            "This overlaps an adjustment already agreed for the same days. "
            "End that one first, or choose other dates."
        ]
        assert (state_of(first), state_of(second)) == before
        assert messages(story.amina, kinds.ADJUSTMENT_AGREED.kind) == [
            {"adjustment": str(first.pk)}
        ]


def test_other_days_or_later_dates_do_not_overlap(story: Any) -> None:
    with scope(organisation=story.harbourside.pk):
        agree(story.ravi, propose(story, valid_until=today() + dt.timedelta(days=30)))
        weekend = agree(story.ravi, propose(story, weekdays=[5]))
        later = agree(
            story.ravi, propose(story, weekdays=[2], valid_from=today() + dt.timedelta(days=31))
        )
        assert weekend.state == later.state == Adjustment.State.AGREED


def test_after_ending_the_first_a_new_one_can_be_agreed(story: Any) -> None:
    with scope(organisation=story.harbourside.pk):
        first = agree(story.ravi, propose(story))
        services.end_adjustment(
            actor=story.ravi, adjustment=first, version=first.version, last_day=today()
        )
        second = agree(
            story.ravi, propose(story, starts=T(11, 0), valid_from=today() + dt.timedelta(days=1))
        )
        assert second.state == Adjustment.State.AGREED


# --- bad terms -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"weekdays": []}, "weekdays", "Choose at least one day of the week."),
        ({"weekdays": [7]}, "weekdays", "Choose at least one day of the week."),
        ({"weekdays": ["monday"]}, "weekdays", "Choose at least one day of the week."),
        ({"starts": None}, "starts", "Give a new start, a new end or a break."),
        ({"ends": T(10, 0)}, "ends", "The end must be after the start."),
        (
            {"break_starts": T(13, 0)},
            "break_ends",
            "Give a break as a start and an end, or neither.",
        ),
        (
            {"break_starts": T(14, 0), "break_ends": T(13, 0)},
            "break_ends",
            "The break must end after it starts.",
        ),
        (
            {"valid_until": "yesterday"},
            "valid_until",
            "The last day must be on or after the first.",
        ),
        ({"review_on": "yesterday"}, "review_on", "The review must be on or after the first day."),
    ],
)
def test_bad_terms_are_refused_on_their_field_and_nothing_is_saved(
    story: Any, change: dict[str, Any], field: str, message: str
) -> None:
    change = {
        key: today() - dt.timedelta(days=1) if value == "yesterday" else value
        for key, value in change.items()
    }
    with scope(organisation=story.harbourside.pk):
        with pytest.raises(ValidationError) as refused:
            propose(story, **change)
        assert refused.value.message_dict[field] == [message]
        assert not Adjustment.objects.exists()
        assert not Notification.objects.filter(kind=kinds.ADJUSTMENT_PROPOSED.kind).exists()


# --- stale versions and the wrong actor ----------------------------------------------------


def test_a_stale_version_changes_nothing(story: Any) -> None:
    with scope(organisation=story.harbourside.pk):
        row = propose(story)
        before = state_of(row)
        for act in (services.agree_adjustment, services.decline_adjustment):
            with pytest.raises(StaleVersion):
                act(actor=story.ravi, adjustment=row, version=row.version + 1)
        assert state_of(row) == before
        agreed = agree(story.ravi, row)
        before = state_of(agreed)
        with pytest.raises(StaleVersion):
            services.end_adjustment(actor=story.ravi, adjustment=agreed, version=agreed.version - 1)
        assert state_of(agreed) == before


@pytest.mark.parametrize("who", ["taslima", "olena", "samuel", "leila", "daniel", "chen", "taras"])
def test_no_one_but_the_person_their_line_manager_and_hr_proposes_or_agrees(
    story: Any, who: str
) -> None:
    actor = getattr(story, who)
    with scope(organisation=story.harbourside.pk):
        with pytest.raises(PermissionDenied):
            propose(story, actor=actor)
        row = propose(story)
        before = state_of(row)
        for act in (
            services.agree_adjustment,
            services.decline_adjustment,
        ):
            with pytest.raises(PermissionDenied):
                act(actor=actor, adjustment=row, version=row.version)
        assert state_of(row) == before
        agreed = agree(story.ravi, row)
        with pytest.raises(PermissionDenied):
            services.end_adjustment(actor=actor, adjustment=agreed, version=agreed.version)


# --- from a private note ----------------------------------------------------------------------

CLINIC = {
    "kind": "dispensing",
    "days": [0, 1, 2, 3, 4],
    "opens": "10:00",
    "closes": "14:00",
    "collection": "at_opening",
    "wait_minutes": 15,
    "travel_minutes": 30,
}


def test_a_proposal_from_a_note_carries_the_hours_and_nothing_that_points_to_the_note(
    story: Any,
) -> None:
    with scope(organisation=story.harbourside.pk):
        need = services.record_need(actor=story.amina, owner=story.amina, details=CLINIC)
        [row] = services.propose_from_need(actor=story.amina, need=need, valid_from=today())
        values = {
            field.attname: getattr(row, field.attname) for field in Adjustment._meta.concrete_fields
        }
        assert str(need.pk) not in repr(values)
        assert "10:00" not in repr(values) and "dispensing" not in repr(values)
        assert row.starts == T(10, 45)


def test_hr_proposes_from_a_note_only_under_the_persons_named_share(story: Any) -> None:
    with scope(organisation=story.harbourside.pk):
        need = services.record_need(actor=story.amina, owner=story.amina, details=CLINIC)
        with pytest.raises(PermissionDenied):
            services.propose_from_need(actor=story.grace, need=need, valid_from=today())
        with pytest.raises(PermissionDenied):
            services.propose_from_need(actor=story.ravi, need=need, valid_from=today())
        share(
            actor=story.amina,
            audience="person",
            grantee=story.grace,
            categories=["ost"],
            purpose="Help with my hours",
        )
        [row] = services.propose_from_need(actor=story.grace, need=need, valid_from=today())
        assert row.proposed_by_id == story.grace.pk
