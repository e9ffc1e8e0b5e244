"""The people part of the demo story (``/work/shared/DEMO.md``; issue 4).

What the demo shows of "My information, my choice" (§2.3), seeded through the people
module's services, so every change is checked and written to the audit chain as it would
be on a real server:

- Harbourside's staff records, written by Grace (HR): grades, contracts, hours, start dates.
- Amina says in her own words that she uses drugs and shares that with her peer mentor
  Samuel alone; nobody else at work sees it, not Ravi, her line manager.
- Olena tells the organisation about her OST (methadone, collected every day when the
  clinic opens at 10:00) and shares it with her line manager Ravi for three months, to plan
  her start time. Her contracted pattern is the team's usual 09:00–17:30 Monday to Friday;
  the later start she and Ravi agreed (10:45, §2.4.1: flexible hours agreed as terms of
  work) is an adjustment of it, seeded by the scheduling demo (``schedule/demo.py``). The
  hours are what everyone planning sees, never why.
- Samuel, in recovery and going to NA, is open about it with the whole organisation (§2.3:
  some people choose openness within the staff team).
- Amina has a one-off appointment next week, shown to planners as "appointment" only.
- At Riverside, Taras keeps the staff records of the two people he line-manages; Iryna
  shares the adjustments she needs with him; Oksana, a peer mentor, is open with the whole
  network about being an ex-drug user.

There is no exception report in the demo: it is a rare, serious exit from confidential
support (§3.11, §3.13, App. 4), not something to show off.

Each step is idempotent like core's: a second run finds everything as the story has it and
changes nothing; a run after someone changed the story in the demo puts it back (a new
answer, a new share, the agreed pattern), the way core puts back titles and line managers.
"""

from __future__ import annotations

import calendar
import datetime as dt
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from peerwork.core.demo import DemoContext, seed_step
from peerwork.core.models import Membership

from .availability import add_unavailability, set_working_pattern
from .disclosures import clean_answer
from .models import SharingGrant, StaffRecord, Unavailability, WorkingPattern
from .services import current_disclosures, disclose, share, update_staff_record

H, R = "harbourside", "riverside"

# --- the story as data ---------------------------------------------------------------


@dataclass(frozen=True)
class DemoStaffRecord:
    organisation: str
    person: str
    written_by: str  # HR, or the person's line manager
    grade: str
    contract: str
    hours_per_week: Decimal | None
    started_on: dt.date


E, V, S = (
    StaffRecord.Contract.EMPLOYEE,
    StaffRecord.Contract.VOLUNTEER,
    StaffRecord.Contract.SESSIONAL,
)

# Pay and grade follow the role, never anyone's drug use (§2.5). Leila coaches from outside
# the organisation and Bashir trains at Harbourside beside directing Riverside: both are
# paid by the session.
STAFF_RECORDS = (
    DemoStaffRecord(H, "amina", "grace", "Grade 2", E, Decimal(30), dt.date(2023, 3, 1)),
    DemoStaffRecord(H, "joseph", "grace", "", V, Decimal(8), dt.date(2025, 6, 2)),
    DemoStaffRecord(H, "olena", "grace", "Grade 3", E, Decimal("32.5"), dt.date(2022, 9, 5)),
    DemoStaffRecord(H, "ravi", "grace", "Grade 5", E, Decimal(40), dt.date(2019, 1, 14)),
    DemoStaffRecord(H, "grace", "grace", "Grade 4", E, Decimal(40), dt.date(2020, 4, 1)),
    DemoStaffRecord(H, "daniel", "grace", "Grade 6", E, Decimal(40), dt.date(2016, 7, 1)),
    DemoStaffRecord(H, "samuel", "grace", "Grade 3", E, Decimal(30), dt.date(2018, 2, 12)),
    DemoStaffRecord(H, "leila", "grace", "", S, Decimal(2), dt.date(2024, 10, 1)),
    DemoStaffRecord(H, "chen", "grace", "Grade 3", E, Decimal(20), dt.date(2021, 5, 3)),
    DemoStaffRecord(H, "bashir", "grace", "", S, Decimal(4), dt.date(2024, 1, 15)),
    DemoStaffRecord(R, "iryna", "taras", "Grade 2", E, Decimal(30), dt.date(2024, 2, 1)),
    DemoStaffRecord(R, "dmytro", "taras", "", V, Decimal(6), dt.date(2025, 3, 10)),
)


@dataclass(frozen=True)
class DemoDisclosure:
    organisation: str
    owner: str
    category: str
    answer: Mapping[str, Any]


# The answers are the people's own words (LANGUAGE.md: "let people name themselves").
DISCLOSURES = (
    DemoDisclosure(
        H,
        "amina",
        "drug_use",
        {
            "relationship": "uses_drugs",
            "own_words": (
                "I use drugs, mostly at weekends, and I plan my use around my outreach "
                "shifts. My mentor knows me well; I would rather nobody else at work knew "
                "for now."
            ),
        },
    ),
    DemoDisclosure(
        H,
        "olena",
        "ost",
        {
            "medicine": "methadone",
            "prescriber": "The OST clinic at the district hospital",
            "dispensing": "daily_supervised",
            "take_home": (
                "None for now. I collect my dose every day when the clinic opens at 10:00; "
                "the wait is usually 15 minutes and the clinic is 30 minutes from the office."
            ),
        },
    ),
    DemoDisclosure(
        H,
        "samuel",
        "drug_use",
        {
            "relationship": "in_recovery",
            "own_words": (
                "I am in recovery and go to NA meetings. I am happy for colleagues to know: "
                "ask me about it if it helps you."
            ),
        },
    ),
    DemoDisclosure(
        R,
        "iryna",
        "accommodations",
        {
            "needs": (
                "A morning off once a month for a health appointment. I give the date two "
                "weeks ahead."
            )
        },
    ),
    DemoDisclosure(
        R,
        "oksana",
        "drug_use",
        {
            "relationship": "ex_drug_user",
            "own_words": (
                "I used drugs for many years and stopped in 2017. I mentor peers and I am "
                "open about my story."
            ),
        },
    ),
)


@dataclass(frozen=True)
class DemoShare:
    organisation: str
    owner: str
    audience: str
    categories: tuple[str, ...]
    purpose: str
    grantee: str | None = None  # for a share with a person
    months: int | None = None  # None: the default (6 months for people, none for audiences)


A = SharingGrant.Audience
SHARES = (
    DemoShare(
        H,
        "amina",
        A.PERSON,
        ("drug_use",),
        "So my mentor knows where I am at.",
        grantee="samuel",
    ),
    DemoShare(
        H,
        "olena",
        A.LINE_MANAGER,
        ("ost",),
        "To plan my start time around collecting my dose at the clinic.",
        months=3,
    ),
    DemoShare(
        H,
        "samuel",
        A.ORGANISATION,
        ("drug_use",),
        "I am open about my recovery, so colleagues can come and talk to me.",
    ),
    DemoShare(
        R,
        "iryna",
        A.LINE_MANAGER,
        ("accommodations",),
        "So my rota leaves room for my appointments.",
    ),
    DemoShare(
        R,
        "oksana",
        A.ORGANISATION,
        ("drug_use",),
        "Peers I mentor can know that I have been where they are.",
    ),
)

# Olena's contracted working pattern, the team's usual hours, agreed with Ravi, her line
# manager. Her later start on dispensing days (10:45: the clinic opens at 10:00, about 15
# minutes' wait and 30 minutes' travel, DEMO.md) is an agreed adjustment of it, seeded by
# the scheduling demo (peerwork/schedule/demo.py), so the page shows both the contract and
# what changed it, and when.
OLENA_PATTERN = {day: (dt.time(9, 0), dt.time(17, 30)) for day in range(5)}
PATTERN_AGREED_BY = "ravi"


# --- helpers -------------------------------------------------------------------------


def _zone(demo: DemoContext, organisation: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(demo.organisation(organisation).time_zone)


def _months_later(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months later (the month's last day if shorter)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def _same_grant(grant: SharingGrant, spec: DemoShare, grantee: Membership | None) -> bool:
    return (
        grant.audience == spec.audience
        and sorted(grant.categories) == sorted(spec.categories)
        and (grantee is None or grant.grantee_id == grantee.pk)
    )


# --- seed steps ----------------------------------------------------------------------


@seed_step("people: staff records")
def seed_staff_records(demo: DemoContext) -> None:
    """Each person's terms, written by HR (or, at Riverside, which has no HR officer, by
    the line manager): personnel data, seen by the person, their line manager and HR."""
    for spec in STAFF_RECORDS:
        person = demo.member(spec.organisation, spec.person)
        writer = demo.member(spec.organisation, spec.written_by)
        wanted = {
            "grade": spec.grade,
            "contract": spec.contract,
            "hours_per_week": spec.hours_per_week,
            "started_on": spec.started_on,
        }
        with demo.scope(spec.organisation):
            record = StaffRecord.objects.filter(membership=person).first()
            if record is None:
                record, version = StaffRecord(organisation_id=person.organisation_id), None
                changes = wanted
            else:
                version = record.version
                changes = {k: v for k, v in wanted.items() if getattr(record, k) != v}
            if changes:
                update_staff_record(
                    actor=writer, person=person, record=record, version=version, changes=changes
                )
                demo.changes += 1


@seed_step("people: disclosures and shares")
def seed_disclosures_and_shares(demo: DemoContext) -> None:
    """What people chose to tell their organisation, and who they chose to tell (§2.3)."""
    for spec in DISCLOSURES:
        owner = demo.member(spec.organisation, spec.owner)
        answer = clean_answer(spec.category, spec.answer)
        with demo.scope(spec.organisation), timezone.override(_zone(demo, spec.organisation)):
            current = current_disclosures(owner).get(spec.category)
            if current is None or current.answer != answer:
                disclose(actor=owner, owner=owner, category=spec.category, answer=answer)
                demo.changes += 1
    for share_spec in SHARES:
        owner = demo.member(share_spec.organisation, share_spec.owner)
        with (
            demo.scope(share_spec.organisation),
            timezone.override(_zone(demo, share_spec.organisation)),
        ):
            grantee = None
            if share_spec.grantee:
                grantee = demo.member(share_spec.organisation, share_spec.grantee)
            elif share_spec.audience == A.LINE_MANAGER:
                grantee = owner.line_manager
            live = SharingGrant.objects.live().filter(
                organisation_id=owner.organisation_id, owner=owner
            )
            if any(g.is_active() and _same_grant(g, share_spec, grantee) for g in live):
                continue
            expires_on = None
            if share_spec.months is not None:
                expires_on = _months_later(timezone.localdate(), share_spec.months)
            share(
                actor=owner,
                audience=share_spec.audience,
                categories=share_spec.categories,
                purpose=share_spec.purpose,
                grantee=grantee if share_spec.audience == A.PERSON else None,
                expires_on=expires_on,
            )
            demo.changes += 1


@seed_step("people: working patterns and time away")
def seed_availability(demo: DemoContext) -> None:
    """Work facts for planning: Olena's agreed hours and Amina's one-off appointment, both
    without a reason (DESIGN.md "Privacy model")."""
    olena = demo.member(H, "olena")
    ravi = demo.member(H, PATTERN_AGREED_BY)
    zone = _zone(demo, H)
    with demo.scope(H), timezone.override(zone):
        agreed = {
            (row.weekday, row.starts, row.ends)
            for row in WorkingPattern.objects.filter(membership=olena)
        }
        wanted = {(day, starts, ends) for day, (starts, ends) in OLENA_PATTERN.items()}
        if agreed != wanted:
            set_working_pattern(actor=ravi, membership=olena, days=OLENA_PATTERN)
            demo.changes += 1

        # One appointment ahead at any time: next week's Tuesday, 14:00–15:30 local time.
        amina = demo.member(H, "amina")
        now = timezone.now()
        upcoming = Unavailability.objects.filter(
            membership=amina, kind=Unavailability.Kind.APPOINTMENT, starts_at__gt=now
        )
        if not upcoming.exists():
            today = timezone.localdate(now, zone)
            next_tuesday = today + dt.timedelta(days=7 - today.weekday() + 1)
            starts_at = dt.datetime.combine(next_tuesday, dt.time(14, 0), tzinfo=zone)
            add_unavailability(
                actor=amina,
                membership=amina,
                kind=Unavailability.Kind.APPOINTMENT,
                starts_at=starts_at,
                ends_at=starts_at + dt.timedelta(minutes=90),
            )
            demo.changes += 1
