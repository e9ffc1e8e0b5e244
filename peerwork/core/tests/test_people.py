"""The people directory (``/people``, ``/people/<id>``): work data only, one organisation."""

from __future__ import annotations

import pytest
from django_scopes import scopes_disabled

from peerwork.core.tests.page_checks import assert_sound_page


def test_the_directory_lists_colleagues_with_their_work_details(client, story):
    client.force_login(story.amina.user)
    response = client.get("/people")
    html = assert_sound_page(response)
    assert response.status_code == 200
    for name in ("Ravi Shah", "Grace Njeri", "Chen Li", "Amina Wanjiru"):
        assert name in html
    assert "Organisation admin" in html and "Outreach" in html
    assert "Taras" not in html  # another organisation's member


def test_the_directory_finds_people_by_name(client, story):
    client.force_login(story.amina.user)
    html = assert_sound_page(client.get("/people", {"q": "petrenko"}))
    assert "Olena Petrenko" in html
    assert "Ravi Shah" not in html


def test_a_person_page_shows_work_data_and_the_line_manager(client, story):
    with scopes_disabled():
        story.amina.title = "Peer outreach worker"
        story.amina.work_phone = "+254 700 000 001"
        story.amina.save(update_fields=["title", "work_phone"])
    client.force_login(story.joseph.user)
    response = client.get(f"/people/{story.amina.pk}")
    html = assert_sound_page(response)
    assert response.status_code == 200
    assert "Peer outreach worker" in html
    assert "amina@example.org" in html and "+254 700 000 001" in html
    assert f'href="/people/{story.ravi.pk}">Ravi Shah' in html


def test_a_line_managers_page_lists_whom_they_manage(client, story):
    client.force_login(story.amina.user)
    html = assert_sound_page(client.get(f"/people/{story.ravi.pk}"))
    assert "Manages" in html and "Olena Petrenko" in html


@pytest.mark.parametrize("path", ["/people", "/people/{amina}"])
def test_people_outside_the_working_roles_get_not_found(client, story, path):
    # Peer interviewers may be clients and facilitators may be external (PRODUCT.md).
    for member in (story.peter, story.farah):
        client.force_login(member.user)
        assert client.get(path.format(amina=story.amina.pk)).status_code == 404


def test_a_coach_reaches_the_person_they_coach_and_no_one_else(client, story):
    client.force_login(story.leila.user)
    assert client.get(f"/people/{story.olena.pk}").status_code == 200
    assert client.get(f"/people/{story.amina.pk}").status_code == 404


def test_another_organisations_person_is_not_found_while_the_owner_sees_them(client, story):
    client.force_login(story.ravi.user)
    assert client.get(f"/people/{story.taras.pk}").status_code == 404
    client.force_login(story.taras.user)
    assert client.get(f"/people/{story.taras.pk}").status_code == 200


@pytest.mark.parametrize("bad_id", ["not-a-uuid", "123", "00000000-0000-0000-0000-000000000000"])
def test_malformed_and_unknown_ids_are_not_found(client, story, bad_id):
    client.force_login(story.ravi.user)
    assert client.get(f"/people/{bad_id}").status_code == 404


def test_anonymous_people_are_sent_to_sign_in(client, story):
    response = client.get(f"/people/{story.amina.pk}")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_directory_pages_through_long_lists(client, story):
    from peerwork.core.models import Role
    from peerwork.core.services import add_member

    with scopes_disabled():
        for number in range(45):
            add_member(
                organisation=story.harbourside,
                username=f"p{number:02}",
                display_name=f"Zed {number:02}",
                email=f"p{number}@example.org",
                roles=[Role.STAFF],
            )
    client.force_login(story.amina.user)
    first = assert_sound_page(client.get("/people"))
    assert "Page 1 of 2" in first and "Zed 44" not in first
    second = assert_sound_page(client.get("/people", {"page": "2"}))
    assert "Zed 44" in second


def test_a_coach_sees_no_links_into_pages_that_would_not_answer_them(client, story):
    client.force_login(story.leila.user)
    html = assert_sound_page(client.get(f"/people/{story.olena.pk}"))
    assert "Ravi Shah" in html and "Outreach" in html
    assert f"/people/{story.ravi.pk}" not in html and f"/teams/{story.team.pk}" not in html
    assert 'href="/people"' not in html
