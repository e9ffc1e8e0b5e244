"""Another organisation's real people records, for the organisation isolation test
(``peerwork.core.isolation``; nothing here runs in production).

Routes name their ids by what the actor does with them, so each maker can give the object
an owner there who may do everything the route offers:

- ``grant_id``: a share, as its owner (``me/shares/<grant_id>/…``);
- ``shared_id``: a share, as the HR officer it was made to (``shared/<shared_id>/…``: read
  under it, and enter for the person);
- ``person_id``: a colleague's staff record and working pattern, as HR there;
- ``supported_id``: a person with a peer mentor, as that mentor (making an exception report);
- ``report_id``: an exception report, as the person it is about;
- ``unavailability_id``: a time a person is away, as that person.

Routes that change something register the request that succeeds for the owner with
``register_isolation_request`` below their makers.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import cast

from django.utils import timezone
from django_scopes import scope

from peerwork.core.isolation import (
    Body,
    Made,
    Other,
    register_isolation_maker,
    register_isolation_request,
)
from peerwork.core.models import Membership, Role, SupportRelationship

from . import availability, exception_reports, services


def _colleague(other: Other, label: str) -> Membership:
    """A fresh colleague there, so each made object has its own person."""
    from peerwork.core.services import add_member

    name = f"{other.organisation.slug}-{label}-{uuid.uuid4().hex[:6]}"
    return add_member(
        organisation=other.organisation,
        username=name,
        display_name=name,
        email=f"{name}@example.org",
        roles=[Role.STAFF],
        team=other.team,
    )


def _grant(other: Other) -> Made:
    services.disclose(
        actor=other.member, owner=other.member, category="accommodations", answer={"needs": "x"}
    )
    grant = services.share(
        actor=other.member,
        audience="person",
        grantee=other.member_with(Role.HR),
        categories=["accommodations"],
        purpose="isolation",
    )
    return Made(value=str(grant.pk), owner=other.member, obj=grant)


def _shared(other: Other) -> Made:
    person = _colleague(other, "sharer")
    hr = other.member_with(Role.HR)
    services.disclose(actor=person, owner=person, category="accommodations", answer={"needs": "x"})
    grant = services.share(
        actor=person,
        audience="person",
        grantee=hr,
        categories=["accommodations", "ost"],
        purpose="isolation",
    )
    return Made(value=str(grant.pk), owner=hr, obj=grant)


def _person(other: Other) -> Made:
    person = _colleague(other, "person")
    return Made(value=str(person.pk), owner=other.member_with(Role.HR), obj=person)


def _supported(other: Other) -> Made:
    person = _colleague(other, "mentee")
    mentor = other.member_with(Role.PEER_MENTOR)
    SupportRelationship.objects.create(
        organisation=other.organisation,
        supporter=mentor,
        person=person,
        kind=SupportRelationship.Kind.MENTOR,
    )
    return Made(value=str(person.pk), owner=mentor, obj=person)


def _report(other: Other) -> Made:
    person = other.member
    mentor = other.member_with(Role.PEER_MENTOR)
    if not SupportRelationship.objects.filter(supporter=mentor, person=person).exists():
        SupportRelationship.objects.create(
            organisation=other.organisation,
            supporter=mentor,
            person=person,
            kind=SupportRelationship.Kind.MENTOR,
        )
    recipient = other.member_with(Role.DIRECTOR)
    report = exception_reports.report_exception(
        actor=mentor,
        person=person,
        reason="life_in_danger",
        disclosed="isolation",
        recipient=recipient,
    )
    return Made(value=str(report.pk), owner=person, obj=report)


def _unavailability(other: Other) -> Made:
    starts = timezone.now() + dt.timedelta(days=30, hours=uuid.uuid4().int % 500)
    row = availability.add_unavailability(
        actor=other.member,
        membership=other.member,
        kind="unavailable",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
    )
    return Made(value=str(row.pk), owner=other.member, obj=row)


register_isolation_maker("grant_id", _grant)
register_isolation_maker("shared_id", _shared)
register_isolation_maker("person_id", _person)
register_isolation_maker("supported_id", _supported)
register_isolation_maker("report_id", _report)
register_isolation_maker("unavailability_id", _unavailability)


# --- requests that succeed for the owner (added by each area with its routes) ----------


# Staff records, working patterns, availability, exception reports (record_views).
def _staff_record_form(made: Made) -> Body:
    return Body(
        data={"contract": "employee", "grade": "B2", "hours_per_week": "30", "version": "0"}
    )


def _pattern_version(made: Made) -> str:
    person = cast(Membership, made.obj)
    with scope(organisation=person.organisation_id):
        return availability.pattern_fingerprint(person)


def _pattern_form(made: Made) -> Body:
    return Body(
        data={
            "starts_0": "10:45",
            "ends_0": "17:00",
            "starts_2": "09:00",
            "ends_2": "15:00",
            "pattern_version": _pattern_version(made),
        }
    )


def _enter_for_form(made: Made) -> Body:
    return Body(data={"category": "accommodations", "needs": "A quiet room on Fridays"})


def _no_body(made: Made) -> Body:
    return Body()


def _exception_form(made: Made) -> Body:
    person = cast(Membership, made.obj)
    with scope(organisation=person.organisation_id):
        recipients = exception_reports.recipients_for(made.owner, person)
    return Body(
        data={
            "reason": "life_in_danger",
            "disclosed": "isolation",
            "recipient": str(recipients[0].pk) if recipients else "",
        }
    )


register_isolation_request("POST people:staff_record_edit", _staff_record_form)
register_isolation_request("POST people:working_pattern", _pattern_form)
register_isolation_request("POST people:disclose_for", _enter_for_form)
register_isolation_request("POST people:unavailability_remove", _no_body)
register_isolation_request("POST people:exception_new", _exception_form)


# The people API (peerwork.people.api). Its /grants/{grant_id} operations get a share with
# the owner's line manager, paused because the line manager changed since: the one kind of
# share every operation there (read, renew, confirm, stop) succeeds on for its owner.
def _paused_grant(other: Other) -> Made:
    person = _colleague(other, "paused")
    first, second = (
        other.member_with(Role.LINE_MANAGER),
        other.member_with(Role.LINE_MANAGER, Role.STAFF),
    )
    Membership.objects.filter(pk=person.pk).update(line_manager=first)
    person.line_manager = first
    grant = services.share(
        actor=person, audience="line_manager", categories=["ost"], purpose="isolation"
    )
    Membership.objects.filter(pk=person.pk).update(line_manager=second)
    return Made(value=str(grant.pk), owner=person, obj=grant)


def _if_match(made: Made) -> Body:
    return Body(headers={"If-Match": f'"{getattr(made.obj, "version", 0)}"'})


def _first_staff_record(made: Made) -> Body:
    return Body(data={"grade": "B2", "contract": "sessional"}, headers={"If-Match": '"0"'})


def _api_pattern(made: Made) -> Body:
    return Body(
        data={"days": [{"weekday": 0, "starts": "10:45", "ends": "17:00"}]},
        headers={"If-Match": f'"{_pattern_version(made)}"'},
    )


def _api_enter_for(made: Made) -> Body:
    return Body(data={"category": "accommodations", "answer": {"needs": "A quiet room"}})


register_isolation_maker("grants/grant_id", _paused_grant)
register_isolation_request("POST /api/v1/grants/{grant_id}/renew", _if_match)
register_isolation_request("POST /api/v1/grants/{grant_id}/confirm", _if_match)
register_isolation_request("PATCH /api/v1/people/{person_id}/staff-record", _first_staff_record)
register_isolation_request("PUT /api/v1/people/{person_id}/working-pattern", _api_pattern)
register_isolation_request("POST /api/v1/shared-with-me/{shared_id}/disclosures", _api_enter_for)


# My shares (mine_views): stop, renew and confirm each get the paused line-manager share
# above, on which all three succeed for its owner (a share with a person cannot be
# confirmed), with the version the owner read.
def _grant_version(made: Made) -> Body:
    return Body(data={"version": str(getattr(made.obj, "version", 1))})


def _grant_renewal(made: Made) -> Body:
    return Body(data={"version": str(getattr(made.obj, "version", 1)), "expires_on": ""})


register_isolation_maker("shares/grant_id", _paused_grant)
register_isolation_request("POST people:grant_revoke", _grant_version)
register_isolation_request("POST people:grant_renew", _grant_renewal)
register_isolation_request("POST people:grant_confirm", _grant_version)
