"""Calls to the people API as a story person, for the ``test_api_*`` files."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from peerwork.api.tests.helpers import bearer
from peerwork.core.models import Membership


def call(
    member: Membership,
    method: str,
    path: str,
    body: Any = None,
    *,
    if_match: object = None,
    headers: dict[str, str] | None = None,
) -> Any:
    """``method`` on ``/api/v1<path>`` with a fresh token of ``member``; a JSON body when
    given, and ``If-Match`` when ``if_match`` is not None."""
    sent = {**bearer(member), **(headers or {})}
    if if_match is not None:
        sent["If-Match"] = f'"{if_match}"'
    if body is None:
        return Client().generic(method, f"/api/v1{path}", headers=sent)
    return Client().generic(
        method,
        f"/api/v1{path}",
        json.dumps(body),
        content_type="application/json",
        headers=sent,
    )


def get(member: Membership, path: str, **kwargs: Any) -> Any:
    return call(member, "GET", path, **kwargs)


def post(member: Membership, path: str, body: Any = None, **kwargs: Any) -> Any:
    return call(member, "POST", path, {} if body is None else body, **kwargs)
