"""The stress pulse pages (issue 7 item 3; §3.9): a working member answers once a week and
reads how the answer stays anonymous; line managers, HR and the director read their
teams' finished weeks, a week under five answers with no figure and no count; everyone
else gets 404."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scope

from peerwork.api.tests.helpers import signed_in
from peerwork.core.tests.page_checks import assert_sound_page
from peerwork.selfcare import pulse
from peerwork.selfcare.models import PulseAnswer, PulseReceipt
from peerwork.selfcare.tests.test_pulse import answer_week, move, new_team

pytestmark = pytest.mark.django_db

PULSE = "/selfcare/pulse/"
TEAMS = "/selfcare/pulse/teams/"
NOT_ENOUGH = "Not enough answers to show"


def this_week(story: Any) -> dt.date:
    """This week's Monday where Harbourside works (the pages ask the clock)."""
    with scope(organisation=story.harbourside.pk):
        return pulse.this_week(story.amina)


def weeks_ago(story: Any, count: int) -> dt.date:
    return this_week(story) - dt.timedelta(weeks=count)


def page(member: Any, url: str = PULSE) -> str:
    response = signed_in(member).get(url)
    assert response.status_code == 200
    html = assert_sound_page(response)
    assert_phone_sized(html)
    return html


def assert_phone_sized(html: str) -> None:
    """360 px and keyboard basics: the viewport follows the device, no table row wider
    than two cells, nothing but <main> takes the focus order, every form has a button."""
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in html
    outside_charts = re.sub(r"<svg.*?</svg>", "", html, flags=re.S)
    assert "width=" not in outside_charts.replace("width=device-width", "")
    for row in re.findall(r"<tr>(.*?)</tr>", html, re.S):
        assert len(re.findall(r"<t[hd][ >]", row)) <= 2
    assert html.count('tabindex="') == 1
    for form in re.findall(r"<form[^>]*method=\"post\".*?</form>", html, re.S):
        assert '<button type="submit"' in form


def row_of(html: str, week: dt.date) -> str:
    """The table cell of one week (the first group's table on the page)."""
    found = re.search(rf'<th scope="row">{week.isoformat()}</th>(.*?)</tr>', html, re.S)
    assert found, week
    return found.group(1)


def stored(story: Any) -> tuple[list[int], int]:
    with scope(organisation=story.harbourside.pk):
        return (
            sorted(PulseAnswer.objects.values_list("level", flat=True)),
            PulseReceipt.objects.count(),
        )


# --- answering --------------------------------------------------------------------------


def test_amina_reads_the_question_its_five_answers_and_how_it_stays_anonymous(story):
    html = page(story.amina)
    assert "How much stress have you felt at work this week?" in html
    for _value, label in pulse.LEVELS:
        assert str(label) in html
    assert html.count('type="radio"') == 5
    assert "never with your name" in html and "Outreach" in html
    assert "at least 5 people in it answered" in html
    assert "not even how many answered" in html
    assert "Nobody, in any role, ever sees a single answer." in html
    assert TEAMS not in html  # she sees no team's figures


def test_amina_answers_once_and_is_thanked_without_her_answer_being_shown_back(story):
    client = signed_in(story.amina)
    response = client.post(PULSE, {"level": "4"})
    assert response.status_code == 302 and response["Location"] == PULSE
    assert stored(story) == ([4], 1)
    html = assert_sound_page(client.get(PULSE))
    assert "Your answer is counted in your team&#x27;s week, without your name." in html
    assert "You have answered for this week." in html
    assert 'type="radio"' not in html
    next_monday = (this_week(story) + dt.timedelta(weeks=1)).isoformat()
    assert f"You can answer again from Monday {next_monday}." in html


def test_a_second_answer_in_the_week_is_refused_kindly_and_nothing_is_added(story):
    client = signed_in(story.amina)
    client.post(PULSE, {"level": "2"})
    response = client.post(PULSE, {"level": "5"}, follow=True)
    html = assert_sound_page(response)
    assert "You have already answered for this week. Thank you!" in html
    assert stored(story) == ([2], 1)
    # Even a post with no answer at all, after answering, is told the same.
    again = client.post(PULSE, {}, follow=True)
    assert "You have already answered for this week." in again.content.decode()


@pytest.mark.parametrize("typed", [{}, {"level": "0"}, {"level": "6"}, {"level": "a lot"}])
def test_a_missing_or_unknown_answer_is_refused_with_the_form_shown_again(story, typed):
    response = signed_in(story.amina).post(PULSE, typed)
    assert response.status_code == 200
    html = assert_sound_page(response)
    assert "Choose one of the five answers." in html and 'aria-invalid="true"' in html
    assert stored(story) == ([], 0)


@pytest.mark.parametrize("who", ["leila", "farah", "peter"])
def test_people_who_do_not_use_the_selfcare_tools_get_404(story, who):
    client = signed_in(getattr(story, who))
    assert client.get(PULSE).status_code == 404
    assert client.post(PULSE, {"level": "3"}).status_code == 404
    assert stored(story) == ([], 0)


def test_someone_not_in_a_team_is_told_their_answer_counts_for_the_week_only(story):
    move(story, None, "olena")
    assert "You are not in a team" in page(story.olena)


def test_a_line_manager_who_sees_teams_finds_the_link_to_their_figures(story):
    assert f'href="{TEAMS}"' in page(story.ravi)


# --- the team figures -------------------------------------------------------------------


def test_ravi_sees_a_week_of_five_answers_and_nothing_of_a_week_of_four(story):
    answer_week(story, weeks_ago(story, 2), [1, 2, 3, 4, 5])
    answer_week(story, weeks_ago(story, 1), [5, 5, 5, 5])
    html = page(story.ravi, TEAMS)
    assert "<h2" in html and "Outreach" in html
    assert row_of(html, weeks_ago(story, 2)) == (
        "<td>5 answers · average 3.0 · 40% a lot or more</td>"
    )
    four = row_of(html, weeks_ago(story, 1))
    assert four == f'<td class="meta">{NOT_ENOUGH}</td>'
    assert "4 answers" not in html and "average 5.0" not in html
    assert "The whole organisation" not in html
    assert "What you can do when stress rises" in html


def test_the_chart_draws_a_bar_only_for_weeks_shown(story):
    answer_week(story, weeks_ago(story, 3), [2, 2, 2, 2, 2])
    answer_week(story, weeks_ago(story, 2), [3, 3])
    answer_week(story, weeks_ago(story, 1), [4, 4, 4, 4, 4])
    html = page(story.ravi, TEAMS)
    (chart,) = re.findall(r"<svg.*?</svg>", html, re.S)
    heights = [float(h) for h in re.findall(r'<rect [^>]*height="([\d.]+)"', chart)]
    assert heights == [32.0, 64.0]  # 2 and 4 out of 5, on an 80-unit scale
    dashes = re.search(r'<g [^>]*stroke-dasharray="3 3">(.*?)</g>', chart, re.S)
    assert dashes and dashes.group(1).count("<line ") == pulse.WEEKS_SHOWN - 2
    assert "Higher in the week of" in html and "an average of 4.0 against 2.0" in html


def test_this_weeks_answers_wait_until_the_week_has_ended(story):
    answer_week(story, this_week(story), [3, 3, 3, 3, 3])
    html = page(story.ravi, TEAMS)
    assert f'<th scope="row">{this_week(story).isoformat()}</th>' not in html
    assert "answers · average" not in html
    assert f"The week that began on {this_week(story).isoformat()} is shown once" in html


def test_grace_sees_the_whole_organisation_without_the_small_team(story):
    drop_in = new_team(story, "Drop-in")
    move(story, drop_in, "olena", "joseph", "samuel")
    week = weeks_ago(story, 1)
    answer_week(story, week, [2, 2, 3, 4, 4], ["amina", "ravi", "taslima", "grace", "daniel"])
    answer_week(story, week, [5, 5, 5], ["olena", "joseph", "samuel"])
    html = page(story.grace, TEAMS)
    sections = dict(re.findall(r'<h2 id="pulse-[^"]+">([^<]+)</h2>(.*?)</section>', html, re.S))
    assert list(sections) == [
        "The whole organisation",
        "Drop-in",
        "Outreach",
        "People not in a team",
    ]
    shown = "<td>5 answers · average 3.0 · 40% a lot or more</td>"
    assert row_of(sections["The whole organisation"], week) == shown
    assert row_of(sections["Outreach"], week) == shown
    assert row_of(sections["Drop-in"], week) == f'<td class="meta">{NOT_ENOUGH}</td>'
    assert "3 answers" not in html and "8 answers" not in html


def test_the_figures_take_as_many_queries_however_many_teams_and_answers(story):
    client = signed_in(story.grace)

    def queries() -> int:
        with CaptureQueriesContext(connection) as run:
            assert client.get(TEAMS).status_code == 200
        return len(run.captured_queries)

    few = queries()
    for name, people in (("Drop-in", ("olena", "joseph")), ("Night", ("samuel", "chen"))):
        move(story, new_team(story, name), *people)
    for back in (1, 2, 3):
        answer_week(story, weeks_ago(story, back), [1, 2, 3, 4, 5, 1, 2, 3, 4])
    assert queries() == few


@pytest.mark.parametrize("who", ["grace", "daniel"])
def test_hr_and_the_director_open_the_figures_even_before_anyone_answered(story, who):
    html = page(getattr(story, who), TEAMS)
    assert html.count(NOT_ENOUGH) == pulse.WEEKS_SHOWN * 3  # organisation, team, no team
    assert "Not enough weeks with figures yet to show a change." in html


@pytest.mark.parametrize(
    "who", ["taslima", "amina", "samuel", "chen", "joseph", "olena", "leila", "farah", "peter"]
)
def test_everyone_else_gets_404_for_the_team_figures(story, who):
    answer_week(story, weeks_ago(story, 1), [3, 3, 3, 3, 3])
    assert signed_in(getattr(story, who)).get(TEAMS).status_code == 404


def test_taras_of_another_organisation_gets_404_and_nothing_of_harbourside(story):
    answer_week(story, weeks_ago(story, 1), [3, 3, 3, 3, 3])
    response = signed_in(story.taras).get(TEAMS)
    assert response.status_code == 404
    html = response.content.decode()
    assert "answers · average" not in html and NOT_ENOUGH not in html


def test_signed_out_people_are_sent_to_sign_in(client):
    for url in (PULSE, TEAMS):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"]
