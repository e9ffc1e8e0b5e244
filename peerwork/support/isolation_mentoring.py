"""Another organisation's mentoring records for the organisation isolation test
(``peerwork.core.isolation``; nothing here runs in production). Each maker builds through
the services, with a newcomer as the staff member so a pair of the same kind never
exists twice:

- ``pair_id``: a newcomer mentored by a member who is also HR and a peer mentor, under an
  agreement all three agreed, with the duty acknowledged and consent to a confirmation.
  The mentor (HR too) is the owner: they read the pair and its log, log a session,
  confirm, end the pair.
- ``support_session_id``: a session of such a pair, logged by its mentor, the owner.
- ``agreement_id``: a newcomer who is also HR, paired with a peer mentor, with a drafted
  agreement naming another member for exception reports. The staff member is the owner:
  they read it, agree, acknowledge the duty, consent and withdraw, write how they keep in
  touch and (as HR) change its terms.
- ``mentoring_request_id``: a newcomer who is also HR asks for a mentor; they read and
  withdraw it and (as HR) pair it with the organisation's peer mentor.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import cast

from allauth.mfa.totp.internal.auth import generate_totp_secret
from django_scopes import scopes_disabled

from peerwork.core.isolation import (
    Body,
    Made,
    Other,
    register_isolation_maker,
    register_isolation_request,
)
from peerwork.core.mfa import enrol_totp, mfa_required
from peerwork.core.models import Membership, Role, SupportRelationship
from peerwork.core.services import add_member

from . import agreements, mentoring
from .models import MentoringRequest, SupportAgreement, SupportSession

API = "/api/v1"


def _newcomer(other: Other, *roles: str) -> Membership:
    name = f"{other.organisation.slug}-support-{uuid.uuid4().hex[:10]}"
    member = add_member(
        organisation=other.organisation,
        username=name,
        display_name=name,
        email=f"{name}@example.org",
        roles=[Role.STAFF, *roles],
        team=other.team,
    )
    if mfa_required(member.user, [member]):
        enrol_totp(member.user, generate_totp_secret())
    return member


def _terms(other: Other, recipient: Membership) -> agreements.Terms:
    return agreements.Terms(
        service=other.organisation.name,
        frequency=SupportAgreement.Frequency.MONTHLY,
        exception_recipient=recipient,
        review_on=agreements.local_today(other.organisation) + dt.timedelta(days=200),
    )


def _mentored(other: Other) -> tuple[SupportRelationship, Membership]:
    """A newcomer's pair with a mentor who is also HR, agreed, duty acknowledged, consent."""
    mentor = other.member_with(Role.STAFF, Role.PEER_MENTOR, Role.HR)
    person = _newcomer(other)
    pair = mentoring.make_pair(
        actor=mentor, person=person, supporter=mentor, kind=SupportRelationship.Kind.MENTOR
    )
    agreement = agreements.draft_agreement(
        actor=mentor, pair=pair, terms=_terms(other, other.member_with(Role.DIRECTOR))
    )
    agreements.agree(actor=person, agreement=agreement)
    agreements.agree(actor=mentor, agreement=agreement)
    agreements.acknowledge_duty(actor=person, agreement=agreement)
    agreements.consent_to_confirmation(actor=person, agreement=agreement)
    return pair, mentor


def _pair(other: Other) -> Made:
    pair, mentor = _mentored(other)
    return Made(value=str(pair.pk), owner=mentor, obj=pair)


def _session(other: Other) -> Made:
    pair, mentor = _mentored(other)
    session = mentoring.log_session(
        actor=mentor,
        pair=pair,
        held_on=agreements.local_today(other.organisation),
        minutes=30,
        notes="Isolation session",
    )
    return Made(value=str(session.pk), owner=mentor, obj=session)


def _agreement(other: Other) -> Made:
    person = _newcomer(other, Role.HR)
    mentor = other.member_with(Role.STAFF, Role.PEER_MENTOR)
    pair = mentoring.make_pair(
        actor=person, person=person, supporter=mentor, kind=SupportRelationship.Kind.MENTOR
    )
    agreement = agreements.draft_agreement(
        actor=person, pair=pair, terms=_terms(other, other.member)
    )
    return Made(value=str(agreement.pk), owner=person, obj=agreement)


def _request(other: Other) -> Made:
    person = _newcomer(other, Role.HR)
    other.member_with(Role.STAFF, Role.PEER_MENTOR)  # someone to pair it with
    asked = mentoring.ask_for_mentor(actor=person, note="Isolation request")
    return Made(value=str(asked.pk), owner=person, obj=asked)


register_isolation_maker("pair_id", _pair)
register_isolation_maker("support_session_id", _session)
register_isolation_maker("agreement_id", _agreement)
register_isolation_maker("mentoring_request_id", _request)


# --- what unsafe API calls send to succeed for the owner -----------------------------------


def _session_body(made: Made) -> Body:
    pair = cast(SupportRelationship, made.obj)
    with scopes_disabled():
        organisation = pair.person.organisation
    return Body(
        data={
            "held_on": agreements.local_today(organisation).isoformat(),
            "minutes": 40,
            "notes": "Logged by the owner",
        }
    )


def _session_patch(made: Made) -> Body:
    session = cast(SupportSession, made.obj)
    return Body(data={"minutes": 45}, headers={"If-Match": f'"{session.version}"'})


def _agreement_patch(made: Made) -> Body:
    agreement = cast(SupportAgreement, made.obj)
    return Body(data={"contact": "A message first"}, headers={"If-Match": f'"{agreement.version}"'})


def _request_pair(made: Made) -> Body:
    asked = cast(MentoringRequest, made.obj)
    with scopes_disabled():
        mentor = (
            Membership.objects.filter(
                organisation_id=asked.organisation_id, role_grants__role=Role.PEER_MENTOR
            )
            .exclude(pk=asked.person_id)
            .order_by("user__username")
            .first()
        )
    return Body(data={"supporter": str(mentor.pk) if mentor else ""})


register_isolation_request(f"POST {API}/support-pairs/{{pair_id}}/sessions", _session_body)
register_isolation_request(f"PATCH {API}/support-sessions/{{support_session_id}}", _session_patch)
register_isolation_request(f"PATCH {API}/support-agreements/{{agreement_id}}", _agreement_patch)
register_isolation_request(
    f"POST {API}/mentoring-requests/{{mentoring_request_id}}/pair", _request_pair
)
