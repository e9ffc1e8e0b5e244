"""The "My information" page (``/me``) and the profile form (``/me/profile``)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scope

from peerwork.api.tests.helpers import signed_in
from peerwork.core.tests.page_checks import assert_sound_page
from peerwork.people import services
from peerwork.people.models import Profile, SharingGrant, StaffRecord
from peerwork.people.tests.helpers import disclose

pytestmark = pytest.mark.django_db


def test_every_member_has_my_information_in_the_menu(story):
    for person in (story.amina, story.leila, story.peter, story.chen):
        html = assert_sound_page(signed_in(person).get("/"))
        assert '<a href="/me">My information</a>' in html
        assert '<a href="/shared">Shared with me</a>' in html


def test_someone_not_signed_in_is_sent_to_sign_in(client, story):
    response = client.get("/me")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_page_lists_the_five_categories_as_not_answered_at_first(story):
    html = assert_sound_page(signed_in(story.amina).get("/me"))
    for label in (
        "Relationship to drug use",
        "Opioid substitution therapy (OST)",
        "Health conditions",
        "Support or adjustments I need at work",
        "Criminal record",
    ):
        assert label in html
    assert html.count("Not answered") == 5
    for path in ("drug-use", "ost", "health", "accommodations", "criminal-record"):
        assert f'href="/me/{path}"' in html
    assert "You share nothing with anyone now." in html
    assert 'href="/me/reads"' in html and 'href="/me/shares"' in html


def test_the_page_shows_the_current_answers_and_audits_reading_them(story):
    disclose(story.amina, "ost", {"medicine": "buprenorphine", "prescriber": "Mvita clinic"})
    disclose(story.amina, "drug_use", {"prefer_not_to_say": True})
    client = signed_in(story.amina)
    html = assert_sound_page(client.get("/me"))
    assert "Buprenorphine" in html and "Mvita clinic" in html
    assert "I prefer not to say" in html
    assert html.count("Not answered") == 3
    reads = assert_sound_page(client.get("/me/reads"))
    assert reads.count("<td>You</td>") == 2
    assert "Opioid substitution therapy (OST)" in reads


def test_an_answer_hr_entered_says_who_entered_it(story):
    with scope(organisation=story.harbourside):
        services.share(
            actor=story.amina,
            audience="person",
            grantee=story.grace,
            categories=["accommodations"],
            purpose="arrange my hours",
        )
        services.disclose(
            actor=story.grace,
            owner=story.amina,
            category="accommodations",
            answer={"needs": "Start at 10:45 on weekdays"},
        )
    html = assert_sound_page(signed_in(story.amina).get("/me"))
    assert "Start at 10:45 on weekdays" in html
    assert "entered for you by Grace Njeri" in html


def test_nobody_else_sees_my_answers_on_their_own_page(story):
    disclose(story.amina, "ost", {"prescriber": "Mvita clinic"})
    for person in (story.ravi, story.grace, story.daniel, story.chen, story.taras):
        html = signed_in(person).get("/me").content.decode()
        assert "Mvita clinic" not in html, person


def test_a_paused_line_manager_share_is_announced(story):
    with scope(organisation=story.harbourside):
        services.share(
            actor=story.amina, audience="line_manager", categories=["ost"], purpose="plan"
        )
        record = StaffRecord(organisation=story.harbourside, membership=story.amina)
        services.update_staff_record(
            actor=story.grace,
            person=story.amina,
            record=record,
            version=None,
            changes={"line_manager": story.taslima},
        )
    html = assert_sound_page(signed_in(story.amina).get("/me"))
    assert "1 share with your line manager is paused" in html
    assert "You share nothing with anyone now." in html


def test_export_and_erase_are_linked(story):
    html = assert_sound_page(signed_in(story.amina).get("/me"))
    for name in ("people:export", "people:erase"):
        assert f'href="{reverse(name)}"' in html


@pytest.mark.django_db(transaction=True)
def test_the_page_answers_in_a_fixed_number_of_queries(story, django_assert_max_num_queries):
    client = signed_in(story.amina)
    disclose(story.amina, "ost", {"medicine": "methadone"})
    client.get("/me")  # keys unwrapped and cached once
    with CaptureQueriesContext(connection) as few:
        client.get("/me")
    few_queries = len(few)  # read now: the next request empties the log
    with scope(organisation=story.harbourside):
        for grantee in (story.samuel, story.joseph, story.olena, story.grace, story.taslima):
            services.share(
                actor=story.amina,
                audience="person",
                grantee=grantee,
                categories=["ost"],
                purpose="p",
            )
        assert SharingGrant.objects.filter(owner=story.amina).count() == 5
    with django_assert_max_num_queries(few_queries):
        client.get("/me")


# --- the profile ---------------------------------------------------------------------


def test_the_profile_form_saves_and_the_emergency_contact_is_sealed(story):
    client = signed_in(story.amina)
    html = assert_sound_page(client.get("/me/profile"))
    assert 'value="Amina Wanjiru"' in html
    response = client.post(
        "/me/profile",
        {
            "display_name": "Amina W.",
            "pronouns": "she/her",
            "languages": "Swahili, English",
            "emergency_contact": "Zawadi, +254 700 000 111",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/me"
    html = assert_sound_page(client.get("/me"))
    assert "Your profile is saved." in html
    assert "she/her" in html and "Swahili, English" in html
    assert "Zawadi, +254 700 000 111" in html
    with scope(organisation=story.harbourside):
        profile = Profile.objects.get(membership=story.amina)
        stored = Profile.objects.filter(pk=profile.pk).values_list("pronouns", flat=True)
        assert list(stored) == ["she/her"]
    story.amina.user.refresh_from_db()
    assert story.amina.user.display_name == "Amina W."


def test_the_emergency_contact_shows_to_nobody_else(story):
    with scope(organisation=story.harbourside):
        services.update_profile(actor=story.amina, emergency_contact="Zawadi 0700111")
    for person in (story.ravi, story.grace, story.chen):
        client = signed_in(person)
        for url in ("/me", "/people", f"/people/{story.amina.pk}"):
            assert "Zawadi" not in client.get(url).content.decode(), (person, url)


def test_a_bad_profile_keeps_what_was_typed_and_changes_nothing(story):
    client = signed_in(story.amina)
    response = client.post(
        "/me/profile",
        {"display_name": "  ", "pronouns": "x" * 41, "languages": "Swahili"},
    )
    html = assert_sound_page(response)
    assert response.status_code == 200
    assert 'id="id_display_name_error"' in html
    assert 'id="id_pronouns_error"' in html
    assert 'value="Swahili"' in html
    with scope(organisation=story.harbourside):
        assert not Profile.objects.filter(membership=story.amina).exists()
    story.amina.user.refresh_from_db()
    assert story.amina.user.display_name == "Amina Wanjiru"


def test_a_profile_saved_elsewhere_meanwhile_is_not_overwritten_silently(story):
    with scope(organisation=story.harbourside):
        services.update_profile(actor=story.amina, pronouns="she/her")
    client = signed_in(story.amina)
    html = client.get("/me/profile").content.decode()
    assert 'name="version" value="1"' in html
    with scope(organisation=story.harbourside):  # another tab saves first
        services.update_profile(actor=story.amina, pronouns="they/them", version=1)
    typed = {"display_name": "Amina", "pronouns": "she/they", "languages": "", "version": "1"}
    response = client.post("/me/profile", typed)
    html = assert_sound_page(response)
    assert "changed somewhere else" in html and "Pronouns: they/them" in html
    assert 'value="she/they"' in html and 'name="version" value="2"' in html
    with scope(organisation=story.harbourside):
        assert Profile.objects.get(membership=story.amina).pronouns == "they/them"
    # Saving again, knowingly, goes over it.
    response = client.post("/me/profile", {**typed, "version": "2"})
    assert response.status_code == 302
    with scope(organisation=story.harbourside):
        assert Profile.objects.get(membership=story.amina).pronouns == "she/they"
