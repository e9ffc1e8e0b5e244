"""No investigator can be a supporter in any way (§4.7, issue 8 item 5), end to end in the
pages and the API of every module where someone becomes a supporter: HR pairing a peer
mentor (support.mentoring), making someone the facilitator of a group the person is in,
the person joining a group their investigator facilitates (support.groups), the person
bringing a peer supporter to a review meeting (concerns.meetings), and naming a supporter
on the concern. Each is refused with the rule in words, the choice kept, nothing saved,
and the attempt audited; the person is never told who investigates them."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import pytest
from django.utils import timezone
from django_scopes import scope

from peerwork.api.tests.helpers import signed_in
from peerwork.core.models import SupportRelationship
from peerwork.core.tests.page_checks import assert_sound_page
from peerwork.people.tests.api_calls import call, post
from peerwork.support import groups, mentoring
from peerwork.support.models import GroupMember, SupportGroup

from .. import investigations
from ..models import Investigation, ReviewMeeting
from .test_investigations import opened, refusals, today_there

pytestmark = pytest.mark.django_db


def investigated_by(story, member) -> Investigation:
    """Grace opens an investigation of Amina and names ``member`` an investigator."""
    investigation = opened(story)
    with scope(organisation=story.harbourside.pk):
        investigations.add_investigator(
            actor=story.grace, investigation=investigation, member=member
        )
    return investigation


def selected(html: str, member) -> bool:
    return bool(re.search(rf'<option value="{member.pk}" selected>', html))


def group_of(story, *, facilitator, members=()) -> SupportGroup:
    with scope(organisation=story.harbourside.pk):
        group = groups.start_group(
            actor=story.grace,
            terms=groups.GroupTerms(
                name="Friday lunch",
                place="The back room",
                frequency="Every Friday",
                timing=SupportGroup.Timing.LUNCH,
                management_contact="Through the facilitator",
                concerns_to="The facilitator",
                review_on=today_there(story) + dt.timedelta(days=90),
                facilitator=facilitator.pk,
            ),
        )
        for member in members:
            groups.join_group(actor=member, group=group)
    return group


# --- pairing a peer mentor -------------------------------------------------------------------


def end_samuels_pair(story) -> None:
    with scope(organisation=story.harbourside.pk):
        SupportRelationship.objects.filter(supporter=story.samuel, person=story.amina).update(
            ended_on=today_there(story) - dt.timedelta(days=1)
        )


def samuels_pairs(story) -> int:
    with scope(organisation=story.harbourside.pk):
        return SupportRelationship.objects.filter(supporter=story.samuel).count()


def test_hr_cannot_pair_an_investigator_as_the_persons_peer_mentor(story):
    end_samuels_pair(story)
    investigated_by(story, story.samuel)  # he supports her no longer, so he may investigate
    with scope(organisation=story.harbourside.pk), pytest.raises(Exception) as refused:
        mentoring.make_pair(
            actor=story.grace, person=story.amina, supporter=story.samuel, kind="mentor"
        )
    assert "Samuel Kiprop investigates Amina Wanjiru" in str(refused.value)
    page = signed_in(story.grace).post(
        "/support/pairs/",
        {"person": str(story.amina.pk), "supporter": str(story.samuel.pk), "kind": "mentor"},
    )
    html = assert_sound_page(page)
    assert page.status_code == 200 and "investigates Amina Wanjiru" in html
    assert selected(html, story.samuel)
    api = post(
        story.grace,
        "/support-pairs",
        {"person": str(story.amina.pk), "supporter": str(story.samuel.pk), "kind": "mentor"},
    )
    assert api.status_code == 400 and "§4.7" in api.json()["errors"]["supporter"][0]
    assert samuels_pairs(story) == 1  # only the pair that ended
    assert refusals("concerns.supporter_refused", story.grace) == 3


# --- facilitating or joining a group ------------------------------------------------------------


def test_nobody_makes_an_investigator_the_facilitator_of_a_group_the_person_is_in(story):
    group = group_of(story, facilitator=story.farah, members=[story.amina])
    investigated_by(story, story.taslima)
    terms = {
        "name": group.name,
        "facilitator": str(story.taslima.pk),
        "place": group.place,
        "frequency": group.frequency,
        "timing": group.timing,
        "management_contact": group.management_contact,
        "concerns_to": group.concerns_to,
        "review_on": str(group.review_on),
        "version": str(group.version),
    }
    page = signed_in(story.grace).post(f"/support/groups/{group.pk}/terms/", terms)
    html = assert_sound_page(page)
    assert page.status_code == 200 and "Taslima Akter investigates Amina Wanjiru" in html
    assert selected(html, story.taslima)
    by_director = signed_in(story.daniel).post(f"/support/groups/{group.pk}/terms/", terms)
    html = assert_sound_page(by_director)
    assert "Taslima Akter cannot take this role" in html
    assert "investigates Amina" not in html  # the director does not learn of it
    api = call(
        story.grace,
        "PATCH",
        f"/support-groups/{group.pk}",
        {"facilitator_id": str(story.taslima.pk)},
        if_match=group.version,
    )
    assert api.status_code == 400 and "facilitator_id" in api.json()["errors"]
    with scope(organisation=story.harbourside.pk):
        group.refresh_from_db()
    assert group.facilitator_id == story.farah.pk
    assert refusals("concerns.supporter_refused") == 3
    # A group the person is not in may have them as its facilitator.
    other = group_of(story, facilitator=story.farah, members=[story.olena])
    with scope(organisation=story.harbourside.pk):
        groups.change_terms(
            actor=story.grace,
            group=other,
            version=other.version,
            terms=dataclasses.replace(groups.GroupTerms.of(other), facilitator=story.taslima.pk),
        )
        other.refresh_from_db()
    assert other.facilitator_id == story.taslima.pk


def test_the_person_cannot_join_a_group_their_investigator_facilitates(story):
    group = group_of(story, facilitator=story.taslima)
    investigated_by(story, story.taslima)
    amina = signed_in(story.amina)
    answer = amina.post(f"/support/groups/{group.pk}/join/", follow=True)
    html = answer.content.decode()
    assert "Taslima Akter cannot support you" in html and "investigates" not in html
    api = post(story.amina, f"/support-groups/{group.pk}/join")
    assert api.status_code == 400 and "§4.7" in api.json()["detail"]
    with scope(organisation=story.harbourside.pk):
        assert not GroupMember.objects.filter(group=group, member=story.amina).exists()
    assert refusals("concerns.supporter_refused", story.amina) == 2
    post(story.olena, f"/support-groups/{group.pk}/join")  # anyone else joins as ever
    with scope(organisation=story.harbourside.pk):
        assert GroupMember.objects.filter(group=group, member=story.olena).exists()


# --- bringing a peer supporter to a review meeting ------------------------------------------


def test_the_person_cannot_bring_their_investigator_to_a_review_meeting(story):
    investigation = investigated_by(story, story.taslima)
    with scope(organisation=story.harbourside.pk):
        meeting = ReviewMeeting.objects.create(
            organisation=story.harbourside,
            concern=investigation.concern,
            person=story.amina,
            held_by=story.ravi,
            starts_at=timezone.now() + dt.timedelta(days=2),
        )
    amina = signed_in(story.amina)
    answer = amina.post(
        f"/concerns/reviews/{meeting.pk}/supporter/",
        {"peer_supporter": str(story.taslima.pk), "version": meeting.version},
    )
    html = assert_sound_page(answer)
    assert answer.status_code == 200
    assert "Taslima Akter cannot support you" in html and "§4.7" in html
    assert "Taslima Akter investigates" not in html
    assert selected(html, story.taslima)
    api = call(
        story.amina,
        "PATCH",
        f"/review-meetings/{meeting.pk}",
        {"peer_supporter": str(story.taslima.pk)},
        if_match=meeting.version,
    )
    assert api.status_code == 400 and "peer_supporter" in api.json()["errors"]
    with scope(organisation=story.harbourside.pk):
        meeting.refresh_from_db()
    assert meeting.peer_supporter_id is None
    assert refusals("concerns.supporter_refused", story.amina) == 2
    brought = amina.post(
        f"/concerns/reviews/{meeting.pk}/supporter/",
        {"peer_supporter": str(story.joseph.pk), "version": meeting.version},
    )
    assert brought.status_code == 302


# --- naming a supporter on the concern --------------------------------------------------------


def test_nobody_names_an_investigator_to_support_the_person(story):
    investigation = investigated_by(story, story.taslima)
    url = f"/concerns/supporters/?concern={investigation.concern_id}"
    for actor in (story.amina, story.ravi, story.grace):
        answer = signed_in(actor).post(url, {"member": str(story.taslima.pk)})
        assert answer.status_code == 200 and "§4.7" in answer.content.decode()
    api = post(
        story.amina,
        f"/concerns/{investigation.concern_id}/supporters",
        {"member": str(story.grace.pk)},  # she opened it: she runs it
    )
    assert api.status_code == 400
    assert refusals("concerns.supporter_refused") == 4
    with scope(organisation=story.harbourside.pk):
        assert not investigations.supporters_on(investigation.concern)
