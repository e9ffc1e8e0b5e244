"""Page weight in headless Chromium, against DESIGN.md "Budgets": at most 60 KB transferred
on a cold load (compressed: what crossed the network, headers included), at most 20 KB of
it JavaScript.

    python bench/page_weight.py        # or: make bench

Starts Peerwork as ``make run`` does (the demo seed, on a fresh SQLite file in a temporary
folder), then loads the sign-in page, the page asking for the two-step sign-in code, the
dashboard ("my day") of one demo person for each role and the inbox (the page with the
most JavaScript), each in a new browser context with the cache disabled. Then the people
module's pages (``bench/people_pages.py``) twice: in the demo, as Olena (her staff record
as Grace, HR), and at scale, as the busy person of one generated organisation of 740
people (``bench/generate.py``, written into the same database before Peerwork starts; its
staff record as that organisation's HR officer). People sign in through the real forms,
setting up an authenticator app when Peerwork asks them to (``bench/browser.py``). Bytes
are Chromium's own count (``encodedDataLength`` of every response, from the DevTools
protocol); JavaScript is what Chromium loaded as scripts. Requests to any other host are
counted and reported: there must be none. Prints a table; exits 1 when a page is over
budget.

The browser is Debian's ``/usr/bin/chromium`` (``apt-get install chromium``), driven by
Playwright from its wheel; nothing is downloaded.
"""

from __future__ import annotations

import argparse
import json
import secrets
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.browser import chromium, sign_in  # noqa: E402
from bench.generate import SLUG_PREFIX  # noqa: E402
from bench.people_pages import PEOPLE_PAGES  # noqa: E402
from bench.server import (  # noqa: E402
    ROLES,
    RunningPeerwork,
    bench_environment,
    running_peerwork,
)

PAGE_BUDGET = 60 * 1024
SCRIPT_BUDGET = 20 * 1024

# The people module's pages are measured twice. In the demo, as Olena (an OST answer, a
# share with her line manager, an agreed working pattern) and, for her staff record, as
# Grace (HR). And at scale, in one generated organisation of NETWORK_PEOPLE people, as its
# busy person (every category with a long history, 80 shares made, 25 received, 3,000 reads
# of their answers, a weekly appointment: bench/generate_people.py) and as its HR officer.
DEMO_PERSON = "olena"
DEMO_HR = "grace"
NETWORK_PEOPLE = 740


@dataclass
class Transfer:
    url: str
    kind: str  # Chromium's resource type: Document, Stylesheet, Script, Image, Other …
    status: int
    encoding: str
    size: int = 0


@dataclass
class PageWeight:
    name: str
    path: str
    transfers: list[Transfer] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(t.size for t in self.transfers)

    @property
    def script(self) -> int:
        return sum(t.size for t in self.transfers if t.kind == "Script")

    def elsewhere(self, host: str) -> list[str]:
        """Addresses on any host but ours (there must be none)."""
        return [
            t.url
            for t in self.transfers
            if t.url.startswith(("http:", "https:")) and urlsplit(t.url).hostname != host
        ]

    def problems(self, host: str) -> list[str]:
        found = []
        if self.total > PAGE_BUDGET:
            found.append(f"{kb(self.total)} KB > {kb(PAGE_BUDGET)} KB")
        if self.script > SCRIPT_BUDGET:
            found.append(f"JavaScript {kb(self.script)} KB > {kb(SCRIPT_BUDGET)} KB")
        if self.elsewhere(host):
            found.append("requests to other hosts: " + ", ".join(self.elsewhere(host)))
        return found


def kb(size: int) -> str:
    return f"{size / 1024:.1f}"


def covering_people(people: Sequence[dict[str, Any]]) -> list[tuple[str, list[str]]]:
    """One demo person per role, in the demo's order: each person listed brings a role
    not yet seen (their dashboard is the one that role gets). Returns (username, roles)."""
    seen: set[str] = set()
    chosen = []
    for person in people:
        roles = {role for places in person["roles"].values() for role in places}
        new = [role for role in ROLES if role in roles and role not in seen]
        if new and not person.get("operator"):
            chosen.append((str(person["username"]), new))
            seen.update(new)
    return chosen


def measure(browser: Any, url: str, *, name: str, storage_state: Any = None) -> PageWeight:
    """Load ``url`` in a new context (its own empty cache), the cache disabled too, and
    count every response's bytes as they crossed the network."""
    context = browser.new_context(storage_state=storage_state)
    page = context.new_page()
    devtools = context.new_cdp_session(page)
    devtools.send("Network.enable")
    devtools.send("Network.setCacheDisabled", {"cacheDisabled": True})
    transfers: dict[str, Transfer] = {}

    def received(event: dict[str, Any]) -> None:
        response = event["response"]
        headers = {k.lower(): v for k, v in response.get("headers", {}).items()}
        transfers[event["requestId"]] = Transfer(
            url=response["url"],
            kind=event.get("type", "Other"),
            status=int(response["status"]),
            encoding=headers.get("content-encoding", ""),
        )

    def finished(event: dict[str, Any]) -> None:
        if event["requestId"] in transfers:
            transfers[event["requestId"]].size = int(event["encodedDataLength"])

    devtools.on("Network.responseReceived", received)
    devtools.on("Network.loadingFinished", finished)
    page.goto(url, wait_until="networkidle")
    weight = PageWeight(name=name, path=urlsplit(page.url).path, transfers=list(transfers.values()))
    context.close()
    return weight


def signed_in_state(
    browser: Any, peerwork: RunningPeerwork, username: str, secrets: dict[str, str]
) -> tuple[Any, bool]:
    """Sign in through the real forms (and the second step): the browser's signed-in state
    (its cookies) for a new context to load a page with, and whether a code was asked for."""
    context = browser.new_context()
    page = context.new_page()
    passed = sign_in(
        page,
        peerwork.url,
        username,
        peerwork.password,
        secrets=secrets,
        secret_of=peerwork.totp_secret,
    )
    page.goto(f"{peerwork.url}/")
    if urlsplit(page.url).path != "/":
        raise RuntimeError(f"signing in as {username} ended on {page.url}, not the dashboard")
    state = context.storage_state()
    context.close()
    return state, bool(passed)


def second_step_state(browser: Any, peerwork: RunningPeerwork, username: str) -> Any:
    """Signed in with the password only: the state in which Peerwork asks for the code."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{peerwork.url}/accounts/login/")
    page.fill("#id_login", username)
    page.fill("#id_password", peerwork.password)
    page.click("main button[type=submit]")
    if urlsplit(page.url).path != "/accounts/2fa/authenticate/":
        raise RuntimeError(f"{username}'s password led to {page.url}, not the code page")
    state = context.storage_state()
    context.close()
    return state


def generated_network(env: dict[str, str]) -> dict[str, Any]:
    """Before Peerwork starts: migrate its database and generate one organisation of
    ``NETWORK_PEOPLE`` people in it (``bench/generate.py``); what was made, as JSON."""
    here = Path(__file__).resolve().parent
    run = partial(subprocess.run, env=env, cwd=here.parent, check=True, capture_output=True)
    run([sys.executable, str(here.parent / "manage.py"), "migrate", "--verbosity", "0"])
    made = run(
        [
            sys.executable,
            str(here / "generate.py"),
            "--organisations",
            "1",
            "--people",
            str(NETWORK_PEOPLE),
            "--password",
            env["PEERWORK_DEMO_PASSWORD"],
            "--json",
        ],
        text=True,
    )
    network: dict[str, Any] = json.loads(made.stdout)
    return network


def people_pages(
    browser: Any,
    peerwork: RunningPeerwork,
    *,
    person: str,
    hr: str,
    label: str,
    secrets: dict[str, str],
    states: dict[str, Any],
    person_id: str | None = None,
    person_name: str = "",
) -> list[PageWeight]:
    """The people module's pages of ``person`` (and their staff record as ``hr``). Without
    ``person_id``, HR finds the record in their list of staff records by ``person_name``.
    ``states`` holds the signed-in state of everyone signed in already (a second sign-in
    within 30 seconds would need the same two-step code again, which is refused)."""
    for username in (person, hr):
        if username not in states:
            states[username], _asked = signed_in_state(browser, peerwork, username, secrets)
    state, hr_state = states[person], states[hr]
    if person_id is None:
        context = browser.new_context(storage_state=hr_state)
        page = context.new_page()
        page.goto(f"{peerwork.url}/records")
        href = page.locator("main a", has_text=person_name).first.get_attribute("href") or ""
        context.close()
        person_id = href.rstrip("/").rsplit("/", 1)[-1]
    weights = []
    for people_page in PEOPLE_PAGES:
        path = people_page.path_for(person_id)
        weight = measure(
            browser,
            f"{peerwork.url}{path}",
            name=f"{people_page.name} {people_page.path} ({label})",
            storage_state=hr_state if people_page.as_hr else state,
        )
        if weight.path != path:
            raise RuntimeError(f"{path} for {label} answered with {weight.path}")
        weights.append(weight)
    return weights


def _generated(person: dict[str, Any]) -> bool:
    """Someone of the generated organisation, not of the demo's story."""
    places = [str(slug) for slug in person.get("organisations", [])]
    return bool(places) and all(slug.startswith(SLUG_PREFIX) for slug in places)


def measure_all(peerwork: RunningPeerwork, network: dict[str, Any]) -> list[PageWeight]:
    everyone = peerwork.demo_people()
    # The demo's own people (the generated organisation's are not in its story).
    demo = [person for person in everyone if not _generated(person)]
    people = covering_people(demo)
    names = {str(person["username"]): str(person["name"]) for person in demo}
    secrets: dict[str, str] = {}
    states: dict[str, Any] = {}
    asked_for_code = []
    with chromium() as browser:
        weights = [measure(browser, f"{peerwork.url}/accounts/login/", name="sign-in page")]
        for username, roles in people:
            state, asked = signed_in_state(browser, peerwork, username, secrets)
            states[username] = state
            if asked:
                asked_for_code.append(username)
            label = f"my day: {username} ({', '.join(r.replace('_', ' ') for r in roles)})"
            weight = measure(browser, f"{peerwork.url}/", name=label, storage_state=state)
            if weight.path != "/":
                raise RuntimeError(f"{username}'s dashboard answered with {weight.path}")
            weights.append(weight)
            if username == people[0][0]:
                # The one page that loads htmx (marking messages read): the most JavaScript.
                url = f"{peerwork.url}/inbox"
                weights.append(
                    measure(browser, url, name=f"inbox: {username}", storage_state=state)
                )
        if asked_for_code:
            # Someone with an app signs in again, as far as the page asking for its code.
            state = second_step_state(browser, peerwork, asked_for_code[0])
            url = f"{peerwork.url}/accounts/2fa/authenticate/"
            weights.insert(1, measure(browser, url, name="two-step code page", storage_state=state))
        weights += people_pages(
            browser,
            peerwork,
            person=DEMO_PERSON,
            hr=DEMO_HR,
            label=f"demo: {DEMO_PERSON}",
            secrets=secrets,
            states=states,
            person_name=names[DEMO_PERSON],
        )
        bench = network["bench_people"]
        weights += people_pages(
            browser,
            peerwork,
            person=bench["busy"],
            hr=network["largest_by_role"]["hr"],
            label=f"at scale: busy, {network['largest_size']} people",
            secrets=secrets,
            states=states,
            person_id=bench["busy_id"],
        )
    return weights


def table(weights: Sequence[PageWeight], host: str) -> str:
    rows = [("page", "requests", "KB", "JS KB", "budget")]
    for weight in weights:
        problems = weight.problems(host)
        rows.append(
            (
                weight.name,
                str(len(weight.transfers)),
                kb(weight.total),
                kb(weight.script),
                "; ".join(problems) if problems else "within",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        cells = [
            cell.ljust(widths[i]) if i in (0, 4) else cell.rjust(widths[i])
            for i, cell in enumerate(row)
        ]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def details(weights: Sequence[PageWeight]) -> str:
    lines = []
    for weight in weights:
        lines.append(f"{weight.name}:")
        for t in sorted(weight.transfers, key=lambda t: -t.size):
            # A data: address is drawn by the browser itself (a form control's icon).
            path = "data: (no request)" if t.url.startswith("data:") else urlsplit(t.url).path
            lines.append(
                f"  {kb(t.size):>6} KB  {t.status}  {t.kind:<10} {t.encoding or '-':<5} {path}"
            )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--details", action="store_true", help="list every response")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    options = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="peerwork-page-weight-"))
    env = bench_environment(var_dir=folder, password=f"bench-{secrets.token_hex(6)}")
    try:
        print(f"Generating an organisation of {NETWORK_PEOPLE} people in {folder} …", flush=True)
        network = generated_network(env)
        print("Starting Peerwork (demo seed) beside it …", flush=True)
        with running_peerwork(env) as peerwork:
            weights = measure_all(peerwork, network)
    finally:
        if not options.keep:
            shutil.rmtree(folder, ignore_errors=True)
    print()
    print("Page weight, cold cache, headless Chromium (KB = 1024 bytes, as transferred)")
    print(table(weights, "127.0.0.1"))
    if options.details:
        print()
        print(details(weights))
    over = [w for w in weights if w.problems("127.0.0.1")]
    if over:
        print(f"\n{len(over)} page(s) over budget.", file=sys.stderr)
        return 1
    print(f"\nEvery page within {kb(PAGE_BUDGET)} KB, JavaScript within {kb(SCRIPT_BUDGET)} KB.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
