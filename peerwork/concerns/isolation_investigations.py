"""Makers of Riverside's investigation records for the organisation isolation walk
(``peerwork.core.isolation.register_isolation_maker``; nothing here runs in production).
Parameter names are unique to this area.

- ``investigation_id``: an open investigation of a §4.7 concern about the other
  organisation's ordinary member (Taras there), opened by an HR officer of that
  organisation, who owns it: reads it, names and takes off investigators, writes findings,
  records and ends a suspension and completes it. A line manager there is its
  investigator, and a staff member there is named to support Taras (so a suspension may
  be recorded).
- ``investigator_member_id``: that line manager, on such an investigation (the route names
  the investigation too); HR takes them off.
- ``named_supporter_id``: a colleague Taras named to support him on such a concern; Taras
  ends it.
"""

from __future__ import annotations

import datetime as dt
from typing import cast

from django_scopes import scopes_disabled

from peerwork.core.isolation import (
    Body,
    Made,
    Other,
    register_isolation_maker,
    register_isolation_request,
)
from peerwork.core.models import Role

from . import investigations, separation
from .models import Concern, Investigation, Investigator

API = "/api/v1"


def _concern(other: Other) -> Concern:
    hr = other.member_with(Role.HR)
    concern = Concern(
        organisation=other.organisation,
        person=other.member,
        raised_by=hr,
        source=Concern.Source.CLIENT,
        category=Concern.Category.SUPPLY,
        path=Concern.Path.SUPPLY,
        noticed_from=other.organisation.local_today() - dt.timedelta(days=3),
    )
    concern.what_happened = "A client said an offer was made at the office"
    concern.save()
    return concern


def _opened(other: Other) -> Investigation:
    concern = _concern(other)
    hr = other.member_with(Role.HR)
    investigation = investigations.open_investigation(actor=hr, concern=concern)
    investigations.add_investigator(
        actor=hr, investigation=investigation, member=other.member_with(Role.LINE_MANAGER)
    )
    investigations.name_supporter(
        actor=other.member, concern=concern, member=other.member_with(Role.STAFF)
    )
    investigation.refresh_from_db()
    return investigation


def _investigation(other: Other) -> Made:
    investigation = _opened(other)
    return Made(value=str(investigation.pk), owner=other.member_with(Role.HR), obj=investigation)


def _investigator(other: Other) -> Made:
    investigation = _opened(other)
    row = Investigator.objects.get(investigation=investigation)
    return Made(
        value=str(row.member_id),
        owner=other.member_with(Role.HR),
        obj=row,
        also={"investigation_id": str(investigation.pk)},
    )


def _supporter(other: Other) -> Made:
    concern = _concern(other)
    row = investigations.name_supporter(
        actor=other.member, concern=concern, member=other.member_with(Role.STAFF)
    )
    return Made(value=str(row.pk), owner=other.member, obj=row)


register_isolation_maker("investigation_id", _investigation)
register_isolation_maker("investigator_member_id", _investigator)
register_isolation_maker("named_supporter_id", _supporter)


# --- what the changes send ------------------------------------------------------------------


def _investigation_of(made: Made) -> Investigation:
    return cast(Investigation, made.obj)


def _version(made: Made) -> dict[str, str]:
    return {"If-Match": f'"{_investigation_of(made).version}"'}


def _investigator_form(made: Made) -> Body:
    # HR names themself: they support Taras in no way.
    return Body(data={"member": str(made.owner.pk)})


def _remove_form(made: Made) -> Body:
    with scopes_disabled():
        row = Investigator.objects.filter(investigation=_investigation_of(made)).first()
    return Body(data={"member": str(row.member_id) if row else ""})


def _findings_form(made: Made) -> Body:
    return Body(
        data={
            "findings": "Two colleagues saw nothing of the kind.",
            "version": str(_investigation_of(made).version),
        }
    )


def _suspension_form(made: Made) -> Body:
    today = made.owner.organisation.local_today()
    return Body(
        data={
            "suspended_from": str(today),
            "suspended_until": str(today + dt.timedelta(days=7)),
            "version": str(_investigation_of(made).version),
        }
    )


def _version_form(made: Made) -> Body:
    return Body(data={"version": str(_investigation_of(made).version)})


def _complete_form(made: Made) -> Body:
    return Body(
        data={
            "outcome": Investigation.Outcome.SUPPORT,
            "findings": "A misunderstanding; support agreed.",
            "reason": "",
            "version": str(_investigation_of(made).version),
        }
    )


register_isolation_request("POST concerns:investigator_add", _investigator_form)
register_isolation_request("POST concerns:investigator_remove", _remove_form)
register_isolation_request("POST concerns:investigation_findings", _findings_form)
register_isolation_request("POST concerns:investigation_suspension", _suspension_form)
register_isolation_request("POST concerns:investigation_suspension_end", _version_form)
register_isolation_request("POST concerns:investigation_complete", _complete_form)

INVESTIGATION = f"{API}/investigations/{{investigation_id}}"
register_isolation_request(
    f"PATCH {INVESTIGATION}",
    lambda made: Body(
        data={"findings": "Two colleagues saw nothing of the kind."}, headers=_version(made)
    ),
)
register_isolation_request(
    f"POST {INVESTIGATION}/investigators",
    lambda made: Body(data={"member": str(made.owner.pk)}),
)
register_isolation_request(
    f"POST {INVESTIGATION}/complete",
    lambda made: Body(
        data={"outcome": "support", "findings": "A misunderstanding; support agreed."},
        headers=_version(made),
    ),
)


def _supporter_body(made: Made) -> Body:
    """A's concern (``isolation_intake``) is owned by an HR officer there, who names for
    the person a colleague who investigates them in no way (the walk's other makers may
    have opened investigations of the same person)."""
    concern = cast(Concern, made.obj)
    with scopes_disabled():
        busy = separation.investigators_of(concern.person).values("pk")
        chosen = (
            investigations.supporter_candidates(concern.organisation_id, concern.person)
            .exclude(pk__in=busy)
            .first()
        )
    return Body(data={"member": str((chosen or made.owner).pk)})


register_isolation_request(f"POST {API}/concerns/{{concern_id}}/supporters", _supporter_body)
