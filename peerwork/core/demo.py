"""The demo story of DEMO.md, seeded by ``python manage.py seed_demo`` (and ``make run``).

Two organisations and their invented people: who they are, their roles, who line-manages
whom and who mentors or coaches whom. The seed is a list of steps run in order, each
idempotent (running the seed again changes nothing), so later modules add their part of
the story without touching this file: they write ``peerwork/<app>/demo.py`` with

    from peerwork.core.demo import DemoContext, seed_step

    @seed_step("outreach shifts")
    def outreach_shifts(demo: DemoContext) -> None:
        amina = demo.member("harbourside", "amina")
        ...  # get_or_create rows in demo.organisation("harbourside")'s scope

and ``seed()`` imports every installed app's ``demo`` module before running the steps
(core's steps are registered first, because every other ``demo`` module imports this one).

Everyone signs in with one demo password: ``settings.PEERWORK_DEMO_PASSWORD`` when set,
otherwise one generated once and kept in ``var/demo-password``. Seeding refuses to run unless
``settings.DEMO``: it must never add known sign-ins to a real organisation's server.
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from django.utils.module_loading import autodiscover_modules
from django_scopes import scope, scopes_disabled

from .models import Membership, Organisation, Role, Site, SupportRelationship, Team, User
from .services import add_member, create_organisation

# --- the story as data ---------------------------------------------------------------


@dataclass(frozen=True)
class DemoOrganisation:
    slug: str
    name: str
    time_zone: str
    languages: tuple[str, ...]
    sites: tuple[str, ...]
    teams: tuple[tuple[str, str], ...]  # (team, site)


@dataclass(frozen=True)
class DemoPlace:
    """One membership of a demo person: their place in one organisation."""

    organisation: str
    title: str
    roles: tuple[str, ...]
    team: str | None = None
    line_manager: str | None = None  # a username, in the same organisation


@dataclass(frozen=True)
class DemoPerson:
    username: str
    display_name: str
    places: tuple[DemoPlace, ...]

    def email(self, organisation: str | None = None) -> str:
        return f"{self.username}@{organisation or self.places[0].organisation}.example.org"


@dataclass(frozen=True)
class DemoSupport:
    """A peer mentor or coach and the person they support (§3.11, §3.13)."""

    organisation: str
    supporter: str
    person: str
    kind: str


ORGANISATIONS = (
    DemoOrganisation(
        slug="harbourside",
        name="Harbourside Harm Reduction",
        time_zone="Africa/Nairobi",
        languages=("en", "sw"),
        sites=("Drop-in centre",),
        teams=(
            ("Outreach", "Drop-in centre"),
            ("Drop-in and counselling", "Drop-in centre"),
            ("Coordination", "Drop-in centre"),
        ),
    ),
    DemoOrganisation(
        slug="riverside",
        name="Riverside Drug User Network",
        time_zone="Europe/Kyiv",
        languages=("uk", "ru"),
        sites=("Podil office",),
        teams=(("Peer team", "Podil office"),),
    ),
)

H, R = "harbourside", "riverside"

# Titles name the work, never a person's relationship to drugs (LANGUAGE.md, §4.3).
PEOPLE = (
    DemoPerson(
        "amina",
        "Amina Wanjiru",
        (DemoPlace(H, "Peer outreach worker", (Role.STAFF,), "Outreach", "ravi"),),
    ),
    DemoPerson(
        "joseph",
        "Joseph Otieno",
        (DemoPlace(H, "Peer volunteer", (Role.VOLUNTEER,), "Outreach", "ravi"),),
    ),
    DemoPerson(
        "olena",
        "Olena Petrenko",
        (DemoPlace(H, "Peer counsellor", (Role.STAFF,), "Drop-in and counselling", "ravi"),),
    ),
    DemoPerson(
        "ravi",
        "Ravi Shah",
        (
            DemoPlace(
                H, "Programme manager", (Role.STAFF, Role.LINE_MANAGER), "Coordination", "daniel"
            ),
        ),
    ),
    DemoPerson(
        "grace",
        "Grace Njeri",
        (DemoPlace(H, "HR officer", (Role.STAFF, Role.HR), "Coordination", "daniel"),),
    ),
    DemoPerson(
        "daniel",
        "Daniel Mwangi",
        (DemoPlace(H, "Director", (Role.STAFF, Role.DIRECTOR), "Coordination"),),
    ),
    DemoPerson(
        "samuel",
        "Samuel Kiprop",
        (
            DemoPlace(
                H,
                "Peer mentor",
                (Role.STAFF, Role.PEER_MENTOR),
                "Drop-in and counselling",
                "daniel",
            ),
        ),
    ),
    DemoPerson("leila", "Leila Haddad", (DemoPlace(H, "External coach", (Role.COACH,)),)),
    DemoPerson(
        "farah",
        "Farah Ali",
        (DemoPlace(H, "Group facilitator", (Role.FACILITATOR,), "Drop-in and counselling"),),
    ),
    DemoPerson(
        "chen", "Chen Li", (DemoPlace(H, "Organisation admin", (Role.ORG_ADMIN,), "Coordination"),)
    ),
    DemoPerson(
        "bashir",
        "Bashir Aliyev",
        (
            DemoPlace(R, "Director", (Role.STAFF, Role.DIRECTOR), "Peer team"),
            DemoPlace(H, "Trainer", (Role.STAFF,), "Coordination", "daniel"),
        ),
    ),
    DemoPerson(
        "taras",
        "Taras Melnyk",
        (
            DemoPlace(
                R, "Programme coordinator", (Role.STAFF, Role.LINE_MANAGER), "Peer team", "bashir"
            ),
        ),
    ),
    DemoPerson(
        "oksana",
        "Oksana Bondar",
        (DemoPlace(R, "Peer mentor", (Role.STAFF, Role.PEER_MENTOR), "Peer team", "bashir"),),
    ),
    DemoPerson(
        "iryna",
        "Iryna Kovalenko",
        (DemoPlace(R, "Peer outreach worker", (Role.STAFF,), "Peer team", "taras"),),
    ),
    DemoPerson(
        "dmytro",
        "Dmytro Shevchenko",
        (DemoPlace(R, "Peer volunteer", (Role.VOLUNTEER,), "Peer team", "taras"),),
    ),
)

# Mentoring sits outside line management (§3.11): no supporter here line-manages the
# person they support (a test checks it).
SUPPORT = (
    DemoSupport(H, "samuel", "amina", SupportRelationship.Kind.MENTOR),
    DemoSupport(H, "leila", "olena", SupportRelationship.Kind.COACH),
    DemoSupport(R, "oksana", "iryna", SupportRelationship.Kind.MENTOR),
)

OPERATOR_USERNAME = "operator"
OPERATOR_NAME = "Instance operator"
PASSWORD_FILE_NAME = "demo-password"  # noqa: S105 (a file name, not a password)


# --- seed steps ----------------------------------------------------------------------


@dataclass
class DemoContext:
    """What seed steps share: the password, and the organisations and people made so far."""

    password: str
    organisations: dict[str, Organisation] = field(default_factory=dict)
    members: dict[tuple[str, str], Membership] = field(default_factory=dict)
    changes: int = 0  # rows a step created or changed; 0 on a second run
    _password_hash: str = ""
    _verified_hashes: dict[str, bool] = field(default_factory=dict)

    def organisation(self, slug: str) -> Organisation:
        return self.organisations[slug]

    def member(self, organisation: str, username: str) -> Membership:
        return self.members[(organisation, username)]

    def scope(self, organisation: str) -> Any:
        """The organisation's django-scopes scope, for a step's queries."""
        return scope(organisation=self.organisation(organisation).pk)

    def update(self, instance: models.Model, **values: object) -> None:
        """Set the fields that differ and save only those (nothing when all match)."""
        changed = [name for name, value in values.items() if getattr(instance, name) != value]
        for name in changed:
            setattr(instance, name, values[name])
        if changed:
            instance.save(update_fields=changed)
            self.changes += 1

    def created(self, was_created: bool) -> None:
        if was_created:
            self.changes += 1

    def ensure_password(self, user: User) -> None:
        """Give the person the demo password unless they already have it.

        All demo people share one salted hash of the one shared password: each hash takes
        the password hasher a noticeable fraction of a second, and ``make run`` seeds at
        every start.
        """
        if user.password and self._hash_is_current(user.password):
            return
        if not self._password_hash:
            self._password_hash = make_password(self.password)
            self._verified_hashes[self._password_hash] = True
        user.password = self._password_hash
        user.save(update_fields=["password"])
        self.changes += 1

    def _hash_is_current(self, encoded: str) -> bool:
        if encoded not in self._verified_hashes:
            self._verified_hashes[encoded] = check_password(self.password, encoded)
        return self._verified_hashes[encoded]


SeedStep = Callable[[DemoContext], None]


@dataclass(frozen=True)
class _Step:
    name: str
    run: SeedStep


_steps: list[_Step] = []


def seed_step(name: str) -> Callable[[SeedStep], SeedStep]:
    """Register a seed step; steps run in the order they were registered."""

    def register(function: SeedStep) -> SeedStep:
        if any(step.name == name for step in _steps):
            raise ImproperlyConfigured(f"Two demo seed steps are called {name!r}")
        _steps.append(_Step(name, function))
        return function

    return register


def steps() -> list[str]:
    autodiscover_modules("demo")
    return [step.name for step in _steps]


@seed_step("organisations, sites and teams")
def seed_organisations(demo: DemoContext) -> None:
    for spec in ORGANISATIONS:
        organisation = Organisation.objects.filter(slug=spec.slug).first()
        if organisation is None:
            organisation = create_organisation(
                slug=spec.slug,
                name=spec.name,
                time_zone=spec.time_zone,
                languages=spec.languages,
            )
            demo.changes += 1
        demo.organisations[spec.slug] = organisation
        with demo.scope(spec.slug):
            sites = {}
            for site_name in spec.sites:
                sites[site_name], was_created = Site.objects.get_or_create(
                    organisation=organisation, name=site_name
                )
                demo.created(was_created)
            for team_name, site_name in spec.teams:
                _team, was_created = Team.objects.get_or_create(
                    organisation=organisation,
                    name=team_name,
                    defaults={"site": sites[site_name]},
                )
                demo.created(was_created)


@seed_step("people, roles and line management")
def seed_people(demo: DemoContext) -> None:
    for person in PEOPLE:
        user, was_created = User.objects.get_or_create(
            username=person.username,
            defaults={"display_name": person.display_name, "email": person.email()},
        )
        demo.created(was_created)
        demo.update(user, display_name=person.display_name, is_active=True)
        demo.ensure_password(user)
        for place in person.places:
            organisation = demo.organisation(place.organisation)
            with demo.scope(place.organisation):
                team = (
                    Team.objects.get(organisation=organisation, name=place.team)
                    if place.team
                    else None
                )
                existing = Membership.objects.filter(organisation=organisation, user=user).first()
                had_roles = (
                    set(existing.role_grants.values_list("role", flat=True)) if existing else None
                )
                membership = add_member(
                    organisation=organisation,
                    username=person.username,
                    display_name=person.display_name,
                    email=person.email(place.organisation),
                    roles=place.roles,
                    team=team,
                )
                demo.created(existing is None)
                if existing is not None and had_roles != set(place.roles):
                    demo.changes += 1
                demo.update(membership, title=place.title, team=team, ended_at=None)
            demo.members[(place.organisation, person.username)] = membership
    # Line managers are set once everyone has a membership.
    for person in PEOPLE:
        for place in person.places:
            membership = demo.member(place.organisation, person.username)
            manager = (
                demo.member(place.organisation, place.line_manager) if place.line_manager else None
            )
            with demo.scope(place.organisation):
                demo.update(membership, line_manager=manager)


@seed_step("mentoring and coaching")
def seed_support(demo: DemoContext) -> None:
    for support in SUPPORT:
        with demo.scope(support.organisation):
            _relationship, was_created = SupportRelationship.objects.get_or_create(
                organisation=demo.organisation(support.organisation),
                supporter=demo.member(support.organisation, support.supporter),
                person=demo.member(support.organisation, support.person),
                kind=support.kind,
                defaults={"ended_on": None},
            )
            demo.created(was_created)


@seed_step("instance operator")
def seed_operator(demo: DemoContext) -> None:
    """The person who runs the server: the admin, and no organisation's data (PRODUCT.md)."""
    user, was_created = User.objects.get_or_create(
        username=OPERATOR_USERNAME,
        defaults={"display_name": OPERATOR_NAME, "email": "operator@peerwork.example.org"},
    )
    demo.created(was_created)
    demo.update(user, is_staff=True, is_superuser=True, is_active=True)
    demo.ensure_password(user)


# --- two-step sign-in ----------------------------------------------------------------

DEMO_TOTP_SALT = b"peerwork demo two-step sign-in:"


def demo_totp_secret(username: str) -> str:
    """The fixed authenticator-app secret of a demo person (base32, 160 bits).

    Fixed, not random, so an app set up once keeps working after ``make clean``. The
    people are invented and the demo runs on loopback only, so the secret being knowable
    costs nothing; the password is still generated per install.
    """
    digest = hashlib.sha256(DEMO_TOTP_SALT + username.encode()).digest()[:20]
    return base64.b32encode(digest).decode("ascii")


@seed_step("two-step sign-in")
def seed_two_step(demo: DemoContext) -> None:
    """Everyone whose roles need two-step sign-in has an authenticator app with their
    fixed demo secret, and recovery codes (peerwork.core.mfa). A rerun puts back the
    fixed secret if the app was changed on the page."""
    from allauth.mfa.adapter import get_adapter
    from allauth.mfa.models import Authenticator

    from .mfa import enrol_totp, mfa_required

    adapter = get_adapter()
    places: dict[str, list[Membership]] = {}
    for (_slug, username), membership in demo.members.items():
        places.setdefault(username, []).append(membership)
    for user in User.objects.filter(username__in=[*places, OPERATOR_USERNAME]):
        # A person's roles in every organisation count, so their roles are read across
        # organisations on purpose (the demo's own invented people).
        with scopes_disabled():
            required = mfa_required(user, places.get(user.username, []))
        if not required:
            continue
        secret = demo_totp_secret(user.username)
        app = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
        if app is not None and adapter.decrypt(app.data["secret"]) != secret:
            app.data = {**app.data, "secret": adapter.encrypt(secret)}
            app.save(update_fields=["data"])
            demo.changes += 1
        had = Authenticator.objects.filter(user=user).count()
        enrol_totp(user, secret)
        demo.created(Authenticator.objects.filter(user=user).count() != had)


def two_step_sign_ins() -> list[tuple[str, str]]:
    """(username, authenticator-app secret) of the demo people who have an app, in the
    story's order: for ``make run``'s banner. Read across organisations on purpose: only
    the demo calls it, for whoever started it."""
    from allauth.mfa.adapter import get_adapter
    from allauth.mfa.models import Authenticator

    adapter = get_adapter()
    order = [person.username for person in PEOPLE] + [OPERATOR_USERNAME]
    apps = {
        app.user.username: str(adapter.decrypt(app.data["secret"]))
        for app in Authenticator.objects.filter(
            type=Authenticator.Type.TOTP, user__username__in=order
        ).select_related("user")
    }
    return [(username, apps[username]) for username in order if username in apps]


# --- running the seed ----------------------------------------------------------------


def demo_password() -> str:
    """``PEERWORK_DEMO_PASSWORD``, or the one generated on the first seed and kept since."""
    if settings.PEERWORK_DEMO_PASSWORD:
        return str(settings.PEERWORK_DEMO_PASSWORD)
    path = Path(settings.VAR_DIR) / PASSWORD_FILE_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: two processes starting at once agree on the first one's password.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(generate_password() + "\n")
    password = path.read_text(encoding="utf-8").strip()
    if not password:
        raise ImproperlyConfigured(f"{path} is empty: delete it to make a new demo password")
    return password


def generate_password() -> str:
    """Three groups of letters and digits, easy to read aloud and to type on a phone."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to mistake
    return "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(3))


def seed() -> DemoContext:
    """Run every seed step in one transaction; refuses outside the demo."""
    if not settings.DEMO:
        raise ImproperlyConfigured("The demo seed runs only with PEERWORK_ENV=demo")
    demo = DemoContext(password=demo_password())
    autodiscover_modules("demo")
    with transaction.atomic():
        for step in _steps:
            step.run(demo)
    return demo


# --- who can sign in -----------------------------------------------------------------


@dataclass(frozen=True)
class SignIn:
    username: str
    name: str
    operator: bool
    places: tuple[tuple[str, str, tuple[str, ...]], ...]  # (organisation slug, title, roles)

    def as_json(self) -> dict[str, object]:
        return {
            "username": self.username,
            "name": self.name,
            "operator": self.operator,
            "organisations": [slug for slug, _title, _roles in self.places],
            "titles": {slug: title for slug, title, _roles in self.places},
            "roles": {slug: list(roles) for slug, _title, roles in self.places},
        }


def sign_ins() -> list[SignIn]:
    """Everyone who can sign in to the demo, in the story's order, with their roles.

    Read across organisations on purpose (``scopes_disabled``): this is the console list of
    the demo's invented people for whoever started it, never a page.
    """
    order = {person.username: index for index, person in enumerate(PEOPLE)}
    order[OPERATOR_USERNAME] = len(order)
    role_order = {value: index for index, value in enumerate(Role.values)}
    with scopes_disabled():
        users = list(User.objects.filter(is_active=True))
        memberships = (
            Membership.objects.filter(ended_at__isnull=True, user__in=users)
            .select_related("organisation")
            .prefetch_related("role_grants")
            .order_by("joined_at")
        )
        places: dict[object, list[tuple[str, str, tuple[str, ...]]]] = {}
        for membership in memberships:
            roles = tuple(sorted(membership.roles, key=role_order.__getitem__))
            places.setdefault(membership.user_id, []).append(
                (membership.organisation.slug, membership.title, roles)
            )
    people = [
        SignIn(
            username=user.username,
            name=user.name,
            operator=user.is_superuser,
            places=tuple(places.get(user.pk, ())),
        )
        for user in users
        if user.has_usable_password() and (user.pk in places or user.is_superuser)
    ]
    people.sort(key=lambda p: (order.get(p.username, len(order) + 1), p.username))
    return people
