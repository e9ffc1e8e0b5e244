"""Reminders of targets' review dates (issue 8 item 3, "reminders for review dates"; App. 9
q7), with time arranged in data: the deadline step is called with a ``now`` on the review
date where the organisation works. The staff member and their line manager are told once,
in neutral words; a second round sends nothing; a new review date is told again; a target
already reviewed or of a concern no longer open is told to nobody."""

from __future__ import annotations

import datetime as dt

import pytest
from django_scopes import scope, scopes_disabled

from peerwork.concerns import app9
from peerwork.concerns.models import Concern, Target
from peerwork.concerns.tests.test_app9_path import app9_concern, noon_there, today_there
from peerwork.core.deadlines import registered_steps
from peerwork.core.models import Notification
from peerwork.core.notify import render

pytestmark = pytest.mark.django_db

KIND = app9.TARGET_REVIEW_DUE.kind


def told() -> list[str]:
    with scopes_disabled():
        return sorted(str(n.recipient_id) for n in Notification.objects.filter(kind=KIND))


def set_target(story, review_on: dt.date, *, person=None) -> Target:
    with scope(organisation=story.harbourside.pk):
        concern = app9_concern(story, person=person)
        return app9.set_target(
            actor=story.ravi,
            concern=concern,
            fields=app9.TargetFields(
                measure=Target.Measure.TIME_KEEPING,
                description="At the drop-in by 09:00 on Mondays",
                review_on=review_on,
                feedback_sources="The sign-in sheet",
            ),
        )


def test_the_step_runs_in_the_deadline_loop():
    assert app9.remind_target_reviews in registered_steps()


def test_the_review_date_is_told_once_to_the_staff_member_and_their_manager(story):
    review_on = today_there(story) + dt.timedelta(days=14)
    target = set_target(story, review_on)
    assert app9.remind_target_reviews(noon_there(story, review_on - dt.timedelta(days=1))) == 0
    assert told() == []
    assert app9.remind_target_reviews(noon_there(story, review_on)) == 1
    assert told() == sorted(str(m.pk) for m in (story.amina, story.ravi))
    assert app9.remind_target_reviews(noon_there(story, review_on + dt.timedelta(days=1))) == 0
    assert len(told()) == 2
    with scopes_disabled():
        message = Notification.objects.filter(kind=KIND).first()
    words = render(message)
    assert words.link == f"/concerns/targets/{target.pk}/"
    for name in ("Amina", "Ravi", "drug", "Monday"):
        assert name not in words.subject + words.body, name

    # A new review date is told again when it comes.
    later = review_on + dt.timedelta(days=30)
    with scope(organisation=story.harbourside.pk):
        target.refresh_from_db()
        app9.change_target(
            actor=story.ravi,
            target=target,
            fields=app9.TargetFields(
                measure=target.measure,
                description=target.description,
                review_on=later,
                feedback_sources=target.feedback_sources,
            ),
            version=target.version,
            now=noon_there(story, review_on),
        )
    assert app9.remind_target_reviews(noon_there(story, later)) == 1
    assert len(told()) == 4


def test_the_review_date_comes_on_the_organisations_date_not_the_servers(story):
    review_on = today_there(story) + dt.timedelta(days=10)
    set_target(story, review_on)
    zone = story.harbourside.zone
    # 20:30 UTC the evening before is 23:30 in Nairobi: not yet the day there.
    evening = dt.datetime.combine(review_on, dt.time(23, 30), tzinfo=zone) - dt.timedelta(days=1)
    assert app9.remind_target_reviews(evening.astimezone(dt.UTC)) == 0
    # 21:30 UTC the evening before is 00:30 on the day in Nairobi.
    midnight = dt.datetime.combine(review_on, dt.time(0, 30), tzinfo=zone)
    assert app9.remind_target_reviews(midnight.astimezone(dt.UTC)) == 1


def test_whoever_set_it_is_told_when_the_person_has_no_line_manager(story):
    with scopes_disabled():
        story.olena.line_manager = None
        story.olena.save(update_fields=["line_manager"])
    review_on = today_there(story) + dt.timedelta(days=3)
    with scope(organisation=story.harbourside.pk):
        concern = app9_concern(story, person=story.olena)
        app9.set_target(
            actor=story.grace,
            concern=concern,
            fields=app9.TargetFields(
                measure=Target.Measure.TASKS_DELIVERED,
                description="The monthly report in by the fifth",
                review_on=review_on,
                feedback_sources="The reports folder",
            ),
        )
    assert app9.remind_target_reviews(noon_there(story, review_on)) == 1
    assert told() == sorted(str(m.pk) for m in (story.olena, story.grace))


def test_a_reviewed_target_or_a_concern_no_longer_open_is_told_to_nobody(story):
    review_on = today_there(story) + dt.timedelta(days=5)
    reviewed = set_target(story, review_on)
    handed = set_target(story, review_on)
    with scope(organisation=story.harbourside.pk):
        Target.objects.filter(pk=reviewed.pk).update(outcome=Target.Outcome.MET)
        Concern.objects.filter(pk=handed.concern_id).update(state=Concern.State.HANDED_OFF)
    assert app9.remind_target_reviews(noon_there(story, review_on)) == 0
    assert told() == []
    with scopes_disabled():
        # Both were claimed, so no later round looks at them again.
        assert not Target.objects.filter(review_reminded_at__isnull=True).exists()


def test_two_loops_at_once_tell_each_person_once(story):
    review_on = today_there(story) + dt.timedelta(days=2)
    set_target(story, review_on)
    now = noon_there(story, review_on)
    assert app9.remind_target_reviews(now) + app9.remind_target_reviews(now) == 1
    assert len(told()) == 2
