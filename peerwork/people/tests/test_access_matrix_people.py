"""The people module's rows of the access matrix, walked through its gates, services, pages
and API with the real people of the shared story.

``peerwork/core/access_matrix.txt`` has a section per record kind of this module
(disclosure, sharing-grant, profile, reads, staff-record, exception-report, availability),
with a row for every actor of ``[actors]`` and extra rows for the situations of sharing (a
grantee whose share is active, expired, stopped or paused, a line manager before and after
a change, team and everyone audiences, HR under a share) and of exception reports. For each
row, the row's situation is arranged in data, then every cell (column × action) is asked
through each channel that can answer it:

- ``gate`` and ``service``: the module's access gates and services, as views call them;
- ``page``: the module's pages, with a signed-in session of the actor;
- ``api``: the API, with a personal token of the actor (the operator: their session);
- ``audit``: an allowed read wrote its audit event, a refused one none;
- ``export``: the actor's own-data export, through its gate;
- ``can``: the core's ``can()``, where it speaks of the same thing.

A channel that has nothing to say about a cell answers None (the "My availability" page
shows only one's own). Every other answer must be the table's; one test per row collects
every disagreement, naming the cell and the channel. Another checks that the walks ask
every page and API operation of the module, or names the test each one is left to.

Reads of disclosures write their audit events in their own transaction, so these tests run
with ``transaction=True``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import Client
from django.urls import resolve, reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from peerwork.api.tests.helpers import bearer, signed_in
from peerwork.core import access as core_access
from peerwork.core import access_matrix
from peerwork.core.access import Action, DataClass, can
from peerwork.core.access_matrix import Actor, MatrixError, parse
from peerwork.core.models import AuditEvent, Membership, Role, SupportRelationship, User
from peerwork.core.services import add_member
from peerwork.core.tests.test_isolation import all_routes
from peerwork.people import access, availability, exception_reports, export, services
from peerwork.people.models import (
    Disclosure,
    ExceptionReport,
    Profile,
    SharingGrant,
    StaffRecord,
    Unavailability,
    WorkingPattern,
)

MATRIX = access_matrix.load()
SECTIONS = (
    "record: disclosure",
    "record: sharing-grant",
    "record: profile",
    "record: reads",
    "record: staff-record",
    "record: exception-report",
    "record: availability",
)
ROWS = [(name, key) for name in SECTIONS for key in MATRIX.section(name).rows]
API = "/api/v1"
OST, HEALTH = "ost", "health"
# The category each disclosure column stands for, and the question its text goes in.
CATEGORY_OF = {"shared": OST, "not-shared": HEALTH}
TEXT_QUESTION = {OST: "prescriber", HEALTH: "own_words"}
ALL_ACTIONS = tuple(Action)

Answers = dict[tuple[str, Action], dict[str, bool | None]]


# --- the situation of a row --------------------------------------------------------------


@dataclass
class Marks:
    """Words unique to one test, planted in the subject's records."""

    tag: str = field(default_factory=lambda: uuid.uuid4().hex[:8])

    def __getattr__(self, name: str) -> str:
        if name.startswith("_"):
            raise AttributeError(name)
        return f"{name.capitalize()}{self.tag}"


@dataclass
class Asker:
    """The actor's ways in: a browser session and an API token (the operator: a session)."""

    page: Client
    api_client: Client
    api_headers: dict[str, str]
    asked: set[tuple[str, str]] = field(default_factory=set)  # (method, path) of each request

    def get(self, url: str) -> tuple[int, str]:
        self.asked.add(("GET", url))
        response = self.page.get(url)
        return response.status_code, response.content.decode(errors="replace")

    def post(self, url: str, data: dict[str, Any] | None = None) -> int:
        self.asked.add(("POST", url))
        return self.page.post(url, data or {}).status_code

    def api(
        self,
        method: str,
        path: str,
        body: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        sent = {**self.api_headers, **(headers or {})}
        self.asked.add((method, API + path.split("?")[0]))
        if method == "GET":
            response = self.api_client.get(API + path, headers=sent)
        else:
            response = self.api_client.generic(
                method,
                API + path,
                json.dumps(body or {}),
                content_type="application/json",
                headers=sent,
            )
        try:
            return response.status_code, response.json()
        except ValueError:
            return response.status_code, None


@dataclass
class Situation:
    story: Any
    key: str
    actor: Actor
    member: Membership | None  # None: the operator, who has no membership
    subject: Membership
    asker: Asker
    marks: Marks
    grant: SharingGrant  # the row's share
    grants: list[SharingGrant]  # every share the subject made
    report: ExceptionReport
    time_away: Unavailability

    @property
    def is_self(self) -> bool:
        return self.member is not None and self.member.pk == self.subject.pk

    @contextmanager
    def acting(self) -> Iterator[Membership]:
        """The actor's membership inside its organisation's scope, as a request has it."""
        assert self.member is not None
        with scope(organisation=self.member.organisation_id):
            yield self.member

    def fresh(self) -> None:
        """Forget what earlier calls cached on the people (roles, line managers)."""
        with scopes_disabled():
            if self.member is not None:
                self.member = Membership.objects.get(pk=self.member.pk)
            self.subject = Membership.objects.get(pk=self.subject.pk)


def _operator_asker() -> Asker:
    user = User.objects.create_superuser("operator", "operator@example.org", "correct horse")
    client = Client()
    client.force_login(user)
    return Asker(page=client, api_client=client, api_headers={})


def _asker(member: Membership) -> Asker:
    return Asker(page=signed_in(member), api_client=Client(), api_headers=bearer(member))


def _local(days: int, hour: int, minute: int = 0) -> dt.datetime:
    """A time ``days`` from today at ``hour`` in Harbourside's zone (Africa/Nairobi)."""
    zone = dt.timezone(dt.timedelta(hours=3))
    day = timezone.localdate(timezone.now(), zone) + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zone)


def _supporter_of(story: Any, subject: Membership) -> Membership:
    return story.samuel if subject.pk == story.amina.pk else story.leila


def _share(owner: Membership, audience: str, marks: Marks, **kwargs: Any) -> SharingGrant:
    return services.share(
        actor=owner,
        audience=audience,
        categories=[OST],
        purpose=f"{marks.purpose} {audience} {uuid.uuid4().hex[:6]}",
        **kwargs,
    )


def _change_line_manager(story: Any, subject: Membership, to: Membership) -> None:
    person, record = access.staff_record_for_member(story.grace, subject.pk)
    services.update_staff_record(
        actor=story.grace,
        person=person,
        record=record,
        version=None if record._state.adding else record.version,
        changes={"line_manager": to},
    )


def _end(member: Membership) -> None:
    with scopes_disabled():
        Membership.objects.filter(pk=member.pk).update(
            ended_at=timezone.now() - dt.timedelta(minutes=1)
        )
    member.ended_at = timezone.now() - dt.timedelta(minutes=1)


# Each extra row's share, made by the subject (Amina); None: the share with the outsider.
def _line_manager_share(story: Any, marks: Marks) -> SharingGrant:
    return _share(story.amina, "line_manager", marks)


def _paused_share(story: Any, marks: Marks) -> SharingGrant:
    grant = _line_manager_share(story, marks)
    _change_line_manager(story, story.amina, story.taslima)
    return grant


def _confirmed_share(story: Any, marks: Marks) -> SharingGrant:
    paused = _paused_share(story, marks)
    amina = Membership.objects.select_related("line_manager").get(pk=story.amina.pk)
    grant = SharingGrant.objects.select_related("owner").get(pk=paused.pk)
    return services.confirm_grant(actor=amina, grant=grant, version=grant.version)


def _expired_share(story: Any, marks: Marks) -> SharingGrant:
    long_ago = timezone.now() - dt.timedelta(days=200)
    return _share(
        story.amina,
        "person",
        marks,
        grantee=story.joseph,
        now=long_ago,
        expires_on=timezone.localdate(long_ago) + dt.timedelta(days=90),
    )


def _revoked(grant: SharingGrant) -> SharingGrant:
    return services.revoke_grant(actor=grant.owner, grant=grant)


def _with_joseph(story: Any, marks: Marks) -> SharingGrant:
    return _share(story.amina, "person", marks, grantee=story.joseph)


def _with_grace(story: Any, marks: Marks) -> SharingGrant:
    return _share(story.amina, "person", marks, grantee=story.grace)


def _left(story: Any, marks: Marks) -> SharingGrant:
    grant = _with_joseph(story, marks)
    _end(story.joseph)
    return grant


SHARES: dict[str, Callable[[Any, Marks], SharingGrant | None]] = {
    "grantee-active": _with_joseph,
    "line-manager-grantee": _line_manager_share,
    "former-line-manager": _paused_share,
    "new-line-manager": _paused_share,
    "new-line-manager-confirmed": _confirmed_share,
    "grantee-expired": _expired_share,
    "grantee-revoked": lambda story, marks: _revoked(_with_joseph(story, marks)),
    "grantee-left": _left,
    "team-audience-member": lambda story, marks: _share(story.amina, "team", marks),
    "team-audience-external": lambda story, marks: _share(story.amina, "team", marks),
    "org-audience-member": lambda story, marks: _share(story.amina, "organisation", marks),
    "org-audience-external": lambda story, marks: _share(story.amina, "organisation", marks),
    "org-audience-other-organisation": lambda story, marks: _share(
        story.amina, "organisation", marks
    ),
    "hr-under-share": _with_grace,
    "hr-under-revoked-share": lambda story, marks: _revoked(_with_grace(story, marks)),
}


def _report_to_grace(story: Any, monkeypatch: pytest.MonkeyPatch) -> Membership:
    """Terms of reference naming Grace (the support module will register these)."""
    monkeypatch.setattr(
        exception_reports, "_recipient_rules", [lambda supporter, person: [story.grace]]
    )
    return story.grace


def _end_mentoring(story: Any) -> None:
    SupportRelationship.objects.filter(supporter=story.samuel, person=story.amina).update(
        ended_on=timezone.localdate() - dt.timedelta(days=1)
    )


# What changes after the report for the exception-report rows.
AFTER_REPORT: dict[str, Callable[[Any], None]] = {
    "former-supporter": _end_mentoring,
    "recipient-left": lambda story: _end(story.daniel),
}
REPORTS_TO_GRACE = {"hr-recipient", "director-not-recipient"}


def arrange(story: Any, key: str, monkeypatch: pytest.MonkeyPatch) -> Situation:
    """The row's people, and the subject's records as the row's situation has them."""
    actor = {**MATRIX.actors, **_all_extras()}[key]
    member = getattr(story, actor.person) if actor.person else None
    subject = getattr(story, actor.subject or "amina")
    # The actor's ways in are made first: a member who leaves in the situation keeps them.
    asker = _asker(member) if member is not None else _operator_asker()
    marks = Marks()
    supporter = _supporter_of(story, subject)
    with scope(organisation=story.harbourside.pk):
        services.update_profile(
            actor=subject, pronouns=marks.pronouns, emergency_contact=marks.contact
        )
        services.disclose(
            actor=subject,
            owner=subject,
            category=OST,
            answer={"medicine": "methadone", TEXT_QUESTION[OST]: marks.ost},
        )
        services.disclose(
            actor=subject,
            owner=subject,
            category=HEALTH,
            answer={"conditions": ["hiv"], TEXT_QUESTION[HEALTH]: marks.health},
        )
        with scopes_disabled():
            outsider = add_member(
                organisation=story.harbourside,
                username="wanjiku",
                display_name="Wanjiku Mutua",
                email="wanjiku@example.org",
                roles=[Role.STAFF],
                team=story.team,
            )
        base = _share(subject, "person", marks, grantee=outsider)
        # Wanjiku reads what the subject shares with her: a read for "who saw my data".
        services.read_disclosures(actor=outsider, owner=subject)
        person, record = access.staff_record_for_member(story.grace, subject.pk)
        services.update_staff_record(
            actor=story.grace,
            person=person,
            record=record,
            version=None,
            changes={"grade": marks.grade},
        )
        availability.set_working_pattern(
            actor=story.grace, membership=subject, days={0: (dt.time(10, 47), dt.time(16, 53))}
        )
        time_away = availability.add_unavailability(
            actor=subject,
            membership=subject,
            kind="appointment",
            starts_at=_local(3, 14),
            ends_at=_local(3, 15),
        )
        row_share = SHARES.get(key, lambda story, marks: None)(story, marks)
        recipient = _report_to_grace(story, monkeypatch) if key in REPORTS_TO_GRACE else None
        supporter_now = Membership.objects.get(pk=supporter.pk)
        person_now = Membership.objects.get(pk=subject.pk)
        if recipient is None:
            recipient = exception_reports.recipients_for(supporter_now, person_now)[0]
        report = exception_reports.report_exception(
            actor=supporter_now,
            person=person_now,
            reason="life_in_danger",
            disclosed=marks.report,
            recipient=recipient,
        )
        AFTER_REPORT.get(key, lambda story: None)(story)
        grants = list(SharingGrant.objects.filter(owner=subject))
    situation = Situation(
        story=story,
        key=key,
        actor=actor,
        member=member,
        subject=subject,
        asker=asker,
        marks=marks,
        grant=row_share or base,
        grants=grants,
        report=report,
        time_away=time_away,
    )
    situation.fresh()
    return situation


def _all_extras() -> dict[str, Actor]:
    found: dict[str, Actor] = {}
    for name in SECTIONS:
        found.update(MATRIX.section(name).extras)
    return found


# --- small helpers for the walks --------------------------------------------------------


def allowed_by(call: Callable[[], object]) -> bool:
    """True when the call went through; False when a gate or service refused it."""
    try:
        call()
    except (Http404, PermissionDenied):
        return False
    return True


def _refreshed(obj: Any) -> Any:
    with scopes_disabled():
        return type(obj).objects.get(pk=obj.pk)


def _current(subject: Membership, category: str) -> Disclosure | None:
    with scopes_disabled():
        return Disclosure.objects.filter(
            owner=subject, category=category, replaced_at__isnull=True
        ).first()


def _has_answer(subject: Membership, category: str) -> bool:
    with scopes_disabled():
        return Disclosure.objects.filter(owner=subject, category=category).exists()


def _answer_holds(subject: Membership, category: str, text: str) -> bool:
    current = _current(subject, category)
    return current is not None and text in json.dumps(current.answer)


def _items(body: Any) -> list[Any]:
    """A list answer's items, paginated or not."""
    if isinstance(body, dict):
        for key in ("items", "results"):  # page numbers, or a cursor
            if key in body:
                return list(body[key])
    return list(body) if isinstance(body, list) else []


def _own_export(s: Situation) -> dict[str, Any] | None:
    """The actor's own-data export through its gate; None when the gate refuses."""
    if s.member is None:
        return None
    with s.acting() as member:
        try:
            member = export.own_records_for_member(member)
        except Http404:
            return None
        return export.build_export(member)


def _export_page(s: Situation) -> dict[str, Any] | None:
    status, text = s.asker.get(reverse("people:export_json"))
    return json.loads(text) if status == 200 else None


def _export_api(s: Situation) -> dict[str, Any] | None:
    status, body = s.asker.api("GET", "/me/export")
    return body if status == 200 else None


def _section(data: dict[str, Any] | None, key: str) -> list[dict[str, Any]]:
    if data is None:
        return []
    for section in data["sections"]:
        if section["key"] == key:
            return list(section["items"])
    raise AssertionError(f"the export has no section {key!r}")


def _holds(data: dict[str, Any] | None, text: str) -> bool:
    return data is not None and text in json.dumps(data, ensure_ascii=False)


def _exports(s: Situation) -> dict[str, dict[str, Any] | None]:
    return {"export": _own_export(s), "page": _export_page(s), "api": _export_api(s)}


# --- disclosure -----------------------------------------------------------------------


def _disclosure_reads(s: Situation, category: str) -> int:
    with scopes_disabled():
        ids = list(
            Disclosure.objects.filter(owner=s.subject, category=category).values_list(
                "pk", flat=True
            )
        )
        return AuditEvent.objects.filter(
            actor_id=s.member.pk if s.member else None,
            subject_id=s.subject.pk,
            action="disclosure.read",
            object_id__in=ids,
        ).count()


def _disclosure_pages(s: Situation, category: str) -> list[str]:
    pages = [reverse(f"people:disclosure_{category}")]
    return pages + [reverse("people:shared_grant", args=[g.pk]) for g in s.grants]


def _disclosure_api_reads(s: Situation) -> list[str]:
    own = ["/disclosures", "/disclosures/history"]
    return own + [f"/shared-with-me/{g.pk}" for g in s.grants]


def _ensure_answer(s: Situation, category: str) -> None:
    if not _has_answer(s.subject, category):
        with scope(organisation=s.subject.organisation_id):
            services.disclose(
                actor=s.subject,
                owner=s.subject,
                category=category,
                answer={TEXT_QUESTION[category]: getattr(s.marks, category)},
            )


def _walk_category(
    s: Situation, category: str, shared_with_me: list[Any]
) -> dict[Action, dict[str, bool | None]]:
    """Every action on the subject's answer in one category, through every channel."""
    mark = getattr(s.marks, category)
    question = TEXT_QUESTION[category]
    cells: dict[Action, dict[str, bool | None]] = {action: {} for action in ALL_ACTIONS}

    # list: the category is open to the actor; the API's lists name it.
    if s.member is not None:
        with s.acting() as member:
            cells[Action.LIST]["service"] = category in access.categories_open_to(member, s.subject)
    _status, mine = s.asker.api("GET", "/disclosures")
    cells[Action.LIST]["api"] = _holds({"mine": mine}, mark) or any(
        item["owner"]["id"] == str(s.subject.pk) and category in item["categories"]
        for item in shared_with_me
    )

    # read: the service (which writes the audit read), the pages and the API.
    before = _disclosure_reads(s, category)
    if s.member is not None:
        with s.acting() as member:
            found = services.read_disclosures(actor=member, owner=s.subject, categories=[category])
        cells[Action.READ]["service"] = any(mark in json.dumps(d.answer) for d in found)
        cells[Action.READ]["audit"] = _disclosure_reads(s, category) > before
    # Every page and operation is asked (none left out once one shows the answer).
    shown = [mark in s.asker.get(url)[1] for url in _disclosure_pages(s, category)]
    cells[Action.READ]["page"] = any(shown)
    shown = [
        _holds({"read": s.asker.api("GET", path)[1]}, mark) for path in _disclosure_api_reads(s)
    ]
    cells[Action.READ]["api"] = any(shown)
    if s.member is None:
        cells[Action.READ]["audit"] = _disclosure_reads(s, category) > before

    # export: the actor's own-data export.
    for channel, data in _exports(s).items():
        cells[Action.EXPORT][channel] = _holds(data, mark)

    # change: the owner's page and operation, and HR's under each of the subject's shares.
    if s.member is not None:
        written = f"{mark}-service"
        with s.acting() as member:
            actor = member
            cells[Action.CHANGE]["service"] = allowed_by(
                lambda: services.disclose(
                    actor=actor, owner=s.subject, category=category, answer={question: written}
                )
            )
        assert cells[Action.CHANGE]["service"] == _answer_holds(s.subject, category, written)
    written = f"{mark}-page"
    current = _current(s.subject, category)
    s.asker.post(
        reverse(f"people:disclosure_{category}"),
        {"current": str(current.pk) if current else "", question: written},
    )
    for grant in s.grants:
        s.asker.post(
            reverse("people:disclose_for", args=[grant.pk]),
            {"category": category, question: written},
        )
    cells[Action.CHANGE]["page"] = _answer_holds(s.subject, category, written)
    written = f"{mark}-api"
    body = {"category": category, "answer": {question: written}}
    s.asker.api("POST", "/disclosures", body)
    for grant in s.grants:
        s.asker.api("POST", f"/shared-with-me/{grant.pk}/disclosures", body)
    cells[Action.CHANGE]["api"] = _answer_holds(s.subject, category, written)

    # delete: taking a category back (each channel finds the answer there again).
    if s.member is not None:
        _ensure_answer(s, category)
        with s.acting() as member:
            services.remove_disclosure(actor=member, category=category)
        cells[Action.DELETE]["service"] = not _has_answer(s.subject, category)
    _ensure_answer(s, category)
    s.asker.post(reverse(f"people:disclosure_{category}_remove"))
    cells[Action.DELETE]["page"] = not _has_answer(s.subject, category)
    _ensure_answer(s, category)
    s.asker.api("POST", "/disclosures/remove", {"category": category})
    cells[Action.DELETE]["api"] = not _has_answer(s.subject, category)
    _ensure_answer(s, category)
    return cells


def walk_disclosure(s: Situation) -> Answers:
    answers: Answers = {}
    shared_with_me = _items(s.asker.api("GET", "/shared-with-me")[1])
    for column, category in CATEGORY_OF.items():
        for action, channels in _walk_category(s, category, shared_with_me).items():
            answers[(column, action)] = channels

    # can() speaks of disclosed data as a whole, so it answers what the widest column
    # allows: "shared" (test_a_share_never_opens_more_than_its_categories).
    for action in ALL_ACTIONS:
        if s.member is None:
            whole = can(None, action, DataClass.DISCLOSED, s.subject)
        else:
            with s.acting() as member:
                whole = can(member, action, DataClass.DISCLOSED, s.subject)
        answers[("shared", action)]["can"] = whole
    return answers


# --- sharing grant ---------------------------------------------------------------------


def _grant_state(grant: SharingGrant) -> tuple[Any, Any]:
    fresh = _refreshed(grant)
    return fresh.expires_at, fresh.revoked_at


def _restore(grant: SharingGrant, expires_at: Any, revoked_at: Any) -> None:
    """Put the share back as the situation made it, for the next channel to try."""
    with scopes_disabled():
        SharingGrant.objects.filter(pk=grant.pk).update(
            expires_at=expires_at, revoked_at=revoked_at
        )


def _version(grant: SharingGrant) -> int:
    return int(_refreshed(grant).version)


def walk_sharing_grant(s: Situation) -> Answers:
    grant, purpose = s.grant, s.grant.purpose or ""
    gid = str(grant.pk)
    answers: Answers = {(c, a): {} for c in ("share", "purpose", "new-share") for a in ALL_ACTIONS}

    # list: "My shares" for the owner, "Shared with me" for those it reaches.
    list_pages = [s.asker.get(reverse(name))[1] for name in ("people:shares", "people:shared")]
    list_api = [_items(s.asker.api("GET", path)[1]) for path in ("/grants", "/shared-with-me")]
    if s.member is not None:
        with s.acting() as member:
            reaching = grant in services.shares_with(member)
            owning = allowed_by(lambda: access.grant_for_owner(member, gid))
        answers[("share", Action.LIST)]["service"] = reaching or owning
        answers[("purpose", Action.LIST)]["service"] = reaching or owning
    answers[("share", Action.LIST)]["page"] = any(gid in text for text in list_pages)
    answers[("purpose", Action.LIST)]["page"] = any(purpose in text for text in list_pages)
    answers[("share", Action.LIST)]["api"] = any(
        item["id"] == gid for items in list_api for item in items
    )
    answers[("purpose", Action.LIST)]["api"] = any(
        item["purpose"] == purpose for items in list_api for item in items
    )

    # read: the share's page, and the API's view of it.
    if s.member is not None:
        with s.acting() as member:
            opened = allowed_by(lambda: access.grant_for_member(member, gid))
        answers[("share", Action.READ)]["gate"] = opened
        answers[("purpose", Action.READ)]["gate"] = opened
    status, text = s.asker.get(reverse("people:shared_grant", args=[gid]))
    answers[("share", Action.READ)]["page"] = status == 200
    answers[("purpose", Action.READ)]["page"] = status == 200 and purpose in text
    details = [s.asker.api("GET", path) for path in (f"/grants/{gid}", f"/shared-with-me/{gid}")]
    answers[("share", Action.READ)]["api"] = any(status == 200 for status, _body in details)
    answers[("purpose", Action.READ)]["api"] = any(
        status == 200 and body.get("purpose") == purpose for status, body in details
    )

    # export: the owner's shares made (with the purpose); the shares received by a person.
    for channel, data in _exports(s).items():
        made = _section(data, "people.shares_made")
        received = _section(data, "people.shares_received")
        answers[("share", Action.EXPORT)][channel] = any(
            purpose in item.values() for item in made
        ) or any(s.subject.name in item.values() for item in received)
        answers[("purpose", Action.EXPORT)][channel] = _holds(data, purpose)

    # change (renew) and delete (stop): the owner, through access.grant_for_owner.
    expires_at, revoked_at = _grant_state(grant)
    renewals = iter(range(40, 50))

    def renewed() -> bool:
        now_expires, _now_revoked = _grant_state(grant)
        _restore(grant, expires_at, revoked_at)
        return now_expires != expires_at

    def stopped() -> bool:
        _now_expires, now_revoked = _grant_state(grant)
        _restore(grant, expires_at, revoked_at)
        return revoked_at is None and now_revoked is not None

    def later() -> dt.date:
        return timezone.localdate() + dt.timedelta(days=next(renewals))

    if s.member is not None:
        with s.acting() as member:
            allowed_by(
                lambda: services.renew_grant(
                    actor=member,
                    grant=access.grant_for_owner(member, gid),
                    expires_on=later(),
                )
            )
            answers[("share", Action.CHANGE)]["service"] = renewed()
            allowed_by(
                lambda: services.revoke_grant(
                    actor=member, grant=access.grant_for_owner(member, gid)
                )
            )
            answers[("share", Action.DELETE)]["service"] = stopped()
    s.asker.post(
        reverse("people:grant_renew", args=[gid]),
        {"expires_on": later().isoformat(), "version": _version(grant)},
    )
    answers[("share", Action.CHANGE)]["page"] = renewed()
    s.asker.post(reverse("people:grant_revoke", args=[gid]), {"version": _version(grant)})
    answers[("share", Action.DELETE)]["page"] = stopped()
    if_match = {"If-Match": f'"{_version(grant)}"'}
    s.asker.api("POST", f"/grants/{gid}/renew", {"expires_on": later().isoformat()}, if_match)
    answers[("share", Action.CHANGE)]["api"] = renewed()
    if_match = {"If-Match": f'"{_version(grant)}"'}
    s.asker.api("POST", f"/grants/{gid}/revoke", {}, if_match)
    answers[("share", Action.DELETE)]["api"] = stopped()

    # Nothing changes or deletes a purpose (erasure takes it with the share): no page, no
    # operation, no service offers it (test_no_route_changes_a_purpose_or_a_report).
    for action in (Action.CHANGE, Action.DELETE):
        answers[("purpose", action)]["service"] = False

    # A new share of the subject's answers: each way of sharing makes the sharer's own.
    def made() -> bool:
        with scopes_disabled():
            count = SharingGrant.objects.filter(owner=s.subject).count()
        return count > len(s.grants) + made.count  # type: ignore[attr-defined]

    made.count = 0  # type: ignore[attr-defined]
    sharing = {"audience": "organisation", "categories": [OST], "purpose": "new share"}
    for channel, ask in (
        ("service", _share_through_service),
        ("page", lambda s: s.asker.post(reverse("people:share_new"), sharing)),
        ("api", lambda s: s.asker.api("POST", "/grants", sharing)),
    ):
        if channel == "service" and s.member is None:
            continue
        ask(s)
        answers[("new-share", Action.CHANGE)][channel] = made()
        if answers[("new-share", Action.CHANGE)][channel]:
            made.count += 1  # type: ignore[attr-defined]
    # A share not made yet is only made: there is nothing of it to list, read or export.
    for action in (Action.LIST, Action.READ, Action.DELETE, Action.EXPORT):
        answers[("new-share", action)]["service"] = False
    return answers


def _share_through_service(s: Situation) -> None:
    with s.acting() as member:
        services.share(actor=member, audience="organisation", categories=[OST], purpose="new share")


# --- profile ---------------------------------------------------------------------------

PROFILE_FIELDS = {"about-me": "pronouns", "emergency-contact": "emergency_contact"}


def _profile(member: Membership) -> Profile | None:
    with scopes_disabled():
        return Profile.objects.filter(membership=member).first()


def _profile_value(member: Membership, field_name: str) -> str:
    found = _profile(member)
    return str(getattr(found, field_name) or "") if found else ""


def _profile_form(s: Situation, field_name: str, value: str) -> dict[str, Any]:
    """The actor's own profile form as the page shows it, with one field changed."""
    data: dict[str, Any] = {"display_name": s.member.name if s.member else "x"}
    mine = _profile(s.member) if s.member is not None else None
    for name in ("pronouns", "languages", "emergency_contact"):
        data[name] = str(getattr(mine, name) or "") if mine else ""
    data["version"] = mine.version if mine else ""
    data[field_name] = value
    return data


def walk_profile(s: Situation) -> Answers:
    answers: Answers = {(c, a): {} for c in PROFILE_FIELDS for a in ALL_ACTIONS}
    pages = [s.asker.get(reverse(name))[1] for name in ("people:mine", "people:profile")]
    # Colleagues read pronouns and languages on the person's directory card.
    pages.append(s.asker.get(reverse("core:member", args=[s.subject.pk]))[1])
    _status, body = s.asker.api("GET", "/me/profile")
    _status, card = s.asker.api("GET", f"/members/{s.subject.pk}")
    exports = _exports(s)
    for column, field_name in PROFILE_FIELDS.items():
        held = _profile_value(s.subject, field_name)
        assert held, f"the subject has no {field_name}"
        for action in (Action.LIST, Action.READ):
            answers[(column, action)]["page"] = any(held in text for text in pages)
            answers[(column, action)]["api"] = _holds({"profile": body, "card": card}, held)
        for channel, data in exports.items():
            answers[(column, Action.EXPORT)][channel] = _holds(data, held)

        def changed_to(value: str, field_name: str = field_name, held: str = held) -> bool:
            now = _profile_value(s.subject, field_name)
            if now != held:
                with scope(organisation=s.subject.organisation_id):
                    services.update_profile(actor=s.subject, **{field_name: held})
            return now == value

        # change, and delete (clearing it): only ever one's own profile.
        for action, value in ((Action.CHANGE, f"{held}-new"), (Action.DELETE, "")):
            if s.member is not None:
                with s.acting() as member:
                    services.update_profile(actor=member, **{field_name: value})
                answers[(column, action)]["service"] = changed_to(value)
            s.asker.post(reverse("people:profile"), _profile_form(s, field_name, value))
            answers[(column, action)]["page"] = changed_to(value)
            mine = _profile(s.member) if s.member is not None else None
            s.asker.api(
                "PATCH",
                "/me/profile",
                {field_name: value},
                {"If-Match": f'"{mine.version if mine else 0}"'},
            )
            answers[(column, action)]["api"] = changed_to(value)
    return answers


# --- who saw my data ----------------------------------------------------------------------


def walk_reads(s: Situation) -> Answers:
    answers: Answers = {("reads", a): {} for a in ALL_ACTIONS}
    with scopes_disabled():
        about = {str(e.pk) for e in AuditEvent.objects.filter(subject_id=s.subject.pk)}
    reader = "Wanjiku Mutua"
    status, page = s.asker.get(reverse("people:reads"))
    _status, body = s.asker.api("GET", "/me/reads")
    for action in (Action.LIST, Action.READ):
        answers[("reads", action)]["page"] = status == 200 and reader in page
        answers[("reads", action)]["api"] = any(item["id"] in about for item in _items(body))
    for channel, data in _exports(s).items():
        answers[("reads", Action.EXPORT)][channel] = any(
            reader in item.values() for item in _section(data, "core.audit_event")
        )
    # The audit chain is appended to only (peerwork.core.audit): no route changes it.
    for action in (Action.CHANGE, Action.DELETE):
        answers[("reads", action)]["service"] = False
    return answers


# --- staff record ---------------------------------------------------------------------


def walk_staff_record(s: Situation) -> Answers:
    answers: Answers = {("terms", a): {} for a in ALL_ACTIONS}
    pid = str(s.subject.pk)
    grade = s.marks.grade
    if s.member is not None:
        with s.acting() as member:
            for action in ALL_ACTIONS:
                answers[("terms", action)]["gate"] = allowed_by(
                    partial(access.staff_record_for_member, member, pid, action)
                )
            answers[("terms", Action.LIST)]["can"] = can(
                member, Action.LIST, DataClass.PERSONNEL, s.subject
            )
    else:
        for action in ALL_ACTIONS:
            answers[("terms", action)]["can"] = can(None, action, DataClass.PERSONNEL, s.subject)

    status, text = s.asker.get(reverse("people:staff_record", args=[pid]))
    answers[("terms", Action.READ)]["page"] = status == 200 and grade in text
    status, body = s.asker.api("GET", f"/people/{pid}/staff-record")
    answers[("terms", Action.READ)]["api"] = status == 200 and body["grade"] == grade

    if s.is_self:
        for channel, data in _exports(s).items():
            answers[("terms", Action.EXPORT)][channel] = any(
                grade in item.values() for item in _section(data, "people.staff_record")
            )

    status, _text = s.asker.get(reverse("people:staff_record_edit", args=[pid]))
    answers[("terms", Action.CHANGE)]["page"] = status == 200
    with scopes_disabled():
        record = StaffRecord.objects.get(membership=s.subject)
    if s.member is not None:
        with s.acting() as member:
            answers[("terms", Action.CHANGE)]["service"] = allowed_by(
                lambda: services.update_staff_record(
                    actor=member,
                    person=s.subject,
                    record=record,
                    version=record.version,
                    changes={"hours_per_week": Decimal("31.5")},
                )
            )
    version = _refreshed(record).version
    status, _body = s.asker.api(
        "PATCH",
        f"/people/{pid}/staff-record",
        {"hours_per_week": "32.5"},
        {"If-Match": f'"{version}"'},
    )
    answers[("terms", Action.CHANGE)]["api"] = status == 200
    return answers


# --- exception report -----------------------------------------------------------------


def _report_reads(s: Situation) -> int:
    with scopes_disabled():
        return AuditEvent.objects.filter(
            actor_id=s.member.pk if s.member else None,
            object_id=s.report.pk,
            action="exception_report.read",
        ).count()


def walk_exception_report(s: Situation) -> Answers:
    answers: Answers = {(c, a): {} for c in ("report", "making") for a in ALL_ACTIONS}
    rid = str(s.report.pk)
    text = s.marks.report
    before = _report_reads(s)
    if s.member is not None:
        with s.acting() as member:
            # The lists are a member's own: pages and the API reach them only with an
            # active membership (the middleware and the API's authentication see to it).
            listed = exception_reports.reports_for(member) if member.is_active else {}
            answers[("report", Action.LIST)]["service"] = any(
                s.report in reports for reports in listed.values()
            )
            try:
                report = access.exception_report_for_member(member, rid)
            except Http404:
                answers[("report", Action.READ)]["gate"] = False
            else:
                answers[("report", Action.READ)]["gate"] = True
                disclosed = exception_reports.read_exception_report(actor=member, report=report)
                answers[("report", Action.READ)]["service"] = disclosed == text
    answers[("report", Action.LIST)]["page"] = (
        rid in s.asker.get(reverse("people:exception_reports"))[1]
    )
    status, body = s.asker.api("GET", "/exception-reports")
    answers[("report", Action.LIST)]["api"] = status == 200 and any(
        item["id"] == rid for items in body.values() for item in items
    )
    status, page = s.asker.get(reverse("people:exception_report", args=[rid]))
    answers[("report", Action.READ)]["page"] = status == 200 and text in page
    status, body = s.asker.api("GET", f"/exception-reports/{rid}")
    answers[("report", Action.READ)]["api"] = status == 200 and body["disclosed"] == text
    answers[("report", Action.READ)]["audit"] = _report_reads(s) > before

    for channel, data in _exports(s).items():
        answers[("report", Action.EXPORT)][channel] = _holds(data, text)
    # A report is never changed or deleted (test_no_route_changes_a_purpose_or_a_report).
    for action in (Action.CHANGE, Action.DELETE):
        answers[("report", action)]["service"] = False

    # Making a new report about the subject: their current mentor or coach.
    for action in (Action.LIST, Action.READ, Action.DELETE, Action.EXPORT):
        answers[("making", action)]["service"] = False  # a report not made yet is only made
    making = answers[("making", Action.CHANGE)]
    recipient = _recipient_for(s)
    if s.member is not None:
        with s.acting() as member:
            making["service"] = allowed_by(
                lambda: exception_reports.report_exception(
                    actor=member,
                    person=s.subject,
                    reason="gross_misconduct",
                    disclosed="made through the service",
                    recipient=recipient,
                )
            )
    made = _reports_made(s)
    s.asker.post(
        reverse("people:exception_new", args=[s.subject.pk]),
        {"reason": "gross_misconduct", "disclosed": "made on the page", "recipient": recipient.pk},
    )
    making["page"] = _reports_made(s) > made
    made = _reports_made(s)
    s.asker.api(
        "POST",
        "/exception-reports",
        {
            "person_id": str(s.subject.pk),
            "reason": "gross_misconduct",
            "disclosed": "made through the API",
            "recipient_id": str(recipient.pk),
        },
    )
    making["api"] = _reports_made(s) > made
    status, _body = s.asker.api("GET", f"/exception-reports/recipients?person_id={s.subject.pk}")
    making["api (recipients)"] = status == 200
    return answers


def _recipient_for(s: Situation) -> Membership:
    """Whom a report about the subject would go to: the one the terms of reference name."""
    with scope(organisation=s.subject.organisation_id):
        supporter = Membership.objects.get(pk=s.report.supporter_id)
        return exception_reports.recipients_for(supporter, s.subject)[0]


def _reports_made(s: Situation) -> int:
    with scopes_disabled():
        return ExceptionReport.objects.filter(person=s.subject).count()


# --- availability ---------------------------------------------------------------------


def _pattern_of(subject: Membership) -> list[tuple[int, dt.time, dt.time]]:
    with scopes_disabled():
        return [
            (row.weekday, row.starts, row.ends)
            for row in WorkingPattern.objects.filter(membership=subject).order_by("weekday")
        ]


def _set_pattern_back(s: Situation, pattern: list[tuple[int, dt.time, dt.time]]) -> None:
    with scope(organisation=s.subject.organisation_id):
        availability.set_working_pattern(
            actor=s.story.grace,
            membership=s.subject,
            days={day: (starts, ends) for day, starts, ends in pattern},
        )


def _times_away(subject: Membership) -> set[uuid.UUID]:
    with scopes_disabled():
        return set(Unavailability.objects.filter(membership=subject).values_list("pk", flat=True))


def walk_availability(s: Situation) -> Answers:
    columns = ("working-pattern", "times-away")
    answers: Answers = {(c, a): {} for c in columns for a in ALL_ACTIONS}
    pid = str(s.subject.pk)
    start, end = _local(0, 0), _local(7, 0)

    # list and read: anyone who finds the person in the directory (the API's gate).
    for action in (Action.LIST, Action.READ):
        if s.member is not None:
            with s.acting() as member:
                try:
                    person = core_access.membership_for_member(member, pid, action)
                except (Http404, PermissionDenied):
                    found = None
                else:
                    found = availability.availability_for(person, start, end)
            answers[("working-pattern", action)]["service"] = bool(found and found.pattern)
            answers[("times-away", action)]["service"] = bool(found and found.unavailable)
        status, body = s.asker.api(
            "GET",
            f"/people/{pid}/availability?start={start.isoformat().replace('+', '%2B')}"
            f"&end={end.isoformat().replace('+', '%2B')}",
        )
        ok = status == 200
        answers[("working-pattern", action)]["api"] = ok and bool(body["pattern"])
        answers[("times-away", action)]["api"] = ok and bool(body["unavailable"])
        if ok:
            assert all(set(b) == {"starts_at", "ends_at", "label"} for b in body["unavailable"])
        if s.is_self:
            status, page = s.asker.get(reverse("people:availability"))
            answers[("working-pattern", action)]["page"] = "10:47" in page
            answers[("times-away", action)]["page"] = str(s.time_away.pk) in page
            _status, mine = s.asker.api("GET", "/me/unavailability")
            answers[("times-away", action)]["api (mine)"] = any(
                item["id"] == str(s.time_away.pk) for item in _items(mine)
            )

    # export: the person's own.
    for channel, data in _exports(s).items():
        answers[("working-pattern", Action.EXPORT)][channel] = any(
            "10:47" in item.values() for item in _section(data, "people.working_pattern")
        )
        # Nobody but the subject has times away yet (the walk adds some further down).
        answers[("times-away", Action.EXPORT)][channel] = bool(
            _section(data, "people.unavailability")
        )

    # working pattern: set (change) and cleared (delete) by the line manager or HR.
    agreed = _pattern_of(s.subject)
    new_days = {1: (dt.time(9, 0), dt.time(15, 0))}
    if s.member is not None:
        with s.acting() as member:
            answers[("working-pattern", Action.CHANGE)]["service"] = allowed_by(
                lambda: availability.set_working_pattern(
                    actor=member, membership=s.subject, days=new_days
                )
            )
        _set_pattern_back(s, agreed)
        with s.acting() as member:
            allowed_by(
                lambda: availability.set_working_pattern(
                    actor=member, membership=s.subject, days={}
                )
            )
        answers[("working-pattern", Action.DELETE)]["service"] = not _pattern_of(s.subject)
        _set_pattern_back(s, agreed)
    status, _page = s.asker.get(reverse("people:working_pattern", args=[pid]))
    answers[("working-pattern", Action.CHANGE)]["page"] = status == 200
    s.asker.post(reverse("people:working_pattern", args=[pid]), {})
    answers[("working-pattern", Action.DELETE)]["page"] = not _pattern_of(s.subject)
    _set_pattern_back(s, agreed)
    day = {"weekday": 1, "starts": "09:00", "ends": "15:00"}
    s.asker.api("PUT", f"/people/{pid}/working-pattern", {"days": [day]})
    answers[("working-pattern", Action.CHANGE)]["api"] = _pattern_of(s.subject) != agreed
    _set_pattern_back(s, agreed)
    s.asker.api("PUT", f"/people/{pid}/working-pattern", {"days": []})
    answers[("working-pattern", Action.DELETE)]["api"] = not _pattern_of(s.subject)
    _set_pattern_back(s, agreed)

    # times away: the person, their line manager and HR add and remove them.
    held = _times_away(s.subject)
    if s.member is not None:
        with s.acting() as member:
            answers[("times-away", Action.CHANGE)]["service"] = allowed_by(
                lambda: availability.add_unavailability(
                    actor=member,
                    membership=s.subject,
                    kind="unavailable",
                    starts_at=_local(5, 9),
                    ends_at=_local(5, 10),
                )
            )
    # "My availability" and /me/unavailability keep one's own times only: they speak for
    # the subject alone (the line manager and HR have the service, no page yet), and for
    # the operator, who must be refused everything.
    own = True if s.is_self or s.member is None else None
    s.asker.post(
        reverse("people:availability"),
        {
            "kind": "unavailable",
            "start_date": _local(6, 11).date().isoformat(),
            "start_time": "11:00",
            "end_time": "12:00",
        },
    )
    added_by_page = _times_away(s.subject) - held
    held |= added_by_page
    answers[("times-away", Action.CHANGE)]["page"] = own and bool(added_by_page)
    s.asker.api(
        "POST",
        "/me/unavailability",
        {
            "kind": "unavailable",
            "starts_at": _local(8, 16).isoformat(),
            "ends_at": _local(8, 17).isoformat(),
        },
    )
    answers[("times-away", Action.CHANGE)]["api"] = own and bool(_times_away(s.subject) - held)

    row = _refreshed(s.time_away)  # with the person as they are now

    def removed() -> bool:
        gone = row.pk not in _times_away(s.subject)
        if gone:
            with scopes_disabled():
                Unavailability.objects.create(
                    pk=row.pk,
                    organisation_id=row.organisation_id,
                    membership_id=row.membership_id,
                    kind=row.kind,
                    starts_at=row.starts_at,
                    ends_at=row.ends_at,
                )
        return gone

    if s.member is not None:
        with s.acting() as member:
            allowed_by(lambda: availability.remove_unavailability(actor=member, row=row))
        answers[("times-away", Action.DELETE)]["service"] = removed()
    s.asker.post(reverse("people:unavailability_remove", args=[row.pk]))
    answers[("times-away", Action.DELETE)]["page"] = own and removed()
    s.asker.api("DELETE", f"/me/unavailability/{row.pk}")
    answers[("times-away", Action.DELETE)]["api"] = own and removed()
    return answers


WALKS: dict[str, Callable[[Situation], Answers]] = {
    "record: disclosure": walk_disclosure,
    "record: sharing-grant": walk_sharing_grant,
    "record: profile": walk_profile,
    "record: reads": walk_reads,
    "record: staff-record": walk_staff_record,
    "record: exception-report": walk_exception_report,
    "record: availability": walk_availability,
}


# --- every row ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("section", "key"), ROWS, ids=[f"{n[8:]}:{k}" for n, k in ROWS])
def test_every_cell_of_the_people_records_holds_through_every_way_in(
    story: Any, section: str, key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    situation = arrange(story, key, monkeypatch)
    table = MATRIX.section(section)
    answers = WALKS[section](situation)

    assert set(answers) == {(c, a) for c in table.columns for a in ALL_ACTIONS}
    problems = []
    for (column, action), channels in answers.items():
        allowed = action in table.allowed(key, column)
        heard = {name: answer for name, answer in channels.items() if answer is not None}
        assert heard, f"nothing answered {key} × {column} × {action}"
        for channel, answer in heard.items():
            if answer != allowed:
                problems.append(
                    f"{key} × {column} × {action} through {channel}: the table says "
                    f"{'allow' if allowed else 'deny'}, it did {'allow' if answer else 'deny'}"
                )
    assert not problems, "\n".join(problems)


# --- the rows name real situations --------------------------------------------------------

# The state of each extra row's share once arranged, and the person the row acts as.
SHARE_STATES = {
    "grantee-active": "active",
    "line-manager-grantee": "active",
    "former-line-manager": "paused",
    "new-line-manager": "paused",
    "new-line-manager-confirmed": "active",
    "grantee-expired": "expired",
    "grantee-revoked": "revoked",
    "grantee-left": "active",
    "team-audience-member": "active",
    "team-audience-external": "active",
    "org-audience-member": "active",
    "org-audience-external": "active",
    "org-audience-other-organisation": "active",
    "hr-under-share": "active",
    "hr-under-revoked-share": "revoked",
}


def test_every_extra_row_has_a_situation_arranged_for_it() -> None:
    arranged = set(SHARES) | set(AFTER_REPORT) | REPORTS_TO_GRACE
    assert set(_all_extras()) == arranged
    assert set(SHARE_STATES) == set(SHARES)


def test_each_extra_row_is_played_by_someone_who_holds_its_role(story: Any) -> None:
    for key, actor in _all_extras().items():
        assert actor.person and actor.subject, f"{key}: every extra row is someone about someone"
        member = getattr(story, actor.person)
        assert actor.role in member.roles, f"{key}: {actor.person} does not hold {actor.role}"
        assert getattr(story, actor.subject).organisation_id == story.harbourside.pk


def test_a_share_never_opens_more_than_its_categories() -> None:
    """Every row allows at most as much in "not-shared" as in "shared" (so can(), which
    knows no categories, answers the "shared" column)."""
    table = MATRIX.section("record: disclosure")
    for key in table.rows:
        assert table.allowed(key, "not-shared") <= table.allowed(key, "shared"), key


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("key", sorted(set(_all_extras())))
def test_each_extra_situation_is_the_one_its_row_names(
    story: Any, key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    s = arrange(story, key, monkeypatch)
    assert s.member is not None
    with scopes_disabled():
        grant = SharingGrant.objects.select_related("owner").get(pk=s.grant.pk)
        if key in SHARES:
            assert grant.owner_id == s.subject.pk
            assert grant.state() == SHARE_STATES[key], key
            assert grant.categories == [OST]
        else:
            assert grant.grantee is not None and grant.grantee.user.username == "wanjiku"
        audience = grant.audience
        if key.startswith("team-audience"):
            assert audience == "team" and s.member.team_id == grant.team_id
        if key.startswith("org-audience"):
            assert audience == "organisation"
        if key == "org-audience-other-organisation":
            assert s.member.organisation_id != s.subject.organisation_id
        if key in ("line-manager-grantee", "former-line-manager", "new-line-manager"):
            assert audience == "line_manager" and grant.grantee_id == story.ravi.pk
        if key in ("former-line-manager", "new-line-manager", "new-line-manager-confirmed"):
            assert s.subject.line_manager_id == story.taslima.pk
        if key == "new-line-manager-confirmed":
            assert grant.grantee_id == story.taslima.pk
        if key.startswith(("grantee-active", "grantee-expired", "grantee-revoked", "hr-under")):
            assert audience == "person" and grant.grantee_id == s.member.pk
        if key in ("grantee-left", "recipient-left"):
            assert not s.member.is_active
        else:
            assert s.member.is_active
        report = ExceptionReport.objects.get(pk=s.report.pk)
        if key in REPORTS_TO_GRACE:
            assert report.recipient_id == story.grace.pk
        else:
            assert report.recipient_id == story.daniel.pk
        if key == "former-supporter":
            assert report.supporter_id == s.member.pk
            assert not core_access.supports(s.member, s.subject)


# --- every page and operation -------------------------------------------------------------

# Pages and operations of the people module that the walks above do not ask, and why; each
# is tested by its own module (and by the isolation test and the canary scan, which walk
# every route).
NOT_WALKED = {
    "people:disclosure_drug_use": "the category pages are one view, told the category by the "
    "route (mine_views.disclosure): OST's and health's are walked (test_mine_disclosures)",
    "people:disclosure_drug_use_remove": "as above, for taking a category back",
    "people:disclosure_accommodations": "as above",
    "people:disclosure_accommodations_remove": "as above",
    "people:disclosure_criminal_record": "as above",
    "people:disclosure_criminal_record_remove": "as above",
    "people:grant_confirm": "confirming applies only to a paused share, for its owner "
    "(test_shares_page; the rows new-line-manager and new-line-manager-confirmed walk what "
    "it opens)",
    "POST /api/v1/grants/{grant_id}/confirm": "as above (test_api_grants)",
    "people:staff_records": "HR's list of everyone's terms, HR alone (test_record_pages): not "
    "one person's record",
    "people:export": "the page that offers the downloads; export.json is walked",
    "people:export_html": "the same export as export.json, as a document (test_export_pages)",
    "people:erase": "erasing one's own records at once, with no undo (test_erase_page)",
    "POST /api/v1/me/erase": "as above (test_api_export)",
    "people:retention_policy": "the organisation's retention periods: its configuration, "
    "not a person's record (test_retention_policy_page)",
}


def _api_operations(schema: dict[str, Any]) -> dict[str, re.Pattern[str]]:
    """The people module's operations, "METHOD /api/v1/path/{param}", and their paths."""
    found = {}
    for path_, operations in schema["paths"].items():
        pattern = re.compile(re.sub(r"\{\w+\}", "[^/]+", path_) + r"\Z")
        for method, operation in operations.items():
            if operation.get("operationId", "").startswith("peerwork_people_api"):
                found[f"{method.upper()} {path_}"] = pattern
    return found


@pytest.mark.django_db(transaction=True)
def test_the_walks_ask_every_page_and_operation_of_the_people_module_or_say_why_not(
    story: Any, monkeypatch: pytest.MonkeyPatch, client: Client
) -> None:
    situation = arrange(story, "self", monkeypatch)
    for walk in WALKS.values():
        walk(situation)
    operations = _api_operations(client.get(f"{API}/openapi.json").json())
    pages = {route.name for route in all_routes() if route.namespace == "people"}

    asked = set()
    for method, path_ in situation.asker.asked:
        if path_.startswith(API):
            asked |= {
                key
                for key, pattern in operations.items()
                if key.startswith(f"{method} ") and pattern.match(path_)
            }
        else:
            match = resolve(path_.split("?")[0])
            if match.namespace == "people":
                asked.add(match.view_name)

    everything = pages | set(operations)
    assert set(NOT_WALKED) <= everything, set(NOT_WALKED) - everything
    assert everything - asked == set(NOT_WALKED), (
        f"not walked, and not said why: {sorted(everything - asked - set(NOT_WALKED))}; "
        f"walked after all: {sorted(set(NOT_WALKED) & asked)}"
    )


# --- what no route does ----------------------------------------------------------------


def test_no_route_changes_a_purpose_or_a_report(client: Client) -> None:
    """The cells that say nobody changes or deletes a share's purpose or an exception
    report hold because nothing offers to: the API has no such operation (a purpose is
    sent only when sharing), and the report's page only shows it."""
    schema = client.get(f"{API}/openapi.json").json()
    paths = schema["paths"]
    for path_, operations in paths.items():
        if path_.startswith(f"{API}/exception-reports"):
            changing = set(operations) - {"get", "parameters"}
            if path_ == f"{API}/exception-reports":
                assert changing == {"post"}  # making one
            else:
                assert not changing, (path_, changing)
        for method, operation in operations.items():
            body = json.dumps(operation.get("requestBody", {}))
            refs = [ref.rsplit("/", 1)[-1] for ref in _refs(operation.get("requestBody", {}))]
            fields_sent = {
                name
                for ref in refs
                for name in schema["components"]["schemas"][ref].get("properties", {})
            }
            # A retreat's purpose (§3.12) and a review meeting's (App. 7: "explain the
            # purpose of the meeting") are the event's, not a share's: their own word.
            if path_.startswith((f"{API}/retreats", f"{API}/review-meetings")):
                continue
            if "purpose" in fields_sent or '"purpose"' in body:
                assert (path_, method) == (f"{API}/grants", "post"), (path_, method)


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for name, value in node.items():
            if name == "$ref":
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


@pytest.mark.django_db
def test_the_report_page_only_shows_the_report(story: Any) -> None:
    url = reverse("people:exception_report", args=[uuid.uuid4()])
    assert signed_in(story.amina).post(url).status_code == 405


# --- the parser's extra actors ---------------------------------------------------------

BASE = """
[actors]
self      amina  amina  staff         the subject
operator  -      amina  -             no membership

[person]
actor     work
self      LR--E
operator  -----
"""
RECORD = """
[record: share]
extra  grantee  ravi  amina  line_manager  her line manager, under a share
actor     shared
self      LRCDE
operator  -----
grantee   LR---
"""


def test_a_record_section_declares_actors_of_its_own() -> None:
    matrix = parse(BASE + RECORD)
    share = matrix.section("record: share")
    assert set(share.extras) == {"grantee"}
    assert share.extras["grantee"].person == "ravi"
    assert share.extras["grantee"].description == "her line manager, under a share"
    assert share.allowed("grantee", "shared") == {Action.LIST, Action.READ}
    assert "grantee" not in matrix.actors
    assert set(matrix.actors_of("record: share")) == {"self", "operator", "grantee"}
    assert matrix.section("person").extras == {}


def test_two_sections_may_share_an_extra_actor_declared_the_same_way() -> None:
    again = RECORD.replace("[record: share]", "[record: other]")
    matrix = parse(BASE + RECORD + again)
    assert matrix.section("record: other").extras == matrix.section("record: share").extras


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (BASE + RECORD.replace("grantee   LR---\n", ""), "declares extra actors without rows"),
        (BASE + RECORD.replace("extra  grantee", "extra  self"), "'self' is declared twice"),
        (
            BASE
            + RECORD.replace("actor     shared\n", "").replace(
                "[record: share]\n", "[record: share]\nactor shared\n"
            ),
            "declare extra actors before the header line",
        ),
        (
            BASE.replace("actor     work\n", "extra x ravi amina staff a\nactor     work\n"),
            "only [record: <kind>] sections declare extra actors",
        ),
        (BASE + RECORD.replace("line_manager  her", "boss  her"), "unknown role 'boss'"),
        (
            BASE + RECORD.replace("amina  line_manager  her line manager, under a share", ""),
            "an actor line is",
        ),
        (
            BASE
            + RECORD
            + RECORD.replace("[record: share]", "[record: other]").replace(
                "extra  grantee  ravi", "extra  grantee  taslima"
            ),
            "declared differently in another section",
        ),
        (BASE + RECORD.replace("grantee   LR---", "stranger  LR---"), "unknown actor 'stranger'"),
    ],
    ids=[
        "extra-without-row",
        "extra-named-like-an-actor",
        "extra-after-header",
        "extra-outside-a-record",
        "extra-unknown-role",
        "extra-short-line",
        "extra-declared-two-ways",
        "row-of-an-undeclared-actor",
    ],
)
def test_the_parser_names_what_is_wrong_with_an_extra_actor(text: str, message: str) -> None:
    with pytest.raises(MatrixError) as raised:
        parse(text, source="broken.txt")
    assert message in str(raised.value)
    assert str(raised.value).startswith("broken.txt")
