"""Makers of Riverside's intake records for the organisation isolation walk
(``peerwork.core.isolation.register_isolation_maker``). Parameter names are unique to
this area.

- ``concern_id``: an open time-keeping concern on the review-meeting path (App. 7) about
  the other organisation's ordinary member (Taras there), recorded by an HR officer of
  that organisation, who owns it: HR reads, corrects, closes and removes it. Other areas'
  routes under a concern (``<concern_id>/…``) get this concern too; one that needs another
  path registers its own maker under ``"<segment>/concern_id"``.
"""

from __future__ import annotations

import datetime as dt
from typing import cast

from peerwork.core.isolation import (
    Body,
    Made,
    Other,
    register_isolation_maker,
    register_isolation_request,
)
from peerwork.core.models import Role

from . import intake
from .models import Concern

API = "/api/v1"


def _concern(other: Other) -> Made:
    hr = other.member_with(Role.HR)
    today = other.organisation.local_today()
    concern = intake.record_concern(
        actor=hr,
        person=other.member,
        fields=intake.ConcernFields(
            source=Concern.Source.MANAGER,
            category=Concern.Category.CONDUCT,
            noticed_from=today - dt.timedelta(days=7),
            what_happened="Left the drop-in unlocked after the evening session",
            work_impact="The next shift found the door open",
        ),
    )
    return Made(value=str(concern.pk), owner=hr, obj=concern)


register_isolation_maker("concern_id", _concern)


def _edit_form(made: Made) -> Body:
    concern = cast(Concern, made.obj)
    return Body(
        data={
            "source": concern.source,
            "category": concern.category,
            "noticed_from": str(concern.noticed_from),
            "noticed_to": "",
            "what_happened": "Left the drop-in unlocked after the evening session, twice",
            "work_impact": "The next shift found the door open",
            "evidence": "",
            "path": concern.path,
            "version": str(concern.version),
        }
    )


def _close_form(made: Made) -> Body:
    concern = cast(Concern, made.obj)
    return Body(
        data={
            "outcome": Concern.Outcome.RESOLVED,
            "outcome_reason": "Talked it through; the locking rota is clear now",
            "version": str(concern.version),
        }
    )


def _version(made: Made) -> dict[str, str]:
    return {"If-Match": f'"{cast(Concern, made.obj).version}"'}


register_isolation_request("POST concerns:concern_edit", _edit_form)
register_isolation_request("POST concerns:concern_close", _close_form)

CONCERN = f"{API}/concerns/{{concern_id}}"
register_isolation_request(
    f"PATCH {CONCERN}",
    lambda made: Body(data={"evidence": "The locking rota"}, headers=_version(made)),
)
register_isolation_request(
    f"POST {CONCERN}/close",
    lambda made: Body(
        data={"outcome": "resolved", "reason": "Talked it through"}, headers=_version(made)
    ),
)
