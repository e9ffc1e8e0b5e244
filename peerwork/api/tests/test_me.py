"""GET /me and /organisations: the person's own, and a token bound to one organisation."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from peerwork.api.tests.helpers import bearer, signed_in
from peerwork.core.models import Role
from peerwork.core.services import add_member

pytestmark = pytest.mark.django_db

OFFSET = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?[+-]\d\d:\d\d")


@pytest.fixture
def taras_in_both(story):
    """Taras also works at Harbourside: one person, two memberships."""
    return add_member(
        organisation=story.harbourside,
        username="taras",
        display_name="Taras Melnyk",
        email="taras@example.org",
        roles=[Role.VOLUNTEER],
    )


def test_me_answers_the_person_their_membership_and_its_roles(story):
    response = Client().get("/api/v1/me", headers=bearer(story.ravi))
    assert response.status_code == 200
    body = response.json()
    assert body["person"] == {"username": "ravi", "name": "Ravi Shah", "language": ""}
    membership = body["membership"]
    assert membership["id"] == str(story.ravi.pk)
    assert membership["organisation"]["slug"] == "harbourside"
    assert membership["team"] == {"id": str(story.team.pk), "name": "Outreach"}
    assert {role["code"] for role in membership["roles"]} == {"staff", "line_manager"}
    assert {role["label"] for role in membership["roles"]} == {"Staff member", "Line manager"}


def test_times_are_iso_8601_with_the_organisations_offset(story):
    body = Client().get("/api/v1/me", headers=bearer(story.amina)).json()
    joined = body["membership"]["joined_at"]
    assert OFFSET.fullmatch(joined), joined
    assert joined.endswith("+03:00")  # Harbourside works in Africa/Nairobi


def test_no_sequential_database_id_leaves_the_server(story):
    headers = bearer(story.amina)
    client = Client()
    ids = []
    for path in ("/me", "/organisations", "/sites", "/teams", "/members", "/tokens"):
        ids += re.findall(r'"id": ([^,}]+)', client.get(f"/api/v1{path}", headers=headers).text)
    assert len(ids) > 20
    uuid_text = re.compile(r'"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"')
    assert [value for value in ids if not uuid_text.fullmatch(value)] == []


def test_a_harbourside_token_speaks_only_of_harbourside_though_the_person_is_in_both(
    story, taras_in_both
):
    headers = bearer(taras_in_both)
    client = Client()
    me = client.get("/api/v1/me", headers=headers).json()
    assert me["membership"]["id"] == str(taras_in_both.pk)
    assert [m["organisation"]["slug"] for m in me["memberships"]] == ["harbourside"]
    listed = client.get("/api/v1/organisations", headers=headers).json()
    assert [o["slug"] for o in listed["items"]] == ["harbourside"]
    assert (
        client.get(f"/api/v1/organisations/{story.riverside.pk}", headers=headers).status_code
        == 404
    )
    assert client.get(f"/api/v1/teams/{story.other_team.pk}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/sites/{story.other_site.pk}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/members/{story.taras.pk}", headers=headers).status_code == 404
    assert str(story.taras.pk) not in client.get("/api/v1/members", headers=headers).text
    teams = client.get("/api/v1/teams", headers=headers).json()
    assert [t["name"] for t in teams["items"]] == ["Outreach"]


def test_the_same_persons_riverside_token_reaches_riverside(story, taras_in_both):
    headers = bearer(story.taras)
    client = Client()
    assert (
        client.get(f"/api/v1/organisations/{story.riverside.pk}", headers=headers).status_code
        == 200
    )
    assert client.get(f"/api/v1/teams/{story.other_team.pk}", headers=headers).status_code == 200
    assert client.get(f"/api/v1/members/{story.taras.pk}", headers=headers).status_code == 200
    assert client.get(f"/api/v1/teams/{story.team.pk}", headers=headers).status_code == 404


def test_the_session_lists_all_the_persons_organisations_and_acts_in_the_active_one(
    story, taras_in_both
):
    client = signed_in(taras_in_both)
    me = client.get("/api/v1/me").json()
    assert me["membership"]["organisation"]["slug"] == "harbourside"
    assert sorted(m["organisation"]["slug"] for m in me["memberships"]) == [
        "harbourside",
        "riverside",
    ]
    listed = client.get("/api/v1/organisations").json()
    assert listed["count"] == 2
    assert client.get(f"/api/v1/organisations/{story.riverside.pk}").status_code == 200
    # The active organisation is Harbourside: Riverside's records stay out of reach.
    assert client.get(f"/api/v1/teams/{story.other_team.pk}").status_code == 404
    assert client.get(f"/api/v1/teams/{story.team.pk}").status_code == 200


def test_another_organisation_is_not_found_for_a_person_outside_it(story):
    headers = bearer(story.amina)
    client = Client()
    assert (
        client.get(f"/api/v1/organisations/{story.harbourside.pk}", headers=headers).status_code
        == 200
    )
    assert (
        client.get(f"/api/v1/organisations/{story.riverside.pk}", headers=headers).status_code
        == 404
    )
    assert client.get("/api/v1/organisations/not-a-uuid", headers=headers).status_code == 404


def test_me_needs_a_session_or_a_token(story):
    response = Client().get("/api/v1/me")
    assert response.status_code == 401
    assert response.json() == {"detail": response.json()["detail"]}
    assert response["WWW-Authenticate"].startswith("Bearer")
