"""The consented confirmation (issue 7 item 5; §4.2: support "recognised by managers"; issue 8
relies on it): the staff member may let their mentor or coach tell their line manager
whether support is taking place. Without that consent the answer is refused; with it the
line manager sees the latest yes or no and its date, nothing else (no content, no session
dates), on the confirmations page, through the API and through
``mentoring.confirmation_for``; withdrawing the consent hides it again."""

from __future__ import annotations

import datetime as dt

import pytest
from django_scopes import scope

from peerwork.api.tests.helpers import signed_in
from peerwork.core.tests.page_checks import assert_sound_page
from peerwork.people.tests.api_calls import get, post
from peerwork.support import agreements, mentoring
from peerwork.support.models import SupportConfirmation
from peerwork.support.tests.test_mentoring_pairs import draft, notifications, pair_of, today_there

pytestmark = pytest.mark.django_db

CONFIRMATIONS = "/support/confirmations/"
SECRET = "Talked about boundaries with friends who buy from the same place."


def confirmations_of(pair) -> list[SupportConfirmation]:
    with scope(organisation=pair.organisation_id):
        return list(SupportConfirmation.objects.filter(relationship=pair))


def latest_for(viewer, person):
    with scope(organisation=person.organisation_id):
        return mentoring.confirmation_for(viewer, person)


def test_without_consent_the_mentor_cannot_confirm_anything(story):
    draft(story, consent=False)
    pair = pair_of(story)
    samuel = signed_in(story.samuel)
    html = assert_sound_page(samuel.get(f"/support/pairs/{pair.pk}/"))
    assert "has not chosen to let you confirm anything" in html
    assert 'name="taking_place"' not in html
    response = samuel.post(
        f"/support/pairs/{pair.pk}/confirm/", {"taking_place": "yes"}, follow=True
    )
    html = assert_sound_page(response)
    assert "Amina Wanjiru has not chosen to let you tell their line manager" in html
    assert "Nothing was sent." in html
    answer = post(story.samuel, f"/support-pairs/{pair.pk}/confirmations", {"taking_place": True})
    assert answer.status_code == 400 and "Nothing was sent." in answer.json()["detail"]
    assert confirmations_of(pair) == []
    assert latest_for(story.ravi, story.amina) is None


def test_with_consent_the_line_manager_sees_yes_and_its_date_only_until_it_is_withdrawn(story):
    agreement = draft(story, consent=True)
    pair = pair_of(story)
    with scope(organisation=story.harbourside.pk):
        mentoring.log_session(
            actor=story.samuel,
            pair=pair,
            held_on=today_there(story) - dt.timedelta(days=3),
            notes=SECRET,
        )
    response = signed_in(story.samuel).post(
        f"/support/pairs/{pair.pk}/confirm/", {"taking_place": "yes"}
    )
    assert response.status_code == 302
    (given,) = confirmations_of(pair)
    assert given.taking_place is True and given.person_id == story.amina.pk
    assert notifications(story.ravi, agreements.CONFIRMATION_GIVEN.kind)

    html = assert_sound_page(signed_in(story.ravi).get(CONFIRMATIONS))
    assert "Amina Wanjiru" in html and "yes, support is taking place" in html
    assert (
        given.made_at.astimezone(agreements.zone_of(story.harbourside)).date().isoformat() in html
    )
    # Nothing else: not who the mentor is, not what was said, not when they met.
    assert "Samuel" not in html and SECRET not in html
    session_day = (today_there(story) - dt.timedelta(days=3)).isoformat()
    assert session_day not in html
    assert latest_for(story.ravi, story.amina) == given
    answer = get(story.ravi, f"/support-confirmations?person={story.amina.pk}")
    assert answer.status_code == 200
    assert answer.json()["latest"]["taking_place"] is True
    assert set(answer.json()["latest"]) == {"taking_place", "made_at"}
    # The pair itself stays out of the manager's reach.
    assert signed_in(story.ravi).get(f"/support/pairs/{pair.pk}/").status_code == 404

    # A later "no" replaces it.
    with scope(organisation=story.harbourside.pk):
        later = mentoring.confirm_support(actor=story.samuel, pair=pair, taking_place=False)
    assert latest_for(story.ravi, story.amina) == later
    assert "no, it is not" in assert_sound_page(signed_in(story.ravi).get(CONFIRMATIONS))

    # Amina withdraws her consent: Ravi sees nothing again, earlier answers included.
    response = signed_in(story.amina).post(
        f"/support/agreements/{agreement.pk}/consent/withdraw/", {"version": ""}
    )
    assert response.status_code == 302
    assert latest_for(story.ravi, story.amina) is None
    html = assert_sound_page(signed_in(story.ravi).get(CONFIRMATIONS))
    assert "Amina Wanjiru" not in html and "No answers have been shared with you." in html
    assert (
        get(story.ravi, f"/support-confirmations?person={story.amina.pk}").json()["latest"] is None
    )
    # And Samuel cannot answer again until she consents again.
    answer = post(story.samuel, f"/support-pairs/{pair.pk}/confirmations", {"taking_place": True})
    assert answer.status_code == 400
    # Amina herself still sees what was said about her.
    assert latest_for(story.amina, story.amina) == later


def test_only_the_person_their_manager_and_their_supporter_may_ask(story):
    draft(story, consent=True)
    pair = pair_of(story)
    with scope(organisation=story.harbourside.pk):
        mentoring.confirm_support(actor=story.samuel, pair=pair, taking_place=True)
    path = f"/support-confirmations?person={story.amina.pk}"
    for name in ("amina", "ravi", "samuel"):
        assert get(getattr(story, name), path).json()["latest"]["taking_place"] is True, name
    for name in ("taslima", "grace", "daniel", "chen", "leila", "joseph", "taras"):
        assert get(getattr(story, name), path).status_code == 404, name
    # HR and the director have no confirmations page at all; another manager sees nothing.
    for name in ("grace", "daniel", "chen", "peter"):
        assert signed_in(getattr(story, name)).get(CONFIRMATIONS).status_code == 404, name
    html = assert_sound_page(signed_in(story.taslima).get(CONFIRMATIONS))
    assert "Amina Wanjiru" not in html


def test_only_the_current_supporter_gives_the_answer(story):
    draft(story, consent=True)
    pair = pair_of(story)
    url = f"/support/pairs/{pair.pk}/confirm/"
    assert signed_in(story.amina).post(url, {"taking_place": "yes"}).status_code == 403
    assert signed_in(story.grace).post(url, {"taking_place": "yes"}).status_code == 403
    assert signed_in(story.ravi).post(url, {"taking_place": "yes"}).status_code == 404
    assert confirmations_of(pair) == []


def test_olena_has_not_consented_so_leila_cannot_confirm_to_ravi(story):
    draft(story, "olena", recipient="grace", consent=False)
    pair = pair_of(story, "olena")
    answer = post(story.leila, f"/support-pairs/{pair.pk}/confirmations", {"taking_place": True})
    assert answer.status_code == 400
    assert latest_for(story.ravi, story.olena) is None
