from datetime import timedelta

from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from peerwork.core.deadlines import prune_sessions


def make_session(expiry_seconds: int) -> str:
    store = SessionStore()
    store["marker"] = "x"
    store.set_expiry(expiry_seconds)
    store.save()
    return store.session_key


def test_expired_sessions_are_deleted_and_live_ones_kept(db):
    live = make_session(3600)
    expired = make_session(60)
    now = timezone.now() + timedelta(minutes=5)

    assert prune_sessions(now) == 1
    assert list(Session.objects.values_list("pk", flat=True)) == [live]
    assert expired != live
    assert prune_sessions(now) == 0
