"""Who sent an old text is forgotten after 90 days; the message id stays, so a replay of
it is still refused however late (issue 5 item 3; personal_data.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django_scopes import scope, scopes_disabled

from peerwork.core.deadlines import registered_steps
from peerwork.outreach import sms
from peerwork.outreach.models import InboundSms, SmsNumber

NOW = datetime(2026, 11, 24, 18, 0, tzinfo=UTC)


@pytest.fixture
def texts(story):
    def text(organisation, member, message_id, days_ago):
        with scope(organisation=organisation.pk):
            number = SmsNumber.objects.filter(organisation=organisation).first()
            if number is None:
                number = SmsNumber.objects.create(
                    organisation=organisation,
                    number=f"+25470000{len(message_id)}{organisation.slug[:2]}",
                    gateway=SmsNumber.Gateway.HTTP,
                    secret="s3cret-for-tests",
                )
            return InboundSms.objects.create(
                organisation=organisation,
                number=number,
                message_id=message_id,
                member=member,
                received_at=NOW - timedelta(days=days_ago),
                outcome="in",
            )

    return text


def test_the_step_is_in_the_deadline_loop():
    assert sms.forget_senders in registered_steps()


def test_texts_older_than_90_days_forget_their_sender_in_every_organisation(story, texts):
    old = texts(story.harbourside, story.amina, "old-1", 91)
    recent = texts(story.harbourside, story.joseph, "recent-1", 89)
    elsewhere = texts(story.riverside, story.taras, "old-2", 120)
    assert sms.forget_senders(NOW) == 2
    with scopes_disabled():
        kept = {row.message_id: row.member_id for row in InboundSms.objects.all()}
    assert kept == {"old-1": None, "recent-1": story.joseph.pk, "old-2": None}
    # The rows stay: their message ids keep refusing replays.
    with scopes_disabled():
        assert set(InboundSms.objects.values_list("pk", flat=True)) == {
            old.pk,
            recent.pk,
            elsewhere.pk,
        }
    assert sms.forget_senders(NOW) == 0
