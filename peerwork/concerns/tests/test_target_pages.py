"""Targets for work on their pages (issue 8 item 3; App. 9 q7, §4.2, §4.3): the line manager
sets one (the measures offered are work measures only), a drug-use measure is refused with
what was typed kept, the staff member writes their self-reflection on the target's page
(only that), and the review is recorded in a meeting held on or after the review date."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django_scopes import scope

from peerwork.api.tests.helpers import signed_in
from peerwork.concerns.models import Target
from peerwork.concerns.tests.test_app9_path import (
    app9_concern,
    meeting_on,
    target_on,
    today_there,
)
from peerwork.core.tests.page_checks import assert_sound_page

pytestmark = pytest.mark.django_db


def concern_of(story):
    with scope(organisation=story.harbourside.pk):
        return app9_concern(story)


def typed(story, **changes) -> dict[str, str]:
    data = {
        "measure": "attendance",
        "description": "Signs in for every Monday shift by half past nine",
        "review_on": (today_there(story) + dt.timedelta(days=28)).isoformat(),
        "feedback_sources": "The drop-in sign-in sheet",
        "set_in": "",
    }
    data.update(changes)
    return data


def fresh(target: Target) -> Target:
    with scope(organisation=target.organisation_id):
        return Target.objects.get(pk=target.pk)


def test_the_line_manager_sets_a_work_target_and_the_staff_member_reads_it(story):
    concern = concern_of(story)
    url = f"/concerns/{concern.pk}/targets/new/"
    ravi = signed_in(story.ravi)
    html = assert_sound_page(ravi.get(url))
    offered = re.findall(r'name="measure" value="(\w+)"', html)
    assert set(offered) == set(Target.Measure.values)
    assert {"time_keeping", "attendance", "tasks_delivered"} <= set(offered)
    assert not any(word in " ".join(offered) for word in ("abstin", "clean", "drug", "test"))
    assert "never abstinence, a way of using, a dose or a test" in html
    response = ravi.post(url, typed(story))
    with scope(organisation=story.harbourside.pk):
        target = Target.objects.get(concern=concern)
    assert response["Location"] == f"/concerns/targets/{target.pk}/"
    html = assert_sound_page(signed_in(story.amina).get(f"/concerns/targets/{target.pk}/"))
    assert "Signs in for every Monday shift by half past nine" in html
    assert "My self-reflection" in html and "Change the target" not in html


def test_a_drug_use_measure_is_refused_and_what_was_typed_stays(story):
    concern = concern_of(story)
    response = signed_in(story.ravi).post(
        f"/concerns/{concern.pk}/targets/new/",
        typed(story, description="Stays clean for the month", feedback_sources="The rota sheet"),
    )
    html = assert_sound_page(response)
    assert "A target measures work, never drug use" in html and 'id="id_description_error"' in html
    assert "Stays clean for the month" in html and "The rota sheet" in html
    with scope(organisation=story.harbourside.pk):
        assert not Target.objects.filter(concern=concern).exists()


def test_a_review_date_not_after_today_is_refused(story):
    concern = concern_of(story)
    response = signed_in(story.grace).post(
        f"/concerns/{concern.pk}/targets/new/",
        typed(story, review_on=today_there(story).isoformat()),
    )
    html = assert_sound_page(response)
    assert "The review date must be after today." in html


def test_only_the_line_manager_and_hr_set_targets(story):
    concern = concern_of(story)
    url = f"/concerns/{concern.pk}/targets/new/"
    assert signed_in(story.amina).get(url).status_code == 403
    for name in ("taslima", "samuel", "daniel", "taras"):
        assert signed_in(getattr(story, name)).get(url).status_code == 404, name


def test_the_staff_member_writes_only_their_self_reflection(story):
    concern = concern_of(story)
    with scope(organisation=story.harbourside.pk):
        target = target_on(story, concern, today_there(story) + dt.timedelta(days=10))
    amina = signed_in(story.amina)
    edit = f"/concerns/targets/{target.pk}/edit/"
    response = amina.post(
        edit,
        {
            "self_reflection": "Mondays go better when I pack the van on Sunday",
            "version": str(target.version),
            "description": "Whatever I like",
            "measure": "quality",
        },
    )
    assert response["Location"] == f"/concerns/targets/{target.pk}/"
    stored = fresh(target)
    assert stored.self_reflection == "Mondays go better when I pack the van on Sunday"
    assert stored.description == "Signs in for every Monday shift by half past nine"
    assert stored.measure == "attendance"
    # Ravi reads it; he cannot write it.
    html = assert_sound_page(signed_in(story.ravi).get(f"/concerns/targets/{target.pk}/"))
    assert "Mondays go better when I pack the van on Sunday" in html
    assert "Save my self-reflection" not in html
    # A stale save keeps her words.
    response = amina.post(edit, {"self_reflection": "Later words", "version": "1"})
    html = assert_sound_page(response)
    assert "Later words" in html and "were not saved" in html


def test_the_line_manager_changes_a_target_and_a_stale_change_keeps_the_typing(story):
    concern = concern_of(story)
    with scope(organisation=story.harbourside.pk):
        target = target_on(story, concern, today_there(story) + dt.timedelta(days=10))
    edit = f"/concerns/targets/{target.pk}/edit/"
    ravi = signed_in(story.ravi)
    html = assert_sound_page(ravi.get(edit))
    assert "Signs in for every Monday shift" in html
    data = typed(story, description="In by ten on Mondays", version=str(target.version))
    assert ravi.post(edit, data)["Location"] == f"/concerns/targets/{target.pk}/"
    assert fresh(target).description == "In by ten on Mondays"
    html = assert_sound_page(ravi.post(edit, {**data, "description": "Grace's later words"}))
    assert "changed by someone else meanwhile" in html and "Grace&#x27;s later words" in html


def test_a_review_is_recorded_in_a_meeting_held_on_or_after_the_date(story):
    concern = concern_of(story)
    day = today_there(story) - dt.timedelta(days=3)
    with scope(organisation=story.harbourside.pk):
        target = target_on(story, concern, day)
        early = meeting_on(story, concern, day - dt.timedelta(days=7))
        review = meeting_on(story, concern, day)
    url = f"/concerns/targets/{target.pk}/review/"
    ravi = signed_in(story.ravi)
    html = assert_sound_page(ravi.get(url))
    assert f'value="{early.pk}"' in html and f'value="{review.pk}"' in html
    response = ravi.post(
        url, {"meeting": str(early.pk), "outcome": "unmet", "version": str(target.version)}
    )
    html = assert_sound_page(response)
    assert "That meeting was held before the target&#x27;s review date" in html
    assert fresh(target).outcome == Target.Outcome.OPEN
    response = ravi.post(
        url, {"meeting": str(review.pk), "outcome": "unmet", "version": str(target.version)}
    )
    assert response["Location"] == f"/concerns/targets/{target.pk}/"
    stored = fresh(target)
    assert stored.outcome == Target.Outcome.UNMET and stored.reviewed_in_id == review.pk
    assert signed_in(story.amina).get(url).status_code == 403


def test_a_target_is_hidden_from_whoever_is_not_in_the_case(story):
    concern = concern_of(story)
    with scope(organisation=story.harbourside.pk):
        target = target_on(story, concern, today_there(story) + dt.timedelta(days=10))
    for name in ("taslima", "samuel", "daniel", "chen", "joseph", "taras"):
        client = signed_in(getattr(story, name))
        for suffix in ("", "edit/", "review/"):
            url = f"/concerns/targets/{target.pk}/{suffix}"
            assert client.get(url).status_code == 404, (name, suffix)
