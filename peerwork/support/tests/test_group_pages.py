"""Peer support group pages (issue 7 item 7; §3.10, §4.8, App. 4): the list with what groups
shared, a group's page with its terms in our words, joining and leaving, the inside of a
group (who is in it, when it met) for its members and facilitator only, the forms that
keep what was typed when refused, a stale change of the terms, and the §4.8 step page.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django_scopes import scope

from peerwork.api.tests.helpers import signed_in
from peerwork.core.tests.page_checks import assert_sound_page
from peerwork.schedule.services import local_today
from peerwork.support import groups
from peerwork.support.models import GroupMeeting, GroupStep, SupportGroup
from peerwork.support.tests.test_groups import lunch_group

pytestmark = pytest.mark.django_db

LIST = "/support/groups/"


def url(name: str, group: SupportGroup) -> str:
    return reverse(f"support:{name}", args=[group.pk])


def page(member, group) -> str:
    return assert_sound_page(signed_in(member).get(url("group", group)))


def with_history(story) -> SupportGroup:
    group = lunch_group(story)
    with scope(organisation=story.harbourside.pk):
        groups.record_meeting(
            actor=story.farah, group=group, held_on=local_today(story.farah), attended=6
        )
        groups.share_learning(
            actor=story.amina, group=group, text="Evening outreach pairs want a second phone"
        )
    return group


# --- the list -------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["amina", "joseph", "ravi", "grace", "daniel", "chen"])
def test_every_working_member_sees_the_groups_and_what_they_shared(story, who):
    with_history(story)
    response = signed_in(getattr(story, who)).get(LIST)
    assert response.status_code == 200
    html = assert_sound_page(response)
    assert "Friday lunch group" in html
    assert "Evening outreach pairs want a second phone" in html
    assert ("Start a group" in html) == (who in ("grace", "daniel"))


@pytest.mark.parametrize("who", ["peter", "leila"])
def test_peer_interviewers_and_coaches_get_404(story, who):
    group = with_history(story)
    client = signed_in(getattr(story, who))
    assert client.get(LIST).status_code == 404
    assert client.get(url("group", group)).status_code == 404
    assert client.post(url("group_join", group)).status_code == 404


def test_another_organisation_gets_404(story):
    group = with_history(story)
    client = signed_in(story.taras)
    assert client.get(url("group", group)).status_code == 404
    assert client.post(url("group_join", group)).status_code == 404
    assert "Friday lunch group" not in client.get(LIST).content.decode()


def test_a_facilitator_outside_the_working_roles_sees_their_own_group(story):
    group = with_history(story)
    html = assert_sound_page(signed_in(story.farah).get(LIST))
    assert "Friday lunch group" in html
    assert "Amina Wanjiru" in page(story.farah, group)


# --- a group's page ---------------------------------------------------------------------


def test_the_terms_say_what_the_group_is_and_is_not(story):
    group = with_history(story)
    html = page(story.joseph, group)
    assert "Harbourside Harm Reduction supports this group and gives it a place to meet." in html
    assert (
        "How often: Every Friday, 13:00 to 14:00. The group meets during the lunch break." in html
    )
    assert "It is not a team inside the team" in html
    assert "It is not a 12-step group" in html
    assert "Every staff member and volunteer may join, whether or not they use drugs." in html
    assert "The group decides for itself whether to share what it learns" in html
    assert "Through Farah" in html and "Farah, then Grace" in html


@pytest.mark.parametrize("who", ["grace", "daniel", "ravi", "joseph"])
def test_who_is_in_the_group_and_when_it_met_are_hidden_from_everyone_outside(story, who):
    group = with_history(story)
    html = page(getattr(story, who), group)
    for inside in ("Amina Wanjiru", "Olena Petrenko", "6 came", "Record a meeting"):
        assert inside not in html
    assert "seen by its members and facilitator only" in html
    # What the group shared is for everyone.
    assert "Evening outreach pairs want a second phone" in html


def test_members_see_who_is_in_it_and_when_it_met_but_no_count_is_shown_outside(story):
    group = with_history(story)
    html = page(story.olena, group)
    assert "Amina Wanjiru" in html and "Olena Petrenko" in html
    assert "6 came" in html
    outside = page(story.joseph, group)
    assert "2 members" not in outside and "members:" not in outside.lower()


def test_joseph_a_volunteer_and_ravi_a_manager_join_and_leave(story):
    group = with_history(story)
    for person in (story.joseph, story.ravi):
        client = signed_in(person)
        response = client.post(url("group_join", group), follow=True)
        html = assert_sound_page(response)
        assert "You have joined the group." in html
        assert person.name in html  # now inside: who is in the group
        response = client.post(url("group_leave", group), follow=True)
        assert "You have left the group." in response.content.decode()
    with scope(organisation=story.harbourside.pk):
        assert story.joseph not in list(groups.current_members(group))


def test_a_member_records_a_meeting_and_a_refused_one_keeps_what_was_typed(story):
    group = lunch_group(story)
    client = signed_in(story.amina)
    ahead = local_today(story.amina) + dt.timedelta(days=2)
    response = client.post(
        url("group_meeting_new", group), {"held_on": str(ahead), "attended": "7"}
    )
    html = assert_sound_page(response)
    assert "Record a meeting once it has taken place." in html
    assert f'value="{ahead}"' in html and 'value="7"' in html
    today = local_today(story.amina)
    response = client.post(
        url("group_meeting_new", group), {"held_on": str(today), "attended": "7"}
    )
    assert response.status_code == 302
    with scope(organisation=story.harbourside.pk):
        assert GroupMeeting.objects.get(group=group).attended == 7


def test_outsiders_cannot_record_a_meeting(story):
    group = lunch_group(story)
    today = str(local_today(story.grace))
    response = signed_in(story.grace).post(url("group_meeting_new", group), {"held_on": today})
    assert response.status_code == 404


def test_a_member_shares_learning_hr_may_not(story):
    group = lunch_group(story)
    response = signed_in(story.olena).post(
        url("group_learning_new", group), {"text": "Debriefs after hard shifts help"}, follow=True
    )
    assert "Shared with everyone in the organisation." in response.content.decode()
    assert "Debriefs after hard shifts help" in signed_in(story.joseph).get(LIST).content.decode()
    response = signed_in(story.grace).post(url("group_learning_new", group), {"text": "No"})
    assert response.status_code == 403


# --- starting a group and its terms --------------------------------------------------------


def typed_terms(story, **changes) -> dict[str, str]:
    data = {
        "name": "Monday check-in",
        "facilitator": str(story.farah.pk),
        "place": "Meeting room",
        "frequency": "Every Monday, 16:00",
        "timing": "work_hours",
        "management_contact": "Through the facilitator",
        "concerns_to": "The facilitator, then HR",
        "review_on": str(local_today(story.grace) + dt.timedelta(days=90)),
    }
    data.update(changes)
    return data


def test_hr_starts_a_group_and_bad_input_keeps_everything_typed(story):
    client = signed_in(story.grace)
    assert_sound_page(client.get("/support/groups/new/"))
    past = str(local_today(story.grace) - dt.timedelta(days=1))
    response = client.post(
        "/support/groups/new/", typed_terms(story, review_on=past, place="Garden bench")
    )
    html = assert_sound_page(response)
    assert "The review date must be after today." in html
    assert 'value="Garden bench"' in html and "Through the facilitator" in html
    with scope(organisation=story.harbourside.pk):
        assert not SupportGroup.objects.exists()
    response = client.post("/support/groups/new/", typed_terms(story))
    assert response.status_code == 302
    with scope(organisation=story.harbourside.pk):
        group = SupportGroup.objects.get()
    assert group.facilitator_id == story.farah.pk and group.created_by_id == story.grace.pk


@pytest.mark.parametrize(("who", "status"), [("amina", 403), ("ravi", 403), ("peter", 404)])
def test_others_do_not_start_groups(story, who, status):
    response = signed_in(getattr(story, who)).post("/support/groups/new/", typed_terms(story))
    assert response.status_code == status


def test_a_stale_change_of_the_terms_keeps_what_was_typed_and_says_so(story):
    group = lunch_group(story)
    old = group.version
    # Farah changes the place meanwhile.
    terms = groups.GroupTerms.of(group)
    terms.place = "The garden"
    with scope(organisation=story.harbourside.pk):
        groups.change_terms(actor=story.farah, group=group, version=old, terms=terms)
    client = signed_in(story.grace)
    assert_sound_page(client.get(url("group_edit", group)))
    data = typed_terms(
        story, name="Friday lunch group", frequency="Fridays at one", version=str(old)
    )
    html = assert_sound_page(client.post(url("group_edit", group), data))
    assert "Someone else changed these terms while you were editing" in html
    assert "The garden" in html and 'value="Fridays at one"' in html
    response = client.post(url("group_edit", group), {**data, "version": str(old + 1)})
    assert response.status_code == 302


@pytest.mark.parametrize(("who", "status"), [("amina", 403), ("ravi", 403), ("farah", 200)])
def test_the_facilitator_hr_and_the_director_change_the_terms(story, who, status):
    group = lunch_group(story)
    assert signed_in(getattr(story, who)).get(url("group_edit", group)).status_code == status


# --- the §4.8 steps ---------------------------------------------------------------------


def test_the_step_page_refuses_a_review_before_mediation_keeping_the_typed_outcome(story):
    group = lunch_group(story)
    client = signed_in(story.daniel)
    html = assert_sound_page(client.get(url("group_step_new", group)))
    assert "Mediation, so everyone can say how they see it" in html
    assert "What may be recorded now:</strong> Mediation</p>" in html
    today = str(local_today(story.daniel))
    typed = {"kind": "tor_review", "held_on": today, "outcome": "We read the terms together"}
    html = assert_sound_page(client.post(url("group_step_new", group), typed))
    assert "Mediation comes first" in html and "We read the terms together" in html
    with scope(organisation=story.harbourside.pk):
        assert not GroupStep.objects.exists()


def test_in_order_through_the_pages_the_group_is_suspended(story):
    group = lunch_group(story)
    client = signed_in(story.grace)
    today = local_today(story.grace)
    for kind in ("mediation", "tor_review"):
        data = {"kind": kind, "held_on": str(today), "outcome": "Talked it through"}
        assert client.post(url("group_step_new", group), data).status_code == 302
    until = today + dt.timedelta(days=21)
    data = {
        "kind": "suspension",
        "held_on": str(today),
        "outcome": "A pause to reset",
        "ends_on": str(until),
    }
    response = client.post(url("group_step_new", group), data, follow=True)
    html = assert_sound_page(response)
    assert "The group is suspended." in html and "Suspended until" in html
    member_view = page(story.amina, group)
    assert "A pause to reset" in member_view and "Record a meeting" in member_view


@pytest.mark.parametrize(("who", "status"), [("farah", 403), ("amina", 403), ("ravi", 404)])
def test_only_hr_and_the_director_open_the_step_page(story, who, status):
    group = lunch_group(story)
    assert signed_in(getattr(story, who)).get(url("group_step_new", group)).status_code == status


def test_steps_are_seen_by_hr_the_director_the_facilitator_and_members_only(story):
    group = lunch_group(story)
    with scope(organisation=story.harbourside.pk):
        groups.record_step(
            actor=story.grace,
            group=group,
            kind=GroupStep.Kind.MEDIATION,
            held_on=local_today(story.grace),
            outcome="Mediation with the whole team",
        )
    for who in ("grace", "daniel", "farah", "amina"):
        assert "Mediation with the whole team" in page(getattr(story, who), group)
    for who in ("ravi", "joseph", "chen"):
        assert "Mediation with the whole team" not in page(getattr(story, who), group)


def test_hr_closes_a_group(story):
    group = lunch_group(story)
    response = signed_in(story.grace).post(
        url("group_close", group), {"version": str(group.version)}, follow=True
    )
    assert "The group is closed." in response.content.decode()
    assert signed_in(story.farah).post(url("group_close", group)).status_code == 403


def test_the_terms_print_as_a_pdf_for_whoever_sees_the_group(story):
    group = lunch_group(story)
    response = signed_in(story.joseph).get(url("group_terms_pdf", group))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert signed_in(story.peter).get(url("group_terms_pdf", group)).status_code == 404
