"""Concerns through the API (issue 8 item 8; API.md): one shape for every answer, every
status code each operation gives, the signs-only rule as 400 naming ``work_impact``, the
agreed pattern as data in a 400 unless ``record_anyway``, ``If-Match`` and 409, HR's
removal, and the counts for the director and HR only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django_scopes import scope

from peerwork.api.tests.helpers import bearer
from peerwork.concerns import intake
from peerwork.concerns.models import Concern
from peerwork.concerns.tests.test_intake import agree_later_start, today_there
from peerwork.core.models import AuditEvent, Notification

pytestmark = pytest.mark.django_db

API = "/api/v1"


def body(story, person, **changes) -> dict[str, object]:
    day = today_there(story)
    data: dict[str, object] = {
        "person": str(person.pk),
        "source": "manager",
        "category": "attendance",
        "noticed_from": (day - dt.timedelta(days=10)).isoformat(),
        "what_happened": "Missed two Monday outreach shifts without telling the team",
        "work_impact": "The van went out with one worker instead of two",
    }
    data.update(changes)
    return data


def post(who, url: str, data: object = None, **headers: str):
    return Client().post(
        url, data or {}, content_type="application/json", headers={**who, **headers}
    )


def patch(who, url: str, data: object, **headers: str):
    return Client().patch(url, data, content_type="application/json", headers={**who, **headers})


def get(who, url: str):
    return Client().get(url, headers=who)


def record(story, person=None, actor=None, **changes) -> Concern:
    person = person or story.amina
    day = today_there(story)
    with scope(organisation=story.harbourside.pk):
        return intake.record_concern(
            actor=actor or story.ravi,
            person=person,
            fields=intake.ConcernFields(
                source=changes.pop("source", "manager"),
                category=changes.pop("category", "conduct"),
                noticed_from=day - dt.timedelta(days=3),
                what_happened=changes.pop("what_happened", "Raised their voice at a colleague"),
                work_impact="The team meeting ended early",
            ),
            **changes,
        )


# --- create -----------------------------------------------------------------------------


def test_ravi_records_a_concern_about_amina_201_with_its_version(story):
    response = post(bearer(story.ravi), f"{API}/concerns", body(story, story.amina))
    assert response.status_code == 201
    answer = response.json()
    assert response["ETag"] == '"1"' and answer["version"] == 1
    assert answer["person"] == {"id": str(story.amina.pk), "name": "Amina Wanjiru"}
    assert answer["category"] == "attendance" and answer["path"] == "review"
    assert answer["state"] == "open" and answer["outcome"] is None and answer["signs"] == []
    assert answer["category_label"] == "Attendance" and answer["hints"] == []
    with scope(organisation=story.harbourside.pk):
        assert Notification.objects.filter(recipient=story.amina, kind="concerns.recorded")
        assert AuditEvent.objects.filter(action="concerns.concern.record").count() == 1


def test_signs_only_answers_400_naming_work_impact_and_saves_nothing(story):
    data = body(story, story.amina, work_impact="", signs=["sweating", "paleness"])
    response = post(bearer(story.ravi), f"{API}/concerns", data)
    assert response.status_code == 400
    answer = response.json()
    assert set(answer["errors"]) == {"work_impact"}
    assert "These signs are not a problem in themselves" in answer["detail"]
    assert answer.get("pattern") is None
    with scope(organisation=story.harbourside.pk):
        assert not Concern.objects.exists()
    closed = {**data, "outcome": "no_action", "outcome_reason": "Looked at it: work is fine"}
    response = post(bearer(story.ravi), f"{API}/concerns", closed)
    assert response.status_code == 201
    assert response.json()["state"] == "closed" and response.json()["outcome"] == "no_action"
    no_reason = {**data, "outcome": "no_action"}
    response = post(bearer(story.ravi), f"{API}/concerns", no_reason)
    assert response.status_code == 400 and set(response.json()["errors"]) == {"outcome_reason"}


def test_the_agreed_pattern_answers_as_data_unless_the_request_records_anyway(story):
    agree_later_start(story)
    data = body(story, story.olena, category="time_keeping")
    response = post(bearer(story.ravi), f"{API}/concerns", data)
    assert response.status_code == 400
    answer = response.json()
    assert set(answer["errors"]) == {"category"}
    pattern = answer["pattern"]
    assert pattern["person"]["id"] == str(story.olena.pk)
    assert pattern["time_zone"] == "Africa/Nairobi"
    assert [d["weekday"] for d in pattern["days"]] == [0, 1, 2, 3, 4]
    assert pattern["days"][0]["starts"] == "09:00" and pattern["days"][0]["ends"] == "17:00"
    assert pattern["adjustments"][0]["hours"] == "starts 10:45 Tue"
    with scope(organisation=story.harbourside.pk):
        assert not Concern.objects.exists()
    review = post(bearer(story.ravi), f"{API}/concerns", {**data, "outcome": "pattern_review"})
    assert review.status_code == 201 and review.json()["outcome"] == "pattern_review"
    anyway = post(bearer(story.ravi), f"{API}/concerns", {**data, "record_anyway": True})
    assert anyway.status_code == 201 and anyway.json()["state"] == "open"


def test_a_bad_date_or_order_is_400_and_a_misfit_is_422(story):
    day = today_there(story)
    ahead = body(story, story.amina, noticed_from=(day + dt.timedelta(days=1)).isoformat())
    response = post(bearer(story.ravi), f"{API}/concerns", ahead)
    assert response.status_code == 400 and set(response.json()["errors"]) == {"noticed_from"}
    backwards = body(
        story,
        story.amina,
        noticed_to=(day - dt.timedelta(days=20)).isoformat(),
    )
    response = post(bearer(story.ravi), f"{API}/concerns", backwards)
    assert response.status_code == 400 and set(response.json()["errors"]) == {"noticed_to"}
    ancient = body(story, story.amina, noticed_from="0001-01-01")
    assert post(bearer(story.ravi), f"{API}/concerns", ancient).status_code == 400
    for misfit in (
        body(story, story.amina, category="drug_use"),
        body(story, story.amina, signs=["track_marks"]),
        {"person": str(story.amina.pk)},
    ):
        assert post(bearer(story.ravi), f"{API}/concerns", misfit).status_code == 422


def test_who_may_record_through_the_api(story):
    # Someone the actor does not manage, themself, or an unknown id: the person field.
    for who, about in (("taslima", "amina"), ("ravi", "ravi"), ("grace", "grace")):
        data = body(story, getattr(story, about))
        response = post(bearer(getattr(story, who)), f"{API}/concerns", data)
        assert response.status_code == 400, who
        assert set(response.json()["errors"]) == {"person"}
    unknown = {**body(story, story.amina), "person": "00000000-0000-0000-0000-000000000000"}
    assert post(bearer(story.ravi), f"{API}/concerns", unknown).status_code == 400
    # A working member who records no concerns: 403; not a working member: 404.
    assert post(bearer(story.amina), f"{API}/concerns", body(story, story.olena)).status_code == 403
    assert post(bearer(story.peter), f"{API}/concerns", body(story, story.amina)).status_code == 404
    assert Client().post(f"{API}/concerns", {}, content_type="application/json").status_code == 401
    # HR records about anyone working.
    assert post(bearer(story.grace), f"{API}/concerns", body(story, story.ravi)).status_code == 201


# --- read ---------------------------------------------------------------------------------


def test_each_reader_lists_what_the_matrix_lets_them(story):
    amina = record(story)
    olena = record(story, person=story.olena)
    ravis = record(story, person=story.ravi, actor=story.grace)

    def ids(member, query: str = "") -> set[str]:
        response = get(bearer(member), f"{API}/concerns{query}")
        assert response.status_code == 200
        return {row["id"] for row in response.json()["items"]}

    assert ids(story.amina) == {str(amina.pk)}
    assert ids(story.ravi) == {str(amina.pk), str(olena.pk), str(ravis.pk)}  # his own too
    assert ids(story.grace) == {str(amina.pk), str(olena.pk), str(ravis.pk)}
    assert ids(story.taslima) == set() and ids(story.daniel) == set()
    assert ids(story.samuel) == set()  # her peer mentor
    assert ids(story.grace, f"?person={story.olena.pk}") == {str(olena.pk)}
    assert ids(story.grace, "?state=closed") == set()
    assert get(bearer(story.peter), f"{API}/concerns").status_code == 404
    assert get(bearer(story.grace), f"{API}/concerns?state=nonsense").status_code == 422


def test_one_concern_200_with_its_etag_for_readers_and_404_for_others(story):
    concern = record(story)
    url = f"{API}/concerns/{concern.pk}"
    for who in ("amina", "ravi", "grace"):
        response = get(bearer(getattr(story, who)), url)
        assert response.status_code == 200, who
        assert response["ETag"] == '"1"'
        assert response.json()["what_happened"] == "Raised their voice at a colleague"
    for who in ("taslima", "daniel", "samuel", "chen", "joseph", "taras"):
        assert get(bearer(getattr(story, who)), url).status_code == 404, who
    assert get(bearer(story.ravi), f"{API}/concerns/not-an-id").status_code == 404


def test_hints_go_to_whoever_works_the_case_only(story):
    concern = record(story, what_happened="Came in saying he relapsed")
    url = f"{API}/concerns/{concern.pk}"
    (hint,) = get(bearer(story.ravi), url).json()["hints"]
    assert hint["field"] == "what_happened" and hint["word"] == "relapsed"
    assert hint["instead"].startswith("started using again")
    assert get(bearer(story.amina), url).json()["hints"] == []


# --- change, close, remove -----------------------------------------------------------------


def test_patch_needs_the_version_read_and_answers_409_when_it_moved_on(story):
    concern = record(story)
    url = f"{API}/concerns/{concern.pk}"
    ravi = bearer(story.ravi)
    response = patch(ravi, url, {"evidence": "The meeting notes"}, **{"If-Match": '"1"'})
    assert response.status_code == 200
    answer = response.json()
    assert answer["evidence"] == "The meeting notes" and answer["version"] == 2
    assert answer["what_happened"] == "Raised their voice at a colleague"  # kept
    assert response["ETag"] == '"2"'
    stale = patch(ravi, url, {"evidence": "Something else"}, **{"If-Match": '"1"'})
    assert stale.status_code == 409 and set(stale.json()) == {"detail"}
    assert patch(ravi, url, {"evidence": "x"}).status_code == 422  # If-Match is required
    assert patch(ravi, url, {"evidence": "x"}, **{"If-Match": "soon"}).status_code == 400
    with scope(organisation=story.harbourside.pk):
        assert str(Concern.objects.get(pk=concern.pk).evidence) == "The meeting notes"


def test_patch_refuses_signs_alone_and_the_person_may_not_change_it(story):
    concern = record(story)
    url = f"{API}/concerns/{concern.pk}"
    refused = patch(
        bearer(story.ravi),
        url,
        {"work_impact": "", "signs": ["drowsiness"]},
        **{"If-Match": '"1"'},
    )
    assert refused.status_code == 400 and set(refused.json()["errors"]) == {"work_impact"}
    own = patch(bearer(story.amina), url, {"evidence": "Mine"}, **{"If-Match": '"1"'})
    assert own.status_code == 403
    assert own.json()["detail"] == "Only their line manager or HR changes a concern."
    assert patch(bearer(story.taslima), url, {}, **{"If-Match": '"1"'}).status_code == 404


def test_close_records_the_outcome_and_reason_and_a_closed_one_answers_400(story):
    concern = record(story)
    url = f"{API}/concerns/{concern.pk}/close"
    assert post(bearer(story.amina), url, {"outcome": "resolved", "reason": "x"}).status_code == 403
    assert post(bearer(story.ravi), url, {"outcome": "resolved", "reason": " "}).status_code == 400
    assert (
        post(bearer(story.ravi), url, {"outcome": "handed_off", "reason": "x"}).status_code == 422
    )
    stale = post(
        bearer(story.ravi), url, {"outcome": "resolved", "reason": "x"}, **{"If-Match": '"7"'}
    )
    assert stale.status_code == 409
    response = post(
        bearer(story.ravi),
        url,
        {"outcome": "resolved", "reason": "We agreed a calmer handover"},
        **{"If-Match": '"1"'},
    )
    assert response.status_code == 200
    answer = response.json()
    assert answer["state"] == "closed" and answer["outcome"] == "resolved"
    assert answer["outcome_reason"] == "We agreed a calmer handover" and answer["closed_at"]
    with scope(organisation=story.harbourside.pk):
        assert Notification.objects.filter(recipient=story.amina, kind="concerns.closed")
    again = post(bearer(story.ravi), url, {"outcome": "resolved", "reason": "again"})
    assert again.status_code == 400
    changed = patch(bearer(story.ravi), f"{API}/concerns/{concern.pk}", {}, **{"If-Match": '"2"'})
    assert changed.status_code == 400


def test_hr_removes_a_concern_raised_in_error_and_nobody_else_may(story):
    concern = record(story)
    url = f"{API}/concerns/{concern.pk}"
    assert Client().delete(url, headers=bearer(story.ravi)).status_code == 403
    assert Client().delete(url, headers=bearer(story.amina)).status_code == 403
    assert Client().delete(url, headers=bearer(story.daniel)).status_code == 404
    response = Client().delete(url, headers=bearer(story.grace))
    assert response.status_code == 200 and response.json() == {
        "id": str(concern.pk),
        "removed": True,
    }
    assert Client().delete(url, headers=bearer(story.grace)).status_code == 404
    with scope(organisation=story.harbourside.pk):
        event = AuditEvent.objects.get(action="concerns.concern.delete")
        assert event.object_id == concern.pk and event.actor_id == story.grace.pk


# --- aggregates ----------------------------------------------------------------------------


def test_the_counts_are_for_the_director_and_hr_with_small_counts_hidden(story):
    for _n in range(6):
        record(story, category="attendance")
    record(story, category="conduct")
    answer = get(bearer(story.daniel), f"{API}/concern-aggregates")
    assert answer.status_code == 200
    data = answer.json()
    assert data["minimum_group_size"] == 5 and len(data["quarters"]) == 5
    now = data["quarters"][0]
    by_category = {row["code"]: row for row in now["by_category"]}
    assert by_category["conduct"] == {
        "code": "conduct",
        "label": "Conduct",
        "count": None,
        "hidden": True,
    }
    # A lone hidden count would be worked out from the total: the next one hides too.
    assert by_category["attendance"]["count"] is None and by_category["attendance"]["hidden"]
    assert by_category["supply"]["count"] == 0
    assert {row["code"]: row["count"] for row in now["by_path"]}["review"] == 7
    assert "Amina" not in answer.content.decode()
    assert get(bearer(story.grace), f"{API}/concern-aggregates").status_code == 200
    for who in ("ravi", "amina", "chen", "peter"):
        assert get(bearer(getattr(story, who)), f"{API}/concern-aggregates").status_code == 404
