"""Review meetings and meeting notes through the API (issue 8 items 2 and 8; App. 7;
shared/API.md): Ravi plans a meeting about Amina's concern; each side changes its own part
with If-Match, and a manager sending the staff member's own fields gets 400 naming the
field, nothing changed; Amina brings Samuel, who then reads it; held, the note written,
agreed by both or disagreed; HR and the peer supporter get 403 with the reason; a stale
If-Match is 409; outsiders 404; every answer is JSON."""

from __future__ import annotations

import datetime as dt

import pytest

from peerwork.concerns.tests.test_meetings import (
    at_there,
    concern_about,
    fresh,
    held,
    plan,
    today_there,
)
from peerwork.concerns.tests.test_notes import SUMMARY, fresh_note, write
from peerwork.people.tests.api_calls import call, get, post

pytestmark = pytest.mark.django_db


def patch(member, path, body, *, if_match=None):
    return call(member, "PATCH", path, body, if_match=if_match)


def test_ravi_plans_a_meeting_about_amina_s_concern(story):
    concern = concern_about(story)
    when = at_there(story, today_there(story) + dt.timedelta(days=3)).isoformat()
    body = {"concern": str(concern.pk), "starts_at": when, "place": "Room 2"}
    assert post(story.amina, "/review-meetings", body).status_code == 403
    assert post(story.taslima, "/review-meetings", body).status_code == 400  # not her case
    answer = post(story.ravi, "/review-meetings", body)
    assert answer.status_code == 201, answer.json()
    made = answer.json()
    assert made["person"]["name"] == "Amina Wanjiru" and made["held_by"]["name"] == "Ravi Shah"
    assert made["concern"] == str(concern.pk) and made["state"] == "scheduled"
    assert made["your_side"] == "manager" and made["note"] is None
    assert answer["ETag"] == '"1"'
    # Naive times and years out of range are refused, naming the field.
    naive = post(story.ravi, "/review-meetings", {**body, "starts_at": "2030-01-01T10:00:00"})
    assert naive.status_code == 400 and "starts_at" in naive.json()["errors"]
    someone = post(
        story.grace,
        "/review-meetings",
        {"person": str(story.taras.pk), "starts_at": when},
    )
    assert someone.status_code == 400 and "person" in someone.json()["errors"]


def test_the_list_holds_what_each_member_reads(story):
    mine = plan(story)
    plan(story, "olena", by="grace")
    ids = {
        name: {row["id"] for row in get(getattr(story, name), "/review-meetings").json()["items"]}
        for name in ("amina", "ravi", "grace", "samuel", "taslima")
    }
    assert ids["amina"] == {str(mine.pk)} and len(ids["ravi"]) == 2 and len(ids["grace"]) == 2
    assert ids["samuel"] == set() and ids["taslima"] == set()
    assert get(story.peter, "/review-meetings").status_code == 404


@pytest.mark.parametrize("field", ["person_account", "job_concerns", "external_support"])
def test_a_manager_sending_the_staff_member_s_words_gets_400_naming_the_field(story, field):
    meeting = plan(story)
    path = f"/review-meetings/{meeting.pk}"
    answer = patch(story.ravi, path, {"purpose": "Fine.", field: "Mine."}, if_match=1)
    assert answer.status_code == 400
    assert list(answer.json()["errors"]) == [field]
    stored = fresh(meeting)
    assert stored.version == 1 and not stored.purpose and not getattr(stored, field)


def test_each_side_changes_its_own_part_with_if_match(story):
    meeting = plan(story)
    path = f"/review-meetings/{meeting.pk}"
    assert patch(story.ravi, path, {"purpose": "x"}).status_code == 422  # If-Match needed
    ravi = patch(
        story.ravi,
        path,
        {"purpose": "About attendance.", "support_agreed": ["external_support", "flexible_hours"]},
        if_match=1,
    )
    assert ravi.status_code == 200 and ravi["ETag"] == '"2"'
    body = ravi.json()
    assert body["support_agreed"] == ["flexible_hours", "external_support"]
    assert body["external_support"] == "External support agreed"
    assert body["external_support_worded"] is False
    assert patch(story.amina, path, {"person_account": "Mine."}, if_match=1).status_code == 409
    amina = patch(
        story.amina,
        path,
        {"person_account": "The bus stopped at eight.", "external_support": "My own plan."},
        if_match=2,
    )
    assert amina.status_code == 200
    assert amina.json()["external_support"] == "My own plan."
    refused = patch(story.amina, path, {"purpose": "Mine."}, if_match=3)
    assert refused.status_code == 400 and list(refused.json()["errors"]) == ["purpose"]
    stored = fresh(meeting)
    assert stored.purpose == "About attendance." and stored.person_account.startswith("The bus")


def test_a_word_to_avoid_comes_back_as_a_hint_and_is_kept(story):
    meeting = plan(story)
    answer = patch(
        story.ravi,
        f"/review-meetings/{meeting.pk}",
        {"issue_and_standards": "Her colleague called her a junkie."},
        if_match=1,
    )
    assert answer.status_code == 200
    [hint] = answer.json()["hints"]
    assert hint["field"] == "issue_and_standards" and hint["word"] == "junkie"
    assert fresh(meeting).issue_and_standards == "Her colleague called her a junkie."


def test_amina_brings_samuel_who_then_reads_it_and_ravi_cannot_choose_for_her(story):
    meeting = plan(story)
    path = f"/review-meetings/{meeting.pk}"
    assert get(story.samuel, path).status_code == 404
    refused = patch(story.ravi, path, {"peer_supporter": str(story.samuel.pk)}, if_match=1)
    assert refused.status_code == 400 and "peer_supporter" in refused.json()["errors"]
    unknown = patch(story.amina, path, {"peer_supporter": str(story.taras.pk)}, if_match=1)
    assert unknown.status_code == 400 and "peer_supporter" in unknown.json()["errors"]
    chosen = patch(story.amina, path, {"peer_supporter": str(story.samuel.pk)}, if_match=1)
    assert chosen.status_code == 200
    assert chosen.json()["peer_supporter"]["name"] == "Samuel Kiprop"
    seen = get(story.samuel, path)
    assert seen.status_code == 200 and seen.json()["your_side"] is None
    assert patch(story.samuel, path, {"purpose": "x"}, if_match=2).status_code == 403


def test_held_cancel_and_the_note_agreed_by_both(story):
    meeting = plan(story, days=0)
    path = f"/review-meetings/{meeting.pk}"
    assert post(story.amina, f"{path}/held").status_code == 403
    held_answer = post(story.ravi, f"{path}/held")
    assert held_answer.status_code == 200 and held_answer.json()["state"] == "held"
    assert post(story.ravi, f"{path}/cancel").status_code == 400
    assert post(story.ravi, f"{path}/note", {"summary": " "}).status_code == 400
    review_on = (today_there(story) + dt.timedelta(days=21)).isoformat()
    written = post(story.ravi, f"{path}/note", {"summary": SUMMARY, "review_on": review_on})
    assert written.status_code == 201
    note = written.json()
    assert note["review_on"] == review_on and note["waiting_for_you"] is True
    assert "not a warning" in note["status"]
    assert get(story.ravi, path).json()["note"] == note["id"]
    note_path = f"/meeting-notes/{note['id']}"
    assert get(story.amina, note_path).json()["waiting_for_you"] is True
    agreed = post(story.amina, f"{note_path}/agree")
    assert agreed.status_code == 200 and agreed.json()["person_response"] == "agreed"
    both = post(story.ravi, f"{note_path}/agree", if_match=agreed.json()["version"])
    assert both.json()["agreed"] is True and both.json()["settled"] is True


def test_a_disagreement_is_kept_and_others_get_403_with_the_reason(story):
    meeting = plan(story, days=-1)
    path = f"/review-meetings/{meeting.pk}"
    patch(story.amina, path, {"peer_supporter": str(story.samuel.pk)}, if_match=1)
    post(story.ravi, f"{path}/held")
    note = write(story, fresh(meeting))
    note_path = f"/meeting-notes/{note.pk}"
    for who in (story.grace, story.samuel):
        for action, body in (("agree", {}), ("disagree", {"disagreement": "No."})):
            refused = post(who, f"{note_path}/{action}", body)
            assert refused.status_code == 403
            assert refused.json()["detail"] == (
                "Only the staff member and the manager who held the meeting agree its note."
            )
    assert post(story.taslima, f"{note_path}/agree").status_code == 404
    assert post(story.amina, f"{note_path}/disagree", {"disagreement": " "}).status_code == 400
    disagreed = post(story.amina, f"{note_path}/disagree", {"disagreement": "Three shifts."})
    assert disagreed.status_code == 200
    assert disagreed.json()["person_disagreement"] == "Three shifts."
    assert get(story.samuel, note_path).json()["person_disagreement"] == "Three shifts."
    assert post(story.amina, f"{note_path}/agree", if_match=1).status_code == 409


def test_a_new_summary_clears_the_answers(story):
    note = write(story)
    note_path = f"/meeting-notes/{note.pk}"
    post(story.amina, f"{note_path}/agree")
    current = fresh_note(note)
    assert (
        patch(story.amina, note_path, {"summary": "Mine."}, if_match=current.version).status_code
        == 403
    )
    assert patch(story.ravi, note_path, {"summary": "New."}, if_match=1).status_code == 409
    changed = patch(story.ravi, note_path, {"summary": "New words."}, if_match=current.version)
    assert changed.status_code == 200
    assert changed.json()["summary"] == "New words." and changed.json()["person_response"] == ""
    dated = patch(story.ravi, note_path, {"review_on": None}, if_match=current.version + 1)
    assert dated.status_code == 200 and dated.json()["review_on"] is None


def test_outsiders_get_404_and_every_answer_is_json(story):
    meeting = held(story)
    note = write(story, meeting)
    for who in (story.taslima, story.daniel, story.chen, story.joseph, story.taras):
        for path in (f"/review-meetings/{meeting.pk}", f"/meeting-notes/{note.pk}"):
            answer = get(who, path)
            assert answer.status_code == 404 and answer["Content-Type"].startswith(
                "application/json"
            )
    assert get(story.ravi, "/review-meetings/not-an-id").status_code == 404
    bad = call(
        story.ravi, "PATCH", f"/review-meetings/{meeting.pk}", {"meet_again": "maybe"}, if_match=2
    )
    assert bad.status_code == 422 and bad["Content-Type"].startswith("application/json")
