"""Another organisation's requests for advice, for the organisation isolation walk
(``peerwork.core.isolation.register_isolation_maker``; nothing here runs in production).

- ``advice_id``: a request for advice (§4.6) that waits for an answer. A request is its
  asker's and the person asked, and each route is one of theirs (the asker withdraws, the
  person asked answers), so the maker writes one that a member there asked of themself:
  one owner who may read, answer and withdraw it. The service never makes such a request
  (nobody is their own adviser); the walk needs one owner for every route.
"""

from __future__ import annotations

from typing import cast

from peerwork.core.isolation import (
    Body,
    Made,
    Other,
    register_isolation_maker,
    register_isolation_request,
)
from peerwork.core.models import Role

from .models import AdviceRequest

API = "/api/v1"
FIVE = ("professional", "power", "open", "before", "consent")


def _advice(other: Other) -> Made:
    owner = other.member_with(Role.STAFF, Role.HR)
    item = AdviceRequest(organisation_id=other.organisation.pk, person=owner, asked=owner)
    item.question = "Isolation request for advice"
    item.save()
    return Made(value=str(item.pk), owner=owner, obj=item)


register_isolation_maker("advice_id", _advice)


def _version(made: Made) -> str:
    return str(cast(AdviceRequest, made.obj).version)


def _answer_form(made: Made) -> Body:
    return Body(
        data={
            **dict.fromkeys(FIVE, "unsure"),
            "reply": "Let us talk it through",
            "outcome": "advice",
            "version": _version(made),
        }
    )


def _answer_json(made: Made) -> Body:
    return Body(
        data={
            "answers": dict.fromkeys(FIVE, "unsure"),
            "reply": "Let us talk it through",
            "outcome": "advice",
        },
        headers={"If-Match": f'"{_version(made)}"'},
    )


register_isolation_request("POST concerns:advice_answer", _answer_form)
register_isolation_request(
    "POST concerns:advice_withdraw", lambda made: Body(data={"version": _version(made)})
)
register_isolation_request(f"POST {API}/advice-requests/{{advice_id}}/answer", _answer_json)
register_isolation_request(
    f"POST {API}/advice-requests/{{advice_id}}/withdraw",
    lambda made: Body(headers={"If-Match": f'"{_version(made)}"'}),
)
