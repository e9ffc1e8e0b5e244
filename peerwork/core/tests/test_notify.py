"""``peerwork.core.notify``: the inbox message, a delivery per chosen channel, sends queued
only on commit, words rendered late in the reader's language, and the inbox service."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy
from django_scopes import scope, scopes_disabled
from django_tasks_db.models import DBTaskResult

from peerwork.core.models import (
    Delivery,
    Notification,
    NotificationPreference,
    WebhookEndpoint,
)
from peerwork.core.notify import (
    API_TOKEN_EXPIRING,
    INVITATION_ACCEPTED,
    inbox_for,
    mark_read,
    notify,
    recipient_language,
    register_kind,
    render,
    unread_count,
    validate_params,
)

# A kind of this test's own, whose context says which language it was rendered in.
LANGUAGE_PROBE = register_kind(
    "tests.language_probe",
    subject=gettext_lazy("A message from Peerwork"),
    body="%(language)s",
    default_channels=("email", "sms"),
    context=lambda notification: {"language": translation.get_language()},
)


def queued_deliveries() -> list[str]:
    return [
        row.args_kwargs["args"][0]
        for row in DBTaskResult.objects.filter(task_path="peerwork.core.tasks.deliver")
    ]


def deliveries_of(notification: Notification) -> list[Delivery]:
    with scopes_disabled():
        return list(Delivery.objects.filter(notification=notification).order_by("channel"))


def test_it_makes_an_inbox_message_and_a_delivery_per_default_channel(
    story, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(
            recipient=story.amina,
            kind=API_TOKEN_EXPIRING.kind,
            params={"token": "b3c1", "expires_at": "2026-12-01T09:00:00+00:00"},
        )
    assert notification.recipient == story.amina
    assert notification.organisation_id == story.harbourside.pk
    assert notification.params == {"token": "b3c1", "expires_at": "2026-12-01T09:00:00+00:00"}
    deliveries = deliveries_of(notification)
    assert [d.channel for d in deliveries] == ["email"]
    assert deliveries[0].state == Delivery.State.PENDING
    assert queued_deliveries() == [str(deliveries[0].pk)]


def test_a_kind_with_no_default_channels_goes_to_the_inbox_only(
    story, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notification = notify(
            recipient=story.chen,
            kind=INVITATION_ACCEPTED.kind,
            params={"membership": str(story.amina.pk)},
        )
    assert deliveries_of(notification) == []
    assert callbacks == []
    with scopes_disabled():
        assert Notification.objects.filter(recipient=story.chen).count() == 1


def test_the_persons_preference_replaces_the_kinds_default_and_webhooks_go_to_endpoints_listing_the_kind(
    story, django_capture_on_commit_callbacks
):
    with scope(organisation=story.harbourside.pk):
        NotificationPreference.objects.create(
            organisation=story.harbourside,
            membership=story.amina,
            kind=API_TOKEN_EXPIRING.kind,
            channels=["sms", "webhook", "inbox"],
        )
        listing = WebhookEndpoint.objects.create(
            organisation=story.harbourside,
            url="https://hooks.example.org/a",
            secret="s" * 32,
            kinds=[API_TOKEN_EXPIRING.kind],
        )
        WebhookEndpoint.objects.create(
            organisation=story.harbourside,
            url="https://hooks.example.org/b",
            secret="s" * 32,
            kinds=["core.invitation_accepted"],
        )
        WebhookEndpoint.objects.create(
            organisation=story.harbourside,
            url="https://hooks.example.org/c",
            secret="s" * 32,
            kinds=[API_TOKEN_EXPIRING.kind],
            is_active=False,
        )
    with scope(organisation=story.riverside.pk):
        WebhookEndpoint.objects.create(
            organisation=story.riverside,
            url="https://hooks.example.org/other",
            secret="s" * 32,
            kinds=[API_TOKEN_EXPIRING.kind],
        )
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(recipient=story.amina, kind=API_TOKEN_EXPIRING.kind)
    deliveries = deliveries_of(notification)
    assert [(d.channel, d.endpoint_id) for d in deliveries] == [
        ("sms", None),
        ("webhook", listing.pk),
    ]
    assert sorted(queued_deliveries()) == sorted(str(d.pk) for d in deliveries)


def test_nothing_is_queued_before_the_commit_or_at_all_when_the_change_rolls_back(
    story, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notify(recipient=story.amina, kind=API_TOKEN_EXPIRING.kind)
        assert queued_deliveries() == []  # not before the commit
        raise RuntimeError("the change fails")
    assert callbacks == []
    assert queued_deliveries() == []
    with scopes_disabled():
        assert not Notification.objects.exists()
        assert not Delivery.objects.exists()


def test_a_person_whose_membership_ended_gets_the_inbox_message_only(
    story, django_capture_on_commit_callbacks
):
    story.olena.ended_at = timezone.now() - timedelta(days=1)
    with scope(organisation=story.harbourside.pk):
        story.olena.save(update_fields=["ended_at"])
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(recipient=story.olena, kind=API_TOKEN_EXPIRING.kind)
    assert deliveries_of(notification) == []


@pytest.mark.parametrize(
    "params",
    [
        {"name": "Amina Wanjiru uses the drop-in's needle exchange on Tuesdays and Fridays"},
        {"nested": {"id": "x"}},
        {"list": ["a"]},
        {"": "empty name"},
        {f"p{i}": i for i in range(20)},
    ],
)
def test_parameters_are_short_opaque_values_only(params):
    with pytest.raises(ValueError):
        validate_params(params)


def test_parameters_accept_ids_numbers_flags_and_times():
    when = timezone.now()
    assert validate_params({"id": "9f1c", "n": 3, "ok": True, "none": None, "at": when}) == {
        "id": "9f1c",
        "n": 3,
        "ok": True,
        "none": None,
        "at": when.isoformat(),
    }


def test_an_unregistered_kind_is_refused(story):
    with pytest.raises(ValueError):
        notify(recipient=story.amina, kind="core.no_such_kind")


def test_a_kind_is_registered_once():
    with pytest.raises(ValueError):
        register_kind("tests.language_probe", subject="x", body="y")


def test_the_language_is_the_persons_own_else_the_organisations_first_else_english(story):
    assert recipient_language(story.amina) == "en"  # no own language; Harbourside: en, sw
    assert recipient_language(story.taras) == "uk"  # Riverside works in uk, ru
    story.amina.user.language = "sw"
    assert recipient_language(story.amina) == "sw"
    story.harbourside.languages = []
    story.amina.user.language = ""
    assert recipient_language(story.amina) == "en"


def test_words_are_rendered_when_shown_in_the_language_asked_for(story):
    notification = notify(recipient=story.taras, kind=LANGUAGE_PROBE.kind)
    assert render(notification, language=recipient_language(story.taras)).body == "uk"
    with translation.override("ru"):
        assert notification.body == "ru"
    with translation.override("en"):
        assert notification.body == "en"


def test_inbox_messages_render_subject_body_and_link_in_the_active_language(story):
    notification = notify(
        recipient=story.amina,
        kind=API_TOKEN_EXPIRING.kind,
        params={"token": "b3c1", "expires_at": "2026-12-01T22:30:00+00:00"},
    )
    with translation.override("en"):
        assert notification.subject == "An API token expires soon"
        # In Harbourside's time zone (Nairobi, UTC+3) it is already the 2nd.
        assert "Dec. 2, 2026" in notification.body
        assert notification.link == reverse("core:tokens")


def test_the_inbox_lists_the_members_own_messages_newest_first(story):
    now = timezone.now()
    older = notify(
        recipient=story.amina, kind=INVITATION_ACCEPTED.kind, now=now - timedelta(hours=2)
    )
    newer = notify(recipient=story.amina, kind=API_TOKEN_EXPIRING.kind, now=now)
    notify(recipient=story.ravi, kind=API_TOKEN_EXPIRING.kind, now=now)
    notify(recipient=story.taras, kind=API_TOKEN_EXPIRING.kind, now=now)
    assert list(inbox_for(story.amina)) == [newer, older]
    assert unread_count(story.amina) == 2


def test_marking_read_changes_the_members_own_message_once(story):
    notification = notify(recipient=story.amina, kind=API_TOKEN_EXPIRING.kind)
    assert mark_read(member=story.amina, notification=notification) is True
    assert notification.read_at is not None
    assert mark_read(member=story.amina, notification=notification) is False
    assert unread_count(story.amina) == 0


def test_nobody_marks_anothers_message_read(story):
    notification = notify(recipient=story.amina, kind=API_TOKEN_EXPIRING.kind)
    with pytest.raises(PermissionDenied):
        mark_read(member=story.ravi, notification=notification)
    assert unread_count(story.amina) == 1
