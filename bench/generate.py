"""A generated national network for benchmarks: organisations, their sites and teams, and
people with every role, line managers, mentors and coaches, a few people who have left,
open invitations and inbox messages; and the people module's records (profiles, staff
records, disclosures with history, shares, working patterns, times away, exception reports
and the audit events of their use: ``bench/generate_people.py``). Invented data, made
quickly with bulk inserts.

    python bench/generate.py --organisations 300 --people 20000   # into PEERWORK_DATABASE_URL

or from Python (after ``django.setup()``)::

    from bench.generate import generate_network
    network = generate_network(organisations=300, people=20_000, password="…")

Organisation sizes are skewed like a real network: many small drop-in services, a few
large ones (the largest is where the benchmarks sign in, since that is where counts grow).
Every organisation has at least ``MINIMUM_SIZE`` people, so every role exists in each.
The same ``seed`` makes the same network.

Rows are written organisation by organisation, each inside that organisation's scope
(django-scopes), as any code outside a request must; only ``User`` rows, which belong to no
organisation, are written outside a scope.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.generate_people import BenchPeople, fill_organisation  # noqa: E402

MINIMUM_SIZE = 10
SLUG_PREFIX = "net-"
BATCH = 500

# Invented names from the regions the demo works in (East Africa, Ukraine, South and
# South-East Asia); combinations are random and name nobody.
_GIVEN_NAMES = (
    "Achieng Aisha Amani Baraka Dewi Fatuma Hana Imani Juma Kamau Lina Mwangi Nia "
    "Oleksii Olha Petro Rahim Rini Sari Siti Taras Wanjiku Yusuf Zawadi Andriy Budi "
    "Chiku Daud Halima Ivan Kateryna Maria Mykola Nadia Otieno Putri Rudi Salma Tatiana "
    "Wayan"
)
GIVEN = _GIVEN_NAMES.split()
_FAMILY_NAMES = (
    "Achieng Bondarenko Hidayat Kariuki Koval Kusuma Lysenko Mbeki Mutua Njoroge Nugroho "
    "Ochieng Odhiambo Pratama Rahman Santoso Savchenko Setiawan Shevchuk Wafula Wekesa "
    "Yuliana Zulu Boyko Hassan Kimani Moroz Oyelaran Tkachenko Wirawan"
)
FAMILY = _FAMILY_NAMES.split()
ZONES = (
    ("Africa/Nairobi", ("en", "sw")),
    ("Africa/Dar_es_Salaam", ("sw", "en")),
    ("Europe/Kyiv", ("uk", "ru")),
    ("Asia/Jakarta", ("id", "en")),
)


@dataclass
class Network:
    """What was generated, for the benchmarks to pick people from."""

    organisations: int = 0
    people: int = 0
    sizes: dict[str, int] = field(default_factory=dict)  # organisation slug -> people
    roles: Counter[str] = field(default_factory=Counter)
    # In the largest organisation: one username for each role (its first main holder).
    largest: str = ""
    largest_by_role: dict[str, str] = field(default_factory=dict)
    # The people module: rows made, by kind; and the largest organisation's quiet and busy
    # person (generate_people.BenchPeople), whose pages the benchmarks compare.
    people_module: Counter[str] = field(default_factory=Counter)
    bench_people: BenchPeople = field(default_factory=BenchPeople)


def organisation_sizes(rng: random.Random, organisations: int, people: int) -> list[int]:
    """Sizes adding up to ``people``, each at least ``MINIMUM_SIZE``, largest first."""
    if people < organisations * MINIMUM_SIZE:
        raise ValueError(f"{people} people cannot fill {organisations} organisations")
    spare = people - organisations * MINIMUM_SIZE
    weights = [rng.lognormvariate(0.0, 1.0) for _ in range(organisations)]
    total = sum(weights)
    sizes = [MINIMUM_SIZE + int(spare * w / total) for w in weights]
    sizes.sort(reverse=True)
    sizes[0] += people - sum(sizes)  # rounding left-overs go to the largest
    return sizes


def role_plan(size: int) -> list[tuple[str, ...]]:
    """The roles of each person in an organisation of ``size`` people, in order: the
    director, HR, the admin, line managers, mentors, coaches, facilitators, interviewers,
    then staff and volunteers."""
    from peerwork.core.models import Role

    plan: list[tuple[str, ...]] = [
        (Role.STAFF, Role.DIRECTOR),
        (Role.STAFF, Role.HR),
        (Role.ORG_ADMIN,),
    ]
    plan += [(Role.STAFF, Role.LINE_MANAGER)] * max(1, size // 8)
    plan += [(Role.STAFF, Role.PEER_MENTOR)] * max(1, size // 12)
    plan += [(Role.COACH,)] * max(1, size // 40)
    plan += [(Role.STAFF, Role.FACILITATOR)] * max(1, size // 30)
    plan += [(Role.VOLUNTEER, Role.PEER_INTERVIEWER)] * max(1, size // 30)
    rest = size - len(plan)
    volunteers = rest // 4
    plan += [(Role.STAFF,)] * (rest - volunteers) + [(Role.VOLUNTEER,)] * volunteers
    return [tuple(Role(role).value for role in roles) for roles in plan[:size]]


def generate_network(
    *,
    organisations: int = 300,
    people: int = 20_000,
    password: str,
    seed: int = 2026,
) -> Network:
    """Write the network into the configured database: the organisations, their people and
    what core keeps about them in one transaction; then, organisation by organisation, the
    people module's records (``generate_people``: the keys they are sealed with, then the
    rows, each in a transaction of its own)."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from peerwork.core.models import Organisation

    rng = random.Random(seed)
    if Organisation.objects.filter(slug__startswith=SLUG_PREFIX).exists():
        raise ValueError("this database already holds a generated network")
    # One hash for everyone: hashing 20,000 passwords would take minutes.
    password_hash = make_password(password)
    network = Network()
    sizes = organisation_sizes(rng, organisations, people)
    people_module: list[Callable[[], Counter[str]]] = []
    with transaction.atomic():
        number = 0
        for index, size in enumerate(sizes, start=1):
            slug = f"{SLUG_PREFIX}{index:03d}"
            usernames = _organisation(
                rng,
                slug,
                index,
                size,
                number,
                password_hash,
                network,
                seed=seed,
                people_module=people_module,
            )
            number += len(usernames)
    # Then the people module's records, organisation by organisation, each with a random
    # stream of its own (so the rest of the network is the same with or without them).
    for fill in people_module:
        network.people_module.update(fill())
    network.organisations = organisations
    network.people = people
    network.largest = f"{SLUG_PREFIX}001"
    return network


def _organisation(
    rng: random.Random,
    slug: str,
    index: int,
    size: int,
    first_number: int,
    password_hash: str,
    network: Network,
    *,
    seed: int,
    people_module: list[Callable[[], Counter[str]]],
) -> list[str]:
    from django.utils import timezone
    from django_scopes import scope

    from peerwork.core.models import (
        Invitation,
        Membership,
        MembershipRole,
        Notification,
        Organisation,
        Role,
        Site,
        SupportRelationship,
        Team,
        User,
    )

    now = timezone.now()
    zone, languages = ZONES[index % len(ZONES)]
    organisation = Organisation.objects.create(
        slug=slug,
        name=f"Network member {index:03d}",
        time_zone=zone,
        languages=list(languages),
    )
    plan = role_plan(size)
    usernames = [f"p{first_number + n:05d}" for n in range(size)]
    users = [
        User(
            username=username,
            display_name=f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}",
            email=f"{username}@{slug}.example.org",
            password=password_hash,
            language=rng.choice(("", *languages)),
        )
        for username in usernames
    ]
    User.objects.bulk_create(users, batch_size=BATCH)
    network.sizes[slug] = size

    with scope(organisation=organisation.pk):
        sites = Site.objects.bulk_create(
            Site(organisation=organisation, name=f"Site {n + 1}") for n in range(max(1, size // 60))
        )
        teams = Team.objects.bulk_create(
            Team(organisation=organisation, site=sites[n % len(sites)], name=f"Team {n + 1}")
            for n in range(max(1, size // 12))
        )
        members = [
            Membership(
                organisation=organisation,
                user=user,
                team=teams[n % len(teams)],
                title=str(Role(roles[-1]).label),
                work_email=user.email,
                joined_at=now - timedelta(days=rng.randrange(30, 3000)),
            )
            for n, (user, roles) in enumerate(zip(users, plan, strict=True))
        ]
        # Line management: the director manages HR, the admin and the line managers; every
        # other staff member or volunteer has one of the line managers.
        director = members[0]
        managers = [m for m, roles in zip(members, plan, strict=True) if Role.LINE_MANAGER in roles]
        for n, (member, roles) in enumerate(zip(members, plan, strict=True)):
            if member is director or Role.COACH in roles:
                continue
            if n < 3 or Role.LINE_MANAGER in roles:
                member.line_manager = director
            else:
                member.line_manager = managers[n % len(managers)]
        # A few people left a while ago (never the ones with a role beyond staff).
        for n, roles in enumerate(plan):
            if roles in ((Role.STAFF,), (Role.VOLUNTEER,)) and rng.random() < 0.03:
                members[n].ended_at = now - timedelta(days=rng.randrange(1, 700))
        # Line managers first, so the self-reference points at rows already written.
        leaders = {id(m) for m in members if m.line_manager is None or m.line_manager is director}
        Membership.objects.bulk_create([director])
        Membership.objects.bulk_create(
            [m for m in members if id(m) in leaders and m is not director], batch_size=BATCH
        )
        Membership.objects.bulk_create(
            [m for m in members if id(m) not in leaders], batch_size=BATCH
        )
        MembershipRole.objects.bulk_create(
            (
                MembershipRole(organisation=organisation, membership=member, role=role)
                for member, roles in zip(members, plan, strict=True)
                for role in roles
            ),
            batch_size=BATCH,
        )
        for roles in plan:
            network.roles.update(roles)

        # Mentoring and coaching, outside line management (§3.11): mentors and coaches
        # manage nobody, so nobody they support is their report.
        supported = [
            m
            for m, roles in zip(members, plan, strict=True)
            if roles in ((Role.STAFF,), (Role.VOLUNTEER,)) and m.ended_at is None
        ]
        relationships = []
        for roles, kind, per in (
            (Role.PEER_MENTOR, SupportRelationship.Kind.MENTOR, 4),
            (Role.COACH, SupportRelationship.Kind.COACH, 3),
        ):
            for supporter in [m for m, r in zip(members, plan, strict=True) if roles in r]:
                for person in rng.sample(supported, min(per, len(supported))):
                    relationships.append(
                        SupportRelationship(
                            organisation=organisation,
                            supporter=supporter,
                            person=person,
                            kind=kind,
                            started_on=(now - timedelta(days=rng.randrange(1, 400))).date(),
                        )
                    )
        SupportRelationship.objects.bulk_create(relationships, batch_size=BATCH)
        # The people module's records are made once these rows are committed.
        people_module.append(
            partial(
                fill_organisation,
                organisation=organisation,
                members=members,
                plan=plan,
                relationships=relationships,
                seed=f"{seed}-people-{index}",
                bench=network.bench_people if index == 1 else None,
            )
        )

        Invitation.objects.bulk_create(
            Invitation(
                organisation=organisation,
                email=f"invited-{n}@{slug}.example.org",
                roles=[Role.STAFF.value],
                invited_by=members[2],
                expires_at=now + timedelta(days=n + 1),
            )
            for n in range(2)
        )
        # Inbox messages: some read, some not, for about a third of the people.
        Notification.objects.bulk_create(
            (
                Notification(
                    organisation=organisation,
                    recipient=member,
                    kind="core.api_token_expiring",
                    params={"expires_at": (now + timedelta(days=7)).isoformat()},
                    created_at=now - timedelta(hours=rng.randrange(1, 500)),
                    read_at=None if rng.random() < 0.5 else now,
                )
                for member in members
                if rng.random() < 0.33
                for _ in range(rng.randrange(1, 4))
            ),
            batch_size=BATCH,
        )

    if index == 1:
        # Each role's person holds it as their main role (the last of theirs), so "staff"
        # is a staff member, not the director who is also staff.
        for username, roles in zip(usernames, plan, strict=True):
            network.largest_by_role.setdefault(roles[-1], username)
    return usernames


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--organisations", type=int, default=300)
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--password", required=True, help="everyone's password")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--json", action="store_true", help="print what was made as JSON (for page_weight.py)"
    )
    options = parser.parse_args(argv)
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peerwork.settings")
    django.setup()
    network = generate_network(
        organisations=options.organisations,
        people=options.people,
        password=options.password,
        seed=options.seed,
    )
    if options.json:
        print(json.dumps(summary(network), indent=2))
        return 0
    print(
        f"{network.organisations} organisations, {network.people} people; the largest, "
        f"{network.largest}, has {network.sizes[network.largest]}."
    )
    for kind, count in sorted(network.people_module.items()):
        print(f"  {kind}: {count}")
    return 0


def summary(network: Network) -> dict[str, object]:
    """What was made, as JSON: sizes, who to sign in as, the people module's counts."""
    return {
        "organisations": network.organisations,
        "people": network.people,
        "largest": network.largest,
        "largest_size": network.sizes[network.largest],
        "largest_by_role": network.largest_by_role,
        "bench_people": asdict(network.bench_people),
        "people_module": dict(sorted(network.people_module.items())),
    }


if __name__ == "__main__":
    sys.exit(main())
