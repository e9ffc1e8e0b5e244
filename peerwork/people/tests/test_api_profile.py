"""/me/profile: a person's own profile, with the emergency contact only they read."""

from __future__ import annotations

import pytest
from django_scopes import scope

from peerwork.people.models import Profile
from peerwork.people.tests.api_calls import call, get

pytestmark = pytest.mark.django_db

CONTACT = "Mama Wanjiru Canary7731 +254700000001"


def _patch(member, body, version):
    return call(member, "PATCH", "/me/profile", body, if_match=version)


def test_a_person_reads_an_empty_profile_at_version_0_before_any_change(story):
    response = get(story.amina, "/me/profile")
    assert response.status_code == 200
    assert response.json() == {
        "name": "Amina Wanjiru",
        "pronouns": "",
        "languages": "",
        "work_email": "amina@example.org",
        "work_phone": "",
        "emergency_contact": None,
        "version": 0,
    }
    assert response["ETag"] == '"0"'


def test_a_person_changes_their_profile_and_reads_their_emergency_contact_back(story):
    changed = _patch(
        story.amina,
        {"pronouns": "she/her", "languages": "Swahili, English", "emergency_contact": CONTACT},
        0,
    )
    assert changed.status_code == 200, changed.content
    assert changed.json()["version"] == 1
    assert changed["ETag"] == '"1"'
    body = get(story.amina, "/me/profile").json()
    assert body["pronouns"] == "she/her"
    assert body["languages"] == "Swahili, English"
    assert body["emergency_contact"] == CONTACT


def test_only_the_fields_sent_change_and_an_empty_string_clears_one(story):
    _patch(story.amina, {"pronouns": "she/her", "emergency_contact": CONTACT}, 0)
    cleared = _patch(story.amina, {"emergency_contact": ""}, 1)
    assert cleared.json()["emergency_contact"] is None
    assert cleared.json()["pronouns"] == "she/her"


def test_nobody_else_is_answered_the_emergency_contact(story):
    _patch(story.amina, {"emergency_contact": CONTACT}, 0)
    for name in ("ravi", "grace", "daniel", "chen", "samuel", "joseph", "taras"):
        reader = getattr(story, name)
        for path in (
            "/me/profile",
            f"/members/{story.amina.pk}",
            f"/people/{story.amina.pk}/staff-record",
            f"/people/{story.amina.pk}/availability",
        ):
            response = get(reader, path)
            assert "Canary7731" not in response.content.decode(), (name, path)


def test_a_change_against_an_old_version_gets_409_and_changes_nothing(story):
    assert _patch(story.amina, {"pronouns": "she/her"}, 0).status_code == 200
    stale = _patch(story.amina, {"pronouns": "they/them"}, 0)
    assert stale.status_code == 409
    assert stale.json()["detail"]
    with scope(organisation=story.harbourside.pk):
        profile = Profile.objects.get(membership=story.amina)
    assert (profile.pronouns, profile.version) == ("she/her", 1)


def test_a_name_too_long_or_empty_is_refused_with_the_field_named_and_nothing_changes(story):
    for name in ("x" * 151, "   "):
        response = _patch(story.amina, {"name": name, "pronouns": "she/her"}, 0)
        assert response.status_code == 400
        assert list(response.json()["errors"]) == ["name"]
    with scope(organisation=story.harbourside.pk):
        assert not Profile.objects.filter(membership=story.amina).exists()
    story.amina.user.refresh_from_db()
    assert story.amina.user.display_name == "Amina Wanjiru"


def test_a_change_that_does_not_fit_the_schema_gets_422(story):
    assert call(story.amina, "PATCH", "/me/profile", {"pronouns": "x"}).status_code == 422
    for body in ({"pronouns": 5}, {"languages": ["sw"]}, {"name": "a\x00b"}):
        assert _patch(story.amina, body, 0).status_code == 422, body
    malformed = _patch(story.amina, {"pronouns": "x"}, "yesterday")
    assert malformed.status_code == 400
    assert "If-Match" in malformed.json()["errors"]
