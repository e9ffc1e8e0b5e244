"""A concern's path, targets and hand-off through the API (issue 8 item 8; shared/API.md):
stages recorded in order (400 naming what is wrong), corrected with If-Match (409 when
stale); targets of work measures only (the schema's enum), a drug-use measure refused, the
staff member sending only their self-reflection (other fields: 400 naming them); reviews in
a meeting on or after the date; hand-offs refused until their grounds are met, gross
misconduct waiting for HR's countersignature; 404 for whoever is not in the case. Every
answer is JSON: the summary PDF is a page download."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django_scopes import scope

from peerwork.concerns.models import Concern, NamedSupporter, Target
from peerwork.concerns.tests.test_app9_path import (
    ANSWERS,
    app9_concern,
    meeting_on,
    record,
    target_on,
    today_there,
)
from peerwork.concerns.tests.test_handoff import ready
from peerwork.people.tests.api_calls import call, get, post

pytestmark = pytest.mark.django_db


def concern_of(story, **kwargs) -> Concern:
    with scope(organisation=story.harbourside.pk):
        return app9_concern(story, **kwargs)


def test_the_schema_offers_work_measures_only():
    schema = Client().get("/api/v1/openapi.json").json()
    body = schema["paths"]["/api/v1/targets"]["post"]["requestBody"]["content"]
    ref = body["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    measure = schema["components"]["schemas"][ref]["properties"]["measure"]
    assert set(measure["enum"]) == set(Target.Measure.values)
    assert {"time_keeping", "attendance", "tasks_delivered"} <= set(measure["enum"])
    for code in measure["enum"]:
        for word in ("abstin", "clean", "sober", "drug", "test", "dose", "using"):
            assert word not in code


def test_stages_are_recorded_in_order_and_read_by_the_staff_member(story):
    concern = concern_of(story)
    steps = f"/concerns/{concern.pk}/steps"
    early = post(story.ravi, steps, {"stage": "q2", "answers": ANSWERS["q2"]})
    assert early.status_code == 400 and "stage" in early.json()["errors"]
    wrong = post(story.ravi, steps, {"stage": "q1", "answers": {"indications": ["x"]}})
    assert wrong.status_code == 400
    assert set(wrong.json()["errors"]) == {"indications", "evidence"}
    body = {"stage": "q1", "answers": ANSWERS["q1"], "notes": "The rota shows the gaps"}
    made = post(story.ravi, steps, body)
    assert made.status_code == 201
    step = made.json()
    assert step["stage"] == "q1" and step["guide"] == "App. 9 q1"
    assert step["answers"] == {"indications": ["lateness", "tasks"], "evidence": ["records"]}
    assert made["ETag"] == f'"{step["version"]}"'
    again = post(story.grace, steps, body)
    assert again.status_code == 400 and "stage" in again.json()["errors"]
    listed = get(story.amina, steps).json()
    assert [row["stage"] for row in listed["items"]] == ["q1"]
    assert post(story.amina, steps, {"stage": "q2", "answers": ANSWERS["q2"]}).status_code == 403
    for name in ("taslima", "samuel", "daniel", "taras"):
        assert get(getattr(story, name), steps).status_code == 404, name
    unknown = post(story.ravi, steps, {"stage": "q99", "answers": {}})
    assert unknown.status_code == 400


def test_a_stage_names_a_meeting_of_its_concern(story):
    concern, other = concern_of(story), concern_of(story)
    with scope(organisation=story.harbourside.pk):
        for key in ("q1", "q2", "q3", "q4"):
            record(story, concern, key)
        elsewhere = meeting_on(story, other, today_there(story))
        mine = meeting_on(story, concern, today_there(story))
    steps = f"/concerns/{concern.pk}/steps"
    body = {"stage": "q5", "answers": ANSWERS["q5"], "notes": "We met"}
    assert post(story.ravi, steps, body).json()["errors"] == {
        "meeting": ["Choose the review meeting this stage was in."]
    }
    refused = post(story.ravi, steps, {**body, "meeting": str(elsewhere.pk)})
    assert refused.status_code == 400 and "meeting" in refused.json()["errors"]
    made = post(story.ravi, steps, {**body, "meeting": str(mine.pk)})
    assert made.status_code == 201 and made.json()["meeting"] == str(mine.pk)


def test_a_stage_is_corrected_with_if_match(story):
    concern = concern_of(story)
    with scope(organisation=story.harbourside.pk):
        step = record(story, concern, "q1")
    path = f"/path-steps/{step.pk}"
    read = get(story.amina, path)
    assert read.status_code == 200 and read["ETag"] == f'"{step.version}"'
    assert call(story.ravi, "PATCH", path, {"notes": "x"}).status_code == 422  # no If-Match
    assert (
        call(story.amina, "PATCH", path, {"notes": "x"}, if_match=step.version).status_code == 403
    )
    changed = call(story.grace, "PATCH", path, {"notes": "And the sign-in sheet"}, if_match=1)
    assert changed.status_code == 200
    assert changed.json()["notes"] == "And the sign-in sheet"
    assert changed.json()["answers"] == ANSWERS["q1"]  # kept: not sent
    stale = call(story.ravi, "PATCH", path, {"notes": "Older"}, if_match=1)
    assert stale.status_code == 409
    bad = call(story.ravi, "PATCH", path, {"answers": {"evidence": []}}, if_match=2)
    assert bad.status_code == 400 and "indications" in bad.json()["errors"]
    for name in ("taslima", "samuel", "taras"):
        assert get(getattr(story, name), path).status_code == 404


def test_the_line_manager_sets_a_target_and_drug_use_measures_are_refused(story):
    concern = concern_of(story)
    body = {
        "concern": str(concern.pk),
        "measure": "time_keeping",
        "description": "At the drop-in by 09:00 on Mondays",
        "review_on": (today_there(story) + dt.timedelta(days=21)).isoformat(),
        "feedback_sources": "The sign-in sheet",
    }
    assert post(story.ravi, "/targets", {**body, "measure": "abstinence"}).status_code == 422
    refused = post(story.ravi, "/targets", {**body, "description": "Passes a urine test"})
    assert refused.status_code == 400 and set(refused.json()["errors"]) == {"description"}
    past = post(story.ravi, "/targets", {**body, "review_on": today_there(story).isoformat()})
    assert past.status_code == 400 and "review_on" in past.json()["errors"]
    far = post(story.ravi, "/targets", {**body, "review_on": "9999-01-01"})
    assert far.status_code == 400 and "review_on" in far.json()["errors"]
    assert post(story.amina, "/targets", body).status_code == 403
    unseen = post(story.taslima, "/targets", body)
    assert unseen.status_code == 400 and "concern" in unseen.json()["errors"]
    made = post(story.ravi, "/targets", body)
    assert made.status_code == 201
    target = made.json()
    assert target["measure"] == "time_keeping" and target["outcome"] == "open"
    assert target["person"]["name"] == "Amina Wanjiru"
    listed = get(story.amina, f"/targets?concern={concern.pk}").json()["items"]
    assert [t["id"] for t in listed] == [target["id"]]
    mine = get(story.amina, "/targets").json()["items"]
    assert [t["id"] for t in mine] == [target["id"]]
    assert get(story.ravi, "/targets").json()["items"][0]["id"] == target["id"]
    assert get(story.taslima, "/targets").json()["items"] == []
    assert get(story.taslima, f"/targets?concern={concern.pk}").status_code == 404
    assert get(story.peter, "/targets").status_code == 404  # not a working member's module


def test_the_staff_member_sends_only_their_self_reflection(story):
    concern = concern_of(story)
    with scope(organisation=story.harbourside.pk):
        target = target_on(story, concern, today_there(story) + dt.timedelta(days=14))
    path = f"/targets/{target.pk}"
    refused = call(
        story.amina,
        "PATCH",
        path,
        {"self_reflection": "Mine", "description": "Easier", "measure": "quality"},
        if_match=target.version,
    )
    assert refused.status_code == 400
    assert set(refused.json()["errors"]) == {"description", "measure"}
    written = call(
        story.amina,
        "PATCH",
        path,
        {"self_reflection": "Mondays go better when I pack the van on Sunday"},
        if_match=target.version,
    )
    assert written.status_code == 200
    answer = written.json()
    assert answer["self_reflection"] == "Mondays go better when I pack the van on Sunday"
    assert answer["description"] == "Signs in for every Monday shift by half past nine"
    not_his = call(
        story.ravi, "PATCH", path, {"self_reflection": "His words"}, if_match=answer["version"]
    )
    assert not_his.status_code == 400 and set(not_his.json()["errors"]) == {"self_reflection"}
    changed = call(
        story.ravi, "PATCH", path, {"description": "In by ten"}, if_match=answer["version"]
    )
    assert changed.status_code == 200 and changed.json()["description"] == "In by ten"
    assert changed.json()["self_reflection"] == answer["self_reflection"]
    stale = call(story.ravi, "PATCH", path, {"description": "Older"}, if_match=answer["version"])
    assert stale.status_code == 409


def test_a_target_is_reviewed_in_a_meeting_on_or_after_its_date(story):
    concern = concern_of(story)
    day = today_there(story) - dt.timedelta(days=2)
    with scope(organisation=story.harbourside.pk):
        target = target_on(story, concern, day)
        early = meeting_on(story, concern, day - dt.timedelta(days=1))
        review = meeting_on(story, concern, day)
    path = f"/targets/{target.pk}/review"
    refused = post(story.ravi, path, {"meeting": str(early.pk), "outcome": "unmet"})
    assert refused.status_code == 400 and "meeting" in refused.json()["errors"]
    assert post(story.ravi, path, {"meeting": str(review.pk), "outcome": "nope"}).status_code == 422
    assert post(story.amina, path, {"meeting": str(review.pk), "outcome": "met"}).status_code == 403
    done = post(story.ravi, path, {"meeting": str(review.pk), "outcome": "unmet"})
    assert done.status_code == 200
    assert done.json()["outcome"] == "unmet" and done.json()["reviewed_in"] == str(review.pk)


def test_a_hand_off_opens_only_on_its_grounds(story):
    with scope(organisation=story.harbourside.pk):
        concern, review = ready(story)
        bare = app9_concern(story)
    body = {"concern": str(bare.pk), "grounds": "unmet_despite_support"}
    refused = post(story.ravi, "/handoffs", body)
    assert refused.status_code == 400
    assert set(refused.json()["errors"]) == {"stages", "targets", "review", "grounds"}
    made = post(
        story.ravi,
        "/handoffs",
        {"concern": str(concern.pk), "grounds": "unmet_despite_support", "review": str(review.pk)},
    )
    assert made.status_code == 201
    handoff = made.json()
    assert handoff["state"] == "handed_off" and handoff["countersigned_by"] is None
    assert handoff["summary"] == f"/concerns/handoffs/{handoff['id']}/summary.pdf"
    read = get(story.amina, f"/handoffs/{handoff['id']}")
    assert read.status_code == 200 and read["Content-Type"].startswith("application/json")
    for name in ("taslima", "samuel", "daniel", "taras"):
        assert get(getattr(story, name), f"/handoffs/{handoff['id']}").status_code == 404


def test_gross_misconduct_waits_for_hrs_countersignature(story):
    concern = concern_of(story, path=Concern.Path.SUPPLY)
    body = {"concern": str(concern.pk), "grounds": "gross_misconduct"}
    no_reason = post(story.ravi, "/handoffs", body)
    assert no_reason.status_code == 400 and set(no_reason.json()["errors"]) == {"reason"}
    made = post(story.ravi, "/handoffs", {**body, "reason": "Sold to a client at the kiosk"})
    assert made.status_code == 201 and made.json()["state"] == "waiting"
    path = f"/handoffs/{made.json()['id']}"
    with scope(organisation=story.harbourside.pk):
        concern.refresh_from_db()
    assert concern.state == Concern.State.OPEN
    assert post(story.ravi, f"{path}/countersign").status_code == 403
    assert post(story.amina, f"{path}/countersign").status_code == 403
    stale = post(story.grace, f"{path}/countersign", if_match=made.json()["version"] + 1)
    assert stale.status_code == 409
    signed = post(story.grace, f"{path}/countersign", if_match=made.json()["version"])
    assert signed.status_code == 200
    assert signed.json()["state"] == "handed_off"
    assert signed.json()["countersigned_by"]["name"] == "Grace Njeri"
    again = post(story.grace, f"{path}/countersign")
    assert again.status_code == 400
    assert post(story.ravi, f"{path}/withdraw").status_code == 400


def test_a_named_supporter_reads_no_stage_target_or_hand_off(story):
    concern = concern_of(story)
    with scope(organisation=story.harbourside.pk):
        NamedSupporter.objects.create(
            organisation=story.harbourside, concern=concern, member=story.joseph
        )
        step = record(story, concern, "q1")
        target = target_on(story, concern, today_there(story) + dt.timedelta(days=3))
    assert get(story.joseph, f"/path-steps/{step.pk}").status_code == 404
    assert get(story.joseph, f"/targets/{target.pk}").status_code == 404
    assert get(story.joseph, f"/concerns/{concern.pk}/steps").status_code == 404
