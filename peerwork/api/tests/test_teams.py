"""/sites and /teams: who sees them, who changes them, and If-Match on a change."""

from __future__ import annotations

import pytest
from django.test import Client
from django_scopes import scope

from peerwork.api.tests.helpers import bearer
from peerwork.core.models import Site, Team

pytestmark = pytest.mark.django_db


def _patch(team_id: object, body: dict[str, object], headers: dict[str, str], if_match: str | None):
    if if_match is not None:
        headers = {**headers, "If-Match": if_match}
    return Client().patch(
        f"/api/v1/teams/{team_id}", body, content_type="application/json", headers=headers
    )


def test_a_working_member_lists_and_reads_sites_and_teams(story):
    headers = bearer(story.joseph)
    client = Client()
    sites = client.get("/api/v1/sites", headers=headers).json()
    assert sites == {
        "items": [{"id": str(story.site.pk), "name": "Drop-in centre", "address": ""}],
        "count": 1,
    }
    site = client.get(f"/api/v1/sites/{story.site.pk}", headers=headers)
    assert site.status_code == 200
    assert site.json()["name"] == "Drop-in centre"
    teams = client.get("/api/v1/teams", headers=headers).json()
    assert teams["items"] == [
        {
            "id": str(story.team.pk),
            "name": "Outreach",
            "version": 1,
            "site": {"id": str(story.site.pk), "name": "Drop-in centre"},
        }
    ]
    team = client.get(f"/api/v1/teams/{story.team.pk}", headers=headers)
    assert team.status_code == 200
    assert team["ETag"] == '"1"'


@pytest.mark.parametrize("who", ["peter", "farah"])
def test_those_who_see_no_directory_may_not_list_sites_or_teams(story, who):
    headers = bearer(getattr(story, who))
    client = Client()
    for path in ("/sites", "/teams"):
        response = client.get(f"/api/v1{path}", headers=headers)
        assert response.status_code == 403, path
        assert response.json()["detail"]
    # And a single team is as unknown to them as a missing one.
    assert client.get(f"/api/v1/teams/{story.team.pk}", headers=headers).status_code == 404
    assert client.get(f"/api/v1/sites/{story.site.pk}", headers=headers).status_code == 404


def test_another_organisations_or_malformed_ids_are_not_found(story):
    headers = bearer(story.chen)
    client = Client()
    for path in (
        f"/teams/{story.other_team.pk}",
        f"/sites/{story.other_site.pk}",
        "/teams/42",
        "/teams/not-a-uuid",
        "/sites/%00",
        "/teams/00000000-0000-0000-0000-000000000000",
    ):
        response = client.get(f"/api/v1{path}", headers=headers)
        assert response.status_code == 404, path
        assert response.json() == {"detail": "Not found."}
    owner = client.get(f"/api/v1/teams/{story.other_team.pk}", headers=bearer(story.taras))
    assert owner.status_code == 200


def test_the_org_admin_adds_a_team_at_a_site(story):
    response = Client().post(
        "/api/v1/teams",
        {"name": "Night outreach", "site_id": str(story.site.pk)},
        content_type="application/json",
        headers=bearer(story.chen),
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "Night outreach"
    assert body["site"]["id"] == str(story.site.pk)
    assert body["version"] == 1
    with scope(organisation=story.harbourside.pk):
        assert Team.objects.filter(name="Night outreach", site=story.site).exists()


@pytest.mark.parametrize("who", ["amina", "ravi", "grace", "peter"])
def test_members_who_are_not_org_admins_may_not_add_teams(story, who):
    response = Client().post(
        "/api/v1/teams",
        {"name": "Shadow team"},
        content_type="application/json",
        headers=bearer(getattr(story, who)),
    )
    assert response.status_code == 403
    with scope(organisation=story.harbourside.pk):
        assert not Team.objects.filter(name="Shadow team").exists()


def test_a_duplicate_name_or_an_unknown_site_is_refused_with_the_field_named(story):
    headers = bearer(story.chen)
    client = Client()
    duplicate = client.post(
        "/api/v1/teams", {"name": "outreach"}, content_type="application/json", headers=headers
    )
    assert duplicate.status_code == 400
    assert list(duplicate.json()["errors"]) == ["name"]
    assert duplicate.json()["detail"] == duplicate.json()["errors"]["name"][0]
    # Riverside's site is as unknown here as one that never existed.
    elsewhere = client.post(
        "/api/v1/teams",
        {"name": "Podil", "site_id": str(story.other_site.pk)},
        content_type="application/json",
        headers=headers,
    )
    assert elsewhere.status_code == 400
    assert list(elsewhere.json()["errors"]) == ["site_id"]


def test_a_body_that_does_not_fit_the_schema_gets_422(story):
    headers = bearer(story.chen)
    client = Client()
    for body in (
        {},
        {"name": ""},
        {"name": 5},
        {"name": "x", "site_id": "nope"},
        {"name": "a\x00b"},
    ):
        response = client.post(
            "/api/v1/teams", body, content_type="application/json", headers=headers
        )
        assert response.status_code == 422, body
        assert isinstance(response.json()["detail"], list)


def test_the_org_admin_renames_a_team_with_the_version_read(story):
    response = _patch(story.team.pk, {"name": "Street outreach"}, bearer(story.chen), '"1"')
    assert response.status_code == 200, response.content
    assert response.json()["name"] == "Street outreach"
    assert response.json()["version"] == 2
    assert response["ETag"] == '"2"'
    assert response.json()["site"]["id"] == str(story.site.pk)  # untouched: not sent


def test_a_change_made_against_an_old_version_gets_409(story):
    chen = bearer(story.chen)
    assert _patch(story.team.pk, {"name": "First"}, chen, "1").status_code == 200
    stale = _patch(story.team.pk, {"name": "Second"}, chen, "1")
    assert stale.status_code == 409
    assert stale.json()["detail"]
    with scope(organisation=story.harbourside.pk):
        team = Team.objects.get(pk=story.team.pk)
    assert (team.name, team.version) == ("First", 2)


def test_a_change_without_if_match_does_not_fit_and_a_malformed_one_is_refused(story):
    chen = bearer(story.chen)
    assert _patch(story.team.pk, {"name": "x"}, chen, None).status_code == 422
    malformed = _patch(story.team.pk, {"name": "x"}, chen, "yesterday")
    assert malformed.status_code == 400
    assert "If-Match" in malformed.json()["errors"]


def test_site_null_takes_a_team_off_its_site_and_another_site_moves_it(story):
    chen = bearer(story.chen)
    off = _patch(story.team.pk, {"site_id": None}, chen, "1")
    assert off.status_code == 200
    assert off.json()["site"] is None
    with scope(organisation=story.harbourside.pk):
        office = Site.objects.create(organisation=story.harbourside, name="Office")
    moved = _patch(story.team.pk, {"site_id": str(office.pk)}, chen, "2")
    assert moved.json()["site"] == {"id": str(office.pk), "name": "Office"}


def test_a_member_who_sees_a_team_but_may_not_change_it_gets_403(story):
    response = _patch(story.team.pk, {"name": "Mine now"}, bearer(story.amina), "1")
    assert response.status_code == 403
    with scope(organisation=story.harbourside.pk):
        assert Team.objects.get(pk=story.team.pk).name == "Outreach"


def test_changing_another_organisations_team_is_not_found(story):
    response = _patch(story.other_team.pk, {"name": "Taken"}, bearer(story.chen), "1")
    assert response.status_code == 404
    assert _patch("not-a-uuid", {"name": "x"}, bearer(story.chen), "1").status_code == 404
