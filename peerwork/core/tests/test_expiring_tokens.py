from datetime import timedelta

from django.utils import timezone
from django_scopes import scope

from peerwork.core.deadlines import ExpiringTokens
from peerwork.core.models import Notification
from peerwork.core.tokens import create_token, revoke_token


def notices_for(member):
    with scope(organisation=member.organisation_id):
        return list(Notification.objects.filter(recipient=member, kind="core.api_token_expiring"))


def test_a_person_is_told_a_week_before_their_token_expires_and_only_once(story):
    now = timezone.now()
    with scope(organisation=story.harbourside.pk):
        create_token(member=story.grace, name="Payroll export", expires_in_days=30, now=now)
    step = ExpiringTokens()

    assert step(now + timedelta(days=22)) == 0
    assert notices_for(story.grace) == []

    assert step(now + timedelta(days=24)) == 1
    assert step(now + timedelta(days=25)) == 0
    assert len(notices_for(story.grace)) == 1


def test_two_loops_telling_about_the_same_token_tell_once(story):
    now = timezone.now()
    with scope(organisation=story.harbourside.pk):
        create_token(member=story.grace, name="Reports", expires_in_days=3, now=now)
    first, second = ExpiringTokens(), ExpiringTokens()
    due = first.due(now)
    assert [first.claim(item, now) for item in due] == [True]
    assert [second.claim(item, now) for item in due] == [False]


def test_revoked_and_expired_tokens_bring_no_notice(story):
    now = timezone.now()
    with scope(organisation=story.harbourside.pk):
        token, _raw = create_token(member=story.grace, name="Old", expires_in_days=3, now=now)
        revoke_token(member=story.grace, token=token)
        create_token(member=story.ravi, name="Gone", expires_in_days=1, now=now)
    assert ExpiringTokens()(now + timedelta(days=2)) == 0
