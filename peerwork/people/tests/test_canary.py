"""Canaries: a unique word in every sealed field of the people module, looked for everywhere.

Amina's emergency contact, every text answer of every disclosure category (and an earlier
OST answer, now history), the purposes of three shares (active to Ravi, her line manager;
stopped to Grace; ended to Joseph) and what Samuel's exception report about her discloses
each carry a word of their own. Then:

- every page and every API answer, read by every member of Harbourside, by Taras of
  Riverside, by the instance operator and by someone not signed in, shows each word only
  to whom it is for. The pages are every route of the project without parameters and
  every route with parameters, given the ids that reach Amina's records (her shares, her
  report, her time away, her staff record); the API is every GET operation of the schema,
  filled the same way. Error pages are read too: the 403, 404 and 405 answers of that walk,
  and each unsafe page and operation of the people module sent empty by everyone who may
  see nothing (each its form again, or its error);
- the words are never in an email, a task's payload, a log record, an SQL statement, nor
  in the database's stored bytes;
- and, so that none of this passes by showing nothing, Amina sees every word, Ravi sees the
  words of what she shares with him (and not her history or what she did not share),
  Samuel who made the report and Daniel who received it see its words: each reader sees
  exactly their words, no fewer. A plain column beside them (her pronouns) is found by
  each scan of the stored bytes and of the SQL.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_scopes import scope, scopes_disabled

from peerwork.api.tests.helpers import bearer, signed_in
from peerwork.core.channels import send_delivery
from peerwork.core.models import (
    Delivery,
    Membership,
    Notification,
    NotificationPreference,
    User,
)
from peerwork.core.sealing import SealedField
from peerwork.core.tests.test_isolation import all_routes
from peerwork.people import availability, exception_reports, services
from peerwork.people.disclosures import QUESTIONS
from peerwork.people.models import (
    Disclosure,
    ExceptionReport,
    Profile,
    SharingGrant,
    Unavailability,
)

pytestmark = pytest.mark.django_db(transaction=True)

API = "/api/v1"
HARBOURSIDE = (
    "amina",
    "ravi",
    "taslima",
    "grace",
    "daniel",
    "samuel",
    "leila",
    "chen",
    "joseph",
    "farah",
    "peter",
    "olena",
)
SHARED_WITH_RAVI = ("ost", "health", "accommodations")


def _word(name: str) -> str:
    """A word nothing else on a page could contain by chance."""
    return f"Canary{name.title().replace('_', '').replace(' ', '')}{uuid.uuid4().hex[:10]}"


@dataclass
class Canaries:
    """Each sealed value planted, by a name saying where it is."""

    words: dict[str, str]
    where: dict[str, tuple[type, str]]  # name → (model, sealed field)
    readers: dict[str, set[str]]  # story name → the names of the words they may see
    plain: str  # in a plain column: every scan must find it

    def for_reader(self, name: str) -> set[str]:
        return self.readers.get(name, set())


def _text_questions() -> list[tuple[str, str]]:
    return [
        (category, question.key)
        for category, spec in QUESTIONS.items()
        for question in spec.questions
        if question.kind == "text"
    ]


def plant(story: Any) -> Canaries:
    """Amina's sealed records, each with a word of its own."""
    amina = story.amina
    words: dict[str, str] = {}
    where: dict[str, tuple[type, str]] = {}

    def word(name: str, model: type, field: str) -> str:
        words[name] = _word(name)
        where[name] = (model, field)
        return words[name]

    plain = _word("pronouns")
    with scope(organisation=story.harbourside.pk):
        # Ravi asked to be emailed when something is shared with him.
        NotificationPreference.objects.create(
            organisation=story.harbourside,
            membership=story.ravi,
            kind="people.shared_with_you",
            channels=["email"],
        )
        services.update_profile(
            actor=amina,
            pronouns=plain,
            emergency_contact=f"Wanjiru {word('emergency contact', Profile, 'emergency_contact')}",
        )
        # An earlier OST answer, replaced: history only Amina sees.
        services.disclose(
            actor=amina,
            owner=amina,
            category="ost",
            answer={"prescriber": word("ost history", Disclosure, "content")},
        )
        answers: dict[str, dict[str, Any]] = {}
        for category, key in _text_questions():
            answers.setdefault(category, {})[key] = word(f"{category} {key}", Disclosure, "content")
        answers["ost"]["medicine"] = "other"
        for category, answer in answers.items():
            services.disclose(actor=amina, owner=amina, category=category, answer=answer)
        services.share(
            actor=amina,
            audience="line_manager",
            categories=list(SHARED_WITH_RAVI),
            purpose=word("purpose to ravi", SharingGrant, "purpose"),
        )
        stopped = services.share(
            actor=amina,
            audience="person",
            grantee=story.grace,
            categories=["drug_use"],
            purpose=word("purpose stopped", SharingGrant, "purpose"),
        )
        services.revoke_grant(actor=amina, grant=stopped)
        long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=300)
        services.share(
            actor=amina,
            audience="person",
            grantee=story.joseph,
            categories=["criminal_record"],
            purpose=word("purpose ended", SharingGrant, "purpose"),
            now=long_ago,
            expires_on=long_ago.date() + dt.timedelta(days=60),
        )
        starts = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=4)
        availability.add_unavailability(
            actor=amina,
            membership=amina,
            kind="appointment",
            starts_at=starts,
            ends_at=starts + dt.timedelta(hours=2),
        )
        samuel = Membership.objects.get(pk=story.samuel.pk)
        exception_reports.report_exception(
            actor=samuel,
            person=amina,
            reason="life_in_danger",
            disclosed=word("report", ExceptionReport, "disclosed"),
            recipient=story.daniel,
        )
    ravi = {"purpose to ravi"} | {
        name for name in words if name.split(" ")[0] in SHARED_WITH_RAVI and name != "ost history"
    }
    return Canaries(
        words=words,
        where=where,
        readers={
            "amina": set(words),
            "ravi": ravi,
            "samuel": {"report"},
            "daniel": {"report"},
        },
        plain=plain,
    )


def found_in(text: str, canaries: Canaries) -> set[str]:
    return {name for name, word in canaries.words.items() if word in text}


# --- who reads ----------------------------------------------------------------------------


@dataclass
class Reader:
    name: str
    page: Client
    api_headers: dict[str, str]
    who: Membership | User | None

    def api_client(self) -> Client:
        return Client() if self.api_headers else self.page


def readers(story: Any) -> list[Reader]:
    found = [
        Reader(name, signed_in(getattr(story, name)), bearer(getattr(story, name)), None)
        for name in HARBOURSIDE
    ]
    for reader in found:
        reader.who = getattr(story, reader.name)
    found.append(Reader("taras", signed_in(story.taras), bearer(story.taras), story.taras))
    operator = User.objects.create_superuser("operator", "operator@example.org", "horse")
    operator_client = Client()
    operator_client.force_login(operator)
    found.append(Reader("operator", operator_client, {}, operator))
    found.append(Reader("anonymous", Client(), {}, None))
    return found


def _keep_signed_in(reader: Reader, response: Any) -> None:
    """A page that turned the session over (signing out, say): sign in again."""
    if reader.who is None or settings.SESSION_COOKIE_NAME not in response.cookies:
        return
    if isinstance(reader.who, User):
        reader.page.force_login(reader.who)
        return
    reader.page.force_login(reader.who.user)
    session = reader.page.session
    session["peerwork_organisation"] = str(reader.who.organisation_id)
    session.save()


# --- what to ask for ----------------------------------------------------------------------


def parameter_values(story: Any) -> dict[str, list[str]]:
    """For each path parameter, the ids that reach Amina's records (and her colleagues')."""
    with scopes_disabled():
        grants = [str(g.pk) for g in SharingGrant.objects.filter(owner=story.amina)]
        reports = [str(r.pk) for r in ExceptionReport.objects.filter(person=story.amina)]
        away = [str(u.pk) for u in Unavailability.objects.filter(membership=story.amina)]
        notifications = [str(n.pk) for n in Notification.objects.all()]
    people = [str(story.amina.pk), str(story.ravi.pk)]
    return {
        "membership_id": people,
        "member_id": people,
        "person_id": people,
        "supported_id": [str(story.amina.pk)],
        "team_id": [str(story.team.pk)],
        "site_id": [str(story.site.pk)],
        "organisation_id": [str(story.harbourside.pk)],
        "notification_id": notifications,
        "grant_id": grants,
        "shared_id": grants,
        "report_id": reports,
        "unavailability_id": away,
    }


def _filled(template: str, parameters: tuple[str, ...], values: dict[str, list[str]]) -> list[str]:
    """The URLs of a route for the ids given; none for a parameter that reaches nothing of
    Amina's (an invitation, a token, allauth's own keys, the admin's objects)."""
    urls = [template]
    for parameter in parameters:
        urls = [
            url.replace(f"%({parameter})s", value)
            for url in urls
            for value in values.get(parameter, [])
        ]
    return urls


def page_urls(story: Any, *, people_only: bool = False) -> list[str]:
    """Every page route's URLs (the API's are walked from its schema)."""
    values = parameter_values(story)
    urls: list[str] = []
    for route in all_routes():
        if route.namespace == "api" or (people_only and route.namespace != "people"):
            continue
        filled = _filled(route.template, route.parameters, values)
        assert filled or route.namespace != "people", f"no ids for {route}"
        urls += filled
    return urls


def _schema(client: Client) -> dict[str, Any]:
    return client.get(f"{API}/openapi.json").json()


def api_operations(story: Any, schema: dict[str, Any]) -> list[tuple[str, str]]:
    """(method, url) of every operation, ids filled in."""
    values = parameter_values(story)
    queries = {f"{API}/exception-reports/recipients": f"?person_id={story.amina.pk}"}
    found = []
    for path_, operations in schema["paths"].items():
        parameters = tuple(p.strip("{}") for p in path_.split("/") if p.startswith("{"))
        template = path_
        for parameter in parameters:
            template = template.replace("{" + parameter + "}", f"%({parameter})s")
        for method in operations:
            for url in _filled(template, parameters, values):
                found.append((method.upper(), url + queries.get(path_, "")))
    return found


# --- the walk -----------------------------------------------------------------------------


def read_everything(story: Any, canaries: Canaries) -> dict[str, dict[str, set[str]]]:
    """What each reader found, by the URL it was found at."""
    schema = _schema(Client())
    pages = page_urls(story)
    operations = [(m, u) for m, u in api_operations(story, schema) if m == "GET"]
    seen: dict[str, dict[str, set[str]]] = {}
    for reader in readers(story):
        found: dict[str, set[str]] = {}
        for url in pages:
            response = reader.page.get(url)
            text = response.content.decode(errors="replace")
            _keep_signed_in(reader, response)
            if words := found_in(text, canaries):
                found[f"GET {url} ({response.status_code})"] = words
        for method, url in operations:
            client = reader.api_client()
            response = client.generic(method, url, headers=reader.api_headers)
            text = response.content.decode(errors="replace")
            if words := found_in(text, canaries):
                found[f"{method} {url} ({response.status_code})"] = words
        seen[reader.name] = found
    return seen


def send_empty_everything(story: Any, canaries: Canaries, names: set[str]) -> dict[str, set[str]]:
    """Every unsafe page and operation of the people module, sent empty: their error pages
    and forms, as read by people who may see nothing."""
    schema = _schema(Client())
    pages = page_urls(story, people_only=True)
    operations = [
        (method, url)
        for method, url in api_operations(story, schema)
        if method != "GET" and not url.endswith("/me/erase")
    ]
    leaks: dict[str, set[str]] = {}
    for reader in readers(story):
        if reader.name not in names:
            continue
        for url in pages:
            if url.endswith("/me/erase"):
                continue  # erasing one's own records: nothing of Amina's, and no undo
            response = reader.page.post(url, {})
            _keep_signed_in(reader, response)
            if words := found_in(response.content.decode(errors="replace"), canaries):
                leaks[f"POST {url} as {reader.name} ({response.status_code})"] = words
        for method, url in operations:
            response = reader.api_client().generic(
                method, url, "{}", content_type="application/json", headers=reader.api_headers
            )
            if words := found_in(response.content.decode(errors="replace"), canaries):
                leaks[f"{method} {url} as {reader.name} ({response.status_code})"] = words
    return leaks


# --- the tests ----------------------------------------------------------------------------


def test_every_sealed_field_of_the_people_module_gets_a_canary(story: Any) -> None:
    canaries = plant(story)
    sealed = {
        (model, field.name)
        for model in apps.get_app_config("people").get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, SealedField)
    }
    planted = {(model, field) for model, field in canaries.where.values()}
    assert sealed == planted
    # Every text question of every category carries one (choices are codes, not words).
    assert {f"{c} {q}" for c, q in _text_questions()} <= set(canaries.words)


def test_each_reader_sees_exactly_the_words_meant_for_them_on_every_page_and_api_answer(
    story: Any,
) -> None:
    canaries = plant(story)

    seen = read_everything(story, canaries)

    problems = []
    for name, found in seen.items():
        allowed = canaries.for_reader(name)
        for where, words in found.items():
            for leaked in sorted(words - allowed):
                problems.append(f"{where} as {name}: {leaked}")
        missing = allowed - set().union(*found.values())
        if missing:
            problems.append(f"{name} never saw {sorted(missing)}, though they may")
    assert not problems, "\n".join(problems)
    # Amina sees every word, and the others theirs: the walk did look.
    assert set().union(*seen["amina"].values()) == set(canaries.words)
    assert set().union(*seen["ravi"].values()) == canaries.for_reader("ravi")


def test_error_pages_and_refused_forms_show_nothing_sealed(story: Any) -> None:
    canaries = plant(story)
    nobody = {"taslima", "grace", "chen", "joseph", "leila", "farah", "peter", "olena"}
    nobody |= {"taras", "operator", "anonymous"}

    leaks = send_empty_everything(story, canaries, nobody)

    assert not leaks, "\n".join(f"{where}: {sorted(words)}" for where, words in leaks.items())
    # A refused form keeps what its owner typed, so the scan does read such pages: Amina's
    # profile sent without a name comes back with her new emergency contact in it.
    typed = Canaries(words={"typed": _word("typed")}, where={}, readers={}, plain="")
    response = signed_in(story.amina).post(
        "/me/profile", {"display_name": "", "emergency_contact": typed.words["typed"]}
    )
    assert response.status_code == 200
    assert found_in(response.content.decode(), typed) == {"typed"}


def _stored_bytes() -> bytes:
    """Everything the database holds, as stored: the SQLite file with its journal, or
    every table's rows as PostgreSQL prints them."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        path = Path(connection.settings_dict["NAME"])
        assert path.exists(), f"the test database is not a file: {path}"
        files = (path, Path(f"{path}-wal"), Path(f"{path}-journal"))
        return b"".join(p.read_bytes() for p in files if p.exists())
    rows = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT t::text FROM "{table}" t')  # noqa: S608 (our table names)
            rows += [row[0] for row in cursor.fetchall()]
    return "\n".join(rows).encode()


def _read_as_their_readers(story: Any) -> None:
    """Amina, Ravi, Samuel and Daniel open what they may: reads are audited and logged."""
    with scopes_disabled():
        grants = list(SharingGrant.objects.filter(owner=story.amina))
        report = ExceptionReport.objects.get(person=story.amina)
    amina, ravi = signed_in(story.amina), signed_in(story.ravi)
    for url in ("/me", "/me/profile", "/me/ost", "/me/shares", "/me/export.json"):
        assert amina.get(url).status_code == 200, url
    assert ravi.get("/shared").status_code == 200
    assert any(ravi.get(f"/shared/{g.pk}").status_code == 200 for g in grants)
    for name in ("amina", "samuel", "daniel"):
        page = signed_in(getattr(story, name)).get(f"/exception-reports/{report.pk}")
        assert page.status_code == 200, name


def test_no_sealed_word_reaches_an_email_a_task_a_log_an_sql_statement_or_the_stored_bytes(
    story: Any, caplog: pytest.LogCaptureFixture, settings: Any
) -> None:
    from django_tasks_db.models import DBTaskResult

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    caplog.set_level(logging.DEBUG)
    with CaptureQueriesContext(connection) as queries:
        canaries = plant(story)
        _read_as_their_readers(story)
        with scopes_disabled():
            deliveries = list(Delivery.objects.filter(channel="email"))
        for delivery in deliveries:
            send_delivery(delivery.pk)

    # Each place is really looked at: the messages were sent, the tasks queued, the reads
    # logged, and the plain column beside the sealed ones is found where it is stored.
    assert sorted(m.to[0] for m in mail.outbox) == [
        "amina@example.org",  # a report about her
        "daniel@example.org",  # a report to him
        "ravi@example.org",  # a share with him
    ]
    emails = "\n".join(
        "\n".join(
            [
                str(message.subject),
                str(message.body),
                *(str(a[0]) for a in getattr(message, "alternatives", [])),
            ]
        )
        for message in mail.outbox
    )
    with scopes_disabled():
        payloads = "\n".join(str(row.args_kwargs) for row in DBTaskResult.objects.all())
    assert payloads, "the messages were queued as tasks"
    logged = caplog.text + "\n".join(record.getMessage() for record in caplog.records)
    assert logged
    statements = "\n".join(query["sql"] for query in queries.captured_queries)
    stored = _stored_bytes()
    assert canaries.plain in statements
    assert canaries.plain.encode() in stored

    for place, text in (
        ("an email", emails),
        ("a task's payload", payloads),
        ("the log", logged),
        ("an SQL statement", statements),
    ):
        assert not found_in(text, canaries), f"{place}: {sorted(found_in(text, canaries))}"
    in_storage = {name for name, word in canaries.words.items() if word.encode() in stored}
    assert not in_storage, f"stored as plain text: {sorted(in_storage)}"
