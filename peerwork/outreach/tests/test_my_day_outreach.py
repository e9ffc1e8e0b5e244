"""The outreach part of "my day" and the menu: one's own shifts today a tap from their page,
and for those who handle shifts, the ones that need someone now (issue 5 item 2)."""

from __future__ import annotations

from django_scopes import scope

from peerwork.api.tests.helpers import signed_in
from peerwork.core.tests.page_checks import assert_sound_page
from peerwork.outreach import services
from peerwork.outreach.tests.test_shift_page import out, overdue, planned


def day(member) -> str:
    response = signed_in(member).get("/")
    assert response.status_code == 200
    return assert_sound_page(response)


def test_a_worker_sees_her_shift_today_with_a_link_to_it(story):
    shift = out(story)
    html = day(story.amina)
    assert "The station underpass" in html
    assert f'href="/outreach/shifts/{shift.pk}/"' in html
    assert "your shift" in html


def test_a_member_with_no_shift_today_is_told_so(story):
    planned(story)
    html = day(story.joseph)
    assert "You have no outreach shift today." in html
    assert "The station underpass" not in html


def test_the_line_manager_sees_an_overdue_shift_that_needs_someone_until_he_is_on_it(story):
    shift = overdue(story)
    html = day(story.ravi)
    assert "1 outreach shift needs someone now" in html
    assert f'href="/outreach/shifts/{shift.pk}/"' in html
    with scope(organisation=story.harbourside.pk):
        services.acknowledge(actor=story.ravi, shift=shift)
    assert "needs someone now" not in day(story.ravi)


def test_colleagues_who_do_not_handle_it_and_the_workers_are_not_asked_to_act(story):
    overdue(story)
    for member in (story.amina, story.olena, story.joseph, story.grace):
        assert "needs someone now" not in day(member)


def test_a_silent_alert_needs_the_handlers_and_shows_as_returned_to_the_worker(story):
    shift = out(story)
    with scope(organisation=story.harbourside.pk):
        services.ask_for_help(actor=story.amina, shift=shift, silent=True)
    assert "Help asked for" in day(story.daniel)
    worker = day(story.amina)
    assert "Returned" in worker and "Help asked for" not in worker


def test_external_roles_have_no_shifts_section_and_no_outreach_menu(story):
    for member in (story.leila, story.farah, story.peter):
        html = day(member)
        assert "outreach shift" not in html and 'href="/outreach/"' not in html


def test_working_members_find_outreach_in_the_menu(story):
    for member in (story.amina, story.joseph, story.daniel):
        assert '<a href="/outreach/">Outreach</a>' in day(member)
