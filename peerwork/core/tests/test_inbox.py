"""The inbox (``/inbox``): a person's own notifications, marked read one by one."""

from __future__ import annotations

import pytest
from django_scopes import scopes_disabled

from peerwork.core.models import Notification
from peerwork.core.tests.page_checks import assert_sound_page


def note(story, recipient, **extra) -> Notification:
    fields = {"kind": "test.hello", **extra}
    with scopes_disabled():
        return Notification.objects.create(
            organisation_id=recipient.organisation_id, recipient=recipient, **fields
        )


def test_the_inbox_lists_ones_own_notifications_only(client, story):
    mine = note(story, story.amina)
    ravis = note(story, story.ravi)
    client.force_login(story.amina.user)
    html = assert_sound_page(client.get("/inbox"))
    assert f'id="note-{mine.pk}"' in html
    assert f'id="note-{ravis.pk}"' not in html
    assert "Mark as read" in html


def test_an_empty_inbox_says_what_will_arrive(client, story):
    client.force_login(story.peter.user)
    html = assert_sound_page(client.get("/inbox"))
    assert "Nothing here yet" in html


def test_marking_read_without_javascript_returns_to_the_inbox(client, story):
    mine = note(story, story.amina)
    client.force_login(story.amina.user)
    response = client.post(f"/inbox/{mine.pk}/read")
    assert response.status_code == 302 and response["Location"] == "/inbox"
    mine.refresh_from_db()
    assert mine.read_at is not None
    html = client.get("/inbox").content.decode()
    assert f'id="note-{mine.pk}"' in html and "Mark as read" not in html


def test_marking_read_with_htmx_answers_with_the_item_alone(client, story):
    mine = note(story, story.amina)
    client.force_login(story.amina.user)
    response = client.post(f"/inbox/{mine.pk}/read", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.strip().startswith(f'<li id="note-{mine.pk}"')
    assert "<html" not in html and "Mark as read" not in html


def test_marking_read_twice_keeps_the_first_time(client, story):
    mine = note(story, story.amina)
    client.force_login(story.amina.user)
    client.post(f"/inbox/{mine.pk}/read")
    mine.refresh_from_db()
    first = mine.read_at
    client.post(f"/inbox/{mine.pk}/read")
    mine.refresh_from_db()
    assert mine.read_at == first


@pytest.mark.parametrize("whose", ["ravi", "taras"])
def test_someone_elses_notification_is_not_found(client, story, whose):
    theirs = note(story, getattr(story, whose))
    client.force_login(story.amina.user)
    assert client.post(f"/inbox/{theirs.pk}/read").status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    client.force_login(getattr(story, whose).user)
    assert client.post(f"/inbox/{theirs.pk}/read").status_code == 302


def test_malformed_ids_are_not_found_and_reading_needs_a_post(client, story):
    mine = note(story, story.amina)
    client.force_login(story.amina.user)
    assert client.post("/inbox/not-a-uuid/read").status_code == 404
    assert client.get(f"/inbox/{mine.pk}/read").status_code == 405


def token_expiry_note(story, recipient) -> Notification:
    return note(
        story,
        recipient,
        kind="core.api_token_expiring",
        params={"expires_at": "2026-12-01T09:00:00+00:00"},
    )


def test_messages_show_their_words_and_link_in_the_readers_language(client, story):
    token_expiry_note(story, story.amina)
    client.force_login(story.amina.user)
    html = assert_sound_page(client.get("/inbox"))
    assert "An API token expires soon" in html
    assert "stops working on" in html and "2026" in html
    assert 'href="/tokens"' in html


def test_the_inbox_answers_with_the_same_number_of_queries_for_few_or_many_messages(client, story):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(story.amina.user)
    counts = []
    for total in (3, 45):
        with scopes_disabled():
            existing = Notification.objects.filter(recipient=story.amina).count()
        for _ in range(total - existing):
            token_expiry_note(story, story.amina)
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/inbox").status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_the_menu_counts_unread_messages_on_every_page(client, story):
    note(story, story.amina)
    note(story, story.amina)
    client.force_login(story.amina.user)
    html = assert_sound_page(client.get("/people"))
    assert '>Inbox <span class="badge">2<span class="vh"> unread</span></span></a>' in html
    client.force_login(story.ravi.user)
    assert 'class="badge"' not in client.get("/people").content.decode()
