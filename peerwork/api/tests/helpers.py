"""Small helpers for API tests: a bearer token for a story person, JSON requests."""

from __future__ import annotations

from typing import Any

from django.test import Client

from peerwork.core.models import Membership
from peerwork.core.tokens import create_token


def bearer(member: Membership, **kwargs: Any) -> dict[str, str]:
    """Headers that act as ``member`` through a fresh personal token."""
    _token, raw = create_token(member=member, name=kwargs.pop("name", "test"), **kwargs)
    return {"Authorization": f"Bearer {raw}"}


def signed_in(member: Membership, *, enforce_csrf: bool = False) -> Client:
    """A browser session of ``member``'s person, with ``member``'s organisation active."""
    client = Client(enforce_csrf_checks=enforce_csrf)
    client.force_login(member.user)
    session = client.session
    session["peerwork_organisation"] = str(member.organisation_id)
    session.save()
    return client
