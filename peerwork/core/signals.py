"""Signal handlers."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

from . import session_limits


@receiver(user_logged_in, dispatch_uid="peerwork.core.session_started")
def session_started(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    """A sign-in completed (after its second step): the session's clocks start now."""
    if request is not None and hasattr(request, "session"):
        session_limits.start(request.session)
