"""Organisation isolation, generated from the URL configuration and the API schema.

Every URL pattern and every API operation is walked; nobody has to remember to add a test
for a new route. For each path parameter a maker (``peerwork.core.isolation``, extended by
each app's ``isolation`` module) builds a real object of Riverside, the story's other
organisation. Every Harbourside member, whatever their role, gets 404 for it and leaves it
unchanged; a malformed or unknown id, or Harbourside's object of the same kind, gets 404
from Riverside's owner of the object, who gets a success with the real one, so none of
this passes by asking for nothing (DESIGN.md "Known pitfalls"). A route with a parameter
nobody can make fails, naming how to register a maker. The few routes not walked this way
are listed below with the reason (EXEMPT), or are links that are their own key
(CAPABILITIES, each with its own test).

Routes without parameters must answer every role without an error, and anonymous people
only with sign-in (or 401/404 from the API) unless they are public. A canary scan puts
distinctive words in Riverside's records and reads every page without parameters,
Harbourside's own detail pages and every API list as every Harbourside member; Taras, at
Riverside, must see each word somewhere.

Each test builds the story once and loops, collecting every problem (route, method, role)
into one failure message.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, include, path
from django.utils.module_loading import autodiscover_modules
from django.utils.regex_helper import normalize
from django.views.decorators.http import require_safe
from django_scopes import scope, scopes_disabled

from peerwork.api.tests.helpers import bearer, signed_in
from peerwork.core import access
from peerwork.core.access import parse_id
from peerwork.core.isolation import (
    Body,
    Made,
    Other,
    body_for,
    maker_for,
    register_isolation_maker,
)
from peerwork.core.models import Invitation, Membership, Team, User
from peerwork.core.tasks import invitation_token

pytestmark = pytest.mark.django_db

# Every Harbourside person of the story, so every role is an outsider once.
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

# Routes with parameters that no maker covers, and why. Keep it short: each is a hole.
# Keys are a namespace ("admin:") or a route's full name.
EXEMPT = {
    "admin:": (
        "the instance operator's admin: superusers with no membership only, members get "
        "its sign-in page; tested in test_admin.py"
    ),
    "account_confirm_email": (
        "allauth's own key-based route: the key is a per-account secret, not an "
        "organisation's object (email verification is off)"
    ),
    "account_reset_password_from_key": (
        "allauth's own key-based route: the key is a per-account secret, not an "
        "organisation's object"
    ),
    "api:": "the API's operations: walked from the OpenAPI schema below",
    "mfa_edit_webauthn": (
        "allauth's security keys: a person's own, looked up by the signed-in account, not "
        "an organisation's object; someone else's key is 404, tested in test_mfa.py"
    ),
    "mfa_remove_webauthn": (
        "allauth's security keys: a person's own, looked up by the signed-in account, not "
        "an organisation's object; someone else's key is 404, tested in test_mfa.py"
    ),
    "outreach:sms_inbound": (
        "an SMS gateway's webhook, not a member page: it answers whoever proves the "
        "number's signature or key, and acts only in that number's organisation; a bad "
        "proof is 403 and changes nothing, tested in outreach/tests/test_sms_inbound.py"
    ),
}

# Routes whose parameter is a capability: whoever holds the link is its addressee, so an
# outsider holding it gets it. Each has its own test below.
CAPABILITIES = {
    "core:join": "an invitation link (signed); the person invited may belong elsewhere already",
    "schedule:feed": (
        "a person's calendar feed address: a random secret that is its own key, read by a "
        "calendar app with no session (peerwork/schedule/tests/test_feeds.py)"
    ),
}

# Routes without parameters that people who are not signed in may open.
PUBLIC = {
    "core:healthz",
    "core:set_language",
    "set_language",  # Django's i18n/setlang/
    "account_login",
    "account_signup",
    "account_inactive",
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key_done",
    "account_email_verification_sent",
    "admin:logout",  # signing out when not signed in changes nothing
    "api:openapi-json",  # the schema holds no one's data (peerwork.api.docs)
}

SAFE = ("GET", "HEAD", "OPTIONS")
PAGE_METHODS = ("GET", "POST")


# --- the URL configuration -----------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str  # "core:team_edit"; an unnamed route goes by its pattern
    namespace: str  # the outermost namespace ("core", "api", "admin"), "" for none
    pattern: str  # as written, for messages: "teams/<str:team_id>/edit"
    template: str  # "/teams/%(team_id)s/edit"
    parameters: tuple[str, ...]

    def url(self, values: Mapping[str, str]) -> str:
        return self.template % {key: quote(value, safe="") for key, value in values.items()}

    def resource(self, parameter: str) -> str:
        """The literal path segment before ``parameter`` (``teams`` for ``team_id``)."""
        before = self.template.split(f"%({parameter})s")[0].rstrip("/")
        return before.rsplit("/", 1)[-1]

    def schema_path(self) -> str:
        return re.sub(r"%\((\w+)\)s", r"{\1}", self.template)

    def exempt(self) -> str | None:
        return EXEMPT.get(f"{self.namespace}:") or EXEMPT.get(self.name)

    def __str__(self) -> str:
        return f"{self.name} (/{self.pattern})"


def _walk(
    patterns: Iterable[URLPattern | URLResolver], regex: str, route: str, namespaces: list[str]
) -> Iterator[Route]:
    for entry in patterns:
        piece = entry.pattern.regex.pattern.removeprefix("^")
        if isinstance(entry, URLResolver):
            inner = [*namespaces, entry.namespace] if entry.namespace else namespaces
            yield from _walk(entry.url_patterns, regex + piece, route + str(entry.pattern), inner)
            continue
        written = route + str(entry.pattern)
        # Django reverses URLs the same way: the joined regex, normalised to a template.
        template, parameters = normalize(regex + piece)[0]
        name = ":".join([*namespaces, entry.name]) if entry.name else written
        yield Route(
            name=name,
            namespace=namespaces[0] if namespaces else "",
            pattern=written,
            template="/" + template,
            parameters=tuple(parameters),
        )


def all_routes(urlconf: str | None = None) -> list[Route]:
    return list(_walk(get_resolver(urlconf).url_patterns, "", "", []))


# --- who asks ------------------------------------------------------------------------


def _operator() -> User:
    """The instance operator: a superuser with no membership."""
    return User.objects.create_superuser(
        "isolation-operator", "operator@example.org", "correct horse battery"
    )


def _other(story: Any) -> Other:
    return Other(
        organisation=story.riverside,
        member=story.taras,
        site=story.other_site,
        team=story.other_team,
    )


def _own(story: Any) -> Other:
    """Harbourside, for makers to build the same kind of object on this side."""
    return Other(
        organisation=story.harbourside, member=story.amina, site=story.site, team=story.team
    )


def _call(
    client: Client, method: str, url: str, body: Body | None = None, *, api: bool = False
) -> Any:
    body = body or Body()
    headers = dict(body.headers)
    if method in SAFE:
        return client.generic(method, url, headers=headers)
    if api:
        return client.generic(
            method,
            url,
            json.dumps(dict(body.data)),
            content_type="application/json",
            headers=headers,
        )
    if method == "POST":
        return client.post(url, dict(body.data), headers=headers)
    return client.generic(method, url, headers=headers)


def _ask(
    problems: list[str],
    who: str,
    client: Client,
    method: str,
    url: str,
    body: Body | None = None,
    *,
    api: bool = False,
) -> Any:
    """The response, or None with a problem recorded if the view raised."""
    try:
        return _call(client, method, url, body, api=api)
    except Exception as error:  # the failure names the route; the cause is in its text
        problems.append(f"{method} {url} as {who}: raised {type(error).__name__}: {error}")
        return None


def _snapshot(objects: Iterable[Any]) -> list[dict[str, object]]:
    """Each object's stored fields, read again from the database."""
    found = []
    with scopes_disabled():
        for obj in objects:
            fresh = type(obj)._default_manager.get(pk=obj.pk)
            found.append(
                {f.attname: f.value_from_object(fresh) for f in fresh._meta.concrete_fields}
            )
    return found


def _malformed(value: str) -> list[str]:
    """Ids that name nothing: malformed, unknown, or the real one bent a little."""
    return [
        "not-an-id",
        "0",
        "-1",
        str(uuid.uuid4()),
        value + "0",
        value[:-1],
        "' or '1'='1",
        "é",
        "x" * 300,
    ]


# --- makers --------------------------------------------------------------------------


class NoMaker(Exception):
    pass


@dataclass(frozen=True)
class Named:
    """The objects one route names, made for one side."""

    primary: Made  # the innermost object: its owner is the one who may use the route
    values: dict[str, str]  # every parameter's value
    objects: list[Any]  # each made object, to check that refused requests left it alone

    @property
    def owner(self) -> Membership:
        return self.primary.owner


def _make(
    route_name: str, parameters: tuple[str, ...], resource: Callable[[str], str], side: Other
) -> Named:
    """Real objects for each parameter, innermost first (it may name its parents)."""
    values: dict[str, str] = {}
    objects: list[Any] = []
    primary: Made | None = None
    with scope(organisation=side.organisation.pk):
        for parameter in reversed(parameters):
            if parameter in values:
                continue
            maker = maker_for(resource(parameter), parameter)
            if maker is None:
                raise NoMaker(
                    f"{route_name}: no isolation maker for the parameter {parameter!r}. Register "
                    f"one in peerwork/<app>/isolation.py with register_isolation_maker("
                    f"{parameter!r}, maker) (or {resource(parameter) + '/' + parameter!r} for a "
                    "generic name): it builds a real object of the other organisation and says "
                    "who owns it. Or add the route to EXEMPT in this file with the reason."
                )
            made = maker(side)
            primary = primary or made
            values[parameter] = made.value
            objects.append(made.obj)
            for key, value in made.also.items():
                values.setdefault(key, value)
    assert primary is not None  # a route walked here has at least one parameter
    return Named(primary=primary, values=values, objects=objects)


@dataclass
class People:
    """Clients for every persona, made once per test."""

    story: Any
    sessions: dict[str, Client]
    tokens: dict[str, dict[str, str]]
    anonymous: Client
    operator: Client
    operator_user: User
    _owners: dict[Any, Client] = field(default_factory=dict)
    _owner_tokens: dict[Any, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def of(cls, story: Any, *, tokens: bool = False) -> People:
        operator_user = _operator()
        operator = Client()
        operator.force_login(operator_user)
        members = {name: getattr(story, name) for name in HARBOURSIDE}
        return cls(
            story=story,
            sessions={name: signed_in(member) for name, member in members.items()},
            tokens={name: bearer(member) for name, member in members.items()} if tokens else {},
            anonymous=Client(),
            operator=operator,
            operator_user=operator_user,
        )

    def owner_session(self, member: Membership) -> Client:
        if member.pk not in self._owners:
            self._owners[member.pk] = signed_in(member)
        return self._owners[member.pk]

    def owner_token(self, member: Membership) -> dict[str, str]:
        if member.pk not in self._owner_tokens:
            self._owner_tokens[member.pk] = bearer(member, name="isolation owner")
        return self._owner_tokens[member.pk]


def _owner_name(member: Membership) -> str:
    return f"{member.user.username} (the owner, at {member.organisation.slug})"


# --- the check, for a page route or an API operation -------------------------------


@dataclass(frozen=True)
class Target:
    """Something with path parameters to walk: a page route or one API operation."""

    label: str  # "core:team_edit" or "PATCH /api/v1/teams/{team_id}", for messages
    parameters: tuple[str, ...]
    resource: Callable[[str], str]  # the path segment before a parameter
    url: Callable[[Mapping[str, str]], str]
    api: bool


# Through the API every member asks with a token; the session asks the same gates through
# the same authentication class, so three members with the widest and narrowest reach ask
# with it too (the walk's cost grows with routes × askers: keep it lean).
API_SESSIONS = ("grace", "chen", "amina")


def _outsiders(people: People, api: bool) -> list[tuple[str, Client, dict[str, str]]]:
    """Every Harbourside member: with their session for pages; with a token (and a few
    with their session) for the API."""
    if not api:
        return [(name, client, {}) for name, client in people.sessions.items()]
    asking = [(f"{name} (token)", Client(), people.tokens[name]) for name in HARBOURSIDE]
    return asking + [(name, people.sessions[name], {}) for name in API_SESSIONS]


def _succeeded(response: Any, method: str, api: bool) -> bool:
    if api:
        return 200 <= response.status_code < 300
    if method in SAFE:
        return response.status_code == 200
    # An action's answer: a page (a form shown again still found the object) or a
    # redirect after it, but not one to sign-in.
    return 200 <= response.status_code < 400 and not _is_sign_in(response)


def _check(
    problems: list[str],
    people: People,
    target: Target,
    methods: Iterable[str] | None,
    body_of: Callable[[str, Made], Body | str],
) -> int:
    """Walk one target with real objects of both organisations; how many of its methods
    succeeded for the owner (None for ``methods``: those a page serves)."""
    story = people.story
    try:
        theirs = _make(target.label, target.parameters, target.resource, _other(story))
        ours = _make(target.label, target.parameters, target.resource, _own(story))
    except NoMaker as missing:
        problems.append(str(missing))
        return 0
    url = target.url(theirs.values)
    nothing = target.url(dict.fromkeys(target.parameters, "not-an-id"))
    if target.api:
        owner_client, owner_headers = Client(), people.owner_token(theirs.owner)
    else:
        owner_client, owner_headers = people.owner_session(theirs.owner), {}
    owner = _owner_name(theirs.owner)
    if methods is None:
        methods = _page_methods(owner_client, nothing)
        if not methods:
            problems.append(f"{target.label}: answers 405 to GET and POST, nothing to walk")
    bodies: dict[str, Body] = {}
    for method in methods:
        body = body_of(method, theirs.primary)
        if isinstance(body, str):
            problems.append(body)
            continue
        bodies[method] = body

    def ask(who: str, client: Client, method: str, url: str, headers: Mapping[str, str]) -> Any:
        sent = Body(data=bodies[method].data, headers={**bodies[method].headers, **headers})
        return _ask(problems, who, client, method, url, sent, api=target.api)

    theirs_before, ours_before = _snapshot(theirs.objects), _snapshot(ours.objects)
    for method in bodies:
        where = f"{method} {url} ({target.label})"
        for name, client, headers in _outsiders(people, target.api):
            response = ask(name, client, method, url, headers)
            if response is not None and response.status_code != 404:
                problems.append(f"{where} as {name}: {response.status_code}, expected 404")
        # Not signed in, or signed in with no membership: the same answer as for an id
        # that names nothing, so the answer tells nothing.
        for name, client in (("anonymous", people.anonymous), ("operator", people.operator)):
            real, fake = (ask(name, client, method, u, {}) for u in (url, nothing))
            if real is not None and fake is not None and real.status_code != fake.status_code:
                problems.append(
                    f"{where} as {name}: {real.status_code}, but {fake.status_code} for an id "
                    "that names nothing"
                )
        # The owner asks for ids that name nothing, and for Harbourside's object.
        for parameter in target.parameters:
            for bad in [*_malformed(theirs.values[parameter]), ours.values[parameter]]:
                bent = target.url({**theirs.values, parameter: bad})
                response = ask(owner, owner_client, method, bent, owner_headers)
                if response is not None and response.status_code != 404:
                    problems.append(
                        f"{method} {bent} ({target.label}) as {owner}: {response.status_code} "
                        f"for {parameter}={bad[:40]!r}, expected 404"
                    )
    if _snapshot(theirs.objects) != theirs_before:
        problems.append(f"{target.label}: Harbourside members changed Riverside's object")
    if _snapshot(ours.objects) != ours_before:
        problems.append(f"{target.label}: Riverside's owner changed Harbourside's object")

    # Last, since an action changes its object: the owner succeeds, so none of the above
    # passed by asking for something that cannot be reached at all.
    successes = 0
    for method in bodies:
        response = ask(owner, owner_client, method, url, owner_headers)
        if response is None:
            continue
        if _succeeded(response, method, target.api):
            successes += 1
        else:
            key = f"{method} {target.label.split(' ')[-1]}"
            problems.append(
                f"{method} {url} ({target.label}) as {owner}: {response.status_code}, expected "
                f"success: {response.content[:200]!r}. Does it need a body? "
                f"register_isolation_request({key!r}, …)"
            )
    return successes


# --- pages ---------------------------------------------------------------------------


def _page_methods(client: Client, probe: str) -> list[str]:
    """The methods a page serves: those not refused with 405 (checked before any gate).
    One that raises is served (and reported when walked)."""
    served = []
    for method in PAGE_METHODS:
        try:
            refused = _call(client, method, probe).status_code == 405
        except Exception:
            refused = False
        if not refused:
            served.append(method)
    return served


def _page_body(route: Route) -> Callable[[str, Made], Body]:
    def body(method: str, made: Made) -> Body:
        build = body_for(f"{method} {route.name}")
        return build(made) if build else Body()

    return body


def page_problems(people: People, routes: Iterable[Route]) -> tuple[list[str], int]:
    """Walk the page routes with parameters: the problems found, and how many requests
    succeeded for the owner (so a caller can tell the walk was not empty)."""
    problems: list[str] = []
    successes = 0
    for route in routes:
        if not route.parameters or route.exempt() or route.name in CAPABILITIES:
            continue
        target = Target(route.name, route.parameters, route.resource, route.url, api=False)
        successes += _check(problems, people, target, None, _page_body(route))
    return problems, successes


def test_every_page_with_a_parameter_hides_the_other_organisations_objects(story):
    autodiscover_modules("isolation")
    people = People.of(story)
    routes = [r for r in all_routes() if r.parameters and not r.exempt()]
    problems, successes = page_problems(people, routes)
    assert not problems, "\n".join(problems)
    walked = [r for r in routes if r.name not in CAPABILITIES]
    assert walked and successes >= len(walked), "the owner succeeded on fewer routes than walked"


def test_every_exemption_names_a_route_that_exists():
    routes = all_routes()
    names = {r.name for r in routes} | {f"{r.namespace}:" for r in routes}
    assert set(EXEMPT) <= names, set(EXEMPT) - names
    assert set(CAPABILITIES) <= names, set(CAPABILITIES) - names
    assert names >= PUBLIC, PUBLIC - names


# --- the API -------------------------------------------------------------------------


def _schema() -> dict[str, Any]:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def _resolve(schema: Mapping[str, Any], node: Mapping[str, Any]) -> Mapping[str, Any]:
    while "$ref" in node:
        node = schema["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _example(schema: Mapping[str, Any], node: Mapping[str, Any]) -> object:
    """The smallest value the schema accepts: required properties only."""
    node = _resolve(schema, node)
    if "default" in node:
        return node["default"]
    for key in ("anyOf", "oneOf", "allOf"):
        if key in node:
            choices = [c for c in node[key] if c.get("type") != "null"]
            return _example(schema, choices[0]) if choices else None
    kind = node.get("type")
    if kind == "object":
        properties = node.get("properties", {})
        return {name: _example(schema, properties[name]) for name in node.get("required", [])}
    if kind == "array":
        return [_example(schema, node.get("items", {})) for _ in range(node.get("minItems", 0))]
    if kind in ("integer", "number"):
        return node.get("minimum", 1)
    if kind == "boolean":
        return False
    if node.get("format") == "date-time":
        return "2030-01-01T09:00:00+00:00"
    formats = {"uuid": str(uuid.uuid4()), "email": "someone@example.org", "date": "2030-01-01"}
    return formats.get(node.get("format", ""), "x" * max(1, node.get("minLength", 1)))


def _api_body(
    schema: Mapping[str, Any], path_: str, operation: Mapping[str, Any]
) -> Callable[[str, Made], Body | str]:
    """The registered body, or one made from the schema; a string says what is missing."""

    def body(method: str, made: Made) -> Body | str:
        build = body_for(f"{method} {path_}")
        if build is not None:
            return build(made)
        required = [
            p["name"]
            for p in operation.get("parameters", [])
            if p.get("required") and p["in"] in ("header", "cookie")
        ]
        if required:
            return (
                f"{method} {path_} needs {', '.join(required)}: register what it sends with "
                f"register_isolation_request('{method} {path_}', …) in the app's isolation.py"
            )
        content = operation.get("requestBody", {}).get("content", {}).get("application/json")
        data = _example(schema, content["schema"]) if content else {}
        return Body(data=data if isinstance(data, dict) else {})

    return body


def _schema_target(path_: str, method: str) -> Target:
    def resource(parameter: str) -> str:
        return path_.split("{" + parameter + "}")[0].rstrip("/").rsplit("/", 1)[-1]

    def url(values: Mapping[str, str]) -> str:
        return re.sub(r"{(\w+)}", lambda m: quote(values[m.group(1)], safe=""), path_)

    parameters = tuple(re.findall(r"{(\w+)}", path_))
    return Target(f"{method} {path_}", parameters, resource, url, api=True)


def api_problems(
    people: People, schema: Mapping[str, Any], routes: Iterable[Route]
) -> tuple[list[str], int]:
    """Walk the schema's operations with path parameters, as ``page_problems`` does."""
    problems = [
        f"{route}: an API route with parameters that the schema does not list"
        for route in routes
        if route.namespace == "api"
        and route.parameters
        and route.schema_path() not in schema["paths"]
    ]
    successes = 0
    for path_, operations in schema["paths"].items():
        if "{" not in path_:
            continue
        for method, operation in operations.items():
            target = _schema_target(path_, method.upper())
            body = _api_body(schema, path_, operation)
            successes += _check(problems, people, target, [method.upper()], body)
    return problems, successes


def test_every_api_operation_with_a_parameter_hides_the_other_organisations_objects(story):
    autodiscover_modules("isolation")
    people = People.of(story, tokens=True)
    schema = _schema()
    problems, successes = api_problems(people, schema, all_routes())
    assert not problems, "\n".join(problems)
    operations = [m for path_, ops in schema["paths"].items() if "{" in path_ for m in ops]
    assert operations and successes == len(operations)


# --- capabilities --------------------------------------------------------------------


def test_an_invitation_link_opens_for_whoever_holds_it_and_its_bare_id_for_nobody(story):
    autodiscover_modules("isolation")
    people = People.of(story)
    made = _make("core:join", ("invitation_id",), lambda p: "invitations", _other(story))
    invitation = made.objects[0]
    link = invitation_token(invitation.pk)
    # The link is the invitation: the person it was sent to may already work at
    # Harbourside (someone may belong to two organisations), or have no account yet.
    holders = [("anonymous", people.anonymous), ("amina", people.sessions["amina"])]
    for name, client in holders:
        response = client.get(f"/join/{link}")
        assert response.status_code == 200, name
        assert "Riverside Drug User Network" in response.content.decode(), name
    before = _snapshot([invitation])
    forged = [
        str(invitation.pk),
        link[:-1],
        link + "x",
        link.replace(":", ":x", 1),
        *_malformed(link),
    ]
    clients = [*holders, *people.sessions.items(), ("the owner", people.owner_session(made.owner))]
    for bad in forged:
        for name, client in clients:
            for method in PAGE_METHODS:
                response = client.generic(method, f"/join/{quote(bad, safe='')}")
                assert response.status_code == 404, f"{method} /join/{bad[:40]} as {name}"
    assert _snapshot([invitation]) == before
    with scopes_disabled():
        assert Invitation.objects.get(pk=invitation.pk).accepted_at is None


# --- routes without parameters -------------------------------------------------------


def _is_sign_in(response: Any) -> bool:
    if response.status_code not in (301, 302, 303):
        return False
    target = urlsplit(response["Location"]).path
    return target in (resolve_url(settings.LOGIN_URL), "/operator/login/")


def _sign_in_again(client: Client, who: Membership | User) -> None:
    if isinstance(who, User):
        client.force_login(who)
        return
    client.force_login(who.user)
    session = client.session
    session["peerwork_organisation"] = str(who.organisation_id)
    session.save()


def _parameterless(routes: Iterable[Route]) -> list[Route]:
    return [r for r in routes if not r.parameters]


def test_every_route_without_parameters_answers_every_role_without_an_error(story):
    people = People.of(story)
    schema = _schema()
    taras = signed_in(story.taras)
    personas: list[tuple[str, Client, Membership | User | None]] = [
        ("anonymous", people.anonymous, None),
        ("operator", people.operator, people.operator_user),
        *((name, client, getattr(story, name)) for name, client in people.sessions.items()),
        ("taras", taras, story.taras),
    ]
    problems: list[str] = []
    walked = 0
    opened: set[str] = set()  # routes that answered anonymous people other than with sign-in
    for route in _parameterless(all_routes()):
        url = route.template
        methods = list(PAGE_METHODS)
        methods += [m.upper() for m in schema["paths"].get(url, {}) if m.upper() not in methods]
        for method in methods:
            for name, client, who in personas:
                response = _ask(problems, name, client, method, url, api=route.namespace == "api")
                if response is None:
                    continue
                walked += 1
                where = f"{method} {url} ({route.name}) as {name}"
                if response.status_code >= 500:
                    problems.append(f"{where}: {response.status_code}")
                refused = (401, 403, 404, 405) if route.namespace == "api" else (404, 405)
                if name == "anonymous" and not (
                    _is_sign_in(response) or response.status_code in refused
                ):
                    opened.add(route.name)
                    if route.name not in PUBLIC:
                        problems.append(
                            f"{where}: {response.status_code}, expected sign-in (or add the "
                            "route to PUBLIC if everyone may open it)"
                        )
                if who is not None and settings.SESSION_COOKIE_NAME in response.cookies:
                    # Signed out (or the session turned over): sign in again for the next.
                    _sign_in_again(client, who)
    assert not problems, "\n".join(problems)
    assert walked > 100
    assert opened >= PUBLIC, (
        f"PUBLIC names routes that ask anonymous people to sign in: {PUBLIC - opened}"
    )


# --- the canary scan -----------------------------------------------------------------

CANARIES = {
    "team": "Zhuravka4417",
    "site": "Kalyna9082",
    "display name": "Verbena3365",
    "title": "Lelechenko5150",
    "organisation": "Sonyashnyk2718",
}


def _plant_canaries(story: Any) -> None:
    with scopes_disabled():
        story.other_team.name = f"Peer team {CANARIES['team']}"
        story.other_team.save(update_fields=["name"])
        story.other_site.name = f"Podil office {CANARIES['site']}"
        story.other_site.save(update_fields=["name"])
        story.taras.title = f"Outreach lead {CANARIES['title']}"
        story.taras.save(update_fields=["title"])
        story.taras.user.display_name = f"Taras {CANARIES['display name']}"
        story.taras.user.save(update_fields=["display_name"])
        story.riverside.name = f"Riverside {CANARIES['organisation']}"
        story.riverside.save(update_fields=["name"])


def _read(client: Client, url: str, headers: Mapping[str, str] | None = None) -> tuple[int, str]:
    response = client.get(url, headers=dict(headers or {}))
    return response.status_code, response.content.decode(errors="replace")


def test_no_page_or_api_list_shows_a_harbourside_member_anything_of_riverside(story):
    autodiscover_modules("isolation")
    _plant_canaries(story)
    people = People.of(story, tokens=True)
    schema = _schema()
    pages = [r.template for r in _parameterless(all_routes()) if r.namespace != "api"]
    # Harbourside's own objects' pages too: a team page, a person's card, one's inbox item.
    own = _own(story)
    for route in all_routes():
        if route.parameters and not route.exempt() and route.name not in CAPABILITIES:
            made = _make(route.name, route.parameters, route.resource, own)
            pages.append(route.url(made.values))
    lists = [p for p, ops in schema["paths"].items() if "{" not in p and "get" in ops]
    leaks: list[str] = []
    for name in HARBOURSIDE:
        for url in pages:
            status, text = _read(people.sessions[name], url)
            leaks += [
                f"GET {url} as {name} ({status}): {w}" for w, c in CANARIES.items() if c in text
            ]
        for url in lists:
            askers = [("token", Client(), people.tokens[name])]
            if name in API_SESSIONS:
                askers.append(("session", people.sessions[name], {}))
            for how, client, headers in askers:
                status, text = _read(client, url, headers)
                leaks += [
                    f"GET {url} as {name} ({how}, {status}): {w}"
                    for w, c in CANARIES.items()
                    if c in text
                ]
    assert not leaks, "\n".join(leaks)

    # Taras reads the same pages and lists, and finds every canary somewhere.
    taras, token = signed_in(story.taras), bearer(story.taras)
    seen: dict[str, set[str]] = {"page": set(), "api": set()}
    for url in pages:
        seen["page"] |= {w for w, c in CANARIES.items() if c in _read(taras, url)[1]}
    for url in lists:
        seen["api"] |= {w for w, c in CANARIES.items() if c in _read(Client(), url, token)[1]}
    assert seen["page"] and seen["api"], seen
    assert seen["page"] | seen["api"] == set(CANARIES), seen


# --- the walk itself can fail --------------------------------------------------------


def _leaky_team(request: HttpRequest, team_id: str) -> HttpResponse:
    """A view that forgot its access gate: it looks the team up everywhere."""
    with scopes_disabled():
        team = Team.objects.filter(pk=parse_id(team_id)).first()
    if team is None:
        raise Http404
    return HttpResponse(team.name)


def _gated_thing(request: HttpRequest, thing_id: str) -> HttpResponse:
    raise Http404


@require_safe
def _team_at_site(request: HttpRequest, parent_id: str, isolation_child_id: str) -> HttpResponse:
    """A team named inside its site: a route with two parameters, gated properly."""
    member = getattr(request, "member", None)
    if member is None:
        raise Http404
    team = access.team_for_member(member, isolation_child_id)
    if str(team.site_id) != parent_id:
        raise Http404
    return HttpResponse(team.name)


def _team_with_its_site(other: Other) -> Made:
    team = Team.objects.create(organisation=other.organisation, site=other.site, name="Inner")
    return Made(
        value=str(team.pk), owner=other.member, obj=team, also={"parent_id": str(team.site_id)}
    )


# Only routes of this module's own URL configuration use it (no real route has it).
register_isolation_maker("isolation_child_id", _team_with_its_site)

urlpatterns = [
    path("leaky/teams/<str:team_id>", _leaky_team, name="leaky_team"),
    path("things/<str:thing_id>", _gated_thing, name="thing"),
    path(
        "sites/<str:parent_id>/teams/<str:isolation_child_id>", _team_at_site, name="team_at_site"
    ),
    # The real routes too, so error pages and links render as they do in the project.
    path("", include("peerwork.urls")),
]


def _this_modules_routes(*names: str) -> list[Route]:
    return [r for r in all_routes() if r.name in names]


@pytest.mark.urls(__name__)
def test_the_walk_reports_a_leaking_view_and_a_parameter_nobody_can_make(story):
    autodiscover_modules("isolation")
    people = People.of(story, tokens=True)
    problems, _successes = page_problems(people, _this_modules_routes("leaky_team", "thing"))
    assert not [p for p in problems if "raised" in p], problems
    assert any(
        p.startswith("GET /leaky/teams/") and "as amina: 200, expected 404" in p for p in problems
    )
    assert any("thing: no isolation maker for the parameter 'thing_id'" in p for p in problems)
    schema = {
        "paths": {
            "/leaky/teams/{team_id}": {"get": {}},
            "/things/{thing_id}": {"get": {}},
        }
    }
    problems, _successes = api_problems(people, schema, [])
    assert any("/leaky/teams/" in p and "as chen (token): 200, expected 404" in p for p in problems)
    assert any("no isolation maker for the parameter 'thing_id'" in p for p in problems)


@pytest.mark.urls(__name__)
def test_an_object_inside_another_names_its_parent_for_the_walk(story):
    autodiscover_modules("isolation")
    people = People.of(story)
    problems, successes = page_problems(people, _this_modules_routes("team_at_site"))
    assert not problems, "\n".join(problems)
    assert successes == 1
