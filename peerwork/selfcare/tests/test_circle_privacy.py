"""Who reads a risk circle (issue 7 "Tests that must exist"; §3.8, App. 3 step 10; the
[record: selfcare] rows of the access matrix), through the pages and the API alike.

Nobody reads Amina's circle by role: not her line manager Ravi, not Grace in HR, not
Daniel the director, not Chen the org admin, not Taras at another organisation, and not
Samuel her peer mentor until she opens it to him. Opened, he reads it (each read audited,
so she sees it) and suggests; she keeps his suggestion. When the opening's end passes
(arranged in data) or she closes it, he gets 404 everywhere at once, with nothing having
to run.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from django_scopes import scope

from peerwork.api.tests.helpers import bearer, signed_in
from peerwork.core.models import AuditEvent
from peerwork.core.tests.page_checks import assert_sound_page
from peerwork.people.tests.helpers import expected, statuses
from peerwork.selfcare.models import CircleSuggestion, Opening
from peerwork.selfcare.tests.test_circle_pages import (
    ARREST,
    areas_of,
    circle_of,
    keep_circle,
    open_to,
    suggest,
    text_of,
)

pytestmark = pytest.mark.django_db

API = "/api/v1"
OUTSIDERS = ("ravi", "grace", "daniel", "chen", "taras", "samuel", "joseph", "leila")


def pages_of(circle_id: object) -> list[str]:
    return [f"/selfcare/circle/opened/{circle_id}/"]


def api_of(circle_id: object) -> list[str]:
    return [f"{API}/risk-circles/opened/{circle_id}"]


def api_status(member: Any, url: str, method: str = "get", body: object = None) -> int:
    client = Client()
    if body is None:
        return getattr(client, method)(url, headers=bearer(member)).status_code
    return getattr(client, method)(
        url, body, content_type="application/json", headers=bearer(member)
    ).status_code


def suggestion_body(story: Any) -> dict[str, str]:
    return {
        "area": areas_of(story.amina)[0].key,
        "ring": "management",
        "text": "Ask the team to check in by phone at 21:00.",
    }


def reads_by(member: Any) -> int:
    with scope(organisation=member.organisation_id):
        return AuditEvent.objects.filter(
            action="selfcare.circle.read", actor_id=str(member.pk)
        ).count()


# --- without an opening -----------------------------------------------------------------


def test_nobody_reads_her_circle_by_role_in_the_pages(story):
    circle = keep_circle(story.amina)
    for url in pages_of(circle.pk):
        assert statuses(story, url) == expected(amina=302)  # her own: back to her page
    # Her own pages are hers: every other person sees their own (empty) circle page.
    html = signed_in(story.ravi).get("/selfcare/circle/").content.decode()
    assert ARREST["name"] not in html


def test_nobody_reads_her_circle_by_role_in_the_api(story):
    circle = keep_circle(story.amina)
    for name in OUTSIDERS:
        member = getattr(story, name)
        for url in api_of(circle.pk):
            assert api_status(member, url) == 404, name
        assert (
            api_status(
                member,
                f"{API}/risk-circles/opened/{circle.pk}/suggestions",
                "post",
                suggestion_body(story),
            )
            == 404
        ), name
    assert api_status(story.amina, f"{API}/risk-circles/mine") == 200


def test_the_pages_and_api_lists_of_what_is_opened_show_nothing_without_an_opening(story):
    keep_circle(story.amina)
    for name in OUTSIDERS:
        member = getattr(story, name)
        html = signed_in(member).get("/selfcare/circle/opened/").content.decode()
        assert "Amina Wanjiru" not in html, name
        response = Client().get(f"{API}/risk-circles/opened", headers=bearer(member))
        assert response.json() == [], name


def test_her_suggestions_and_openings_are_not_anyone_elses_to_decide_or_close(story):
    keep_circle(story.amina)
    opening = open_to(story.amina, story.samuel)
    suggestion = suggest(story.samuel, story.amina)
    for name in ("ravi", "grace", "daniel", "chen", "taras", "joseph"):
        client = signed_in(getattr(story, name))
        assert (
            client.post(f"/selfcare/circle/suggestions/{suggestion.pk}/accept/").status_code == 404
        )
        assert client.post(f"/selfcare/circle/openings/{opening.pk}/close/").status_code == 404
        member = getattr(story, name)
        assert (
            api_status(member, f"{API}/risk-circle-suggestions/{suggestion.pk}/accept", "post", {})
            == 404
        )
        assert api_status(member, f"{API}/risk-circle-openings/{opening.pk}", "delete") == 404
    with scope(organisation=story.harbourside.pk):
        assert CircleSuggestion.objects.get(pk=suggestion.pk).decided_at is None
        assert Opening.objects.get(pk=opening.pk).closed_at is None


# --- opened to Samuel -----------------------------------------------------------------


def test_opened_to_samuel_he_reads_it_and_each_read_is_audited(story):
    circle = keep_circle(story.amina)
    open_to(story.amina, story.samuel)
    client = signed_in(story.samuel)
    html = text_of(assert_sound_page(client.get("/selfcare/circle/opened/")))
    assert "Amina Wanjiru's risk circle" in html
    html = text_of(assert_sound_page(client.get(f"/selfcare/circle/opened/{circle.pk}/")))
    assert ARREST["prevention"] in html and '<svg viewBox="0 0 640 640"' in html
    assert "Amina Wanjiru sees each time you open it." in html
    assert reads_by(story.samuel) == 1
    response = Client().get(f"{API}/risk-circles/opened/{circle.pk}", headers=bearer(story.samuel))
    assert response.status_code == 200
    assert response.json()["areas"][0]["name"] == ARREST["name"]
    assert reads_by(story.samuel) == 2
    # Everyone else still gets 404; he may read, not change.
    assert statuses(story, f"/selfcare/circle/opened/{circle.pk}/") == expected(
        amina=302, samuel=200
    )
    assert api_status(story.samuel, f"{API}/risk-circles/mine") == 404
    assert client.post("/selfcare/circle/delete/").status_code == 404


def test_opened_to_her_line_manager_he_reads_it_too(story):
    circle = keep_circle(story.amina)
    open_to(story.amina, story.ravi)
    assert signed_in(story.ravi).get(f"/selfcare/circle/opened/{circle.pk}/").status_code == 200
    assert signed_in(story.taslima).get(f"/selfcare/circle/opened/{circle.pk}/").status_code == 404


def test_samuel_suggests_and_amina_keeps_it(story):
    circle = keep_circle(story.amina)
    open_to(story.amina, story.samuel)
    client = signed_in(story.samuel)
    body = suggestion_body(story)
    response = client.post(f"/selfcare/circle/opened/{circle.pk}/suggest/", body)
    assert response.status_code == 302
    html = text_of(client.get(f"/selfcare/circle/opened/{circle.pk}/").content.decode())
    assert "What I suggested" in html and "waiting" in html
    with scope(organisation=story.harbourside.pk):
        suggestion = CircleSuggestion.objects.get(author=story.samuel)
    # He may not decide it; she may not suggest on her own circle.
    assert client.post(f"/selfcare/circle/suggestions/{suggestion.pk}/accept/").status_code == 403
    assert (
        signed_in(story.amina)
        .post(f"/selfcare/circle/opened/{circle.pk}/suggest/", body)
        .status_code
        == 403
    )
    assert (
        signed_in(story.amina)
        .post(f"/selfcare/circle/suggestions/{suggestion.pk}/accept/")
        .status_code
        == 302
    )
    assert areas_of(story.amina)[0].management.endswith(body["text"])
    assert "kept" in text_of(client.get(f"/selfcare/circle/opened/{circle.pk}/").content.decode())


def test_a_suggestion_with_nothing_written_or_no_area_is_refused_and_kept_as_typed(story):
    circle = keep_circle(story.amina)
    open_to(story.amina, story.samuel)
    client = signed_in(story.samuel)
    response = client.post(
        f"/selfcare/circle/opened/{circle.pk}/suggest/",
        {"area": "00000000", "ring": "prevention", "text": "  "},
    )
    html = text_of(assert_sound_page(response))
    assert response.status_code == 200
    assert "Choose one of the risk areas." in html and "Write your suggestion." in html
    with scope(organisation=story.harbourside.pk):
        assert not CircleSuggestion.objects.exists()


# --- when it closes ---------------------------------------------------------------------


def expire(opening: Opening, *, ago: dt.timedelta = dt.timedelta(minutes=1)) -> None:
    """The opening's end has passed (arranged in data: nothing runs to close it)."""
    with scope(organisation=opening.organisation_id):
        Opening.objects.filter(pk=opening.pk).update(
            opened_at=timezone.now() - dt.timedelta(days=8), expires_at=timezone.now() - ago
        )


def assert_closed_to_samuel(story: Any, circle: Any, suggestion: Any) -> None:
    client = signed_in(story.samuel)
    for url in (f"/selfcare/circle/opened/{circle.pk}/",):
        assert client.get(url).status_code == 404
    assert (
        client.post(
            f"/selfcare/circle/opened/{circle.pk}/suggest/", suggestion_body(story)
        ).status_code
        == 404
    )
    assert "Amina Wanjiru" not in client.get("/selfcare/circle/opened/").content.decode()
    assert api_status(story.samuel, f"{API}/risk-circles/opened/{circle.pk}") == 404
    assert (
        api_status(
            story.samuel,
            f"{API}/risk-circles/opened/{circle.pk}/suggestions",
            "post",
            suggestion_body(story),
        )
        == 404
    )
    assert api_status(story.samuel, f"{API}/risk-circle-suggestions/{suggestion.pk}") == 404
    response = Client().get(f"{API}/risk-circles/opened", headers=bearer(story.samuel))
    assert response.json() == []


def test_after_the_opening_ends_samuel_gets_404_everywhere(story):
    circle = keep_circle(story.amina)
    opening = open_to(story.amina, story.samuel)
    suggestion = suggest(story.samuel, story.amina)
    assert api_status(story.samuel, f"{API}/risk-circle-suggestions/{suggestion.pk}") == 200
    expire(opening)
    assert_closed_to_samuel(story, circle, suggestion)
    # She still has it all.
    assert signed_in(story.amina).get("/selfcare/circle/").status_code == 200
    assert api_status(story.amina, f"{API}/risk-circle-suggestions/{suggestion.pk}") == 200


def test_after_she_closes_it_samuel_gets_404_everywhere(story):
    circle = keep_circle(story.amina)
    opening = open_to(story.amina, story.samuel)
    suggestion = suggest(story.samuel, story.amina)
    assert (
        signed_in(story.amina).post(f"/selfcare/circle/openings/{opening.pk}/close/").status_code
        == 302
    )
    assert_closed_to_samuel(story, circle, suggestion)


def test_when_his_membership_ends_the_opening_opens_nothing(story):
    circle = keep_circle(story.amina)
    open_to(story.amina, story.samuel)
    token = bearer(story.samuel)
    with scope(organisation=story.harbourside.pk):
        story.samuel.ended_at = timezone.now() - dt.timedelta(minutes=1)
        story.samuel.save(update_fields=["ended_at"])
    assert signed_in(story.samuel).get(f"/selfcare/circle/opened/{circle.pk}/").status_code == 404
    response = Client().get(f"{API}/risk-circles/opened/{circle.pk}", headers=token)
    assert response.status_code in (401, 404)
    assert circle_of(story.amina) is not None
