"""The outreach part of the demo story (``/work/shared/DEMO.md``; issue 5 item 9).

Harbourside goes out into two drug scenes in the evening, in pairs (§4.4): Amina, a peer
outreach worker, with Joseph, a peer volunteer. Riverside's pair is Iryna and Dmytro. For
each organisation the seed adds:

- its outreach policy: 15 minutes of grace after the planned return, missing an hour
  after that, pairs required, the field guidelines shown at check-out, the team's plans
  for a raid, an arrest or violence (agreed and dated) and the project manager whose card
  the workers carry (§4.4, App. 10 cases 6 and 8);
- its chain: the partner, then the line manager, then the on-call manager, then the
  director, each waiting 15 minutes for "I'm on it" (issue 5 item 1);
- an on-call turn covering tonight, and a lawyer and a legal aid line for its site
  (fictional names, numbers that cannot ring anyone);
- a shift PIN for each outreach worker: ``DEMO_PIN`` opens their shift links and signs
  their texts, ``DEMO_DURESS_PIN`` checks in on screen and raises a silent alert (the
  README says both where it gives the demo password);
- this evening's shifts, timed from the moment of seeding so the story is the same
  whenever the demo starts: at Harbourside, Amina and Joseph's shift to the harbour market
  scene is overdue and Ravi, their line manager, has said "I'm on it"; their shift to the
  railway yard scene is planned for tomorrow evening. At Riverside, Iryna and Dmytro are
  out now, due back in two hours (the running deadline loop will alert their chain if
  nobody checks them in).

The overdue shift is made the way a real one becomes overdue: planned, checked out, then
the escalation loop's own claim at its deadline (the partner step) and fifteen minutes
later (the line manager step), then Ravi's acknowledgement, each with ``now`` arranged in
the past. Its timeline reads planned → checked out → overdue → alert sent (partner) →
alert sent (line manager) → "I'm on it".

Idempotent like the rest of the seed: a shift of the story is looked up by its area, a
policy by its organisation, a turn by whether one covers the moment of seeding, a legal
contact by its name, and a PIN by whether the demo PIN already matches. A second run
changes nothing.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

from django.utils import timezone

from peerwork.core.demo import DemoContext, seed_step
from peerwork.core.models import Membership, Site, Team
from peerwork.core.models.notifications import Channel

from . import pins, services
from .escalation import Escalation
from .models import EscalationStep, LegalContact, OnCall, OutreachPolicy, Shift, ShiftPin

H, R = "harbourside", "riverside"

# The demo's shift PINs (documented in the README beside the demo password). Fixed, like
# the demo's authenticator secrets: the people are invented and the demo runs on loopback.
DEMO_PIN = "2468"
DEMO_DURESS_PIN = "1357"

MATERIALS = "Needles and syringes, naloxone, condoms, leaflets"

GUIDELINES = """\
Carry your picture ID and the project manager's card.
Go in pairs and stay where you can see each other.
Leave valuables and bank cards at the office.
Give no personal details to clients: first names only, no phone numbers.
Check in by your planned return time, or extend it before it passes."""

CONTINGENCY_PLANS = """\
Raid: stay calm, say you are outreach workers and show the project manager's card and the \
police liaison letter. Call the on-call manager as soon as you can.
Arrest: answer no questions about the case until a lawyer from the legal contacts list is \
with you. The on-call manager calls the lawyer, arranges bail and stays in touch with you; \
your family is told only if you say so.
Violence or robbery: leave and get somewhere safe. Hand over the bag if it is demanded: \
nothing we carry is worth being hurt for. Call the on-call manager.
Needle-stick: wash the wound with soap and running water, then go straight to the clinic \
for PEP: it works best within hours."""

# The chain of issue 5 item 1, in order; each waits 15 minutes for "I'm on it".
CHAIN = (
    (EscalationStep.Who.PARTNER, (Channel.INBOX, Channel.SMS)),
    (EscalationStep.Who.LINE_MANAGER, (Channel.INBOX, Channel.EMAIL, Channel.SMS)),
    (EscalationStep.Who.ON_CALL, (Channel.INBOX, Channel.EMAIL, Channel.SMS)),
    (EscalationStep.Who.DIRECTOR, (Channel.INBOX, Channel.EMAIL, Channel.SMS)),
)
STEP_WAIT_MINUTES = 15


@dataclass(frozen=True)
class DemoOutreach:
    organisation: str
    site: str
    team: str
    project_manager: str
    on_call: str
    workers: tuple[str, ...]
    planner: str  # the workers' line manager
    agreed_on: dt.date  # the team meeting that agreed the contingency plans
    legal_contacts: tuple[tuple[str, str, str, str, str], ...]  # kind, name, phone, hours, langs


LAWYER, LEGAL_AID = LegalContact.Kind.LAWYER, LegalContact.Kind.LEGAL_AID

ORGANISATIONS = (
    DemoOutreach(
        organisation=H,
        site="Drop-in centre",
        team="Outreach",
        project_manager="ravi",
        on_call="grace",
        workers=("amina", "joseph"),
        planner="ravi",
        agreed_on=dt.date(2025, 9, 12),
        legal_contacts=(
            (
                LAWYER,
                "Advocate Wanjiku Kamau (fictional)",
                "+254 700 000 000",
                "Any time, day or night",
                "English, Swahili",
            ),
            (
                LEGAL_AID,
                "Harbour Legal Aid Clinic (fictional)",
                "+254 700 000 001",
                "Monday to Saturday, 08:00 to 18:00",
                "English, Swahili",
            ),
        ),
    ),
    DemoOutreach(
        organisation=R,
        site="Podil office",
        team="Peer team",
        project_manager="taras",
        on_call="taras",
        workers=("iryna", "dmytro"),
        planner="taras",
        agreed_on=dt.date(2025, 10, 3),
        legal_contacts=(
            (
                LAWYER,
                "Lawyer Olha Hnatiuk (fictional)",
                "+380 00 000 0000",
                "Any time, day or night",
                "Ukrainian, Russian",
            ),
            (
                LEGAL_AID,
                "Podil Free Legal Aid Centre (fictional)",
                "+380 00 000 0001",
                "Monday to Friday, 09:00 to 18:00",
                "Ukrainian, Russian",
            ),
        ),
    ),
)

# This evening's shifts. Areas are in words, never a client's address (issue 5 item 2).
OVERDUE_AREA = "The harbour market scene, behind the fish stalls"
TOMORROW_AREA = "The railway yard scene"
OUT_NOW_AREA = "The open scene by the river station"


# --- helpers -------------------------------------------------------------------------


def _zone(demo: DemoContext, organisation: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(demo.organisation(organisation).time_zone)


def _base(now: dt.datetime) -> dt.datetime:
    """The seed's moment, rounded down to five minutes: times on the timeline look as a
    person would write them."""
    return now.replace(minute=now.minute - now.minute % 5, second=0, microsecond=0)


def _site_and_team(demo: DemoContext, spec: DemoOutreach) -> tuple[Site, Team]:
    organisation = demo.organisation(spec.organisation)
    site = Site.objects.get(organisation=organisation, name=spec.site)
    team = Team.objects.get(organisation=organisation, name=spec.team)
    return site, team


def _story_shift(organisation: str, demo: DemoContext, area: str) -> Shift | None:
    return Shift.objects.filter(organisation=demo.organisation(organisation), area=area).first()


# --- seed steps ----------------------------------------------------------------------


@seed_step("outreach: policies, chains, on-call rota and legal contacts")
def seed_policies(demo: DemoContext) -> None:
    """Each organisation's outreach policy and chain, tonight's on-call turn and its
    site's legal contacts (§4.4; issue 5 items 1 and 7)."""
    now = timezone.now()
    for spec in ORGANISATIONS:
        organisation = demo.organisation(spec.organisation)
        with demo.scope(spec.organisation):
            manager = demo.member(spec.organisation, spec.project_manager)
            policy, was_created = OutreachPolicy.objects.get_or_create(
                organisation=organisation, site=None
            )
            demo.created(was_created)
            demo.update(
                policy,
                grace_minutes=15,
                missing_after_minutes=60,
                pairs_required=True,
                guidelines=GUIDELINES,
                contingency_plans=CONTINGENCY_PLANS,
                contingency_agreed_on=spec.agreed_on,
                project_manager=manager,
            )
            for position, (who, channels) in enumerate(CHAIN, start=1):
                step, was_created = EscalationStep.objects.get_or_create(
                    organisation=organisation,
                    policy=policy,
                    position=position,
                    defaults={
                        "who": who,
                        "channels": list(channels),
                        "wait_minutes": STEP_WAIT_MINUTES,
                    },
                )
                demo.created(was_created)
                demo.update(step, who=who, channels=list(channels), wait_minutes=STEP_WAIT_MINUTES)
            _seed_on_call(demo, spec, now)
            site, _team = _site_and_team(demo, spec)
            for kind, name, phone, hours, languages in spec.legal_contacts:
                contact, was_created = LegalContact.objects.get_or_create(
                    organisation=organisation,
                    name=name,
                    defaults={"site": site, "kind": kind},
                )
                demo.created(was_created)
                demo.update(
                    contact, site=site, kind=kind, phone=phone, hours=hours, languages=languages
                )


def _seed_on_call(demo: DemoContext, spec: DemoOutreach, now: dt.datetime) -> None:
    """A turn covering tonight: from 16:00 local on the evening the seed falls in until
    08:00 the next morning (a seed after midnight belongs to the evening before)."""
    member = demo.member(spec.organisation, spec.on_call)
    if OnCall.objects.filter(member=member, starts_at__lte=now, ends_at__gt=now).exists():
        return
    zone = _zone(demo, spec.organisation)
    local = timezone.localtime(now, zone)
    evening = local.date() - dt.timedelta(days=1 if local.hour < 8 else 0)
    starts_at = dt.datetime.combine(evening, dt.time(16, 0), tzinfo=zone)
    ends_at = dt.datetime.combine(evening + dt.timedelta(days=1), dt.time(8, 0), tzinfo=zone)
    if ends_at - now < dt.timedelta(hours=8):
        # Seeded in the small hours: the turn runs on through the coming night too, so a
        # demo started now has someone on call for its whole evening.
        ends_at += dt.timedelta(days=1)
    if starts_at > now:
        # Seeded before 16:00: the turn starts now, so the overdue shift's chain has it.
        starts_at = now
    OnCall.objects.create(
        organisation=demo.organisation(spec.organisation),
        member=member,
        starts_at=starts_at,
        ends_at=ends_at,
    )
    demo.changes += 1


@seed_step("outreach: shift PINs")
def seed_pins(demo: DemoContext) -> None:
    """The outreach workers' PINs, through the PIN service (hashed, audited)."""
    for spec in ORGANISATIONS:
        with demo.scope(spec.organisation):
            for username in spec.workers:
                worker = demo.member(spec.organisation, username)
                found = ShiftPin.objects.filter(member=worker).first()
                if (
                    found is not None
                    and found.pin_hash == pins.digest(worker, DEMO_PIN)
                    and found.duress_hash == pins.digest(worker, DEMO_DURESS_PIN)
                ):
                    continue
                pins.set_pin(actor=worker, pin=DEMO_PIN, duress_pin=DEMO_DURESS_PIN)
                demo.changes += 1


@seed_step("outreach: this evening's shifts")
def seed_shifts(demo: DemoContext) -> None:
    """Tonight's shifts, through the services with time arranged (see the module's
    docstring): one overdue and acknowledged, one planned, one out."""
    base = _base(timezone.now())
    harbourside = ORGANISATIONS[0]
    with demo.scope(H):
        if _story_shift(H, demo, OVERDUE_AREA) is None:
            _overdue_and_acknowledged(demo, harbourside, base)
            demo.changes += 1
        if _story_shift(H, demo, TOMORROW_AREA) is None:
            zone = _zone(demo, H)
            tomorrow = timezone.localtime(base, zone).date() + dt.timedelta(days=1)
            start = dt.datetime.combine(tomorrow, dt.time(17, 0), tzinfo=zone)
            _plan(demo, harbourside, TOMORROW_AREA, start, start + dt.timedelta(hours=3), base)
            demo.changes += 1
    riverside = ORGANISATIONS[1]
    with demo.scope(R):
        if _story_shift(R, demo, OUT_NOW_AREA) is None:
            start = base - dt.timedelta(hours=1)
            shift = _plan(
                demo,
                riverside,
                OUT_NOW_AREA,
                start,
                base + dt.timedelta(hours=2),
                start - dt.timedelta(hours=2),
            )
            services.check_out(actor=demo.member(R, riverside.workers[0]), shift=shift, now=start)
            demo.changes += 1


def _plan(
    demo: DemoContext,
    spec: DemoOutreach,
    area: str,
    start: dt.datetime,
    planned_return: dt.datetime,
    now: dt.datetime,
) -> Shift:
    site, team = _site_and_team(demo, spec)
    workers: list[Membership] = [demo.member(spec.organisation, u) for u in spec.workers]
    return services.plan_shift(
        actor=demo.member(spec.organisation, spec.planner),
        workers=workers,
        area=area,
        materials=MATERIALS,
        planned_start=start,
        planned_return=planned_return,
        site=site,
        team=team,
        now=now,
    )


def _overdue_and_acknowledged(demo: DemoContext, spec: DemoOutreach, base: dt.datetime) -> Shift:
    """Amina and Joseph went out three hours ago and were due back 55 minutes ago; with
    15 minutes' grace the shift was overdue 40 minutes ago. The loop alerted them (each
    other's partner), then Ravi fifteen minutes later, who said "I'm on it" five minutes
    after that."""
    start = base - dt.timedelta(hours=3)
    planned_return = base - dt.timedelta(minutes=55)
    shift = _plan(demo, spec, OVERDUE_AREA, start, planned_return, start - dt.timedelta(hours=1))
    shift = services.check_out(actor=demo.member(H, spec.workers[0]), shift=shift, now=start)
    deadline = planned_return + dt.timedelta(minutes=15)
    for at in (deadline, deadline + dt.timedelta(minutes=STEP_WAIT_MINUTES)):
        shift.refresh_from_db()
        if not Escalation().claim(
            (
                shift.pk,
                shift.organisation_id,
                shift.state,
                shift.escalation_step,
                shift.escalation_due_at,
            ),
            at,
        ):
            # Only a deadline loop running during the seed could take it first.
            raise RuntimeError("the demo's overdue shift was claimed by another loop")
    shift.refresh_from_db()
    return services.acknowledge(
        actor=demo.member(H, spec.planner),
        shift=shift,
        now=deadline + dt.timedelta(minutes=STEP_WAIT_MINUTES + 5),
    )
