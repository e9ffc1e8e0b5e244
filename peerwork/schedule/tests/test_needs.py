"""Private planning notes and what they propose (``needs``; the note services; issue 6 item
2, §2.4.1, §3.5, §3.6, §4.9).

What a person types is checked field by field (a site that closes before it opens, a time
that is not a time of day, a wait of a day) and refused with the fields named, nothing
saved. From a checked note come the hours it asks of the working day: a later start, an
earlier finish or a break, only on working days, grouped by the hours. The note is the
person's; HR keeps it for them only under their named share.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django_scopes import scope

from peerwork.core.versions import StaleVersion
from peerwork.people.availability import PatternDay
from peerwork.people.services import share
from peerwork.schedule import needs, services
from peerwork.schedule.models import PrivateNeed

T = dt.time
WEEKDAYS = {d: PatternDay(d, T(9, 0), T(17, 30)) for d in range(5)}
CLINIC: dict[str, Any] = {
    "kind": "dispensing",
    "site": "Harbour clinic",
    "days": [0, 1, 2, 3, 4, 5, 6],
    "opens": "10:00",
    "closes": "14:00",
    "collection": "at_opening",
    "wait_minutes": 15,
    "travel_minutes": 30,
    "take_home_days": [],
}
APPOINTMENT: dict[str, Any] = {
    "kind": "appointment",
    "weekday": 1,
    "starts": "13:00",
    "ends": "14:00",
    "travel_minutes": 20,
    "every_weeks": 1,
}


def errors(details: dict[str, Any]) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as refused:
        needs.parse(details)
    return refused.value.message_dict


# --- checking what was typed -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"closes": "09:00"}, "closes", "The site must close after it opens."),
        ({"closes": "10:00"}, "closes", "The site must close after it opens."),
        ({"opens": "25:00"}, "opens", "Give a time of day such as 10:00."),
        ({"opens": "10am"}, "opens", "Give a time of day such as 10:00."),
        ({"closes": None}, "closes", "Give a time of day such as 10:00."),
        ({"days": []}, "days", "Choose at least one day."),
        ({"days": [0, 7]}, "days", "Choose days of the week."),
        ({"days": ["mon"]}, "days", "Choose days of the week."),
        ({"collection": "whenever"}, "collection", "Choose how you collect."),
        ({"wait_minutes": -5}, "wait_minutes", "Give a number of minutes from 0 to 240."),
        ({"wait_minutes": 241}, "wait_minutes", "Give a number of minutes from 0 to 240."),
        (
            {"travel_minutes": "half an hour"},
            "travel_minutes",
            "Give a number of minutes from 0 to 240.",
        ),
        (
            {"take_home_days": [0, 1, 2, 3, 4, 5, 6]},
            "take_home_days",
            "Take-home days cannot be all of the dispensing days.",
        ),
        ({"site": "s" * 201}, "site", "Keep it to 200 characters."),
        ({"collection": "fixed_time"}, "fixed_at", "Give a time of day such as 10:00."),
        (
            {"collection": "fixed_time", "fixed_at": "15:00"},
            "fixed_at",
            "The fixed time must be while the site is open.",
        ),
    ],
)
def test_a_bad_dispensing_field_is_named(change: dict[str, Any], field: str, message: str) -> None:
    assert errors({**CLINIC, **change})[field] == [message]


def test_every_field_at_fault_is_named_at_once() -> None:
    found = errors({**CLINIC, "closes": "08:00", "wait_minutes": 999, "days": []})
    assert set(found) == {"closes", "wait_minutes", "days"}


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"weekday": 7}, "weekday", "Choose a day of the week."),
        ({"weekday": "Tuesday"}, "weekday", "Choose a day of the week."),
        ({"ends": "12:00"}, "ends", "The end must be after the start."),
        ({"starts": "24:30"}, "starts", "Give a time of day such as 10:00."),
        (
            {"every_weeks": 3},
            "every_weeks",
            "Choose every week, every two weeks or every four weeks.",
        ),
        ({"travel_minutes": 600}, "travel_minutes", "Give a number of minutes from 0 to 240."),
    ],
)
def test_a_bad_appointment_field_is_named(change: dict[str, Any], field: str, message: str) -> None:
    assert errors({**APPOINTMENT, **change})[field] == [message]


def test_a_note_of_no_known_kind_is_refused() -> None:
    assert errors({"kind": "diet"}) == {"kind": ["Choose what the note is about."]}


def test_what_is_stored_is_the_checked_details() -> None:
    parsed = needs.parse({**CLINIC, "opens": "10:00:30", "take_home_days": ["6"]})
    stored = needs.details_to_store("dispensing", parsed)
    assert stored["opens"] == "10:00" and stored["take_home_days"] == [6]
    assert needs.parse(stored) == parsed  # what is stored reads back the same


# --- what a note asks of the working day --------------------------------------------------


def proposals(details: dict[str, Any], pattern: dict[int, PatternDay] = WEEKDAYS) -> list[Any]:
    return needs.proposals(needs.parse(details), pattern)


def test_collection_at_opening_asks_for_a_later_start_on_working_days_only() -> None:
    assert proposals(CLINIC) == [needs.Proposal(frozenset(range(5)), starts=T(10, 45))]


def test_take_home_days_need_no_change() -> None:
    assert proposals({**CLINIC, "take_home_days": [2, 5, 6]}) == [
        needs.Proposal(frozenset({0, 1, 3, 4}), starts=T(10, 45))
    ]


def test_a_site_open_before_work_asks_for_nothing() -> None:
    assert proposals({**CLINIC, "opens": "07:00"}) == []


def test_days_with_other_hours_are_proposed_apart() -> None:
    pattern = {
        **WEEKDAYS,
        4: PatternDay(4, T(8, 0), T(16, 0)),
        0: PatternDay(0, T(11, 0), T(18, 0)),
    }
    found = proposals(CLINIC, pattern)
    # Monday starts at 11:00 anyway; the others all ask for 10:45.
    assert found == [needs.Proposal(frozenset({1, 2, 3, 4}), starts=T(10, 45))]


def test_a_fixed_time_in_the_middle_of_the_day_asks_for_a_break() -> None:
    details = {**CLINIC, "collection": "fixed_time", "fixed_at": "12:00", "wait_minutes": 10}
    assert proposals(details) == [
        needs.Proposal(frozenset(range(5)), break_starts=T(11, 30), break_ends=T(12, 40))
    ]


def test_a_weekly_appointment_asks_for_a_break_that_day() -> None:
    assert proposals(APPOINTMENT) == [
        needs.Proposal(frozenset({1}), break_starts=T(12, 40), break_ends=T(14, 20))
    ]


def test_an_appointment_late_in_the_day_asks_for_an_earlier_finish() -> None:
    late = {**APPOINTMENT, "starts": "16:00", "ends": "17:00"}
    assert proposals(late) == [needs.Proposal(frozenset({1}), ends=T(15, 40))]


def test_an_appointment_early_in_the_day_asks_for_a_later_start() -> None:
    early = {**APPOINTMENT, "starts": "09:30", "ends": "10:00"}
    assert proposals(early) == [needs.Proposal(frozenset({1}), starts=T(10, 20))]


def test_an_appointment_outside_working_hours_or_on_a_day_off_asks_for_nothing() -> None:
    assert proposals({**APPOINTMENT, "starts": "07:30", "ends": "08:30"}) == []
    assert proposals({**APPOINTMENT, "weekday": 6}) == []


def test_an_appointment_every_two_or_four_weeks_is_not_a_pattern() -> None:
    assert proposals({**APPOINTMENT, "every_weeks": 2}) == []
    assert proposals({**APPOINTMENT, "every_weeks": 4}) == []


def test_any_time_while_open_fits_before_or_after_work() -> None:
    before = {**CLINIC, "collection": "any_time", "opens": "07:00", "closes": "19:00"}
    after = {**CLINIC, "collection": "any_time", "opens": "10:00", "closes": "19:00"}
    neither = {**CLINIC, "collection": "any_time", "opens": "10:00", "closes": "17:00"}
    assert proposals(before) == []
    assert proposals(after) == []
    assert proposals(neither) == [needs.Proposal(frozenset(range(5)), starts=T(10, 45))]


# --- the note services -------------------------------------------------------------------------


def raw_content(need: PrivateNeed) -> str:
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(PrivateNeed._meta.db_table)
        cursor.execute(
            f"SELECT content FROM {table} WHERE id = %s",  # noqa: S608
            [PrivateNeed._meta.pk.get_db_prep_value(need.pk, connection)],
        )
        value = cursor.fetchone()[0]
    return bytes(value).decode("latin-1") if not isinstance(value, str) else value


@pytest.mark.django_db
def test_the_person_keeps_a_note_sealed_and_reads_it_back(story: Any) -> None:
    with scope(organisation=story.harbourside.pk):
        need = services.record_need(actor=story.amina, owner=story.amina, details=CLINIC)
        assert need.entered_by_id is None
        assert services.read_need(actor=story.amina, need=need)["opens"] == "10:00"
        stored = raw_content(need)
        assert "10:00" not in stored and "Harbour clinic" not in stored


@pytest.mark.django_db
def test_bad_input_saves_nothing_and_keeps_the_saved_note(story: Any) -> None:
    with scope(organisation=story.harbourside.pk):
        with pytest.raises(ValidationError):
            services.record_need(
                actor=story.amina, owner=story.amina, details={**CLINIC, "closes": "09:00"}
            )
        assert not PrivateNeed.objects.exists()
        need = services.record_need(actor=story.amina, owner=story.amina, details=CLINIC)
        with pytest.raises(ValidationError) as refused:
            services.record_need(
                actor=story.amina,
                owner=story.amina,
                details={**CLINIC, "opens": "25:00"},
                need=need,
                version=need.version,
            )
        assert refused.value.message_dict == {"opens": ["Give a time of day such as 10:00."]}
        kept = PrivateNeed.objects.get(pk=need.pk)
        assert (kept.version, json.loads(kept.content)["opens"]) == (1, "10:00")


@pytest.mark.django_db
def test_a_change_with_a_stale_version_changes_nothing(story: Any) -> None:
    with scope(organisation=story.harbourside.pk):
        need = services.record_need(actor=story.amina, owner=story.amina, details=CLINIC)
        changed = services.record_need(
            actor=story.amina,
            owner=story.amina,
            details={**CLINIC, "wait_minutes": 20},
            need=PrivateNeed.objects.get(pk=need.pk),
            version=1,
        )
        assert changed.version == 2
        with pytest.raises(StaleVersion):
            services.record_need(
                actor=story.amina,
                owner=story.amina,
                details={**CLINIC, "wait_minutes": 40},
                need=PrivateNeed.objects.get(pk=need.pk),
                version=1,
            )
        kept = PrivateNeed.objects.get(pk=need.pk)
        assert (kept.version, json.loads(kept.content)["wait_minutes"]) == (2, 20)


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["ravi", "grace", "daniel", "samuel", "olena"])
def test_no_one_else_keeps_or_removes_a_persons_note(story: Any, who: str) -> None:
    actor = getattr(story, who)
    with scope(organisation=story.harbourside.pk):
        with pytest.raises(PermissionDenied):
            services.record_need(actor=actor, owner=story.amina, details=CLINIC)
        need = services.record_need(actor=story.amina, owner=story.amina, details=CLINIC)
        with pytest.raises(PermissionDenied):
            services.record_need(
                actor=actor, owner=story.amina, details=CLINIC, need=need, version=need.version
            )
        with pytest.raises(PermissionDenied):
            services.remove_need(actor=actor, need=need)
        assert PrivateNeed.objects.filter(pk=need.pk, version=1).exists()


@pytest.mark.django_db
def test_hr_keeps_a_note_for_the_person_only_under_a_share_of_that_kind_and_never_removes_it(
    story: Any,
) -> None:
    with scope(organisation=story.harbourside.pk):
        share(
            actor=story.amina,
            audience="person",
            grantee=story.grace,
            categories=["ost"],
            purpose="Help with my hours",
        )
        need = services.record_need(actor=story.grace, owner=story.amina, details=CLINIC)
        assert need.entered_by_id == story.grace.pk
        # The share covers OST, not health: an appointment is not HR's to keep.
        with pytest.raises(PermissionDenied):
            services.record_need(actor=story.grace, owner=story.amina, details=APPOINTMENT)
        # Keeping it for her is not removing it: that is hers alone.
        with pytest.raises(PermissionDenied):
            services.remove_need(actor=story.grace, need=need)
        assert PrivateNeed.objects.filter(pk=need.pk).exists()


@pytest.mark.django_db
def test_the_person_removes_their_note(story: Any) -> None:
    with scope(organisation=story.harbourside.pk):
        need = services.record_need(actor=story.amina, owner=story.amina, details=APPOINTMENT)
        services.remove_need(actor=story.amina, need=need)
        assert not PrivateNeed.objects.exists()
