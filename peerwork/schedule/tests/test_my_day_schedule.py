"""The schedule's part of "my day" (issue 6 item 4): the person's own conflicts in the next
seven days, privately, and the changes of hours waiting for their answer; for a line
manager, their reports' proposals to agree, hours only. Nothing when there is nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django_scopes import scope

from peerwork.api.tests.helpers import signed_in
from peerwork.core.tests.page_checks import assert_sound_page
from peerwork.schedule import dashboard, services
from peerwork.schedule.tests.test_mine_page import SECRETS, manager_proposes, olena

pytestmark = pytest.mark.django_db


def my_day(member) -> str:
    response = signed_in(member).get("/")
    assert response.status_code == 200
    return assert_sound_page(response)


def test_olena_sees_her_meeting_this_week_that_clashes_with_her_hours(story):
    arranged = olena(story)
    html = my_day(story.olena)
    when = arranged.wednesday.strftime("%a %-d %b")
    assert f"Team meeting, {when} 09:30 — you can be there from 10:45" in html
    assert "(only you see this)" in html and 'href="/schedule/"' in html
    # Only the coming week: the next Wednesday but one is not listed.
    later = (arranged.wednesday + dt.timedelta(weeks=1)).strftime("%a %-d %b")
    assert f"Team meeting, {later}" not in html


def test_a_change_of_hours_waiting_for_her_answer_is_listed(story):
    olena(story, agreed=False, meeting=False)
    row = manager_proposes(story, story.olena)
    html = my_day(story.olena)
    assert "A change of your hours waits for your answer:" in html
    assert f'href="/schedule/adjustments/{row.pk}/">starts 10:00 Mon, Wed</a>' in html


def test_ravi_sees_the_proposal_to_agree_with_the_hours_only(story):
    arranged = olena(story, agreed=False)
    with scope(organisation=story.harbourside.pk):
        (row,) = services.propose_from_need(
            actor=story.olena, need=arranged.need, valid_from=arranged.today
        )
    html = my_day(story.ravi)
    assert "Changes of hours to agree:" in html
    assert "Olena Petrenko: starts 10:45 Mon–Fri" in html
    assert f'href="/schedule/adjustments/{row.pk}/"' in html
    for secret in (*SECRETS, "OST"):
        assert secret not in html, secret
    # His own view shows no one else's conflicts.
    assert "you can be there from" not in html


def test_nothing_to_say_is_no_section(story):
    olena(story, meeting=False)
    for member in (story.joseph, story.olena, story.ravi, story.chen):
        with scope(organisation=story.harbourside.pk):
            assert dashboard.section(member) is None, member
    assert "A change of your hours" not in my_day(story.joseph)


def test_a_colleague_at_the_same_meeting_does_not_see_olenas_clash(story):
    olena(story)
    html = my_day(story.amina)
    assert "you can be there from 10:45" not in html and "Olena" not in html
