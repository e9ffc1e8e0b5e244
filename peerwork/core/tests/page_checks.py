"""Checks every page test applies to what it rendered (not a test module itself).

DESIGN.md "Budgets" and "Known pitfalls": a page stays under 60 KB, names no third-party
host, carries no inline script or style (the CSP has no unsafe-inline), and every input
has a label.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

PAGE_BUDGET_BYTES = 60 * 1024
LOCAL_HOSTS = {"testserver", "127.0.0.1", "localhost"}


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.inline_scripts = 0
        self.inline_styles: list[str] = []
        self.labelled: set[str] = set()
        self.inputs: list[tuple[str, str]] = []
        self._in_script_without_src = False
        self.script_text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if "style" in attributes:
            self.inline_styles.append(tag)
        if any(name.startswith("on") for name in attributes):
            self.inline_scripts += 1
        if tag == "style":
            self.inline_styles.append(tag)
        # A JSON data block (``json_script``, allauth's security-key pages) is not run, so
        # the CSP does not apply to it; any other script without ``src`` is inline code.
        if (
            tag == "script"
            and not attributes.get("src")
            and attributes.get("type") != "application/json"
        ):
            self.inline_scripts += 1
        if tag == "label" and attributes.get("for"):
            self.labelled.add(attributes["for"] or "")
        if tag in ("input", "select", "textarea"):
            kind = attributes.get("type") or tag
            if kind not in ("hidden", "submit", "button"):
                self.inputs.append((attributes.get("id") or "", attributes.get("name") or ""))


def assert_sound_page(response: object) -> str:
    """The page's HTML, after checking size, hosts, inline code and labels."""
    content: bytes = response.content  # type: ignore[attr-defined]
    assert len(content) < PAGE_BUDGET_BYTES, f"page is {len(content)} bytes"
    html = content.decode()
    for host in re.findall(r"(?:https?:)?//([a-zA-Z0-9.\-\[\]:]+)", html):
        assert host.split(":")[0] in LOCAL_HOSTS, f"external host in page: {host}"
    parser = _PageParser()
    parser.feed(html)
    assert parser.inline_scripts == 0, "inline script or event handler"
    assert not parser.inline_styles, f"inline style on {parser.inline_styles}"
    unlabelled = [name for id_, name in parser.inputs if not id_ or id_ not in parser.labelled]
    assert not unlabelled, f"inputs without a label: {unlabelled}"
    return html
