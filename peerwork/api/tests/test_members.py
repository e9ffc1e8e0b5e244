"""/members: the directory, work data only, paginated, for those whose role includes it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scope

from peerwork.api.tests.helpers import bearer, signed_in
from peerwork.core.models import Role
from peerwork.core.services import add_member

pytestmark = pytest.mark.django_db

# Pronouns and languages come from the person's profile: how they want colleagues to
# address them (never the sealed emergency contact).
WORK_FIELDS = {
    "id",
    "name",
    "title",
    "team",
    "roles",
    "work_email",
    "work_phone",
    "pronouns",
    "languages",
}


def test_the_directory_lists_current_colleagues_by_name_with_work_data_only(story):
    response = Client().get("/api/v1/members", headers=bearer(story.amina))
    assert response.status_code == 200
    body = response.json()
    names = [item["name"] for item in body["items"]]
    assert body["count"] == 12  # everyone at Harbourside; nobody from Riverside
    assert names == sorted(names)
    assert "Taras Melnyk" not in names
    for item in body["items"]:
        assert set(item) == WORK_FIELDS
    ravi = next(item for item in body["items"] if item["name"] == "Ravi Shah")
    assert ravi["work_email"] == "ravi@example.org"
    assert {role["code"] for role in ravi["roles"]} == {"staff", "line_manager"}


def test_the_directory_is_paginated_with_page_and_page_size(story):
    headers = bearer(story.amina)
    client = Client()
    first = client.get("/api/v1/members?page_size=5", headers=headers).json()
    third = client.get("/api/v1/members?page_size=5&page=3", headers=headers).json()
    assert first["count"] == third["count"] == 12
    assert len(first["items"]) == 5
    assert len(third["items"]) == 2
    beyond = client.get("/api/v1/members?page=999", headers=headers).json()
    assert beyond["items"] == []


def test_people_who_have_left_are_not_in_the_directory(story):
    with scope(organisation=story.harbourside.pk):
        story.olena.ended_at = timezone.now() - timedelta(days=1)
        story.olena.save(update_fields=["ended_at"])
    body = Client().get("/api/v1/members", headers=bearer(story.amina)).json()
    assert "Olena Petrenko" not in [item["name"] for item in body["items"]]
    assert body["count"] == 11


@pytest.mark.parametrize("who", ["peter", "farah"])
def test_peer_interviewers_and_facilitators_may_not_list_the_directory(story, who):
    response = Client().get("/api/v1/members", headers=bearer(getattr(story, who)))
    assert response.status_code == 403
    assert set(response.json()) == {"detail"}


def test_a_colleagues_card_is_work_data(story):
    response = Client().get(f"/api/v1/members/{story.ravi.pk}", headers=bearer(story.amina))
    assert response.status_code == 200
    assert set(response.json()) == WORK_FIELDS
    assert response.json()["name"] == "Ravi Shah"


def test_a_peer_interviewer_sees_their_own_card_but_no_one_elses(story):
    headers = bearer(story.peter)
    client = Client()
    assert client.get(f"/api/v1/members/{story.peter.pk}", headers=headers).status_code == 200
    assert client.get(f"/api/v1/members/{story.amina.pk}", headers=headers).status_code == 404


def test_other_organisations_members_and_malformed_ids_are_not_found(story):
    headers = bearer(story.daniel)
    client = Client()
    for member_id in (story.taras.pk, "1", "' OR 1=1 --", "0" * 40):
        response = client.get(f"/api/v1/members/{member_id}", headers=headers)
        assert response.status_code == 404, member_id
    assert (
        client.get(f"/api/v1/members/{story.taras.pk}", headers=bearer(story.taras)).status_code
        == 200
    )


def test_the_number_of_queries_does_not_grow_with_the_directory(story):
    headers = bearer(story.amina)
    client = Client()
    client.get("/api/v1/members", headers=headers)  # the token's first use writes last_used_at
    with CaptureQueriesContext(connection) as before:
        client.get("/api/v1/members", headers=headers)
    for n in range(10):
        add_member(
            organisation=story.harbourside,
            username=f"new{n}",
            display_name=f"New {n}",
            email=f"new{n}@example.org",
            roles=[Role.STAFF, Role.VOLUNTEER],
            team=story.team,
        )
    with CaptureQueriesContext(connection) as after:
        body = client.get("/api/v1/members", headers=headers).json()
    assert body["count"] == 22
    assert len(after.captured_queries) == len(before.captured_queries)


def test_a_colleagues_card_shows_their_pronouns_but_never_their_emergency_contact(story):
    from peerwork.people.services import update_profile

    with scope(organisation=story.harbourside):
        update_profile(
            actor=story.amina, pronouns="she/her", emergency_contact="Mama Wanjiru 0700 000 000"
        )
    response = Client().get(f"/api/v1/members/{story.amina.pk}", headers=bearer(story.joseph))
    assert response.json()["pronouns"] == "she/her"
    assert "Mama Wanjiru" not in response.content.decode()
    page = signed_in(story.joseph).get(f"/people/{story.amina.pk}").content.decode()
    assert "she/her" in page
    assert "Mama Wanjiru" not in page
