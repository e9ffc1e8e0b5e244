"""The people module's part of the generated network (``bench/generate.py``): profiles,
staff records, disclosures with their history, shares in every audience and state, working
patterns, times away, a few exception reports, and the audit events a year or two of use
leaves behind (each answer and share written, each read of an answer by its owner or by
someone it was shared with: what "who saw my data" lists).

Rows go in with ``bulk_create``. Sealed values (a profile's emergency contact, an answer, a
share's purpose, what an exception report discloses) are sealed on the way in exactly as
``save()`` seals them: Django's insert calls each field's ``pre_save`` for every row, bulk
or not, and ``SealedField.pre_save`` is where sealing happens (``peerwork/core/sealing.py``).
Every answer goes through ``disclosures.clean_answer`` first, so the data is what the pages
and the API accept. The audit events of each organisation form one valid chain (MACs
computed as ``peerwork.core.audit`` computes them, the head moved to the last event), so
``manage.py verify_audit`` passes on a generated network.

Proportions are guesses at a believable year or two in a network of harm-reduction
services: most people have a staff record and a profile, about a third told their
organisation something about themselves, and about half of those shared some of it; shares
to a person or a line manager run for three, six or twelve months, so many have ended.
The texts are invented, in the people's own words, and follow LANGUAGE.md.

Two people in the largest organisation are filled by hand for the benchmarks (``BenchPeople``):
a quiet one (one answer, one share, a few reads) and a busy one (every category with a long
history, 80 shares made, 25 received by name, 3,000 reads of their answers, weekly
appointments): the same page for each shows whether its queries grow with the data.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from peerwork.core.models import Membership, Organisation, SupportRelationship

BATCH = 500

# Shares of the people the module's records cover (of active members unless said).
PROFILE_SHARE = 0.7  # of everyone
EMERGENCY_CONTACT_SHARE = 0.35  # of profiles
STAFF_RECORD_SHARE = 0.92  # of everyone, leavers included
PATTERN_SHARE = 0.6  # of employees
AWAY_SHARE = 0.25
DISCLOSER_SHARE = 0.3
SHARER_SHARE = 0.55  # of disclosers
HISTORY_SHARE = 0.25  # of answers: replaced 1–3 times before
EXCEPTION_REPORTS_PER_PEOPLE = 150  # about one report per this many people

CATEGORY_WEIGHTS = {
    "drug_use": 0.6,
    "ost": 0.25,
    "health": 0.3,
    "accommodations": 0.35,
    "criminal_record": 0.1,
}
AUDIENCE_WEIGHTS = (("person", 40), ("line_manager", 30), ("team", 15), ("organisation", 15))

PRONOUNS = ("she/her", "he/him", "they/them", "she/they", "")
LANGUAGES = {
    "en": "English",
    "sw": "Swahili",
    "uk": "Ukrainian",
    "ru": "Russian",
    "id": "Indonesian",
}

# Invented answers, in people's own words (LANGUAGE.md: let people name themselves).
DRUG_USE_WORDS = (
    "I used drugs for many years and stopped in 2019. I am happy to talk with peers about it.",
    "I use drugs now and then, never at work, and I plan around my shifts.",
    "I am on methadone and doing well. Ask me if you want to know more.",
    "In recovery, going to meetings twice a week.",
    "I am a person who uses drugs; it is part of why I do this work.",
    "I started using again last spring and I am back on my feet. A lapse is not collapse.",
)
OST_PRESCRIBERS = (
    "The OST clinic at the district hospital",
    "The community health centre",
    "My doctor at the health centre near home",
    "The harm reduction service's own clinic",
)
OST_TAKE_HOME = (
    "I collect my dose every morning before work.",
    "Take-home doses for the weekend; the rest at the clinic.",
    "Two weeks of take-home doses at a time.",
    "None for now; the clinic opens at 9:00 and I need about an hour.",
)
HEALTH_WORDS = (
    "I am living with HIV and on treatment; it does not change my work.",
    "Treatment for hepatitis C finished last year.",
    "A check-up every three months.",
    "Tired some afternoons while my treatment settles.",
)
ACCOMMODATION_NEEDS = (
    "A later start on weekdays so I can collect my dose.",
    "A morning off once a month for a clinic appointment; I give the date two weeks ahead.",
    "Working from home on Fridays when the rota allows it.",
    "A quiet place to rest during long outreach shifts.",
    "Written instructions as well as spoken ones.",
)
RECORD_FACTS = (
    "A conviction for possession in 2015, spent since 2020.",
    "A caution in 2012 and nothing since.",
    "A fine for a drug offence in 2017.",
)
RECRUITMENTS = ("Outreach worker, 2024", "Peer navigator, 2025", "Needle and syringe programme")
PURPOSES = (
    "So my mentor knows where I am at.",
    "To plan my start time around the clinic.",
    "So my rota leaves room for my appointments.",
    "I am open about my story with colleagues.",
    "For my recruitment.",
    "So HR can arrange the adjustments I need.",
    "So my team knows how to support me on a bad day.",
    "My line manager asked how to help; this is my answer.",
)
EXCEPTION_TEXTS = (
    "They told me they plan to take cash from the drop-in's petty cash box this week.",
    "They said they are thinking of ending their life and have a plan for tonight.",
    "They told me someone at the hostel has been threatened with a knife.",
)


@dataclass
class BenchPeople:
    """The two people of the largest organisation the benchmarks compare: usernames, and
    membership ids (for the pages about them, such as their staff record)."""

    quiet: str = ""
    busy: str = ""
    quiet_id: str = ""
    busy_id: str = ""


@dataclass
class _Org:
    """One organisation's rows as they are made, before they are written."""

    organisation: Any
    now: dt.datetime
    rng: random.Random
    events: list[Any] = field(default_factory=list)
    made: Counter[str] = field(default_factory=Counter)
    rows: list[list[Any]] = field(default_factory=list)  # in the order they are written

    def add(self, rows: list[Any], counted: str) -> None:
        self.rows.append(rows)
        self.made[counted] += len(rows)

    def key_holders(self) -> set[Any]:
        """The people whose key seals something here (the owner of each sealed value)."""
        from peerwork.people.models import (
            Disclosure,
            ExceptionReport,
            Profile,
            SharingGrant,
        )

        holders = set()
        for rows in self.rows:
            for row in rows:
                if isinstance(row, Profile) and row.emergency_contact:
                    holders.add(row.membership.user_id)
                elif isinstance(row, Disclosure | SharingGrant):
                    holders.add(row.owner.user_id)
                elif isinstance(row, ExceptionReport):
                    holders.add(row.person.user_id)
        return holders


def _answer(rng: random.Random, category: str) -> dict[str, Any]:
    """A believable answer to ``category``, checked by ``clean_answer`` as a form would."""
    from peerwork.people.disclosures import PREFER_NOT_TO_SAY, clean_answer

    if rng.random() < 0.06:
        return clean_answer(category, {PREFER_NOT_TO_SAY: True})
    raw: dict[str, Any]
    if category == "drug_use":
        relationship = rng.choice(
            ("ex_drug_user", "in_recovery", "on_ost", "uses_drugs", "own_words")
        )
        raw = {"relationship": relationship}
        if relationship == "own_words" or rng.random() < 0.5:
            raw["own_words"] = rng.choice(DRUG_USE_WORDS)
    elif category == "ost":
        raw = {
            "medicine": rng.choice(("methadone", "methadone", "buprenorphine")),
            "prescriber": rng.choice(OST_PRESCRIBERS),
            "dispensing": rng.choice(("daily_supervised", "some_take_home", "mostly_take_home")),
        }
        if rng.random() < 0.6:
            raw["take_home"] = rng.choice(OST_TAKE_HOME)
    elif category == "health":
        raw = {
            "conditions": rng.sample(["hiv", "viral_hepatitis", "tb", "other"], rng.randint(1, 2))
        }
        if rng.random() < 0.6:
            raw["own_words"] = rng.choice(HEALTH_WORDS)
    elif category == "accommodations":
        raw = {"needs": rng.choice(ACCOMMODATION_NEEDS)}
    else:
        raw = {"facts": rng.choice(RECORD_FACTS), "recruitment": rng.choice(RECRUITMENTS)}
    return clean_answer(category, raw)


def _between(rng: random.Random, start: dt.datetime, end: dt.datetime) -> dt.datetime:
    seconds = max(0.0, (end - start).total_seconds())
    return start + dt.timedelta(seconds=rng.uniform(0, seconds))


def _event(
    org: _Org,
    *,
    kind: str,
    action: str,
    at: dt.datetime,
    actor: Any,
    subject: Any,
    object_type: str,
    object_id: Any = None,
    data_class: str = "disclosed",
    detail: dict[str, Any] | None = None,
) -> None:
    from peerwork.core.audit import clean_detail
    from peerwork.core.models import AuditEvent

    org.events.append(
        AuditEvent(
            organisation=org.organisation,
            seq=0,  # numbered in time order when the chain is written
            at=at,
            kind=kind,
            actor_id=actor.pk if actor is not None else None,
            action=action,
            object_type=object_type,
            object_id=object_id,
            subject_id=subject.pk,
            data_class=data_class,
            detail=clean_detail(detail),
        )
    )


# --- disclosures, shares and their reads ----------------------------------------------


def _disclose(
    org: _Org,
    owner: Membership,
    category: str,
    *,
    earlier: int,
    first_at: dt.datetime,
    out: list[Any],
) -> Any:
    """The owner's current answer and ``earlier`` replaced ones, oldest first, spread from
    ``first_at`` to a while ago. Returns the current row."""
    from peerwork.people.models import Disclosure

    rng = org.rng
    times = sorted(
        _between(rng, first_at, org.now - dt.timedelta(days=1)) for _ in range(earlier + 1)
    )
    rows = []
    for n, made_at in enumerate(times):
        row = Disclosure(
            organisation=org.organisation,
            owner=owner,
            category=category,
            made_at=made_at,
            replaced_at=times[n + 1] if n + 1 < len(times) else None,
        )
        row.set_answer(_answer(rng, category))
        rows.append(row)
        _event(
            org,
            kind="write",
            action="disclosure.write",
            at=made_at,
            actor=owner,
            subject=owner,
            object_type="people.disclosure",
            object_id=row.pk,
        )
    out.extend(rows)
    return rows[-1]


def _reads(
    org: _Org,
    reader: Membership,
    owner: Membership,
    answers: Sequence[Any],
    *,
    times: int,
    start: dt.datetime,
    end: dt.datetime,
) -> None:
    """``times`` visits by ``reader`` to a page showing ``answers``: one read event per
    answer per visit (as ``services.read_disclosures`` writes them)."""
    for _visit in range(times):
        for answer in answers:
            begin = max(start, answer.made_at)
            if begin >= end:
                continue
            _event(
                org,
                kind="read",
                action="disclosure.read",
                at=_between(org.rng, begin, end),
                actor=reader,
                subject=owner,
                object_type="people.disclosure",
                object_id=answer.pk,
            )


def _share(
    org: _Org,
    owner: Membership,
    audience: str,
    categories: list[str],
    *,
    grantee: Membership | None,
    created_at: dt.datetime,
    expires_at: dt.datetime | None,
    revoked_at: dt.datetime | None,
    out: list[Any],
) -> Any:
    from peerwork.people.models import SharingGrant

    grant = SharingGrant(
        organisation=org.organisation,
        owner=owner,
        audience=audience,
        grantee=grantee,
        team_id=owner.team_id if audience == "team" else None,
        categories=sorted(categories),
        created_at=created_at,
        expires_at=expires_at,
        revoked_at=revoked_at,
    )
    grant.purpose = org.rng.choice(PURPOSES)
    out.append(grant)
    _event(
        org,
        kind="write",
        action="grant.create",
        at=created_at,
        actor=owner,
        subject=owner,
        object_type="people.sharing_grant",
        object_id=grant.pk,
        detail={"audience": audience, **({"grantee": grantee.pk} if grantee else {})},
    )
    if revoked_at is not None:
        _event(
            org,
            kind="write",
            action="grant.revoke",
            at=revoked_at,
            actor=owner,
            subject=owner,
            object_type="people.sharing_grant",
            object_id=grant.pk,
        )
    return grant


def _share_end(grant: Any, now: dt.datetime) -> dt.datetime:
    ends = [now]
    if grant.expires_at is not None:
        ends.append(grant.expires_at)
    if grant.revoked_at is not None:
        ends.append(grant.revoked_at)
    return min(ends)


def _share_times(
    rng: random.Random, audience: str, now: dt.datetime, earliest: dt.datetime
) -> tuple[dt.datetime, dt.datetime | None, dt.datetime | None]:
    """When a share was made, until when, and when it was stopped (or None)."""
    created_at = _between(rng, earliest, now - dt.timedelta(hours=1))
    if audience in ("person", "line_manager"):
        expires_at: dt.datetime | None = created_at + dt.timedelta(
            days=rng.choice((91, 183, 183, 365))
        )
    else:
        expires_at = None if rng.random() < 0.8 else created_at + dt.timedelta(days=365)
    revoked_at = None
    if rng.random() < 0.12:
        revoked_at = _between(rng, created_at, min(now, expires_at or now))
    return created_at, expires_at, revoked_at


# --- one organisation -----------------------------------------------------------------


def fill_organisation(
    *,
    organisation: Organisation,
    members: Sequence[Membership],
    plan: Sequence[tuple[str, ...]],
    relationships: Sequence[SupportRelationship],
    seed: str,
    bench: BenchPeople | None = None,
) -> Counter[str]:
    """Make the people module's rows for one organisation and write them, in its scope and
    outside any transaction (the organisation's people are committed already). ``bench``
    (the largest organisation only) is filled with the two benchmark people (usernames and
    membership ids)."""
    from django_scopes import scope

    with scope(organisation=organisation.pk):
        org = _make(
            organisation=organisation,
            members=members,
            plan=plan,
            relationships=relationships,
            seed=seed,
            bench=bench,
        )
        _write(org)
    return org.made


def _make(
    *,
    organisation: Organisation,
    members: Sequence[Membership],
    plan: Sequence[tuple[str, ...]],
    relationships: Sequence[SupportRelationship],
    seed: str,
    bench: BenchPeople | None = None,
) -> _Org:
    """The organisation's rows and audit events, in memory."""
    from django.utils import timezone

    from peerwork.core.models import Role
    from peerwork.people.models import (
        ExceptionReport,
        Profile,
        StaffRecord,
        Unavailability,
    )

    now = timezone.now()
    rng = random.Random(seed)
    org = _Org(organisation=organisation, now=now, rng=rng)
    roles_of = {m.pk: set(roles) for m, roles in zip(members, plan, strict=True)}
    active = [m for m in members if m.ended_at is None]
    working = [m for m in active if roles_of[m.pk] & {Role.STAFF, Role.VOLUNTEER}]
    managers = [m for m in active if Role.LINE_MANAGER in roles_of[m.pk]]
    hr = [m for m in active if Role.HR in roles_of[m.pk]]
    mentors = [m for m in active if Role.PEER_MENTOR in roles_of[m.pk]]
    by_team: dict[Any, list[Membership]] = {}
    for member in working:
        by_team.setdefault(member.team_id, []).append(member)

    quiet = busy = None
    if bench is not None:
        plain = [
            m
            for m in active
            if roles_of[m.pk] == {Role.STAFF}
            and m.team_id is not None
            and m.line_manager_id is not None
        ]
        quiet, busy = plain[0], plain[1]
        bench.quiet, bench.busy = quiet.user.username, busy.user.username
        bench.quiet_id, bench.busy_id = str(quiet.pk), str(busy.pk)
    by_hand = {m.pk for m in (quiet, busy) if m is not None}

    # Profiles and staff records: work data, for most people.
    zone_languages = list(organisation.languages) or ["en"]
    profiles = []
    for member in members:
        if member.pk not in by_hand and rng.random() >= PROFILE_SHARE:
            continue
        spoken = rng.sample(zone_languages, rng.randint(1, len(zone_languages)))
        profile = Profile(
            organisation=organisation,
            membership=member,
            pronouns=rng.choice(PRONOUNS),
            languages=", ".join(LANGUAGES.get(code, code) for code in spoken),
        )
        if member.pk in by_hand or rng.random() < EMERGENCY_CONTACT_SHARE:
            profile.emergency_contact = (
                f"{member.user.display_name.split()[0]}'s sister, "
                f"+{rng.choice((254, 255, 380, 62))} 700 {rng.randrange(100000, 999999)}"
            )
        profiles.append(profile)
    org.add(profiles, "profiles")

    records = []
    patterns = []
    for member in members:
        roles = roles_of[member.pk]
        if member.pk not in by_hand and rng.random() >= STAFF_RECORD_SHARE:
            continue
        if Role.COACH in roles:
            contract, hours = StaffRecord.Contract.SESSIONAL, Decimal(rng.choice((2, 4, 6)))
        elif Role.STAFF not in roles:
            contract, hours = StaffRecord.Contract.VOLUNTEER, Decimal(rng.choice((4, 6, 8, 12)))
        elif rng.random() < 0.08:
            contract, hours = StaffRecord.Contract.SESSIONAL, Decimal(rng.choice((8, 12, 16)))
        else:
            contract, hours = (
                StaffRecord.Contract.EMPLOYEE,
                Decimal(rng.choice(("20", "30", "32.5", "37.5", "40"))),
            )
        started_on = timezone.localdate(member.joined_at)
        records.append(
            StaffRecord(
                organisation=organisation,
                membership=member,
                grade=""
                if contract != StaffRecord.Contract.EMPLOYEE
                else f"Grade {rng.randint(1, 6)}",
                contract=contract,
                hours_per_week=hours,
                started_on=started_on,
                # (The core generator draws joining and leaving dates apart: a leaver's
                # last day is never before their first.)
                ends_on=(
                    max(started_on, timezone.localdate(member.ended_at))
                    if member.ended_at
                    else None
                ),
            )
        )
        late = member.pk == (busy.pk if busy else None)
        employed = member.ended_at is None and contract == StaffRecord.Contract.EMPLOYEE
        if employed and (late or rng.random() < PATTERN_SHARE):
            patterns += _pattern(rng, organisation, member, started_on, late=late)
    org.add(records, "staff records")
    org.add(patterns, "working pattern days")

    # Times away: neutral labels, no reasons; some past, some ahead.
    away = []
    for member in active:
        if member.pk in by_hand or rng.random() >= AWAY_SHARE:
            continue
        for _n in range(rng.randint(1, 3)):
            starts_at = now + dt.timedelta(days=rng.randint(-60, 45), hours=rng.randint(-6, 6))
            starts_at = starts_at.replace(minute=0, second=0, microsecond=0)
            away.append(
                Unavailability(
                    organisation=organisation,
                    membership=member,
                    kind=rng.choice(("unavailable", "appointment", "appointment")),
                    starts_at=starts_at,
                    ends_at=starts_at + dt.timedelta(hours=rng.choice((1, 2, 3, 8, 24, 72))),
                    created_at=min(now, starts_at) - dt.timedelta(days=rng.randint(1, 20)),
                )
            )

    # Disclosures, shares and reads.
    disclosures: list[Any] = []
    grants: list[Any] = []
    disclosed: set[Any] = set()
    for owner in working:
        if owner.pk in by_hand or rng.random() >= DISCLOSER_SHARE:
            continue
        chosen = [c for c, weight in CATEGORY_WEIGHTS.items() if rng.random() < weight] or [
            "drug_use"
        ]
        disclosed.add(owner.pk)
        first_at = max(owner.joined_at, now - dt.timedelta(days=900))
        current = {
            category: _disclose(
                org,
                owner,
                category,
                earlier=rng.randint(1, 3) if rng.random() < HISTORY_SHARE else 0,
                first_at=first_at,
                out=disclosures,
            )
            for category in chosen
        }
        answers = list(current.values())
        # The owner's own visits to "My information" read every current answer.
        _reads(
            org,
            owner,
            owner,
            answers,
            times=rng.randint(1, 5),
            start=max(a.made_at for a in answers),
            end=now,
        )
        if rng.random() >= SHARER_SHARE:
            continue
        for _n in range(rng.choice((1, 1, 1, 2, 2, 3))):
            audience = rng.choices(
                [a for a, _w in AUDIENCE_WEIGHTS], [w for _a, w in AUDIENCE_WEIGHTS]
            )[0]
            grantee = None
            if audience == "line_manager":
                if owner.line_manager is None or owner.line_manager.ended_at is not None:
                    audience = "team"
                else:
                    grantee = owner.line_manager
                    former = [m for m in managers if m.pk not in (owner.pk, owner.line_manager_id)]
                    if former and rng.random() < 0.08:
                        # To a former line manager: paused until confirmed for the new one.
                        grantee = rng.choice(former)
            if audience == "person":
                pool = rng.choice((hr, mentors, working, working))
                candidates = [m for m in pool if m.pk != owner.pk]
                if not candidates:
                    audience = "organisation"
                else:
                    grantee = rng.choice(candidates)
            if audience == "team" and owner.team_id is None:
                audience = "organisation"
            categories = rng.sample(sorted(current), rng.randint(1, min(2, len(current))))
            created_at, expires_at, revoked_at = _share_times(
                rng, audience, now, max(a.made_at for a in answers)
            )
            grant = _share(
                org,
                owner,
                audience,
                categories,
                grantee=grantee,
                created_at=created_at,
                expires_at=expires_at,
                revoked_at=revoked_at,
                out=grants,
            )
            # Who read it while it ran: the person it names, or a few of the team or
            # organisation.
            if grantee is not None:
                readers = [grantee]
            elif audience == "team":
                team = [m for m in by_team.get(owner.team_id, []) if m.pk != owner.pk]
                readers = rng.sample(team, min(len(team), rng.randint(0, 3)))
            else:
                others = [m for m in working if m.pk != owner.pk]
                readers = rng.sample(others, min(len(others), rng.randint(0, 5)))
            shown = [current[c] for c in categories]
            for reader in readers:
                _reads(
                    org,
                    reader,
                    owner,
                    shown,
                    times=rng.randint(0, 3),
                    start=created_at,
                    end=_share_end(grant, now),
                )

    if quiet is not None and busy is not None:
        silent = [m for m in working if m.pk not in disclosed and m.pk not in by_hand]
        _bench_people(org, quiet, busy, silent, managers, hr, mentors, disclosures, grants, away)

    org.add(disclosures, "disclosures")
    org.add(grants, "shares")
    org.add(away, "times away")
    org.made["disclosures replaced"] += sum(1 for d in disclosures if d.replaced_at is not None)
    for grant in grants:
        org.made[f"shares: {grant.audience}, {grant.state(now)}"] += 1

    # A few exception reports: rare, serious exits from confidential support.
    supported = [r for r in relationships if r.person.ended_at is None]
    count = min(len(supported), round(len(members) / EXCEPTION_REPORTS_PER_PEOPLE))
    reports = []
    for relation in rng.sample(supported, count):
        made_at = _between(rng, now - dt.timedelta(days=700), now - dt.timedelta(days=1))
        report = ExceptionReport(
            organisation=organisation,
            person=relation.person,
            supporter=relation.supporter,
            recipient=members[0],  # the director (exception_reports.recipients_for)
            reason=rng.choice(("gross_misconduct", "life_in_danger")),
            made_at=made_at,
            person_told_at=made_at,
        )
        report.disclosed = rng.choice(EXCEPTION_TEXTS)
        reports.append(report)
        _event(
            org,
            kind="write",
            action="exception_report.create",
            at=made_at,
            actor=relation.supporter,
            subject=relation.person,
            object_type="people.exception_report",
            object_id=report.pk,
            data_class="confidential",
            detail={"recipient": members[0].pk},
        )
    org.add(reports, "exception reports")
    return org


def _bench_people(
    org: _Org,
    quiet: Membership,
    busy: Membership,
    silent: Sequence[Membership],
    managers: Sequence[Membership],
    hr: Sequence[Membership],
    mentors: Sequence[Membership],
    disclosures: list[Any],
    grants: list[Any],
    away: list[Any],
) -> None:
    """The quiet and the busy person of the largest organisation, the same on every run.
    ``silent`` are colleagues who told the organisation nothing (25 of them share an answer
    with the busy person)."""
    from peerwork.people.models import Unavailability

    rng, now = org.rng, org.now
    long_ago = now - dt.timedelta(days=3 * 365)

    # Quiet: one answer, shared with their line manager, read a few times.
    answer = _disclose(
        org, quiet, "drug_use", earlier=0, first_at=now - dt.timedelta(days=120), out=disclosures
    )
    created_at = answer.made_at + dt.timedelta(days=1)
    grant = _share(
        org,
        quiet,
        "line_manager",
        ["drug_use"],
        grantee=quiet.line_manager,
        created_at=created_at,
        expires_at=created_at + dt.timedelta(days=183),
        revoked_at=None,
        out=grants,
    )
    _reads(org, quiet, quiet, [answer], times=2, start=answer.made_at, end=now)
    assert quiet.line_manager is not None  # noqa: S101  (chosen with one)
    _reads(org, quiet.line_manager, quiet, [answer], times=1, start=grant.created_at, end=now)
    start = (now + dt.timedelta(days=9)).replace(hour=9, minute=0, second=0, microsecond=0)
    away.append(
        Unavailability(
            organisation=org.organisation,
            membership=quiet,
            kind="appointment",
            starts_at=start,
            ends_at=start + dt.timedelta(hours=2),
            created_at=now - dt.timedelta(days=2),
        )
    )

    # Busy: every category with a long history (OST above all: doses and clinics change).
    history = {"drug_use": 12, "ost": 24, "health": 3, "accommodations": 5, "criminal_record": 1}
    current = {
        category: _disclose(
            org, busy, category, earlier=earlier, first_at=long_ago, out=disclosures
        )
        for category, earlier in history.items()
    }
    answers = list(current.values())
    colleagues = list(silent)
    audiences = ["person"] * 40 + ["line_manager"] * 20 + ["team"] * 10 + ["organisation"] * 10
    former = [m for m in managers if m.pk not in (busy.pk, busy.line_manager_id)]
    for n, audience in enumerate(audiences):
        grantee = None
        categories = rng.sample(sorted(current), rng.randint(1, 3))
        created_at, expires_at, revoked_at = _share_times(rng, audience, now, long_ago)
        if audience == "person":
            grantee = rng.choice(list(hr) + list(mentors) + colleagues[:20])
        elif audience == "line_manager":
            grantee = busy.line_manager
            if former and n % 4 == 0:
                # Made lately for the line manager before this one: paused, waiting for the
                # busy person to confirm it for the new one.
                grantee = rng.choice(former)
                created_at = now - dt.timedelta(days=rng.randint(20, 60))
                expires_at, revoked_at = created_at + dt.timedelta(days=183), None
        _share(
            org,
            busy,
            audience,
            categories,
            grantee=grantee,
            created_at=created_at,
            expires_at=expires_at,
            revoked_at=revoked_at,
            out=grants,
        )
    # Reads of the busy person's answers: their own visits and their readers', over
    # three years (3,000 events: what "who saw my data" pages through).
    readers = [busy, *rng.sample(colleagues, min(30, len(colleagues))), *hr, *mentors[:3]]
    for _n in range(3000):
        reader = rng.choice(readers)
        answer = rng.choice(answers)
        _event(
            org,
            kind="read",
            action="disclosure.read",
            at=_between(rng, max(answer.made_at, long_ago), now),
            actor=reader,
            subject=busy,
            object_type="people.disclosure",
            object_id=answer.pk,
        )
    # Shares made to the busy person by name: 25 colleagues, active now.
    givers = [m for m in colleagues if m.line_manager_id is not None][:25]
    for giver in givers:
        given = _disclose(
            org,
            giver,
            "accommodations",
            earlier=0,
            first_at=now - dt.timedelta(days=200),
            out=disclosures,
        )
        created_at = given.made_at + dt.timedelta(hours=2)
        _share(
            org,
            giver,
            "person",
            ["accommodations"],
            grantee=busy,
            created_at=created_at,
            expires_at=now + dt.timedelta(days=rng.randint(10, 170)),
            revoked_at=None,
            out=grants,
        )
    # A weekly appointment for the next six months, and a year of them behind.
    first = (now - dt.timedelta(weeks=52)).replace(hour=14, minute=0, second=0, microsecond=0)
    for week in range(52 + 26):
        starts_at = first + dt.timedelta(weeks=week)
        away.append(
            Unavailability(
                organisation=org.organisation,
                membership=busy,
                kind="appointment",
                starts_at=starts_at,
                ends_at=starts_at + dt.timedelta(minutes=90),
                created_at=first - dt.timedelta(days=1),
            )
        )


def _pattern(
    rng: random.Random,
    organisation: Organisation,
    member: Membership,
    agreed_on: dt.date,
    *,
    late: bool,
) -> list[Any]:
    """Agreed hours, four or five weekdays; ``late``: the 10:45 start of someone who
    collects their OST dose first (agreed as working hours, never shown as a reason)."""
    from peerwork.people.models import WorkingPattern

    if late:
        starts, ends, days = dt.time(10, 45), dt.time(17, 30), range(5)
    else:
        starts = dt.time(rng.choice((8, 8, 9, 9, 10)), rng.choice((0, 30)))
        ends = dt.time(rng.choice((16, 17, 17, 18)), rng.choice((0, 30)))
        days = range(5) if rng.random() < 0.8 else range(4)
    return [
        WorkingPattern(
            organisation=organisation,
            membership=member,
            weekday=day,
            starts=starts,
            ends=ends,
            agreed_on=agreed_on,
            agreed_by=member.line_manager,
        )
        for day in days
    ]


def _write(org: _Org) -> None:
    """Write what was made: first the organisation's key, then the keys of the people it is
    sealed for, each in a transaction of its own (a key is cached only once the transaction
    that made it commits, so sealing thousands of values under keys made in the same
    transaction would read each key back from the database every time), then every row and
    the audit chain in one transaction."""
    from django.db import transaction

    from peerwork.core import keyring

    organisation_id = org.organisation.pk
    keyring.current_organisation_key(organisation_id)  # committed, so cached, first
    with transaction.atomic():
        for user_id in sorted(org.key_holders(), key=str):
            keyring.current_person_key(organisation_id, user_id)
    with transaction.atomic():
        for rows in org.rows:
            if rows:
                type(rows[0]).objects.bulk_create(rows, batch_size=BATCH)
        _write_chain(org)


def _write_chain(org: _Org) -> None:
    """Number the organisation's events in time order after its chain's head, MAC each over
    the one before as ``audit`` does, write them and move the head (inside the caller's
    transaction)."""
    from django.db import transaction

    from peerwork.core import audit
    from peerwork.core.models import AuditEvent, AuditHead

    if not org.events:
        return
    organisation_id = org.organisation.pk
    head = AuditHead.objects.filter(organisation_id=organisation_id).first()
    seq, mac = (head.seq, head.mac) if head is not None else (0, audit.GENESIS)
    key_id, key = audit._current_key(organisation_id)  # noqa: SLF001  (the chain's own key)
    org.events.sort(key=lambda event: event.at)
    for event in org.events:
        seq += 1
        event.id = uuid.uuid4()
        event.seq = seq
        event.key_id = key_id
        event.prev_mac = mac
        event.mac = mac = audit.compute_mac(key, event)
    AuditEvent.objects.bulk_create(org.events, batch_size=BATCH)
    last = org.events[-1]
    AuditHead.objects.update_or_create(
        organisation_id=organisation_id,
        defaults={"seq": last.seq, "mac": last.mac, "updated_at": last.at},
    )
    transaction.on_commit(
        partial(audit.write_head_line, organisation_id=organisation_id, seq=last.seq, mac=last.mac)
    )
    org.made["audit events"] += len(org.events)
    org.made["audit reads"] += sum(1 for e in org.events if e.kind == "read")
