"""The export pages: each person downloads their own, nobody else's; downloads are never
cached; the page fits the budget."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from peerwork.api.tests.helpers import signed_in
from peerwork.core.models import AuditEvent, Membership
from peerwork.core.tests.page_checks import assert_sound_page
from peerwork.people import services
from peerwork.people.tests.helpers import EVERYONE

pytestmark = pytest.mark.django_db


def _canary(story):
    """Amina's secret, in her disclosure; everyone else must never find it."""
    with scope(organisation=story.harbourside):
        services.disclose(
            actor=story.amina,
            owner=story.amina,
            category="health",
            answer={"own_words": "Canary-Amina-40417"},
        )
        # Shared with Grace: a share opens it to read on its page, never to export.
        services.share(
            actor=story.amina,
            audience="person",
            grantee=story.grace,
            categories=["health"],
            purpose="Purpose-Canary-2231",
        )
    return "Canary-Amina-40417"


def test_the_export_page_explains_it_and_offers_both_downloads(story):
    response = signed_in(story.amina).get(reverse("people:export"))
    assert response.status_code == 200
    html = assert_sound_page(response)
    assert reverse("people:export_json") in html and reverse("people:export_html") in html
    assert "Save as PDF" in html
    assert "What colleagues shared with you" in html  # a section from the register


def test_everyone_downloads_their_own_data_and_only_theirs(story):
    canary = _canary(story)
    for name in EVERYONE:
        member = getattr(story, name)
        response = signed_in(member).get(reverse("people:export_json"))
        assert response.status_code == 200, name
        data = json.loads(response.content)
        assert data["person"] == member.name, name
        text = response.content.decode()
        if name == "amina":
            assert canary in text and "Purpose-Canary-2231" in text
        else:
            assert canary not in text and "Purpose-Canary-2231" not in text, name
    html = signed_in(story.grace).get(reverse("people:export_html")).content.decode()
    assert canary not in html and "Purpose-Canary-2231" not in html


def test_the_readable_document_holds_what_the_person_disclosed(story):
    canary = _canary(story)
    response = signed_in(story.amina).get(reverse("people:export_html"))
    assert response.status_code == 200
    # A file to save and open from disk, never a page shown in Peerwork's origin.
    assert response["Content-Type"] == "application/octet-stream"
    assert response.content.decode().startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in response.content.decode()
    assert canary in response.content.decode()


@pytest.mark.parametrize("name", ["export_json", "export_html"])
def test_downloads_are_attachments_that_nothing_may_keep(story, name):
    response = signed_in(story.amina).get(reverse(f"people:{name}"))
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "harbourside" in disposition and "amina" not in disposition.lower()
    assert "no-store" in response["Cache-Control"]


def test_each_download_is_written_to_the_audit_record_as_the_persons_own(story):
    client = signed_in(story.amina)
    client.get(reverse("people:export_json"))
    client.get(reverse("people:export_html"))
    with scope(organisation=story.harbourside):
        events = list(AuditEvent.objects.filter(action="export.download").order_by("seq"))
    assert [(e.actor_id, e.subject_id, e.detail["format"]) for e in events] == [
        (story.amina.pk, story.amina.pk, "json"),
        (story.amina.pk, story.amina.pk, "html"),
    ]


def test_the_document_is_in_the_persons_language(story):
    story.amina.user.language = "sw"
    story.amina.user.save(update_fields=["language"])
    response = signed_in(story.amina).get(reverse("people:export_html"))
    assert '<html lang="sw">' in response.content.decode()
    assert (
        json.loads(signed_in(story.amina).get(reverse("people:export_json")).content)["language"]
        == "sw"
    )


def test_times_are_in_the_organisations_time_zone(story):
    data = json.loads(signed_in(story.amina).get(reverse("people:export_json")).content)
    assert data["time_zone"] == "Africa/Nairobi"
    assert data["made_at"].endswith("+03:00")


@pytest.mark.parametrize("name", ["export", "export_json", "export_html", "erase"])
def test_people_who_are_not_signed_in_are_sent_to_sign_in(client, name):
    response = client.get(reverse(f"people:{name}"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("name", ["export", "export_json", "export_html"])
def test_someone_whose_membership_ended_gets_nothing(story, name):
    client = signed_in(story.amina)
    with scope(organisation=story.harbourside):
        Membership.objects.filter(pk=story.amina.pk).update(ended_at=timezone.now())
    assert client.get(reverse(f"people:{name}")).status_code == 404


@pytest.mark.parametrize("name", ["export_json", "export_html"])
def test_a_download_cannot_be_posted(story, name):
    assert signed_in(story.amina).post(reverse(f"people:{name}")).status_code == 405
