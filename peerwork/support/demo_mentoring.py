"""The mentoring and coaching part of the demo story (``/work/shared/DEMO.md``; issue 7
items 5 and 6; guide §3.11, §3.13, §4.2, App. 4).

The pairs come from the core seed (``peerwork.core.demo``): Samuel Kiprop mentors Amina
Wanjiru, Leila Haddad coaches Olena Petrenko. This step gives them what they work under
and what they did, through the services as on a real server, with the story's dates (in
the recent past) passed to them:

- **Amina's mentoring agreement**, drafted by Grace (HR) ten weeks ago: coffee every two
  weeks, 45 minutes, for as long as it runs; worries about management go to Grace;
  exception reports go to **Daniel** (the director), in Peerwork and in person the same
  day. Amina, Samuel and Grace agreed; Amina acknowledged the reporting duty before the
  first session and wrote how she likes to keep in touch. Three sessions in Samuel's
  words, respectful of her choices: a first coffee, planning safer evening outreach,
  boundaries with friends who buy from the same place. Amina lets Samuel confirm to Ravi
  that support is taking place, and Samuel has answered "yes".
- **Olena's coaching agreement** with Leila (an external coach), three-way as §3.13 asks:
  monthly, one hour, six sessions; Leila raises worries about management or policy with
  the director; exception reports go to **Grace** (HR: Leila is external and the
  director is the one she raises management worries with, so the report goes elsewhere;
  the test situation of the access matrix names Grace too). Agreed by Olena, Leila and
  Ravi, her line manager, for the organisation; two sessions. Olena has not consented to
  a confirmation, so Ravi sees nothing of it.

Idempotent: a pair whose agreement exists is left as it is (what someone changed in the
live demo stays), sessions are seeded only while a pair has none, and a pair that has
ended in the live demo is left alone. A second run changes nothing.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from peerwork.core.demo import DemoContext, seed_step
from peerwork.core.models import SupportRelationship
from peerwork.people import demo as people_demo  # its steps first

from . import agreements, mentoring
from .access import consents_to_confirmation
from .models import SupportAgreement, SupportSession

H = people_demo.H


@dataclass(frozen=True)
class DemoSession:
    days_ago: int
    minutes: int
    notes: str


@dataclass(frozen=True)
class DemoAgreement:
    person: str
    supporter: str
    started_days_ago: int
    drafted_days_ago: int
    frequency: str
    session_minutes: int
    sessions: int | None
    concerns_route: str
    recipient: str
    exception_route: str
    review_in_days: int
    organisation_agrees: str  # who agrees for the organisation
    contact: str
    consent: bool
    confirmation: bool | None  # the supporter's answer, when consented
    logged: tuple[DemoSession, ...]


AMINA = DemoAgreement(
    person="amina",
    supporter="samuel",
    started_days_ago=77,
    drafted_days_ago=70,
    frequency=SupportAgreement.Frequency.FORTNIGHTLY,
    session_minutes=45,
    sessions=None,
    concerns_route="Samuel raises them with Grace (HR), in person or in writing.",
    recipient="daniel",
    exception_route="In Peerwork, and Samuel tells Daniel in person the same day.",
    review_in_days=120,
    organisation_agrees="grace",
    contact=(
        "Coffee at the kiosk by the drop-in, every other Tuesday after my shift. A message "
        "first, please, not a call at home."
    ),
    consent=True,
    confirmation=True,
    logged=(
        DemoSession(
            42,
            45,
            "First coffee. Before we started we went over the two exceptions again; Amina "
            "asked who would be told and how, and was satisfied. She wants to keep doing "
            "the evening outreach with Joseph. We talked about what makes an evening feel "
            "safe for her.",
        ),
        DemoSession(
            28,
            50,
            "Planning safer evening outreach. Amina's plan: phone charged, always with "
            "Joseph, check out before going into the east scene and check in when they "
            "leave. Her choices and her plan; I shared what worked for me when asked.",
        ),
        DemoSession(
            14,
            40,
            "Boundaries with friends who buy from the same place. Amina wants to keep her "
            "friendships and not be asked for anything at work. We practised a short answer "
            "she is comfortable giving. Next time: how the first month of her plan went.",
        ),
    ),
)

OLENA = DemoAgreement(
    person="olena",
    supporter="leila",
    started_days_ago=60,
    drafted_days_ago=56,
    frequency=SupportAgreement.Frequency.MONTHLY,
    session_minutes=60,
    sessions=6,
    concerns_route="Leila raises them with Daniel (the director), in writing.",
    recipient="grace",
    exception_route="In Peerwork, and a phone call to Grace the same day.",
    review_in_days=150,
    organisation_agrees="ravi",
    contact="Online on Thursday afternoons; email to arrange.",
    consent=False,
    confirmation=None,
    logged=(
        DemoSession(
            35,
            60,
            "Olena's first months as a peer counsellor: what she finds rewarding, and where "
            "the caseload feels heavy. She wants clearer limits on messages from clients "
            "after hours and will try a set reply.",
        ),
        DemoSession(
            7,
            60,
            "The set reply works. We looked at the Wednesday meeting that starts before her "
            "agreed hours; she plans to ask Ravi for decisions to be taken after 10:45, and "
            "practised how to put it.",
        ),
    ),
)

AGREEMENTS = (AMINA, OLENA)


def _zone(demo: DemoContext) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(demo.organisation(H).time_zone)


def _pair(demo: DemoContext, spec: DemoAgreement) -> SupportRelationship | None:
    return (
        SupportRelationship.objects.filter(
            organisation=demo.organisation(H),
            person=demo.member(H, spec.person),
            supporter=demo.member(H, spec.supporter),
        )
        .filter(agreements.current_q())
        .select_related("person__user", "person__organisation", "supporter__user")
        .first()
    )


def _seed_agreement(demo: DemoContext, spec: DemoAgreement, now: dt.datetime) -> None:
    pair = _pair(demo, spec)
    if pair is None:
        return  # ended in the live demo: left as it was made
    today = agreements.local_today(demo.organisation(H), now)
    start = today - dt.timedelta(days=spec.started_days_ago)
    if pair.started_on > start:
        demo.update(pair, started_on=start)
    person, supporter = pair.person, pair.supporter
    grace = demo.member(H, "grace")
    if not SupportAgreement.objects.filter(relationship=pair).exists():
        drafted = now - dt.timedelta(days=spec.drafted_days_ago)
        agreement = agreements.draft_agreement(
            actor=grace,
            pair=pair,
            terms=agreements.Terms(
                service=demo.organisation(H).name,
                sessions=spec.sessions,
                frequency=spec.frequency,
                session_minutes=spec.session_minutes,
                concerns_route=spec.concerns_route,
                exception_recipient=demo.member(H, spec.recipient),
                exception_route=spec.exception_route,
                review_on=today + dt.timedelta(days=spec.review_in_days),
            ),
            now=drafted,
        )
        agreed = drafted + dt.timedelta(days=2)
        agreements.acknowledge_duty(actor=person, agreement=agreement, now=agreed)
        for party in (person, supporter, demo.member(H, spec.organisation_agrees)):
            agreements.agree(actor=party, agreement=agreement, now=agreed)
        agreements.set_contact(actor=person, agreement=agreement, contact=spec.contact)
        if spec.consent:
            agreements.consent_to_confirmation(actor=person, agreement=agreement, now=agreed)
        demo.changes += 1
    if not SupportSession.objects.filter(relationship=pair).exists():
        for logged in spec.logged:
            held = now - dt.timedelta(days=logged.days_ago)
            mentoring.log_session(
                actor=supporter,
                pair=pair,
                held_on=timezone.localdate(held, _zone(demo)),
                minutes=logged.minutes,
                notes=logged.notes,
                now=held + dt.timedelta(hours=3),
            )
        demo.changes += 1
        if spec.confirmation is not None and consents_to_confirmation(pair):
            mentoring.confirm_support(
                actor=supporter,
                pair=pair,
                taking_place=spec.confirmation,
                now=now - dt.timedelta(days=min(s.days_ago for s in spec.logged) - 1),
            )


@seed_step("support: mentoring and coaching agreements and sessions")
def seed_mentoring(demo: DemoContext) -> None:
    """Amina's mentoring with Samuel and Olena's coaching with Leila, under their
    agreements, with a few sessions each (see the module's docstring)."""
    now = timezone.now()
    with demo.scope(H), timezone.override(_zone(demo)):
        for spec in AGREEMENTS:
            with transaction.atomic():
                _seed_agreement(demo, spec, now)
