"""The shift link is not bound to the 15-minute session (issue 5 item 3): on a phone whose
Peerwork session has ended, the session is ended as anywhere else, and the link still
answers with its PIN page instead of sending the worker to sign in."""

from __future__ import annotations

import time

import pytest
from django.test import Client
from django.urls import reverse
from django_scopes import scope

from peerwork.core.session_limits import LAST_ACTIVITY, SIGNED_IN_AT
from peerwork.outreach.apps import LINK_PREFIX

from .link_story import PIN, path_of, plan, with_pins


@pytest.fixture
def org(story):
    with scope(organisation=story.harbourside.pk):
        with_pins(story)
        yield story


def idle_phone(member) -> Client:
    """Amina's phone, signed in to Peerwork an hour ago and idle since."""
    phone = Client()
    phone.force_login(member.user)
    session = phone.session
    an_hour_ago = int(time.time()) - 3600
    session[LAST_ACTIVITY] = session[SIGNED_IN_AT] = an_hour_ago
    session.save()
    return phone


def test_the_link_prefix_is_where_the_links_live():
    assert reverse("outreach:link", args=["token"]).startswith(LINK_PREFIX)


def test_an_ended_session_still_opens_the_link_with_the_pin(org):
    shift = plan(org)
    phone = idle_phone(org.amina)
    path = path_of(shift, org.amina)
    page = phone.get(path)
    assert page.status_code == 200 and "Type your PIN" in page.content.decode()
    # The ended session is ended all the same: the rest of Peerwork asks to sign in.
    assert "_auth_user_id" not in phone.session
    assert phone.get("/").status_code == 302
    opened = phone.post(path, {"pin": PIN})
    assert opened.status_code == 303 and opened["Location"] == path


def test_elsewhere_an_ended_session_still_sends_the_person_to_sign_in(org):
    phone = idle_phone(org.amina)
    response = phone.get("/outreach/")
    assert response.status_code == 302 and "login" in response["Location"]
