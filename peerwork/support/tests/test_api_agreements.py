"""Support agreements through the API (issue 7 items 6 and 9; shared/API.md): HR drafts and
changes the terms (If-Match; the three agree again); the three agree, the staff member
acknowledges the duty, consents and withdraws; how they keep in touch and whether they
consent are answered to the two of them only; the PDF for every reader; 404 for anyone
else."""

from __future__ import annotations

import datetime as dt

import pytest

from peerwork.people.tests.api_calls import call, get, post
from peerwork.support.tests.test_mentoring_pairs import draft, pair_of, today_there

pytestmark = pytest.mark.django_db


def test_hr_drafts_olenas_coaching_agreement_and_the_three_agree(story):
    pair = pair_of(story, "olena")
    review = (today_there(story) + dt.timedelta(days=120)).isoformat()
    body = {
        "pair": str(pair.pk),
        "sessions": 6,
        "session_minutes": 60,
        "frequency": "monthly",
        "concerns_route": "With the director.",
        "exception_recipient": str(story.grace.pk),
        "review_on": review,
    }
    assert post(story.leila, "/support-agreements", body).status_code == 403
    past = post(story.grace, "/support-agreements", {**body, "review_on": "2020-01-01"})
    assert past.status_code == 400 and "review_on" in past.json()["errors"]
    one_of_two = post(
        story.grace, "/support-agreements", {**body, "exception_recipient": str(story.leila.pk)}
    )
    assert one_of_two.status_code == 400 and "exception_recipient" in one_of_two.json()["errors"]
    answer = post(story.grace, "/support-agreements", body)
    assert answer.status_code == 201
    made = answer.json()
    assert made["service"] == "Harbourside Harm Reduction"  # the organisation, by default
    assert made["kind"] == "coach" and made["agreed"] is False
    assert any("gross misconduct" in line for line in made["text"])
    assert post(story.grace, "/support-agreements", body).status_code == 400  # one per pair
    path = f"/support-agreements/{made['id']}"
    assert post(story.olena, f"{path}/agree").json()["person_agreed_at"] is not None
    assert post(story.leila, f"{path}/agree").json()["supporter_agreed_at"] is not None
    agreed = post(story.ravi, f"{path}/agree").json()  # for the organisation (§3.13)
    assert agreed["organisation_agreed_by"]["name"] == "Ravi Shah" and agreed["agreed"] is True
    assert agreed["duty_acknowledged_at"] is None
    assert post(story.leila, f"{path}/acknowledge-duty").status_code == 403
    acknowledged = post(story.olena, f"{path}/acknowledge-duty")
    assert acknowledged.json()["duty_acknowledged_at"] is not None


def test_hr_changes_the_terms_with_if_match_and_the_three_agree_again(story):
    agreement = draft(story, recipient="daniel")
    path = f"/support-agreements/{agreement.pk}"
    current = get(story.grace, path)
    version = current.json()["version"]
    assert current["ETag"] == f'"{version}"'
    assert call(story.grace, "PATCH", path, {"sessions": 8}).status_code == 422
    assert call(story.samuel, "PATCH", path, {"sessions": 8}, if_match=version).status_code == 403
    changed = call(story.grace, "PATCH", path, {"sessions": 8}, if_match=version)
    assert changed.status_code == 200
    after = changed.json()
    assert after["sessions"] == 8 and after["agreed"] is False
    assert after["person_agreed_at"] is None and after["duty_acknowledged_at"] is not None
    stale = call(story.grace, "PATCH", path, {"sessions": 9}, if_match=version)
    assert stale.status_code == 409
    moved = call(
        story.grace,
        "PATCH",
        path,
        {"exception_recipient": str(story.grace.pk)},
        if_match=after["version"],
    )
    assert moved.json()["duty_acknowledged_at"] is None  # a new recipient: told again


def test_contact_and_consent_are_the_two_peoples_alone(story):
    agreement = draft(story, recipient="daniel")
    path = f"/support-agreements/{agreement.pk}"
    version = get(story.amina, path).json()["version"]
    words = "A message first, then coffee."
    assert call(story.grace, "PATCH", path, {"contact": words}, if_match=version).status_code == 403
    written = call(story.amina, "PATCH", path, {"contact": words}, if_match=version)
    assert written.status_code == 200 and written.json()["contact"] == words
    consented = post(story.amina, f"{path}/consent").json()
    assert consented["confirm_consent_at"] is not None
    assert post(story.samuel, f"{path}/consent").status_code == 403
    assert get(story.samuel, path).json()["contact"] == words
    assert get(story.samuel, path).json()["confirm_consent_at"] is not None
    for name in ("grace", "daniel"):
        seen = get(getattr(story, name), path).json()
        assert seen["contact"] is None and seen["confirm_consent_at"] is None, name
    withdrawn = post(story.amina, f"{path}/withdraw-consent").json()
    assert withdrawn["confirm_consent_at"] is None


def test_who_reads_an_agreement_through_the_api(story):
    agreement = draft(story, recipient="daniel")
    path = f"/support-agreements/{agreement.pk}"
    for name in ("amina", "samuel", "grace", "daniel"):
        assert get(getattr(story, name), path).status_code == 200, name
    for name in ("ravi", "taslima", "chen", "leila", "joseph", "farah", "peter", "taras"):
        member = getattr(story, name)
        assert get(member, path).status_code == 404, name
        assert post(member, f"{path}/agree").status_code == 404, name
    listed = {a["id"] for a in get(story.daniel, "/support-agreements").json()["items"]}
    assert listed == {str(agreement.pk)}
    assert get(story.ravi, "/support-agreements").json()["items"] == []
