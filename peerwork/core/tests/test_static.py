"""The static files every page loads stay inside the page budget (DESIGN.md "Budgets")."""

from __future__ import annotations

import gzip

from django.contrib.staticfiles import finders

from peerwork.core.tests.page_checks import assert_sound_page


def _bytes(path: str) -> bytes:
    found = finders.find(path)
    assert found, path
    with open(found, "rb") as handle:
        return handle.read()


def test_the_stylesheet_is_small_and_names_no_other_host():
    css = _bytes("core/peerwork.css")
    assert len(css) < 8 * 1024
    assert b"http" not in css and b"@import" not in css and b"url(" not in css


def test_the_javascript_stays_under_20_kb_compressed():
    assert len(gzip.compress(_bytes("core/vendor/htmx.min.js"), 9)) <= 20 * 1024


def test_a_cold_page_with_its_css_and_javascript_stays_under_60_kb_compressed(client, story):
    client.force_login(story.ravi.user)
    html = assert_sound_page(client.get("/people")).encode()
    total = sum(
        len(gzip.compress(part, 9))
        for part in (html, _bytes("core/peerwork.css"), _bytes("core/vendor/htmx.min.js"))
    )
    assert total < 60 * 1024


def test_pages_that_do_not_use_htmx_do_not_load_it(client, db):
    html = client.get("/accounts/login/").content.decode()
    assert "htmx" not in html


def test_htmx_is_configured_for_a_strict_content_security_policy(client, story):
    client.force_login(story.amina.user)
    html = client.get("/inbox").content.decode()
    assert (
        '<meta name="htmx-config" content=\'{"allowEval":false,"includeIndicatorStyles":false}\'>'
        in html
    )
    assert '<script src="/static/core/vendor/htmx.min.js" defer></script>' in html
