"""Teams and sites (``/teams``, ``/teams/<id>``, create and edit for org admins)."""

from __future__ import annotations

import pytest
from django_scopes import scopes_disabled

from peerwork.core.models import Site, Team
from peerwork.core.tests.page_checks import assert_sound_page


def test_the_teams_page_lists_sites_with_their_teams(client, story):
    with scopes_disabled():
        Site.objects.create(organisation=story.harbourside, name="Clinic annex")
        Team.objects.create(organisation=story.harbourside, name="Support group")
    client.force_login(story.amina.user)
    html = assert_sound_page(client.get("/teams"))
    assert "Drop-in centre" in html and "Clinic annex" in html
    assert "No teams at this site." in html
    assert "Outreach" in html and "12 people" in html
    assert "Teams without a site" in html and "Support group" in html
    assert "Peer team" not in html  # Riverside's
    assert "New team" not in html


def test_a_team_page_lists_its_members(client, story):
    client.force_login(story.amina.user)
    html = assert_sound_page(client.get(f"/teams/{story.team.pk}"))
    assert "Outreach" in html and "Site: Drop-in centre" in html
    assert "Olena Petrenko" in html
    assert "Edit team" not in html


def test_the_org_admin_makes_a_team(client, story):
    client.force_login(story.chen.user)
    assert "New team" in assert_sound_page(client.get("/teams"))
    assert_sound_page(client.get("/teams/new"))
    response = client.post("/teams/new", {"name": "Night outreach", "site": str(story.site.pk)})
    assert response.status_code == 302
    with scopes_disabled():
        team = Team.objects.get(organisation=story.harbourside, name="Night outreach")
    assert team.site == story.site
    assert response["Location"] == f"/teams/{team.pk}"


def test_a_duplicate_name_is_refused_beside_the_field_keeping_what_was_typed(client, story):
    client.force_login(story.chen.user)
    response = client.post("/teams/new", {"name": "outreach", "site": str(story.site.pk)})
    html = assert_sound_page(response)
    assert response.status_code == 200
    assert 'id="id_name_error"' in html and "already a team with this name" in html
    assert 'aria-describedby="id_name_error"' in html and 'aria-invalid="true"' in html
    assert 'value="outreach"' in html
    assert f'<option value="{story.site.pk}" selected>' in html


def test_another_organisations_site_is_not_a_choice(client, story):
    client.force_login(story.chen.user)
    response = client.post("/teams/new", {"name": "Borrowed", "site": str(story.other_site.pk)})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    with scopes_disabled():
        assert not Team.objects.filter(name="Borrowed").exists()


def test_the_org_admin_renames_a_team_and_its_version_moves_on(client, story):
    client.force_login(story.chen.user)
    html = assert_sound_page(client.get(f"/teams/{story.team.pk}/edit"))
    assert 'name="version" value="1"' in html
    response = client.post(
        f"/teams/{story.team.pk}/edit",
        {"name": "Street outreach", "site": str(story.site.pk), "version": "1"},
    )
    assert response.status_code == 302
    story.team.refresh_from_db()
    assert story.team.name == "Street outreach" and story.team.version == 2


def test_a_save_over_someone_elses_change_is_refused_and_nothing_typed_is_lost(client, story):
    client.force_login(story.chen.user)
    # Someone else saves first (version 1 → 2) while Chen has the form open at version 1.
    with scopes_disabled():
        Team.objects.filter(pk=story.team.pk).update(name="Evening outreach", version=2)
    response = client.post(
        f"/teams/{story.team.pk}/edit", {"name": "Street outreach", "site": "", "version": "1"}
    )
    html = assert_sound_page(response)
    assert response.status_code == 200
    assert "Someone else changed this team" in html and "Name: Evening outreach" in html
    assert 'value="Street outreach"' in html  # what Chen typed
    assert 'name="version" value="2"' in html  # the next save knowingly goes over theirs
    story.team.refresh_from_db()
    assert story.team.name == "Evening outreach"
    again = client.post(
        f"/teams/{story.team.pk}/edit", {"name": "Street outreach", "site": "", "version": "2"}
    )
    assert again.status_code == 302
    story.team.refresh_from_db()
    assert story.team.name == "Street outreach" and story.team.site is None


@pytest.mark.parametrize("path", ["/teams/new", "/teams/{team}/edit"])
def test_members_who_are_not_org_admins_may_not_change_teams(client, story, path):
    for member in (story.amina, story.grace, story.daniel):
        client.force_login(member.user)
        assert client.get(path.format(team=story.team.pk)).status_code == 403
        assert client.post(path.format(team=story.team.pk), {"name": "Mine"}).status_code == 403
    story.team.refresh_from_db()
    assert story.team.name == "Outreach"


@pytest.mark.parametrize("path", ["/teams/{team}", "/teams/{team}/edit"])
def test_another_organisations_team_is_not_found_while_its_own_admin_sees_it(client, story, path):
    client.force_login(story.chen.user)
    assert client.get(path.format(team=story.other_team.pk)).status_code == 404
    assert client.get(path.format(team=story.team.pk)).status_code == 200


@pytest.mark.parametrize("bad_id", ["nope", "1", "00000000-0000-0000-0000-000000000000"])
def test_malformed_and_unknown_team_ids_are_not_found(client, story, bad_id):
    client.force_login(story.chen.user)
    assert client.get(f"/teams/{bad_id}").status_code == 404
    assert client.post(f"/teams/{bad_id}/edit", {"name": "x"}).status_code == 404


def test_people_outside_the_working_roles_do_not_see_teams(client, story):
    client.force_login(story.peter.user)
    assert client.get("/teams").status_code == 404
    assert client.get(f"/teams/{story.team.pk}").status_code == 404
