"""Sign-in pages (django-allauth) inside Peerwork's layout; sign-up is by invitation only."""

from __future__ import annotations

from peerwork.core.tests.page_checks import assert_sound_page

PASSWORD = "correct horse battery"  # the story's


def test_the_sign_in_page_is_in_our_layout_with_labelled_fields(client, db):
    response = client.get("/accounts/login/")
    html = assert_sound_page(response)
    assert response.status_code == 200
    assert 'class="skip"' in html and "Demo: example people and data" in html
    assert "<title>Sign in · Peerwork</title>" in html
    assert '<label for="id_login">Username or email' in html
    assert '<label for="id_password">' in html
    assert "sign up" not in html.lower()
    assert 'class="nav"' not in html  # nothing to navigate before signing in


def test_a_person_signs_in_with_their_username(client, story):
    response = client.post("/accounts/login/", {"login": "amina", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    assert "Hello, Amina Wanjiru" in client.get("/").content.decode()


def test_a_person_signs_in_with_their_email(client, story):
    response = client.post("/accounts/login/", {"login": "olena@example.org", "password": PASSWORD})
    assert response.status_code == 302
    assert "Hello, Olena Petrenko" in client.get("/").content.decode()


def test_a_wrong_password_is_refused_keeping_the_login_typed(client, story):
    response = client.post("/accounts/login/", {"login": "amina", "password": "wrong one"})
    html = assert_sound_page(response)
    assert response.status_code == 200
    assert 'role="alert"' in html
    assert 'value="amina"' in html
    assert client.get("/").status_code == 302  # still signed out


def test_sign_up_is_closed_and_points_to_invitations(client, db):
    html = assert_sound_page(client.get("/accounts/signup/"))
    assert "Accounts are made by invitation" in html


def test_the_password_reset_page_is_in_our_layout(client, db):
    response = client.get("/accounts/password/reset/")
    html = assert_sound_page(response)
    assert response.status_code == 200
    assert 'class="skip"' in html and '<label for="id_email">' in html


def test_signing_out_takes_a_post_from_the_header(client, story):
    client.force_login(story.amina.user)
    html = client.get("/").content.decode()
    assert '<form method="post" action="/accounts/logout/">' in html
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/").status_code == 302


def test_allauths_other_account_pages_render_in_our_layout_without_inline_code(client, story):
    anonymous = ["/accounts/password/reset/done/", "/accounts/password/reset/key/1-bad-key/"]
    for path in anonymous:
        response = client.get(path)
        assert response.status_code == 200, path
        assert 'class="skip"' in assert_sound_page(response), path
    client.force_login(story.amina.user)
    for path in ("/accounts/logout/", "/accounts/password/change/"):
        response = client.get(path)
        assert response.status_code == 200, path
        html = assert_sound_page(response)
        assert 'class="nav"' in html and "Harbourside Harm Reduction" in html, path
