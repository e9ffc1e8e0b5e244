"""What the people tests share (not a test module itself): the story's people by name, each
one's answer to the same request, and a person disclosing or sharing through the services
inside their organisation's scope. Signing in is ``peerwork.api.tests.helpers.signed_in``;
API calls are ``api_calls``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django_scopes import scope

from peerwork.api.tests.helpers import signed_in
from peerwork.core.models import Membership
from peerwork.people import services
from peerwork.people.models import Disclosure, SharingGrant

# Every person of the story with a membership: Harbourside's, and Riverside's Taras.
EVERYONE = (
    "amina",
    "ravi",
    "taslima",
    "grace",
    "daniel",
    "chen",
    "samuel",
    "leila",
    "joseph",
    "farah",
    "peter",
    "olena",
    "taras",
)


def statuses(
    story: Any,
    url: str,
    method: str = "get",
    data: Mapping[str, Any] | None = None,
    extra: Mapping[str, Membership] | None = None,
) -> dict[str, int]:
    """Each story person's status for one request, each signed in on their own (``extra``:
    more people, by the name the answer gives them)."""
    people = {name: getattr(story, name) for name in EVERYONE}
    people.update(extra or {})
    return {
        name: getattr(signed_in(member), method)(url, data or {}).status_code
        for name, member in people.items()
    }


def expected(**allowed: int) -> dict[str, int]:
    """``statuses`` as it should be: the people named with their status, 404 for the rest
    (an outsider learns nothing, not even that the page exists)."""
    return {name: allowed.get(name, 404) for name in EVERYONE}


def disclose(person: Membership, category: str, answer: dict[str, Any]) -> Disclosure:
    """``person`` answers one of their own categories."""
    with scope(organisation=person.organisation):
        return services.disclose(actor=person, owner=person, category=category, answer=answer)


def share(person: Membership, **kwargs: Any) -> SharingGrant:
    """``person`` shares (their OST, "to plan my hours", unless told otherwise)."""
    kwargs.setdefault("purpose", "to plan my hours")
    kwargs.setdefault("categories", ["ost"])
    with scope(organisation=person.organisation):
        return services.share(actor=person, **kwargs)
