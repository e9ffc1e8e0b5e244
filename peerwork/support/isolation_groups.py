"""Another organisation's peer support groups and retreats, for the organisation isolation
test (``peerwork.core.isolation``; nothing here runs in production). The makers go by
parameter name and serve the pages and the API alike.

- ``group_id``: a group started by an HR member of the other organisation, who facilitates
  it and has joined it, so every page and operation on it is theirs: its terms, joining and
  leaving, who is in it, its meetings and learning, the §4.8 steps and closing it.
- ``retreat_id``: a retreat a month ahead planned by a line manager there who is invited
  to it; its organiser changes and cancels it.
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
from peerwork.schedule.services import local_today

from . import groups, retreats
from .models import Retreat, SupportGroup

API = "/api/v1"


def _group(other: Other) -> Made:
    hr = other.member_with(Role.HR)
    group = groups.start_group(
        actor=hr,
        terms=groups.GroupTerms(
            name="Isolation group",
            place="Isolation room",
            frequency="Every Friday",
            timing=SupportGroup.Timing.LUNCH,
            management_contact="Through the facilitator",
            concerns_to="The facilitator",
            review_on=local_today(hr) + dt.timedelta(days=90),
            facilitator=hr.pk,
        ),
    )
    groups.join_group(actor=hr, group=group)
    return Made(value=str(group.pk), owner=hr, obj=group)


def _retreat(other: Other) -> Made:
    organiser = other.member_with(Role.LINE_MANAGER)
    first = local_today(organiser) + dt.timedelta(days=30)
    retreat = retreats.plan_retreat(
        actor=organiser,
        fields=retreats.RetreatFields(
            title="Isolation retreat",
            purpose="Time together",
            starts_on=first,
            ends_on=first + dt.timedelta(days=1),
            agenda=["Welcome"],
            attendees=[organiser.pk],
        ),
    )
    return Made(value=str(retreat.pk), owner=organiser, obj=retreat)


register_isolation_maker("group_id", _group)
register_isolation_maker("retreat_id", _retreat)


# --- what the changes send ------------------------------------------------------------


def _version(made: Made) -> dict[str, str]:
    versioned = cast(SupportGroup | Retreat, made.obj)
    return {"If-Match": f'"{versioned.version}"'}


def _terms_form(made: Made) -> Body:
    group = cast(SupportGroup, made.obj)
    return Body(
        data={
            "name": "Isolation group, renamed",
            "facilitator": str(group.facilitator_id or ""),
            "place": group.place,
            "frequency": group.frequency,
            "timing": group.timing,
            "management_contact": group.management_contact,
            "concerns_to": group.concerns_to,
            "review_on": str(group.review_on),
            "version": str(group.version),
        }
    )


def _meeting(made: Made) -> Body:
    return Body(data={"held_on": str(local_today(made.owner)), "attended": 4})


def _learning(made: Made) -> Body:
    return Body(data={"text": "A second charged phone for evening outreach pairs"})


def _mediation(made: Made) -> Body:
    return Body(
        data={
            "kind": "mediation",
            "held_on": str(local_today(made.owner)),
            "outcome": "Everyone was heard.",
        }
    )


def _close_form(made: Made) -> Body:
    return Body(data={"version": str(cast(SupportGroup, made.obj).version)})


def _retreat_form(made: Made) -> Body:
    retreat = cast(Retreat, made.obj)
    return Body(
        data={
            "title": "Isolation retreat, longer",
            "purpose": retreat.purpose,
            "place": "",
            "starts_on": str(retreat.starts_on),
            "ends_on": str(retreat.ends_on + dt.timedelta(days=1)),
            "day_starts": "09:00",
            "day_ends": "17:00",
            "attendees": [str(made.owner.pk)],
            "agenda": "Welcome",
            "audit_notes": "",
            "version": str(retreat.version),
        }
    )


def _cancel_form(made: Made) -> Body:
    return Body(data={"version": str(cast(Retreat, made.obj).version)})


register_isolation_request("POST support:group_edit", _terms_form)
register_isolation_request("POST support:group_meeting_new", _meeting)
register_isolation_request("POST support:group_learning_new", _learning)
register_isolation_request("POST support:group_step_new", _mediation)
register_isolation_request("POST support:group_close", _close_form)
register_isolation_request("POST support:retreat_edit", _retreat_form)
register_isolation_request("POST support:retreat_cancel", _cancel_form)

GROUP = f"{API}/support-groups/{{group_id}}"
register_isolation_request(
    f"PATCH {GROUP}",
    lambda made: Body(data={"name": "Isolation group, renamed"}, headers=_version(made)),
)
register_isolation_request(f"POST {GROUP}/close", lambda made: Body(headers=_version(made)))
register_isolation_request(f"POST {GROUP}/meetings", _meeting)
register_isolation_request(f"POST {GROUP}/learning", _learning)
register_isolation_request(f"POST {GROUP}/steps", _mediation)

RETREAT = f"{API}/retreats/{{retreat_id}}"
register_isolation_request(
    f"PATCH {RETREAT}",
    lambda made: Body(
        data={"title": "Isolation retreat, renamed", "agenda": ["Welcome", "Walk"]},
        headers=_version(made),
    ),
)
register_isolation_request(f"POST {RETREAT}/cancel", lambda made: Body(headers=_version(made)))
