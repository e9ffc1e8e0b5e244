"""HR entering a disclosure for a person, only under an active share of that category from
them (issue 4 item 3; §2.3 "My information, my choice"). The person is told."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from peerwork.api.tests.helpers import signed_in
from peerwork.core.models import AuditEvent, Notification
from peerwork.core.tests.page_checks import assert_sound_page
from peerwork.people import services
from peerwork.people.models import Disclosure, SharingGrant
from peerwork.people.tests.helpers import expected, share, statuses

pytestmark = pytest.mark.django_db


def shares(story, owner, categories=("accommodations", "ost"), **kwargs) -> SharingGrant:
    """``owner`` shares with Grace (HR) by name, unless told otherwise."""
    kwargs.setdefault("audience", "person")
    if kwargs["audience"] == "person":
        kwargs.setdefault("grantee", story.grace)
    return share(owner, categories=list(categories), purpose="Paperwork for my hours", **kwargs)


def disclosures_of(person, category):
    with scopes_disabled():
        return list(Disclosure.objects.filter(owner=person, category=category).order_by("made_at"))


def test_only_hr_holding_the_share_opens_the_page(story):
    grant = shares(story, story.amina)
    url = f"/shared/{grant.pk}/enter"
    assert statuses(story, url) == expected(grace=200)
    data = {"category": "ost", "medicine": "methadone"}
    assert statuses(story, url, "post", data) == expected(grace=302)
    [entered] = disclosures_of(story.amina, "ost")
    assert entered.entered_by_id == story.grace.pk


def test_a_line_manager_holding_a_share_does_not_enter_for_the_person(story):
    grant = shares(story, story.amina, audience="line_manager")
    assert signed_in(story.ravi).get(f"/shared/{grant.pk}/enter").status_code == 404
    response = signed_in(story.ravi).post(
        f"/shared/{grant.pk}/enter", {"category": "ost", "medicine": "methadone"}
    )
    assert response.status_code == 404
    assert disclosures_of(story.amina, "ost") == []


def test_a_share_with_the_whole_organisation_lets_nobody_enter_answers(story):
    grant = shares(story, story.samuel, categories=["drug_use"], audience="organisation")
    url = f"/shared/{grant.pk}/enter"
    assert statuses(story, url) == expected()
    data = {"category": "drug_use", "relationship": "in_recovery"}
    assert statuses(story, url, "post", data) == expected()
    assert disclosures_of(story.samuel, "drug_use") == []


def test_a_stopped_or_expired_share_fails_closed(story):
    stopped = shares(story, story.amina)
    with scope(organisation=story.harbourside.pk):
        services.revoke_grant(actor=story.amina, grant=stopped)
    expired = shares(story, story.joseph, categories=["ost"])
    with scopes_disabled():
        SharingGrant.objects.filter(pk=expired.pk).update(
            expires_at=timezone.now() - dt.timedelta(minutes=1)
        )
    client = signed_in(story.grace)
    for grant in (stopped, expired):
        assert client.get(f"/shared/{grant.pk}/enter").status_code == 404
        data = {"category": "ost", "medicine": "methadone"}
        assert client.post(f"/shared/{grant.pk}/enter", data).status_code == 404
    assert disclosures_of(story.amina, "ost") == disclosures_of(story.joseph, "ost") == []


def test_hr_chooses_among_the_shared_categories_and_sees_their_questions(story):
    grant = shares(story, story.amina)
    client = signed_in(story.grace)
    html = assert_sound_page(client.get(f"/shared/{grant.pk}/enter"))
    assert "Opioid substitution therapy (OST)" in html and "Support or adjustments" in html
    assert "Health conditions" not in html and "Criminal record" not in html
    assert 'name="medicine"' not in html  # nothing is chosen yet
    html = assert_sound_page(client.get(f"/shared/{grant.pk}/enter?category=ost"))
    assert 'name="medicine"' in html and 'name="prescriber"' in html
    assert 'name="prefer_not_to_say"' in html
    # A category outside the share is not offered, even when asked for by name.
    html = client.get(f"/shared/{grant.pk}/enter?category=health").content.decode()
    assert 'name="conditions"' not in html


def test_a_one_category_share_shows_its_questions_at_once(story):
    grant = shares(story, story.amina, categories=["accommodations"])
    html = assert_sound_page(signed_in(story.grace).get(f"/shared/{grant.pk}/enter"))
    assert 'name="needs"' in html and 'name="category" value="accommodations"' in html


def test_an_entry_replaces_the_current_answer_and_the_person_is_told(story):
    with scope(organisation=story.harbourside.pk):
        services.disclose(
            actor=story.amina,
            owner=story.amina,
            category="accommodations",
            answer={"needs": "Start at 10:45"},
        )
    grant = shares(story, story.amina)
    response = signed_in(story.grace).post(
        f"/shared/{grant.pk}/enter",
        {"category": "accommodations", "needs": "Start at 10:45; Fridays from home"},
        follow=True,
    )
    html = assert_sound_page(response)
    assert "Saved. Amina Wanjiru has been told that you entered it." in html
    old, new = disclosures_of(story.amina, "accommodations")
    assert old.replaced_at is not None and new.replaced_at is None
    with scopes_disabled():
        assert new.answer == {"needs": "Start at 10:45; Fridays from home"}
        assert Notification.objects.filter(
            recipient=story.amina, kind="people.disclosure_entered"
        ).exists()
        event = AuditEvent.objects.get(object_id=new.pk)
    assert (event.action, event.actor_id, event.subject_id) == (
        "disclosure.write",
        story.grace.pk,
        story.amina.pk,
    )


def test_prefer_not_to_say_is_an_answer_hr_can_record(story):
    grant = shares(story, story.amina)
    signed_in(story.grace).post(
        f"/shared/{grant.pk}/enter", {"category": "ost", "prefer_not_to_say": "on"}
    )
    [entered] = disclosures_of(story.amina, "ost")
    with scopes_disabled():
        assert entered.answer == {"prefer_not_to_say": True}


def test_a_category_the_share_does_not_cover_is_forbidden(story):
    grant = shares(story, story.amina)
    response = signed_in(story.grace).post(
        f"/shared/{grant.pk}/enter", {"category": "health", "own_words": "x"}
    )
    assert response.status_code == 403
    assert disclosures_of(story.amina, "health") == []


def test_bad_input_keeps_what_was_typed_and_changes_nothing(story):
    grant = shares(story, story.amina)
    client = signed_in(story.grace)
    url = f"/shared/{grant.pk}/enter"
    response = client.post(url, {"category": "ost"})
    html = assert_sound_page(response)
    assert response.status_code == 200
    assert "Answer at least one question, or choose" in html
    response = client.post(
        url, {"category": "ost", "medicine": "heroin", "prescriber": "Coast clinic"}
    )
    html = assert_sound_page(response)
    assert "Choose one of the answers offered." in html and "Coast clinic" in html
    response = client.post(url, {"category": "", "medicine": "methadone"})
    assert "Choose what to enter from the list." in assert_sound_page(response)
    assert disclosures_of(story.amina, "ost") == []
