"""Error pages (404, 403, 400, 500, CSRF failure): plain, in the layout, no internals."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.test import Client

from peerwork.core.tests.page_checks import assert_sound_page


def test_an_unknown_page_answers_with_our_plain_not_found_page(client, story):
    client.force_login(story.amina.user)
    response = client.get("/no/such/page")
    html = assert_sound_page(response)
    assert response.status_code == 404
    assert "Page not found" in html and "Harbourside Harm Reduction" in html
    assert "Traceback" not in html and "urlpatterns" not in html


def test_a_refused_action_answers_with_our_plain_not_allowed_page(client, story):
    client.force_login(story.amina.user)
    response = client.get(f"/teams/{story.team.pk}/edit")
    html = assert_sound_page(response)
    assert response.status_code == 403 and "Not allowed" in html


def test_a_form_sent_without_its_csrf_token_gets_a_plain_explanation(story):
    client = Client(enforce_csrf_checks=True)
    client.force_login(story.amina.user)
    response = client.post("/tokens", {"name": "x", "lifetime": "30"})
    html = assert_sound_page(response)
    assert response.status_code == 403 and "Please try again" in html
    assert "CSRF" not in html


def test_the_server_error_page_renders_without_a_request_or_database():
    html = render_to_string("500.html")
    assert "Something went wrong" in html and "/static/core/peerwork.css" in html


def test_the_bad_request_page_renders(rf, db):
    request = rf.get("/")
    request.user = None
    html = render_to_string("400.html", request=request)
    assert "Something in the request was wrong" in html
