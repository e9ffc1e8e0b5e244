"""/me/export and /me/erase: everything Peerwork holds about me, and erasing it at once
(issue 4 items 7 and 8)."""

from __future__ import annotations

import pytest
from django.test import Client
from django_scopes import scope

from peerwork.api.tests.helpers import bearer
from peerwork.core.models import AuditEvent
from peerwork.people import personal_data
from peerwork.people.models import Disclosure, Erasure, SharingGrant
from peerwork.people.tests.api_calls import get, post

pytestmark = pytest.mark.django_db

CANARY = "Canary6174 clinic"


def _amina_discloses_and_shares(story):
    post(
        story.amina,
        "/disclosures",
        {"category": "ost", "answer": {"medicine": "methadone", "prescriber": CANARY}},
    )
    grant = post(
        story.amina,
        "/grants",
        {
            "audience": "person",
            "grantee_id": str(story.ravi.pk),
            "categories": ["ost"],
            "purpose": "To plan my start time",
        },
    )
    assert grant.status_code == 201
    return grant.json()


def test_a_person_downloads_everything_about_them_section_by_section(story):
    _amina_discloses_and_shares(story)
    response = get(story.amina, "/me/export")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["format"] == "peerwork-export/1"
    assert body["person"] == "Amina Wanjiru"
    assert body["organisation"] == "Harbourside Harm Reduction"
    assert body["time_zone"] == "Africa/Nairobi"
    assert body["withheld"] == []
    with scope(organisation=story.harbourside.pk):
        keys = [entry.key for entry in personal_data.entries()]
    assert [section["key"] for section in body["sections"]] == keys
    assert CANARY in response.content.decode()
    assert response["Cache-Control"] == "no-store, private"
    with scope(organisation=story.harbourside.pk):
        downloads = AuditEvent.objects.filter(action="export.download", subject_id=story.amina.pk)
        assert [e.detail for e in downloads] == [{"format": "json"}]


def test_each_person_downloads_their_own_and_nobody_elses(story):
    _amina_discloses_and_shares(story)
    for name in ("ravi", "grace", "daniel", "chen", "taras"):
        response = get(getattr(story, name), "/me/export")
        assert response.status_code == 200, name
        assert CANARY not in response.content.decode(), name


def test_what_an_open_investigation_holds_is_left_out_and_the_export_says_why(story):
    def open_investigation(member):
        if member.pk == story.amina.pk:
            return [("investigation", "an investigation is open")]
        return []

    personal_data.register_withholding(open_investigation)
    try:
        withheld = get(story.amina, "/me/export").json()["withheld"]
        others = get(story.olena, "/me/export").json()["withheld"]
    finally:
        personal_data.unregister_withholding(open_investigation)
    assert withheld == [
        {
            "kind": "investigation",
            "reason": "an investigation is open",
            "note": "Some records are left out for now: an investigation is open",
        }
    ]
    assert others == []


def test_erasing_at_once_removes_disclosures_and_shares_and_the_grantee_sees_nothing(story):
    grant = _amina_discloses_and_shares(story)
    assert get(story.ravi, f"/shared-with-me/{grant['id']}").status_code == 200
    response = post(story.amina, "/me/erase", {"confirm": True})
    assert response.status_code == 200, response.content
    assert response.json()["by_person"] is True
    assert response.json()["erased_at"].endswith("+03:00")
    assert get(story.amina, "/disclosures").json() == []
    assert get(story.ravi, f"/shared-with-me/{grant['id']}").status_code == 404
    assert get(story.ravi, "/shared-with-me").json()["count"] == 0
    with scope(organisation=story.harbourside.pk):
        assert not Disclosure.objects.filter(owner=story.amina).exists()
        assert not SharingGrant.objects.filter(owner=story.amina).exists()
        assert Erasure.objects.filter(membership=story.amina, by_person=True).count() == 1
    assert CANARY not in get(story.amina, "/me/export").content.decode()


def test_erasing_needs_an_explicit_confirmation_and_without_it_nothing_changes(story):
    _amina_discloses_and_shares(story)
    for body in ({}, {"confirm": False}, {"confirm": "yes"}):
        assert post(story.amina, "/me/erase", body).status_code == 422, body
    # A bare POST, with no JSON at all, is refused too.
    assert Client().post("/api/v1/me/erase", headers=bearer(story.amina)).status_code == 400
    with scope(organisation=story.harbourside.pk):
        assert Disclosure.objects.filter(owner=story.amina).count() == 1
        assert not Erasure.objects.exists()


def test_a_person_erasing_their_records_leaves_everyone_elses_alone(story):
    _amina_discloses_and_shares(story)
    post(story.olena, "/disclosures", {"category": "health", "answer": {"conditions": ["tb"]}})
    post(story.amina, "/me/erase", {"confirm": True})
    assert [d["category"] for d in get(story.olena, "/disclosures").json()] == ["health"]
