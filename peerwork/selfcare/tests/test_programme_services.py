"""The self-control programme's flows (issue 7 item 2; App. 8): starting one with a
commitment, a goal dated in the organisation's zone with a kind word about a short or long
baseline, strategies whose changes are kept as revisions, the quick log keeping one number
a day, the progress summary in words, one programme going at a time, ending and deleting.

Also the helpers the other programme tests build on (``programme_of``, ``with_records``).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django_scopes import scope

from peerwork.core.models import AuditEvent, Notification
from peerwork.core.versions import StaleVersion
from peerwork.selfcare import programmes
from peerwork.selfcare.models import Opening, SelfControlEntry, SelfControlProgramme

pytestmark = pytest.mark.django_db

BASELINE = SelfControlEntry.Phase.BASELINE
MONITORING = SelfControlEntry.Phase.MONITORING


# --- helpers for every programme test -----------------------------------------------------------


def today_there(story: Any) -> dt.date:
    """Harbourside's date (Nairobi), which the services date everything by."""
    return programmes.local_today(story.amina)


def programme_of(
    story: Any,
    person: Any = None,
    *,
    target: str = "Buying cigarettes on the way to work",
    goal: dict[str, Any] | None = None,
) -> SelfControlProgramme:
    """A programme started by ``person`` (Amina) with a commitment and a target; with
    ``goal``, one set too (``unit``, ``direction``, ``target``, ``goal_by``)."""
    person = person or story.amina
    with scope(organisation=person.organisation_id):
        programme = programmes.start_programme(
            actor=person,
            benefits="More money for my daughter's school things",
            told=["My sister", "Samuel"],
            obstacles="Payday: I will leave my card at home.",
            target=target,
        )
        if goal is not None:
            programme, _hints = programmes.set_goal(
                actor=person, programme=programme, version=programme.version, **goal
            )
    return programme


def a_goal(story: Any, **changes: Any) -> dict[str, Any]:
    goal = {
        "unit": "day",
        "direction": "fewer",
        "target": 2,
        "goal_by": today_there(story) + dt.timedelta(days=30),
    }
    goal.update(changes)
    return goal


def with_records(
    story: Any,
    programme: SelfControlProgramme,
    counts: dict[int, int],
    phase: str = BASELINE,
) -> None:
    """Records ``counts`` of ``{days ago: count}``."""
    today = today_there(story)
    with scope(organisation=programme.organisation_id):
        for days_ago, count in counts.items():
            programmes.record_entry(
                actor=programme.owner,
                programme=programme,
                phase=phase,
                day=today - dt.timedelta(days=days_ago),
                count=count,
                antecedent="After the morning meeting" if phase == BASELINE else "",
            )


def fresh(programme: SelfControlProgramme) -> SelfControlProgramme:
    with scope(organisation=programme.organisation_id):
        return SelfControlProgramme.objects.select_related("owner__organisation").get(
            pk=programme.pk
        )


def plan_of(programme: SelfControlProgramme) -> programmes.Plan:
    with scope(organisation=programme.organisation_id):
        return programmes.parse_plan(fresh(programme).content)


def records_of(programme: SelfControlProgramme) -> list[programmes.Record]:
    with scope(organisation=programme.organisation_id):
        return programmes.read_entries(actor=programme.owner, programme=fresh(programme))


# --- starting ---------------------------------------------------------------------------------


def test_a_programme_starts_with_the_commitment_sealed_and_dated_where_she_works(story):
    programme = programme_of(story)
    assert programme.started_on == today_there(story)
    plan = plan_of(programme)
    assert plan.benefits.startswith("More money")
    assert plan.told == ["My sister", "Samuel"]
    assert plan.target == "Buying cigarettes on the way to work"
    with scope(organisation=story.harbourside.pk):
        assert AuditEvent.objects.filter(action="selfcare.programme.create").count() == 1


def test_a_commitment_without_its_benefits_is_refused_and_nothing_is_kept(story):
    with scope(organisation=story.harbourside.pk), pytest.raises(ValidationError) as refused:
        programmes.start_programme(actor=story.amina, benefits="  ", told=["My sister"])
    assert "benefits" in refused.value.message_dict
    with scope(organisation=story.harbourside.pk):
        assert not SelfControlProgramme.objects.exists()


def test_one_programme_goes_at_a_time_and_the_next_starts_once_it_has_ended(story):
    first = programme_of(story)
    with scope(organisation=story.harbourside.pk):
        with pytest.raises(ValidationError):
            programmes.start_programme(actor=story.amina, benefits="Sleep better")
        programmes.end_programme(actor=story.amina, programme=first, version=first.version)
        second = programmes.start_programme(actor=story.amina, benefits="Sleep better")
        assert [p.pk for p in programmes.programmes_of(story.amina)] == [second.pk, first.pk]


# --- the goal -----------------------------------------------------------------------------------


def test_a_goal_is_set_with_a_date_after_today_in_nairobi(story):
    programme = programme_of(story)
    with_records(story, programme, dict.fromkeys(range(1, 10), 4))
    goal = a_goal(story)
    with scope(organisation=story.harbourside.pk):
        programme, hints = programmes.set_goal(
            actor=story.amina, programme=fresh(programme), version=programme.version, **goal
        )
    assert hints == []  # nine days of baseline: within one to two weeks
    assert fresh(programme).goal_by == goal["goal_by"]
    saved = plan_of(programme).goal
    assert saved is not None
    assert (saved.unit, saved.direction, saved.target) == ("day", "fewer", 2)
    assert saved.set_on == today_there(story)


@pytest.mark.parametrize("days", [0, -1, -400])
def test_a_goal_by_today_or_earlier_is_refused(story, days):
    programme = programme_of(story)
    goal = a_goal(story, goal_by=today_there(story) + dt.timedelta(days=days))
    with scope(organisation=story.harbourside.pk), pytest.raises(ValidationError) as refused:
        programmes.set_goal(actor=story.amina, programme=programme, version=1, **goal)
    assert "Choose a date after today" in refused.value.message_dict["goal_by"][0]
    assert plan_of(programme).goal is None and fresh(programme).version == 1


@pytest.mark.parametrize("target", ["abc", -1, 1000, "2.5", None])
def test_a_goal_target_that_is_not_a_count_is_refused(story, target):
    programme = programme_of(story)
    with scope(organisation=story.harbourside.pk), pytest.raises(ValidationError) as refused:
        programmes.set_goal(
            actor=story.amina, programme=programme, version=1, **a_goal(story, target=target)
        )
    assert refused.value.message_dict["target"]
    assert plan_of(programme).goal is None


@pytest.mark.parametrize(
    ("baseline", "says"),
    [
        ({}, "no baseline records yet"),
        ({1: 3, 3: 5}, "covers 3 days"),
        (dict.fromkeys(range(1, 20), 2), "covers 19 days"),
    ],
)
def test_a_baseline_shorter_than_a_week_or_longer_than_two_gets_a_kind_word_not_a_refusal(
    story, baseline, says
):
    programme = programme_of(story)
    with_records(story, programme, baseline)
    with scope(organisation=story.harbourside.pk):
        programme, hints = programmes.set_goal(
            actor=story.amina, programme=fresh(programme), version=1, **a_goal(story)
        )
    assert len(hints) == 1 and says in hints[0].lower()
    assert plan_of(programme).goal is not None


def test_changing_a_goal_already_set_is_kept_as_a_revision_with_why(story):
    programme = programme_of(story, goal=a_goal(story))
    with scope(organisation=story.harbourside.pk):
        programmes.set_goal(
            actor=story.amina,
            programme=fresh(programme),
            version=fresh(programme).version,
            why="Two was too big a step",
            **a_goal(story, target=3),
        )
    (revision,) = plan_of(programme).revisions
    assert revision.kind == "goal" and revision.why == "Two was too big a step"
    assert "at most 2 times a day" in revision.what and "at most 3 times a day" in revision.what


def test_a_save_over_a_version_that_moved_on_is_stale_and_changes_nothing(story):
    programme = programme_of(story)
    with scope(organisation=story.harbourside.pk):
        programmes.save_target(
            actor=story.amina, programme=fresh(programme), version=1, target="Snacks at night"
        )
        with pytest.raises(StaleVersion):
            programmes.save_target(
                actor=story.amina, programme=fresh(programme), version=1, target="Coffee"
            )
    assert plan_of(programme).target == "Snacks at night"
    assert fresh(programme).version == 2


# --- strategies and revisions ---------------------------------------------------------------------


def test_strategies_come_from_the_three_lists_or_her_own_words(story):
    programme = programme_of(story)
    with scope(organisation=story.harbourside.pk):
        programmes.save_strategies(
            actor=story.amina,
            programme=programme,
            version=1,
            codes=["cog_praise", "env_avoid", "beh_alternative"],
            own="Walk the long way round the kiosk",
        )
    plan = plan_of(programme)
    # Kept in the lists' order: environmental, behavioural, cognitive.
    assert plan.strategy_codes == ["env_avoid", "beh_alternative", "cog_praise"]
    assert plan.own_strategies == "Walk the long way round the kiosk"
    assert plan.revisions == []  # a first choice is not a revision
    assert len(programmes.STRATEGIES["environmental"]) == 3
    assert len(programmes.STRATEGIES["behavioural"]) == 8
    assert len(programmes.STRATEGIES["cognitive"]) == 5


def test_an_unknown_strategy_or_none_at_all_is_refused(story):
    programme = programme_of(story)
    with scope(organisation=story.harbourside.pk):
        for codes, own in ((["not_a_strategy"], ""), ([], "")):
            with pytest.raises(ValidationError) as refused:
                programmes.save_strategies(
                    actor=story.amina, programme=programme, version=1, codes=codes, own=own
                )
            assert "codes" in refused.value.message_dict
    assert not plan_of(programme).has_strategies


def test_changing_strategies_is_recorded_as_a_dated_revision(story):
    programme = programme_of(story)
    with scope(organisation=story.harbourside.pk):
        programmes.save_strategies(
            actor=story.amina, programme=programme, version=1, codes=["env_avoid"], own=""
        )
        programmes.save_strategies(
            actor=story.amina,
            programme=fresh(programme),
            version=2,
            codes=["beh_support"],
            own="",
            why="The kiosk is on my outreach route",
        )
    (revision,) = plan_of(programme).revisions
    assert revision.kind == "strategies" and revision.on == today_there(story)
    assert "Added:" in revision.what and "Stopped:" in revision.what
    assert revision.why == "The kiosk is on my outreach route"


def test_a_revision_note_keeps_what_changed_and_why(story):
    programme = programme_of(story)
    with scope(organisation=story.harbourside.pk):
        programmes.add_revision(
            actor=story.amina,
            programme=programme,
            version=1,
            what="Log at lunch instead of at night",
            why="I kept forgetting",
        )
    (revision,) = plan_of(programme).revisions
    assert (revision.what, revision.why, revision.kind) == (
        "Log at lunch instead of at night",
        "I kept forgetting",
        "note",
    )


# --- records ------------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [-1, "abc", 1000, ""])
def test_a_count_that_is_not_a_whole_number_from_0_is_refused(story, count):
    programme = programme_of(story)
    with scope(organisation=story.harbourside.pk), pytest.raises(ValidationError) as refused:
        programmes.record_entry(
            actor=story.amina, programme=programme, phase=MONITORING, day=None, count=count
        )
    assert refused.value.message_dict["count"]
    assert records_of(programme) == []


def test_a_record_for_a_day_still_to_come_is_refused(story):
    programme = programme_of(story)
    tomorrow = today_there(story) + dt.timedelta(days=1)
    with scope(organisation=story.harbourside.pk), pytest.raises(ValidationError) as refused:
        programmes.record_entry(
            actor=story.amina, programme=programme, phase=BASELINE, day=tomorrow, count=1
        )
    assert "day" in refused.value.message_dict


def test_logging_a_day_again_replaces_its_number_and_a_day_sums_its_records(story):
    programme = programme_of(story)
    with_records(story, programme, {0: 3}, MONITORING)
    with_records(story, programme, {0: 1}, MONITORING)
    with_records(story, programme, {1: 2})
    with_records(story, programme, {1: 4})
    periods = programmes.series(records_of(programme))
    today = today_there(story)
    assert [(p.day, p.count, p.baseline) for p in periods] == [
        (today - dt.timedelta(days=1), 6, True),
        (today, 1, False),
    ]
    with scope(organisation=story.harbourside.pk):
        assert SelfControlEntry.objects.filter(phase=MONITORING).count() == 1
        content = json.loads(SelfControlEntry.objects.get(phase=MONITORING).content)
    assert content == {"count": 1, "note": ""}


def test_weekly_counts_add_up_the_days_of_each_week_from_monday(story):
    programme = programme_of(story)
    with_records(story, programme, dict.fromkeys(range(0, 14), 1), MONITORING)
    periods = programmes.series(records_of(programme), programmes.WEEK)
    assert all(p.day.weekday() == 0 for p in periods)
    assert sum(p.count for p in periods) == 14


# --- progress in words --------------------------------------------------------------------------


def test_the_summary_counts_the_last_seven_recorded_days_at_or_under_the_goal(story):
    programme = programme_of(story)
    with_records(
        story, programme, {12: 9, 9: 9, 6: 1, 5: 3, 4: 2, 3: 5, 2: 0, 1: 4, 0: 2}, MONITORING
    )
    goal = programmes.Goal("day", "fewer", 2, set_on=today_there(story) - dt.timedelta(days=10))
    summary = programmes.progress_summary(programmes.series(records_of(programme)), goal)
    assert summary == "4 of your last 7 recorded days were at or under your goal (2 a day)."


def test_days_before_the_goal_was_set_do_not_count_against_it(story):
    programme = programme_of(story)
    with_records(story, programme, {3: 9, 2: 9, 1: 9})
    goal = programmes.Goal("day", "fewer", 2, set_on=today_there(story))
    periods = programmes.series(records_of(programme))
    assert "Nothing recorded since you set your goal yet" in (
        programmes.progress_summary(periods, goal)
    )
    with_records(story, programme, {0: 1}, MONITORING)
    periods = programmes.series(records_of(programme))
    assert programmes.progress_summary(periods, goal) == (
        "1 of your last 1 recorded day was at or under your goal (2 a day)."
    )


def test_a_goal_of_more_times_counts_days_at_or_over_it(story):
    goal = a_goal(story, direction="more", target=3, unit="week")
    programme = programme_of(story, target="Walks after work", goal=goal)
    with_records(story, programme, {0: 4}, MONITORING)
    plan = plan_of(programme)
    summary = programmes.progress_summary(
        programmes.series(records_of(programme), programmes.WEEK), plan.goal
    )
    assert summary == "1 of your last 1 recorded week was at or over your goal (3 a week)."


# --- ending, deleting, opening ------------------------------------------------------------------


def test_an_ended_programme_stays_as_it_was(story):
    programme = programme_of(story)
    with scope(organisation=story.harbourside.pk):
        programmes.end_programme(actor=story.amina, programme=programme, version=1)
        with pytest.raises(ValidationError):
            programmes.record_entry(
                actor=story.amina, programme=fresh(programme), phase=MONITORING, day=None, count=1
            )
        with pytest.raises(ValidationError):
            programmes.save_target(
                actor=story.amina, programme=fresh(programme), version=2, target="Other"
            )
    assert fresh(programme).ended_at is not None


def test_deleting_a_programme_takes_its_records_and_openings_with_it(story):
    programme = programme_of(story)
    with_records(story, programme, {1: 2, 2: 3})
    with scope(organisation=story.harbourside.pk):
        programmes.open_programme(
            actor=story.amina,
            programme=programme,
            grantee=story.samuel,
            expires_at=timezone.now() + dt.timedelta(days=7),
        )
        programmes.delete_programme(actor=story.amina, programme=programme, version=1)
        assert not SelfControlProgramme.objects.exists()
        assert not SelfControlEntry.objects.exists()
        assert not Opening.objects.exists()


def test_only_the_owner_changes_her_programme(story):
    programme = programme_of(story)
    with scope(organisation=story.harbourside.pk), pytest.raises(PermissionDenied):
        programmes.save_target(actor=story.samuel, programme=programme, version=1, target="x")


def test_opening_to_her_mentor_tells_him_in_neutral_words(story):
    programme = programme_of(story)
    with scope(organisation=story.harbourside.pk):
        programmes.open_programme(
            actor=story.amina,
            programme=programme,
            grantee=story.samuel,
            expires_at=timezone.now() + dt.timedelta(days=7),
        )
        (message,) = Notification.objects.filter(recipient=story.samuel)
        from peerwork.core.notify import render

        words = render(message)
    assert words.subject == "A colleague opened a page to you"
    assert "Amina Wanjiru opened a page to you until" in words.body
    assert "programme" not in words.body.lower() + words.subject.lower()
    assert set(message.params) == {"opening", "by", "until"}


@pytest.mark.parametrize("who", ["ravi", "leila", "daniel", "joseph"])
def test_a_programme_opens_only_to_the_peer_mentor_who_mentors_her(story, who):
    programme = programme_of(story)
    with scope(organisation=story.harbourside.pk), pytest.raises(ValidationError) as refused:
        programmes.open_programme(
            actor=story.amina,
            programme=programme,
            grantee=getattr(story, who),
            expires_at=timezone.now() + dt.timedelta(days=7),
        )
    assert "grantee" in refused.value.message_dict
    with scope(organisation=story.harbourside.pk):
        assert programmes.opening_candidates(story.amina) == [story.samuel]


@pytest.mark.parametrize(
    ("delta", "says"),
    [(dt.timedelta(hours=-1), "not passed yet"), (dt.timedelta(days=91), "at most 90 days")],
)
def test_an_expiry_in_the_past_or_too_far_ahead_is_refused(story, delta, says):
    programme = programme_of(story)
    with scope(organisation=story.harbourside.pk), pytest.raises(ValidationError) as refused:
        programmes.open_programme(
            actor=story.amina,
            programme=programme,
            grantee=story.samuel,
            expires_at=timezone.now() + delta,
        )
    assert says in refused.value.message_dict["expires_at"][0]
    with scope(organisation=story.harbourside.pk):
        assert not Opening.objects.exists()


def test_opening_again_to_the_same_mentor_moves_the_end_of_the_opening_still_open(story):
    programme = programme_of(story)
    now = timezone.now()
    with scope(organisation=story.harbourside.pk):
        first = programmes.open_programme(
            actor=story.amina,
            programme=programme,
            grantee=story.samuel,
            expires_at=now + dt.timedelta(days=3),
            now=now,
        )
        second = programmes.open_programme(
            actor=story.amina,
            programme=programme,
            grantee=story.samuel,
            expires_at=now + dt.timedelta(days=10),
            now=now,
        )
        assert [o.pk for o in programmes.openings_of(programme)] == [first.pk] == [second.pk]
        first.refresh_from_db()
        assert first.closed_at is None
        assert first.expires_at == now + dt.timedelta(days=10)


def test_an_expiry_date_on_a_page_means_through_that_day_but_never_beyond_the_longest(story):
    now = timezone.now()
    today = programmes.local_today(story.amina, now)
    tomorrow_end = programmes.opening_until(story.amina, today + dt.timedelta(days=1), now)
    assert tomorrow_end is not None
    assert timezone.localdate(tomorrow_end - dt.timedelta(seconds=1), tomorrow_end.tzinfo) == (
        today + dt.timedelta(days=1)
    )
    furthest = programmes.opening_until(story.amina, today + dt.timedelta(days=90), now)
    assert furthest == now + programmes.LONGEST_OPENING
