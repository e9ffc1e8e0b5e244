"""Shared with me (``/shared``, ``/shared/<id>``): what colleagues chose to share, read
under the share and audited; shares that ended, stopped or paused fail closed."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from peerwork.api.tests.helpers import signed_in
from peerwork.core import audit
from peerwork.core.tests.page_checks import assert_sound_page
from peerwork.people import services
from peerwork.people.models import StaffRecord
from peerwork.people.tests.helpers import disclose, share

pytestmark = pytest.mark.django_db


@pytest.fixture
def amina_on_ost(story):
    disclose(story.amina, "ost", {"medicine": "methadone", "prescriber": "Mvita clinic"})
    disclose(story.amina, "health", {"own_words": "Kidney care"})
    return story


def test_nothing_shared_says_so_for_every_member(story):
    for person in (story.amina, story.leila, story.peter, story.chen, story.taras):
        html = assert_sound_page(signed_in(person).get("/shared"))
        assert "Nothing is shared with you." in html


def test_a_share_is_listed_with_its_owner_categories_purpose_and_expiry(amina_on_ost):
    story = amina_on_ost
    grant = share(story.amina, audience="person", grantee=story.samuel, purpose="peer support")
    html = assert_sound_page(signed_in(story.samuel).get("/shared"))
    assert f'href="/shared/{grant.pk}">Amina Wanjiru</a>' in html
    assert "Opioid substitution therapy (OST)" in html and "peer support" in html
    until = grant.expires_at.astimezone(ZoneInfo("Africa/Nairobi"))
    assert f"<dd>{until.day} {until:%b %Y}</dd>" in html
    assert "Please keep it to yourself." in html
    assert "Mvita clinic" not in html  # the list names the share; the answers are one click on


def test_the_share_page_shows_only_its_categories_and_the_read_is_audited(amina_on_ost):
    story = amina_on_ost
    grant = share(story.amina, audience="person", grantee=story.samuel, purpose="peer support")
    html = assert_sound_page(signed_in(story.samuel).get(f"/shared/{grant.pk}"))
    assert "Shared by Amina Wanjiru" in html
    assert "Methadone" in html and "Mvita clinic" in html
    assert "Kidney care" not in html  # health was not shared
    assert "peer support" in html and "keep it to yourself" in html
    with scope(organisation=story.harbourside):
        (event,) = audit.events_about(story.amina)
    assert event.actor_id == story.samuel.pk and event.action == "disclosure.read"
    reads = assert_sound_page(signed_in(story.amina).get("/me/reads"))
    assert "<td>Samuel Kiprop</td><td>Opioid substitution therapy (OST)</td>" in reads


def test_a_category_with_no_answer_says_so(amina_on_ost):
    story = amina_on_ost
    grant = share(story.amina, audience="person", grantee=story.samuel, categories=["drug_use"])
    html = assert_sound_page(signed_in(story.samuel).get(f"/shared/{grant.pk}"))
    assert "Nothing answered in this category." in html
    assert "Mvita clinic" not in html


def test_nobody_outside_the_audience_reaches_a_share(amina_on_ost):
    story = amina_on_ost
    grant = share(story.amina, audience="person", grantee=story.samuel)
    for person in (story.ravi, story.grace, story.daniel, story.chen, story.joseph, story.taras):
        client = signed_in(person)
        assert client.get(f"/shared/{grant.pk}").status_code == 404, person
        assert "Mvita clinic" not in client.get("/shared").content.decode()


def test_unknown_and_malformed_ids_answer_not_found(story):
    client = signed_in(story.samuel)
    for value in ("not-an-id", "00000000-0000-0000-0000-000000000000", str(story.amina.pk)):
        assert client.get(f"/shared/{value}").status_code == 404


def test_a_team_share_reaches_working_colleagues_in_the_team_only(amina_on_ost):
    story = amina_on_ost
    grant = share(story.amina, audience="team", purpose="open with my team")
    assert signed_in(story.joseph).get(f"/shared/{grant.pk}").status_code == 200
    # Leila coaches at Harbourside and Peter interviews: not "my team".
    for person in (story.leila, story.peter, story.taras):
        assert signed_in(person).get(f"/shared/{grant.pk}").status_code == 404, person


def test_an_organisation_share_reaches_every_working_member(amina_on_ost):
    story = amina_on_ost
    grant = share(story.amina, audience="organisation", purpose="open about it")
    html = assert_sound_page(signed_in(story.daniel).get(f"/shared/{grant.pk}"))
    assert "Everyone in the organisation" in html and "Mvita clinic" in html
    assert signed_in(story.taras).get(f"/shared/{grant.pk}").status_code == 404


def test_an_expired_share_fails_closed(amina_on_ost):
    story = amina_on_ost
    with scope(organisation=story.harbourside):
        grant = services.share(
            actor=story.amina,
            audience="person",
            grantee=story.samuel,
            categories=["ost"],
            purpose="p",
            expires_on=timezone.localdate() - dt.timedelta(days=3),
            now=timezone.now() - dt.timedelta(days=10),
        )
    client = signed_in(story.samuel)
    assert client.get(f"/shared/{grant.pk}").status_code == 404
    assert "Nothing is shared with you." in client.get("/shared").content.decode()


def test_a_paused_line_manager_share_fails_closed_until_confirmed(amina_on_ost):
    story = amina_on_ost
    grant = share(story.amina, audience="line_manager")
    ravi, taslima = signed_in(story.ravi), signed_in(story.taslima)
    assert "Mvita clinic" in ravi.get(f"/shared/{grant.pk}").content.decode()
    with scope(organisation=story.harbourside):
        services.update_staff_record(
            actor=story.grace,
            person=story.amina,
            record=StaffRecord(organisation=story.harbourside, membership=story.amina),
            version=None,
            changes={"line_manager": story.taslima},
        )
    for client in (ravi, taslima):
        assert client.get(f"/shared/{grant.pk}").status_code == 404
        assert "Nothing is shared with you." in client.get("/shared").content.decode()
    signed_in(story.amina).post(f"/me/shares/{grant.pk}/confirm", {"version": str(grant.version)})
    assert "Mvita clinic" in taslima.get(f"/shared/{grant.pk}").content.decode()
    assert "Amina Wanjiru" in taslima.get("/shared").content.decode()
    assert ravi.get(f"/shared/{grant.pk}").status_code == 404


def test_the_owner_sees_what_their_share_shows(amina_on_ost):
    story = amina_on_ost
    grant = share(story.amina, audience="person", grantee=story.samuel)
    html = assert_sound_page(signed_in(story.amina).get(f"/shared/{grant.pk}"))
    assert "This is your own share" in html and "Mvita clinic" in html


def test_hr_holding_a_share_by_name_is_offered_to_enter_an_answer(amina_on_ost):
    story = amina_on_ost
    to_grace = share(story.amina, audience="person", grantee=story.grace, purpose="hours")
    to_samuel = share(story.amina, audience="person", grantee=story.samuel)
    enter = reverse("people:disclose_for", args=[to_grace.pk])
    assert (
        f'href="{enter}"' in signed_in(story.grace).get(f"/shared/{to_grace.pk}").content.decode()
    )
    html = signed_in(story.samuel).get(f"/shared/{to_samuel.pk}").content.decode()
    assert "/enter" not in html


def test_hr_reached_only_through_everyone_is_not_offered_to_enter(amina_on_ost):
    story = amina_on_ost
    grant = share(story.amina, audience="organisation", purpose="open")
    html = assert_sound_page(signed_in(story.grace).get(f"/shared/{grant.pk}"))
    assert "Enter an answer for" not in html


def test_hr_is_offered_to_enter_only_under_the_share_made_to_them_by_name(amina_on_ost):
    story = amina_on_ost
    by_name = share(story.amina, audience="person", grantee=story.grace, purpose="hours")
    to_everyone = share(story.amina, audience="organisation", purpose="open")
    client = signed_in(story.grace)
    html = assert_sound_page(client.get(f"/shared/{to_everyone.pk}"))
    # Grace may enter OST for Amina, but under the share made to her, not this one.
    assert "Enter an answer for" not in html
    assert f"/shared/{to_everyone.pk}/enter" not in html
    assert client.get(f"/shared/{to_everyone.pk}/enter").status_code == 404
    html = assert_sound_page(client.get(f"/shared/{by_name.pk}"))
    assert f'href="/shared/{by_name.pk}/enter"' in html


@pytest.mark.django_db(transaction=True)
def test_the_list_answers_in_a_fixed_number_of_queries(story, django_assert_max_num_queries):
    client = signed_in(story.daniel)
    share(story.amina, audience="person", grantee=story.daniel)
    client.get("/shared")  # keys unwrapped and cached once
    with CaptureQueriesContext(connection) as few:
        client.get("/shared")
    few_queries = len(few)  # read now: the next request empties the log
    for owner in (story.joseph, story.olena, story.samuel, story.ravi, story.grace):
        share(owner, audience="organisation", purpose="open")
    share(story.taslima, audience="team", purpose="team")
    client.get("/shared")  # the new owners' keys, once
    with django_assert_max_num_queries(few_queries):
        html = client.get("/shared").content.decode()
    assert html.count('href="/shared/') == 7


def test_shares_with_everyone_come_a_page_at_a_time(story):
    from peerwork.core.services import add_member
    from peerwork.people.mine_views import SHARED_PAGE_SIZE

    with scope(organisation=story.harbourside):
        for number in range(SHARED_PAGE_SIZE + 2):
            person = add_member(
                organisation=story.harbourside,
                username=f"open{number}",
                display_name=f"Open Colleague {number:02d}",
                email=f"open{number}@example.org",
                roles=["staff"],
                team=story.team,
            )
            services.share(
                actor=person, audience="organisation", categories=["drug_use"], purpose="open"
            )
    first = signed_in(story.joseph).get(reverse("people:shared")).content.decode()
    second = signed_in(story.joseph).get(reverse("people:shared") + "?page=2").content.decode()
    assert first.count("Open Colleague") == SHARED_PAGE_SIZE
    assert second.count("Open Colleague") == 2
