"""The self-care home (issue 7): the tools, private by default and said so; what is opened
to me, counted, when anything is; this week's goals; a hint when my risk circle's review
is due; the way to support. Nothing of anyone else's."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone
from django_scopes import scope

from peerwork.api.tests.helpers import signed_in
from peerwork.core.tests.page_checks import assert_sound_page
from peerwork.schedule.services import local_today
from peerwork.selfcare import wellbeing
from peerwork.selfcare.models import Opening, RiskCircle

pytestmark = pytest.mark.django_db

HOME = "/selfcare/"
LINKS = (
    "/selfcare/circle/",
    "/selfcare/programmes/",
    "/selfcare/burnout/",
    "/selfcare/plan/",
    "/selfcare/goals/",
    "/selfcare/grief/",
    "/selfcare/pulse/",
    "/support/",
)


def circle_of(story, member, review_due_on=None) -> RiskCircle:
    with scope(organisation=story.harbourside.pk):
        circle = RiskCircle(
            organisation=story.harbourside, owner=member, review_due_on=review_due_on
        )
        circle.content = "{}"
        circle.save()
        return circle


def test_the_home_links_every_tool_and_says_who_sees_what(story):
    html = assert_sound_page(signed_in(story.amina).get(HOME))
    for link in LINKS:
        assert f'href="{link}"' in html, link
    assert "Private by default." in html
    assert "Your line manager, HR, the director and the organisation's admin cannot see it" in html
    assert "never opened to anyone" in html


def test_nothing_opened_to_me_shows_no_opened_section(story):
    html = signed_in(story.samuel).get(HOME).content.decode()
    assert "Opened to you" not in html


def test_a_circle_opened_to_samuel_is_counted_on_his_home(story):
    circle = circle_of(story, story.amina)
    now = timezone.now()
    with scope(organisation=story.harbourside.pk):
        Opening.objects.create(
            organisation=story.harbourside,
            owner=story.amina,
            grantee=story.samuel,
            circle=circle,
            opened_at=now,
            expires_at=now + dt.timedelta(days=7),
        )
    html = assert_sound_page(signed_in(story.samuel).get(HOME))
    assert "A colleague has opened 1 record to you for a time." in html
    assert 'href="/selfcare/circle/opened/"' in html
    assert 'href="/selfcare/programmes/opened/"' in html
    # Amina's own home says nothing of it; Ravi's neither.
    assert "Opened to you" not in signed_in(story.ravi).get(HOME).content.decode()


def test_an_expired_opening_is_not_counted(story):
    circle = circle_of(story, story.amina)
    now = timezone.now()
    with scope(organisation=story.harbourside.pk):
        Opening.objects.create(
            organisation=story.harbourside,
            owner=story.amina,
            grantee=story.samuel,
            circle=circle,
            opened_at=now - dt.timedelta(days=8),
            expires_at=now - dt.timedelta(days=1),
        )
    assert "Opened to you" not in signed_in(story.samuel).get(HOME).content.decode()


def test_this_weeks_goals_are_on_the_home(story):
    with scope(organisation=story.harbourside.pk):
        goal = wellbeing.add_goal(actor=story.amina, text="Finish the outreach report")
        wellbeing.set_goal_done(actor=story.amina, goal=goal, done=True)
    html = signed_in(story.amina).get(HOME).content.decode()
    assert "Finish the outreach report" in html and "Done:" in html
    assert "Finish the outreach report" not in signed_in(story.ravi).get(HOME).content.decode()


def test_a_circle_past_its_review_date_brings_a_hint(story):
    yesterday = local_today(story.amina) - dt.timedelta(days=1)
    circle_of(story, story.amina, review_due_on=yesterday)
    html = signed_in(story.amina).get(HOME).content.decode()
    assert "Your risk circle is due for a review" in html


def test_a_circle_reviewed_in_time_brings_no_hint(story):
    circle_of(story, story.amina, review_due_on=local_today(story.amina) + dt.timedelta(days=30))
    assert "due for a review" not in signed_in(story.amina).get(HOME).content.decode()


def test_someone_elses_overdue_circle_brings_no_hint(story):
    circle_of(story, story.olena, review_due_on=local_today(story.olena) - dt.timedelta(days=3))
    assert "due for a review" not in signed_in(story.amina).get(HOME).content.decode()


def test_anyone_not_signed_in_is_sent_to_sign_in(story):
    response = Client().get(HOME)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
