"""Security headers on every page, and nothing loaded from another host (issue 3, item 3).

Every page is walked: each URL pattern without parameters (so a page added later is
checked without anyone remembering to list it), as a stranger, a line manager and the
instance operator, plus the main pages that take an id, allauth's pages, the API docs, the
operator admin and the error pages. Each answer must carry the Content-Security-Policy
without ``unsafe-inline`` or ``unsafe-eval``, ``no-store``, ``Permissions-Policy`` and
``Cross-Origin-Opener-Policy``; each HTML page must carry no inline script or style (which
that policy would block) and name no other host in ``src``, ``href``, ``action`` or
``url()``, in the page or in the stylesheets it links.

What the markup cannot show (a script that injects a style or calls ``eval``) is checked in
headless Chromium on the pages that run the most script: the API docs (Swagger UI) and the
operator admin, with a canary proving the browser reports a violation when one happens.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import pytest
from allauth.mfa.totp.internal.auth import generate_totp_secret
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, path, reverse
from django_scopes import scopes_disabled

import peerwork.urls
from bench.browser import CHROMIUM, CHROMIUM_ARGS
from peerwork.api.tests.helpers import bearer
from peerwork.core.mfa import enrol_totp
from peerwork.core.models import AuditEvent, Role, User
from peerwork.core.services import invite
from peerwork.core.tasks import invitation_token

LOCAL_HOSTS = {"testserver"}
EXPECTED_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
    "base-uri": ["'none'"],
    "object-src": ["'none'"],
}
# Script types a browser runs; any other type (allauth's and Swagger's application/json
# settings blocks) is data, which the policy does not govern and nothing executes.
SCRIPT_TYPES = {
    "",
    "text/javascript",
    "application/javascript",
    "text/ecmascript",
    "application/ecmascript",
    "module",
}
URL_ATTRIBUTES = {
    "src",
    "href",
    "action",
    "formaction",
    "poster",
    "data",
    "srcset",
    "xlink:href",
    "background",
    "manifest",
    "ping",
}
HARMLESS_SCHEMES = {"", "mailto", "tel", "data"}


# --- reading a page ---------------------------------------------------------------------


class PageReader(HTMLParser):
    """The inline code and the addresses of one HTML page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.inline: list[str] = []
        self.addresses: list[str] = []
        self.stylesheets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "script" and not attributes.get("src"):
            kind = attributes.get("type", "").split(";")[0].strip().lower()
            if kind in SCRIPT_TYPES:
                self.inline.append("<script> without src")
        if tag == "style":
            self.inline.append("<style>")
        for name, value in attributes.items():
            if name == "style":
                self.inline.append(f"style= on <{tag}>")
            elif name.startswith("on"):
                self.inline.append(f"{name}= on <{tag}>")
            elif name in URL_ATTRIBUTES:
                for address in value.split(",") if name in ("srcset", "ping") else [value]:
                    address = address.strip().split(" ")[0]
                    if address.lower().startswith("javascript:"):
                        self.inline.append(f"javascript: URL in {name}= on <{tag}>")
                    elif address:
                        self.addresses.append(address)
        if tag == "meta" and attributes.get("http-equiv", "").lower() == "refresh":
            found = re.search(r"url\s*=\s*(\S+)", attributes.get("content", ""), re.I)
            if found:
                self.addresses.append(found.group(1).strip("'\""))
        if tag == "link" and "stylesheet" in attributes.get("rel", "").split():
            self.stylesheets.append(attributes.get("href", ""))


def is_elsewhere(address: str) -> bool:
    """True when fetching or following ``address`` would reach another host."""
    parts = urlsplit(address.strip())
    if parts.scheme.lower() not in HARMLESS_SCHEMES and parts.scheme.lower() not in (
        "http",
        "https",
    ):
        return True  # ftp:, ws:, a custom scheme: nothing of ours
    return bool(parts.netloc) and (parts.hostname or "") not in LOCAL_HOSTS


def css_addresses(css: str) -> list[str]:
    found = re.findall(r"url\(\s*['\"]?([^'\")]+)", css)
    found += re.findall(r"@import\s+['\"]([^'\"]+)", css)
    return found


def policy_of(response: Any) -> dict[str, list[str]]:
    directives: dict[str, list[str]] = {}
    for part in response.get("Content-Security-Policy", "").split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


class Inspector:
    """Checks answers and collects every problem, so one run names them all."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.problems: list[str] = []
        self.pages = 0
        self.checked_stylesheets: set[str] = set()

    def check(self, label: str, response: Any) -> None:
        problems = self.problems
        status = response.status_code
        if status >= 500 and label != "500":
            problems.append(f"{label}: answered {status}")
        policy = policy_of(response)
        if policy != EXPECTED_POLICY:
            problems.append(f"{label}: CSP is {response.get('Content-Security-Policy')!r}")
        header = response.get("Content-Security-Policy", "")
        for loose in ("'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*"):
            if loose in header.split():
                problems.append(f"{label}: CSP allows {loose}")
        if "no-store" not in response.get("Cache-Control", ""):
            problems.append(f"{label}: Cache-Control is {response.get('Cache-Control')!r}")
        if "camera=()" not in response.get("Permissions-Policy", ""):
            problems.append(
                f"{label}: Permissions-Policy is {response.get('Permissions-Policy')!r}"
            )
        if response.get("Cross-Origin-Opener-Policy") != "same-origin":
            problems.append(f"{label}: no Cross-Origin-Opener-Policy")
        if response.get("X-Content-Type-Options") != "nosniff":
            problems.append(f"{label}: no X-Content-Type-Options")
        if response.get("Location") and is_elsewhere(response["Location"]):
            problems.append(f"{label}: redirects to {response['Location']}")
        if "text/html" in response.get("Content-Type", ""):
            self.pages += 1
            self.check_html(label, response.content.decode())

    def check_html(self, label: str, html: str) -> None:
        reader = PageReader()
        reader.feed(html)
        self.problems += [f"{label}: inline code: {found}" for found in reader.inline]
        addresses = reader.addresses + css_addresses(html)
        self.problems += [f"{label}: names {a}" for a in addresses if is_elsewhere(a)]
        for stylesheet in reader.stylesheets:
            if stylesheet in self.checked_stylesheets or is_elsewhere(stylesheet):
                continue
            self.checked_stylesheets.add(stylesheet)
            response = Client().get(stylesheet)
            if response.status_code != 200:
                self.problems.append(f"{label}: stylesheet {stylesheet} answered {response}")
                continue
            css = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
            self.problems += [
                f"{stylesheet}: names {a}" for a in css_addresses(css) if is_elsewhere(a)
            ]

    def get(self, path_: str, label: str | None = None, **kwargs: Any) -> Any:
        response = self.client.get(path_, **kwargs)
        self.check(label or path_, response)
        return response


# --- the pages --------------------------------------------------------------------------


def parameterless_paths() -> list[str]:
    """Every URL pattern that takes no parameter, reversed by its name."""
    found: set[str] = set()

    def walk(entries: list[Any], namespace: str) -> None:
        for entry in entries:
            if isinstance(entry, URLResolver):
                inner = entry.namespace or ""
                walk(
                    entry.url_patterns,
                    f"{namespace}:{inner}" if namespace and inner else inner or namespace,
                )
            elif isinstance(entry, URLPattern) and entry.name and entry.pattern.regex.groups == 0:
                name = f"{namespace}:{entry.name}" if namespace else entry.name
                try:
                    found.add(reverse(name))
                except NoReverseMatch:
                    continue

    walk(get_resolver().url_patterns, "")
    return sorted(found)


def operator() -> User:
    user = User.objects.create_superuser(username="operator", password="a long passphrase")
    enrol_totp(user, generate_totp_secret())  # the operator must use two-step sign-in
    return user


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_walk_finds_the_pages_it_must_check(db):
    paths = parameterless_paths()
    for expected in (
        "/",
        "/people",
        "/teams",
        "/inbox",
        "/tokens",
        "/accounts/login/",
        "/accounts/2fa/",
        "/api/v1/docs",
        "/api/v1/me",
        "/operator/",
        "/operator/core/organisation/",
    ):
        assert expected in paths, expected
    assert len(paths) >= 50


def test_every_page_a_stranger_can_reach_is_sent_with_the_headers_and_no_inline_code(story):
    inspector = Inspector(Client())
    for page in parameterless_paths():
        inspector.get(page)
    inspector.get("/nowhere", "404")
    inspector.get(f"/join/{invitation_token('00000000-0000-0000-0000-000000000000')}")
    inspector.get("/accounts/password/reset/key/1-set-password/")
    with scopes_disabled():
        invitation = invite(actor=story.chen, email="new.peer@example.org", roles=[Role.STAFF])
    inspector.get(f"/join/{invitation_token(invitation.pk)}")
    assert inspector.problems == []
    assert inspector.pages >= 15


def test_every_page_of_a_member_is_sent_with_the_headers_and_no_inline_code(story):
    inspector = Inspector(signed_in(story.ravi.user))
    for page in parameterless_paths():
        if not page.startswith("/operator/"):
            inspector.get(page)
    for page in (
        f"/people/{story.amina.pk}",
        f"/people/{story.ravi.pk}",
        f"/teams/{story.team.pk}",
        f"/teams/{story.team.pk}/edit",
        "/accounts/2fa/recovery-codes/",
        "/nowhere",
        f"/people/{story.taras.pk}",  # another organisation's: 404
    ):
        inspector.get(page)
    chen = Inspector(signed_in(story.chen.user))
    chen.get("/invitations")
    chen.get(f"/teams/{story.team.pk}/edit")
    amina = Inspector(signed_in(story.amina.user))
    amina.get("/teams/new", "403")
    assert amina.client.get("/teams/new").status_code == 403
    assert inspector.problems + chen.problems + amina.problems == []
    assert inspector.pages >= 30


def test_every_page_of_the_operator_admin_is_sent_with_the_headers_and_no_inline_code(story):
    with scopes_disabled():
        invite(actor=story.chen, email="new.peer@example.org", roles=[Role.STAFF])
        event = AuditEvent.objects.first()
    assert event is not None
    inspector = Inspector(signed_in(operator()))
    for page in parameterless_paths():
        if page.startswith("/operator/"):
            inspector.get(page)
    organisation = f"/operator/core/organisation/{story.harbourside.pk}"
    for page in (
        "/operator/core/organisation/?q=harbour",
        f"{organisation}/change/",
        f"{organisation}/history/",
        f"{organisation}/invite-admin/",
        "/operator/core/auditevent/",
        f"/operator/core/auditevent/?organisation__id__exact={story.harbourside.pk}",
        f"/operator/core/auditevent/{event.pk}/change/",
        "/operator/core/",
        "/operator/password_change/",
    ):
        response = inspector.get(page)
        assert response.status_code == 200, page
    assert inspector.problems == []


def test_api_answers_by_token_are_not_stored_and_carry_the_policy(story):
    client = Client(headers=bearer(story.ravi))
    inspector = Inspector(client)
    for page in parameterless_paths():
        if page.startswith("/api/v1/") and page != "/api/v1/docs":
            inspector.get(page)
    for page in (
        f"/api/v1/members/{story.amina.pk}",
        f"/api/v1/teams/{story.team.pk}",
        f"/api/v1/organisations/{story.harbourside.pk}",
        f"/api/v1/members/{story.taras.pk}",  # another organisation's: 404
        "/api/v1/members/not-an-id",
    ):
        inspector.get(page)
    Inspector.check(inspector, "401", Client().get("/api/v1/me"))
    assert inspector.problems == []


def test_the_error_pages_carry_the_headers_too(story, client):
    inspector = Inspector(client)
    inspector.get("/nowhere", "404")
    inspector.get("/", "400", headers={"Host": "elsewhere.example.org"})
    assert client.get("/", headers={"Host": "elsewhere.example.org"}).status_code == 400
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(story.amina.user)
    response = strict.post("/language", {"language": "sw"})
    assert response.status_code == 403
    inspector.check("403 (CSRF)", response)
    assert inspector.problems == []


def fail(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a deliberate failure, for the 500 page")


urlpatterns = [path("deliberate-failure", fail), *peerwork.urls.urlpatterns]


@pytest.mark.urls(__name__)
def test_the_server_error_page_carries_the_headers_too(story):
    client = Client(raise_request_exception=False)
    client.force_login(story.amina.user)
    response = client.get("/deliberate-failure")
    assert response.status_code == 500
    inspector = Inspector(client)
    inspector.check("500", response)
    assert inspector.problems == []


def test_the_database_outage_page_gets_the_headers_and_carries_no_inline_code(rf):
    """Its 503 is made below the header middleware, which adds the headers to it."""
    from peerwork.core.outage import outage_response

    order = [name.rsplit(".", 1)[-1] for name in settings.MIDDLEWARE]
    outage = order.index("DatabaseOutageMiddleware")
    for outer in ("CSPMiddleware", "PermissionsPolicyMiddleware", "NoStoreMiddleware"):
        assert order.index(outer) < outage, outer
    response = outage_response(rf.get("/people"))
    assert response.status_code == 503
    inspector = Inspector(Client())
    inspector.check_html("503", response.content.decode())
    assert inspector.problems == []


def test_the_inspector_finds_inline_code_and_other_hosts():
    inspector = Inspector(Client())
    inspector.check_html(
        "canary",
        '<p style="color:red" onclick="x()">a</p><script>x()</script><style>p{}</style>'
        '<script type="application/json">{}</script><img src="https://cdn.example.com/a.png">'
        '<a href="//elsewhere.example.org/">b</a><form action="http://evil.example/"></form>'
        '<a href="javascript:x()">c</a><div data-x="url(https://fonts.example/f.woff)"></div>'
        '<a href="/people">d</a><a href="http://testserver/x">e</a><img src="data:image/png;base64,">',
    )
    assert len(inspector.problems) == 9, inspector.problems


# --- in a browser -----------------------------------------------------------------------

# Reports each violation of the page's policy (blocked inline style, eval, another host).
REPORT_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
    window.__violations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing (Debian: apt-get install chromium); CI installs it")
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch:
        # Playwright's sync API keeps an event loop running on this thread; Django refuses
        # database work there unless told (as in test_browser.py).
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()


def browser_page(browser: Any, base: str, user: Any) -> tuple[Any, list[str]]:
    """A page signed in as ``user`` (a session cookie), reporting other hosts it asks for."""
    context = browser.new_context()
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": signed_in(user).cookies[settings.SESSION_COOKIE_NAME].value,
                "url": base,
            }
        ]
    )
    context.add_init_script(REPORT_VIOLATIONS)
    elsewhere: list[str] = []
    context.on(
        "request",
        lambda request: (
            None if request.url.startswith((base, "data:")) else elsewhere.append(request.url)
        ),
    )
    return context.new_page(), elsewhere


def violations(page: Any) -> list[str]:
    return list(page.evaluate("window.__violations"))


@pytest.mark.browser
def test_the_api_docs_and_the_operator_admin_run_under_the_policy_in_a_browser(
    browser, live_server, story
):
    base = live_server.url
    page, elsewhere = browser_page(browser, base, story.ravi.user)

    page.goto(f"{base}/api/v1/docs")
    page.wait_for_selector(".opblock")
    page.click(".opblock-summary")
    page.click("button.try-out__btn")
    page.click("button.execute")
    status = ".live-responses-table tbody .response-col_status"
    page.wait_for_selector(status)
    assert page.inner_text(status).strip() == "200"
    assert violations(page) == []

    # The canary: a violation happening is reported, so the empty lists above mean none.
    # (Not wait_for_function: Playwright evaluates its predicate in the page, where the
    # policy forbids eval.)
    reported = page.evaluate(
        """async () => {
            document.body.setAttribute("style", "color: red");
            for (let tries = 0; tries < 50 && !window.__violations.length; tries++) {
                await new Promise((resolve) => setTimeout(resolve, 20));
            }
            return window.__violations;
        }"""
    )
    assert reported and reported[0].startswith("style-src"), reported

    admin, admin_elsewhere = browser_page(browser, base, operator())
    organisation = f"{base}/operator/core/organisation/{story.harbourside.pk}"
    for address in (
        f"{base}/operator/",
        f"{base}/operator/core/organisation/",
        f"{organisation}/change/",
        f"{base}/operator/core/organisation/add/",
        f"{base}/operator/core/auditevent/",
    ):
        admin.goto(address)
        admin.wait_for_load_state("networkidle")
        assert admin.url == address
        assert violations(admin) == [], address
    # The admin's scripts at work: the sidebar's filter and the change form's checkboxes.
    admin.goto(f"{organisation}/change/")
    admin.fill("#nav-filter", "audit")
    admin.check("input[name=other_languages][value=ru]")
    assert violations(admin) == []
    assert elsewhere == [] and admin_elsewhere == []
