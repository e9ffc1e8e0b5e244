"""The one shared fixture: two organisations and a privacy story.

At Harbourside: Amina (a peer outreach worker), her line manager Ravi, another line manager
Taslima who does not manage her, Grace in HR, Daniel the director, Samuel her peer mentor,
Leila a coach (of Olena, not of Amina), Chen the org admin, Joseph a volunteer colleague,
Farah a support-group facilitator and Peter a peer interviewer. At Riverside: Taras, a
member of another organisation whose records must stay out of reach. Everyone whose roles
need two-step sign-in has enrolled an authenticator app (peerwork.core.mfa). Tests ask for
``story`` and use its people by name.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

os.environ.setdefault("PEERWORK_TESTING", "1")


@dataclass
class Story:
    harbourside: object
    riverside: object
    amina: object  # staff member, subject of most checks
    ravi: object  # her line manager
    taslima: object  # a line manager, not hers
    grace: object  # HR officer
    daniel: object  # director
    samuel: object  # her peer mentor
    leila: object  # a coach, not hers
    chen: object  # org admin
    joseph: object  # volunteer colleague
    farah: object  # support-group facilitator
    peter: object  # peer interviewer
    olena: object  # staff member coached by Leila
    taras: object  # line manager at the other organisation
    team: object
    site: object
    other_team: object
    other_site: object


@pytest.fixture
def story(db: None) -> Iterator[Story]:
    from allauth.mfa.totp.internal.auth import generate_totp_secret
    from django_scopes import scopes_disabled

    from peerwork.core.mfa import enrol_totp, mfa_required
    from peerwork.core.models import Role, Site, SupportRelationship, Team
    from peerwork.core.services import add_member, create_organisation

    with scopes_disabled():
        harbourside = create_organisation(
            slug="harbourside",
            name="Harbourside Harm Reduction",
            time_zone="Africa/Nairobi",
            languages=["en", "sw"],
        )
        riverside = create_organisation(
            slug="riverside",
            name="Riverside Drug User Network",
            time_zone="Europe/Kyiv",
            languages=["uk", "ru"],
        )
        site = Site.objects.create(organisation=harbourside, name="Drop-in centre")
        team = Team.objects.create(organisation=harbourside, site=site, name="Outreach")
        other_site = Site.objects.create(organisation=riverside, name="Podil office")
        other_team = Team.objects.create(organisation=riverside, site=other_site, name="Peer team")

        def person(org: object, username: str, name: str, roles: list[str], **kw: object) -> object:
            return add_member(
                organisation=org,
                username=username,
                display_name=name,
                email=f"{username}@example.org",
                roles=roles,
                team=kw.get("team", team if org is harbourside else other_team),
                password="correct horse battery",
            )

        ravi = person(harbourside, "ravi", "Ravi Shah", [Role.STAFF, Role.LINE_MANAGER])
        taslima = person(harbourside, "taslima", "Taslima Akter", [Role.STAFF, Role.LINE_MANAGER])
        amina = person(harbourside, "amina", "Amina Wanjiru", [Role.STAFF])
        olena = person(harbourside, "olena", "Olena Petrenko", [Role.STAFF])
        joseph = person(harbourside, "joseph", "Joseph Otieno", [Role.VOLUNTEER])
        grace = person(harbourside, "grace", "Grace Njeri", [Role.STAFF, Role.HR])
        daniel = person(harbourside, "daniel", "Daniel Mwangi", [Role.STAFF, Role.DIRECTOR])
        samuel = person(harbourside, "samuel", "Samuel Kiprop", [Role.STAFF, Role.PEER_MENTOR])
        leila = person(harbourside, "leila", "Leila Haddad", [Role.COACH])
        chen = person(harbourside, "chen", "Chen Li", [Role.ORG_ADMIN])
        farah = person(harbourside, "farah", "Farah Ali", [Role.FACILITATOR])
        peter = person(harbourside, "peter", "Peter Kamau", [Role.PEER_INTERVIEWER])
        taras = person(riverside, "taras", "Taras Melnyk", [Role.STAFF, Role.LINE_MANAGER])

        for report in (amina, olena, joseph):
            report.line_manager = ravi
            report.save(update_fields=["line_manager"])
        SupportRelationship.objects.create(
            organisation=harbourside,
            supporter=samuel,
            person=amina,
            kind=SupportRelationship.Kind.MENTOR,
        )
        SupportRelationship.objects.create(
            organisation=harbourside,
            supporter=leila,
            person=olena,
            kind=SupportRelationship.Kind.COACH,
        )
        people = (
            ravi,
            taslima,
            amina,
            olena,
            joseph,
            grace,
            daniel,
            samuel,
            leila,
            chen,
            farah,
            peter,
            taras,
        )
        for member in people:
            member.roles  # read once, so tests can ask without opening a scope  # noqa: B018
        # Whoever's roles need two-step sign-in has enrolled an authenticator app, as they
        # must before using Peerwork (peerwork.core.mfa); tests of enrolment remove it.
        for member in people:
            if mfa_required(member.user, [member]):
                enrol_totp(member.user, generate_totp_secret())

    yield Story(
        harbourside=harbourside,
        riverside=riverside,
        amina=amina,
        ravi=ravi,
        taslima=taslima,
        grace=grace,
        daniel=daniel,
        samuel=samuel,
        leila=leila,
        chen=chen,
        joseph=joseph,
        farah=farah,
        peter=peter,
        olena=olena,
        taras=taras,
        team=team,
        site=site,
        other_team=other_team,
        other_site=other_site,
    )


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogs() -> None:
    """The translation catalogs compiled before any test renders a page. The ``.mo`` files
    are built from the ``.po`` files and not committed (docs/glossary/README.md)."""
    from pathlib import Path

    from django.conf import settings
    from django.utils.translation.reloader import translation_file_changed

    from peerwork.core.management.commands.compile_catalogs import catalogs, compile_catalogs
    from peerwork.core.translations import is_unreviewed

    compiled = compile_catalogs(catalogs(Path(settings.BASE_DIR) / "peerwork"))
    if compiled:
        # Anything that read a catalog before this (at import) reads the new one.
        translation_file_changed(sender=None, file_path=compiled[0])
        is_unreviewed.cache_clear()


@pytest.fixture(autouse=True)
def english_after_each_test() -> Iterator[None]:
    """Every test leaves the language as it found it: English. The test client runs requests
    in the test's own thread and LocaleMiddleware activates a page's language without undoing
    it (a server activates anew on every request), so one test's Swahili page would otherwise
    turn the next test's command output, in the same worker, into Swahili."""
    yield
    from django.utils import translation

    translation.deactivate()
