"""API tokens (``/tokens``): make one (shown once), list one's own, revoke."""

from __future__ import annotations

import re

import pytest
from django_scopes import scopes_disabled

from peerwork.core.models import ApiToken
from peerwork.core.tests.page_checks import assert_sound_page
from peerwork.core.tokens import authenticate_token, create_token


def test_a_new_token_is_shown_once_with_a_warning_and_works(client, story):
    client.force_login(story.amina.user)
    response = client.post("/tokens", {"name": "Phone calendar", "lifetime": "30"})
    html = assert_sound_page(response)
    assert response.status_code == 200
    assert "Copy it now: it is shown only this once." in html
    raw = re.search(r'id="new-token" class="secret" value="([^"]+)"', html).group(1)
    token = authenticate_token(raw)
    assert token is not None and token.membership_id == story.amina.pk
    assert (token.expires_at - token.created_at).days == 30

    listing = assert_sound_page(client.get("/tokens"))
    assert "Phone calendar" in listing and raw not in listing
    assert f"pw_{token.prefix}_…" in listing


def test_a_token_without_a_name_is_refused_keeping_the_lifetime(client, story):
    client.force_login(story.amina.user)
    response = client.post("/tokens", {"name": "", "lifetime": "365"})
    html = assert_sound_page(response)
    assert 'id="id_name_error"' in html
    assert '<option value="365" selected>' in html
    with scopes_disabled():
        assert not ApiToken.objects.exists()


def test_an_unknown_lifetime_is_refused(client, story):
    client.force_login(story.amina.user)
    html = client.post("/tokens", {"name": "x", "lifetime": "100000"}).content.decode()
    assert 'id="id_lifetime_error"' in html


def test_the_list_shows_only_ones_own_tokens(client, story):
    with scopes_disabled():
        create_token(member=story.amina, name="Amina's script")
        create_token(member=story.ravi, name="Ravi's script")
    client.force_login(story.amina.user)
    html = assert_sound_page(client.get("/tokens"))
    assert "Amina&#x27;s script" in html and "Ravi" not in html


def test_revoking_a_token_stops_it_working(client, story):
    with scopes_disabled():
        token, raw = create_token(member=story.amina, name="Old laptop")
    client.force_login(story.amina.user)
    response = client.post(f"/tokens/{token.pk}/revoke")
    assert response.status_code == 302
    assert authenticate_token(raw) is None
    html = assert_sound_page(client.get("/tokens"))
    assert "Revoked" in html and "Old laptop revoked" in html


@pytest.mark.parametrize("whose", ["ravi", "taras"])
def test_someone_elses_token_cannot_be_revoked(client, story, whose):
    with scopes_disabled():
        token, raw = create_token(member=getattr(story, whose), name="Theirs")
    client.force_login(story.amina.user)
    assert client.post(f"/tokens/{token.pk}/revoke").status_code == 404
    assert authenticate_token(raw) is not None
    client.force_login(getattr(story, whose).user)
    assert client.post(f"/tokens/{token.pk}/revoke").status_code == 302


def test_malformed_token_ids_are_not_found(client, story):
    client.force_login(story.amina.user)
    assert client.post("/tokens/nope/revoke").status_code == 404


def test_anonymous_people_are_sent_to_sign_in(client, story):
    response = client.get("/tokens")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
