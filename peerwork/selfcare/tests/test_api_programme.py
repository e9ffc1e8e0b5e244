"""The self-control programme through the API (issue 7 items 2 and 9; App. 8, §4.2): the
owner's programmes, records, revisions and chart; opening to her peer mentor, who reads
(each read audited) and changes nothing, until it closes or expires; everyone else 404;
refused input (400/422) saves nothing; a stale If-Match is 409 and loses nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_scopes import scope

from peerwork.core.models import AuditEvent
from peerwork.people.tests.api_calls import call, get, post
from peerwork.selfcare import programmes
from peerwork.selfcare.models import Opening, SelfControlProgramme
from peerwork.selfcare.tests.test_programme_services import (
    a_goal,
    fresh,
    plan_of,
    programme_of,
    records_of,
    today_there,
    with_records,
)

pytestmark = pytest.mark.django_db

PATH = "/self-control-programmes"
OUTSIDERS = ["ravi", "grace", "daniel", "chen", "taras", "leila", "joseph", "taslima"]


def opened_to_samuel(story, programme, days: int = 7) -> Opening:
    with scope(organisation=story.harbourside.pk):
        return programmes.open_programme(
            actor=story.amina,
            programme=fresh(programme),
            grantee=story.samuel,
            expires_at=timezone.now() + dt.timedelta(days=days),
        )


def reads_by(story, who) -> int:
    with scope(organisation=story.harbourside.pk):
        return AuditEvent.objects.filter(
            action="selfcare.programme.read", actor_id=who.pk, subject_id=story.amina.pk
        ).count()


# --- the owner --------------------------------------------------------------------------------


def test_amina_starts_her_programme_and_sees_it_listed(story):
    response = post(
        story.amina,
        PATH,
        {"benefits": "Calmer mornings", "told": ["My sister"], "target": "Buying cigarettes"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["mine"] is True and body["target"] == "Buying cigarettes"
    assert body["commitment"]["told"] == ["My sister"]
    assert body["baseline_hint"]  # no baseline records yet: a kind word
    assert response["ETag"] == '"1"'
    listed = get(story.amina, PATH).json()
    assert [item["id"] for item in listed["items"]] == [body["id"]]
    assert get(story.ravi, PATH).json()["items"] == []


def test_a_second_programme_while_one_is_going_is_400(story):
    programme_of(story)
    response = post(story.amina, PATH, {"benefits": "Sleep"})
    assert response.status_code == 400 and "End it first" in response.json()["detail"]


def test_she_sets_a_goal_and_strategies_in_one_change_and_gets_a_kind_word(story):
    programme = programme_of(story)
    with_records(story, programme, {1: 3, 2: 5})
    goal_by = today_there(story) + dt.timedelta(days=30)
    response = call(
        story.amina,
        "PATCH",
        f"{PATH}/{programme.pk}",
        {
            "goal": {"unit": "day", "direction": "fewer", "target": 2, "goal_by": str(goal_by)},
            "strategies": {"codes": ["env_avoid", "cog_praise"], "own": "Long way round"},
        },
        if_match=1,
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["goal"]["text"].startswith("at most 2 times a day by")
    assert [s["code"] for s in body["strategies"]["chosen"]] == ["env_avoid", "cog_praise"]
    assert body["strategies"]["chosen"][0]["group"] == "environmental"
    assert len(body["hints"]) == 1 and "covers 2 days" in body["hints"][0]
    assert body["version"] == 3 and fresh(programme).goal_by == goal_by


def test_the_strategy_lists_hold_three_eight_and_five(story):
    found = get(story.amina, f"{PATH}/strategies").json()
    groups = [item["group"] for item in found]
    assert (groups.count("environmental"), groups.count("behavioural")) == (3, 8)
    assert groups.count("cognitive") == 5


def test_she_logs_days_and_reads_the_chart_as_numbers(story):
    programme = programme_of(story, goal=a_goal(story, target=2))
    with_records(story, programme, {5: 4, 4: 5})
    for days_ago, count in ((1, 3), (0, 1)):
        day = today_there(story) - dt.timedelta(days=days_ago)
        response = post(
            story.amina,
            f"{PATH}/{programme.pk}/entries",
            {"phase": "monitoring", "day": str(day), "count": count, "note": "ok"},
        )
        assert response.status_code == 201, response.content
    entries = get(story.amina, f"{PATH}/{programme.pk}/entries").json()["items"]
    assert [e["count"] for e in entries] == [4, 5, 3, 1]
    assert entries[0]["antecedent"] == "After the morning meeting"
    chart = get(story.amina, f"{PATH}/{programme.pk}/chart").json()
    assert [(p["count"], p["phase"]) for p in chart["points"]] == [
        (4, "baseline"),
        (5, "baseline"),
        (3, "monitoring"),
        (1, "monitoring"),
    ]
    assert chart["baseline_from"] == str(today_there(story) - dt.timedelta(days=5))
    assert chart["baseline_until"] == str(today_there(story) - dt.timedelta(days=4))
    assert chart["goal"]["target"] == 2 and chart["unit"] == "day"
    assert chart["summary"] == "1 of your last 1 recorded day was at or under your goal (2 a day)."


def test_she_notes_a_revision_and_reads_them(story):
    programme = programme_of(story)
    response = post(
        story.amina,
        f"{PATH}/{programme.pk}/revisions",
        {"what": "Log at lunch", "why": "I forgot at night"},
        if_match=1,
    )
    assert response.status_code == 201, response.content
    (revision,) = get(story.amina, f"{PATH}/{programme.pk}/revisions").json()
    assert revision["what"] == "Log at lunch" and revision["on"] == str(today_there(story))


def test_a_record_typed_by_mistake_is_removed(story):
    programme = programme_of(story)
    with_records(story, programme, {1: 2})
    (record,) = records_of(programme)
    response = call(story.amina, "DELETE", f"{PATH}/{programme.pk}/entries/{record.entry.pk}")
    assert response.status_code == 200 and records_of(programme) == []


def test_ending_then_deleting(story):
    programme = programme_of(story)
    response = post(story.amina, f"{PATH}/{programme.pk}/end", if_match=1)
    assert response.status_code == 200 and response.json()["ended_at"]
    refused = post(story.amina, f"{PATH}/{programme.pk}/entries", {"count": 1})
    assert refused.status_code == 400
    assert call(story.amina, "DELETE", f"{PATH}/{programme.pk}", if_match=2).status_code == 200
    with scope(organisation=story.harbourside.pk):
        assert not SelfControlProgramme.objects.exists()


# --- refused input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("goal", "status", "field"),
    [
        ({"goal_by": "past"}, 400, "goal_by"),
        ({"target": "abc"}, 422, None),
        ({"target": -1}, 400, "target"),
    ],
)
def test_a_goal_by_in_the_past_or_a_target_that_is_not_a_count_is_refused(
    story, goal, status, field
):
    programme = programme_of(story)
    sent = {
        "unit": "day",
        "direction": "fewer",
        "target": 2,
        "goal_by": str(today_there(story) + dt.timedelta(days=20)),
    }
    if goal.get("goal_by") == "past":
        goal = {"goal_by": str(today_there(story) - dt.timedelta(days=1))}
    sent.update(goal)
    response = call(story.amina, "PATCH", f"{PATH}/{programme.pk}", {"goal": sent}, if_match=1)
    assert response.status_code == status, response.content
    if field:
        assert field in response.json()["errors"]
    assert plan_of(programme).goal is None and fresh(programme).version == 1


def test_a_change_refused_in_one_part_saves_no_other_part(story):
    programme = programme_of(story)
    response = call(
        story.amina,
        "PATCH",
        f"{PATH}/{programme.pk}",
        {"target": "Snacks", "strategies": {"codes": ["not_one"], "own": ""}},
        if_match=1,
    )
    assert response.status_code == 400 and "codes" in response.json()["errors"]
    assert plan_of(programme).target == "Buying cigarettes on the way to work"
    assert fresh(programme).version == 1


@pytest.mark.parametrize(("count", "status"), [(-1, 400), ("abc", 422), (1000, 400)])
def test_a_count_of_minus_one_or_letters_is_refused_and_nothing_kept(story, count, status):
    programme = programme_of(story)
    response = post(story.amina, f"{PATH}/{programme.pk}/entries", {"count": count})
    assert response.status_code == status, response.content
    assert records_of(programme) == []


def test_an_opening_expiry_in_the_past_is_400_and_opens_nothing(story):
    programme = programme_of(story)
    response = post(
        story.amina,
        f"{PATH}/{programme.pk}/openings",
        {
            "grantee_id": str(story.samuel.pk),
            "expires_at": (timezone.now() - dt.timedelta(hours=2)).isoformat(),
        },
    )
    assert response.status_code == 400 and "expires_at" in response.json()["errors"]
    with scope(organisation=story.harbourside.pk):
        assert not Opening.objects.exists()


@pytest.mark.parametrize("who", ["ravi", "leila", "taras"])
def test_an_opening_to_anyone_but_her_mentor_is_400(story, who):
    programme = programme_of(story)
    response = post(
        story.amina,
        f"{PATH}/{programme.pk}/openings",
        {
            "grantee_id": str(getattr(story, who).pk),
            "expires_at": (timezone.now() + dt.timedelta(days=2)).isoformat(),
        },
    )
    assert response.status_code == 400 and "grantee" in response.json()["errors"]


# --- changed meanwhile ---------------------------------------------------------------------------


def test_a_stale_if_match_is_409_and_what_was_saved_stays(story):
    programme = programme_of(story)
    first = call(story.amina, "PATCH", f"{PATH}/{programme.pk}", {"target": "Snacks"}, if_match=1)
    assert first.status_code == 200
    stale = call(story.amina, "PATCH", f"{PATH}/{programme.pk}", {"target": "Coffee"}, if_match=1)
    assert stale.status_code == 409
    assert "changed this since you read it" in stale.json()["detail"]
    assert plan_of(programme).target == "Snacks"
    missing = call(story.amina, "PATCH", f"{PATH}/{programme.pk}", {"target": "Coffee"})
    assert missing.status_code == 422  # If-Match is required to change


# --- privacy -------------------------------------------------------------------------------------


READS = ("", "/entries", "/revisions", "/chart")


@pytest.mark.parametrize("who", OUTSIDERS)
def test_nobody_else_reads_or_changes_her_programme(story, who):
    programme = programme_of(story, goal=a_goal(story))
    member = getattr(story, who)
    base = f"{PATH}/{programme.pk}"
    for suffix in (*READS, "/openings"):
        assert get(member, base + suffix).status_code == 404, suffix
    assert call(member, "PATCH", base, {"target": "x"}, if_match=2).status_code == 404
    assert post(member, f"{base}/entries", {"count": 1}).status_code == 404
    assert post(member, f"{base}/end").status_code == 404
    assert call(member, "DELETE", base).status_code == 404
    assert get(member, f"{PATH}/opened-to-me").json() == []
    assert plan_of(programme).target.startswith("Buying") and records_of(programme) == []


def test_samuel_reads_it_while_it_is_opened_to_him_and_each_read_is_audited(story):
    programme = programme_of(story, goal=a_goal(story))
    with_records(story, programme, {1: 2})
    response = post(
        story.amina,
        f"{PATH}/{programme.pk}/openings",
        {
            "grantee_id": str(story.samuel.pk),
            "expires_at": (timezone.now() + dt.timedelta(days=7)).isoformat(),
        },
    )
    assert response.status_code == 201, response.content
    (opened,) = get(story.samuel, f"{PATH}/opened-to-me").json()
    assert (
        opened["programme_id"] == str(programme.pk) and opened["owner"]["name"] == "Amina Wanjiru"
    )
    base = f"{PATH}/{programme.pk}"
    body = get(story.samuel, base).json()
    assert body["mine"] is False and body["target"].startswith("Buying")
    for suffix in READS[1:]:
        assert get(story.samuel, base + suffix).status_code == 200, suffix
    assert reads_by(story, story.samuel) == 4


def test_samuel_may_not_change_what_is_opened_to_him(story):
    programme = programme_of(story, goal=a_goal(story))
    opening = opened_to_samuel(story, programme)
    base = f"{PATH}/{programme.pk}"
    assert call(story.samuel, "PATCH", base, {"target": "x"}, if_match=2).status_code == 403
    assert post(story.samuel, f"{base}/entries", {"count": 1}).status_code == 403
    assert post(story.samuel, f"{base}/revisions", {"what": "x"}).status_code == 403
    assert post(story.samuel, f"{base}/end").status_code == 403
    assert call(story.samuel, "DELETE", base).status_code == 403
    assert get(story.samuel, f"{base}/openings").status_code == 403
    assert call(story.samuel, "DELETE", f"/programme-openings/{opening.pk}").status_code == 404
    assert fresh(programme).version == 2 and records_of(programme) == []


def test_after_expiry_samuel_gets_404(story):
    programme = programme_of(story)
    opening = opened_to_samuel(story, programme)
    with scope(organisation=story.harbourside.pk):
        Opening.objects.filter(pk=opening.pk).update(
            opened_at=timezone.now() - dt.timedelta(days=8),
            expires_at=timezone.now() - dt.timedelta(minutes=1),
        )
    for suffix in READS:
        assert get(story.samuel, f"{PATH}/{programme.pk}{suffix}").status_code == 404
    assert get(story.samuel, f"{PATH}/opened-to-me").json() == []


def test_after_amina_closes_it_samuel_gets_404(story):
    programme = programme_of(story)
    opening = opened_to_samuel(story, programme)
    assert get(story.samuel, f"{PATH}/{programme.pk}").status_code == 200
    response = call(story.amina, "DELETE", f"/programme-openings/{opening.pk}")
    assert response.status_code == 200 and response.json()["closed_at"]
    assert get(story.samuel, f"{PATH}/{programme.pk}").status_code == 404
    assert get(story.amina, f"{PATH}/{programme.pk}/openings").json() == []


def test_ending_the_programme_closes_its_openings(story):
    programme = programme_of(story)
    opened_to_samuel(story, programme)
    post(story.amina, f"{PATH}/{programme.pk}/end", if_match=1)
    assert get(story.samuel, f"{PATH}/{programme.pk}").status_code == 404


def test_her_own_reads_are_not_audited_as_someone_elses(story):
    programme = programme_of(story)
    for suffix in READS:
        get(story.amina, f"{PATH}/{programme.pk}{suffix}")
    assert reads_by(story, story.amina) == 0
