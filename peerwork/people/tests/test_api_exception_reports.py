"""/exception-reports: the two exits from confidential support, seen by three people only
(issue 4 item 6; §3.11, §3.13, App. 4)."""

from __future__ import annotations

import pytest
from django_scopes import scope

from peerwork.core.audit import events_about
from peerwork.core.models import Notification
from peerwork.people.models import ExceptionReport
from peerwork.people.tests.api_calls import get, post

pytestmark = pytest.mark.django_db

DISCLOSED = "Said they will hurt themself tonight Canary3301"


def _report(story, **body):
    sent = {
        "person_id": str(story.amina.pk),
        "reason": "life_in_danger",
        "disclosed": DISCLOSED,
        "recipient_id": str(story.daniel.pk),
        **body,
    }
    return post(story.samuel, "/exception-reports", sent)


def _reports(story):
    with scope(organisation=story.harbourside.pk):
        return ExceptionReport.objects.count()


def test_the_mentor_is_offered_the_recipients_named_for_the_person_they_mentor(story):
    response = get(story.samuel, f"/exception-reports/recipients?person_id={story.amina.pk}")
    assert response.status_code == 200
    assert response.json() == [{"id": str(story.daniel.pk), "name": "Daniel Mwangi"}]
    # Nobody else's, and not for someone they do not mentor.
    assert (
        get(story.samuel, f"/exception-reports/recipients?person_id={story.olena.pk}").status_code
        == 404
    )
    for name in ("amina", "ravi", "grace", "daniel", "taras"):
        url = f"/exception-reports/recipients?person_id={story.amina.pk}"
        assert get(getattr(story, name), url).status_code == 404, name
    assert get(story.samuel, "/exception-reports/recipients?person_id=amina").status_code == 422


def test_a_mentor_reports_an_exception_and_the_person_and_recipient_are_told_at_once(story):
    response = _report(story)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["person"] == {"id": str(story.amina.pk), "name": "Amina Wanjiru"}
    assert body["supporter"]["id"] == str(story.samuel.pk)
    assert body["recipient"]["id"] == str(story.daniel.pk)
    assert body["reason"] == "life_in_danger"
    assert body["reason_label"] == "Someone's life is in danger"
    assert body["disclosed"] == DISCLOSED
    assert body["person_told_at"] == body["made_at"]
    with scope(organisation=story.harbourside.pk):
        told = {n.recipient_id for n in Notification.objects.filter(kind__contains="exception")}
    assert told == {story.amina.pk, story.daniel.pk}


def test_each_of_the_three_lists_the_report_without_what_it_discloses(story):
    report = _report(story).json()
    lists = {
        "amina": "about_me",
        "daniel": "received",
        "samuel": "made",
    }
    for name, where in lists.items():
        response = get(getattr(story, name), "/exception-reports")
        assert response.status_code == 200
        body = response.json()
        assert [r["id"] for r in body[where]] == [report["id"]], name
        assert "Canary3301" not in response.content.decode()
    for name in ("ravi", "grace", "chen", "leila", "taras"):
        body = get(getattr(story, name), "/exception-reports").json()
        assert body == {"about_me": [], "received": [], "made": []}, name


def test_the_three_read_the_report_and_each_read_is_in_the_persons_list(story):
    report = _report(story).json()
    for name in ("amina", "daniel", "samuel"):
        response = get(getattr(story, name), f"/exception-reports/{report['id']}")
        assert response.status_code == 200, name
        assert response.json()["disclosed"] == DISCLOSED
    with scope(organisation=story.harbourside.pk):
        readers = {e.actor_id for e in events_about(story.amina)}
    assert readers == {story.amina.pk, story.daniel.pk, story.samuel.pk}
    rows = get(story.amina, "/me/reads").json()["results"]
    assert {r["action"] for r in rows} == {"exception_report.read"}
    assert {r["category"] for r in rows} == {None}


@pytest.mark.parametrize("name", ["ravi", "grace", "chen", "leila", "olena", "joseph", "taras"])
def test_nobody_else_reads_an_exception_report(story, name):
    report = _report(story).json()
    response = get(getattr(story, name), f"/exception-reports/{report['id']}")
    assert response.status_code == 404
    assert "Canary3301" not in response.content.decode()


def test_only_a_mentor_or_coach_reports_and_only_about_someone_they_support(story):
    refused = post(
        story.ravi,
        "/exception-reports",
        {
            "person_id": str(story.amina.pk),
            "reason": "gross_misconduct",
            "disclosed": "x",
            "recipient_id": str(story.daniel.pk),
        },
    )
    assert refused.status_code == 403
    not_theirs = _report(story, person_id=str(story.olena.pk))
    assert not_theirs.status_code == 400
    assert list(not_theirs.json()["errors"]) == ["person_id"]
    elsewhere = _report(story, person_id=str(story.taras.pk))
    assert list(elsewhere.json()["errors"]) == ["person_id"]
    assert _reports(story) == 0


def test_a_recipient_not_named_or_nothing_disclosed_is_refused_and_nothing_is_sent(story):
    wrong = _report(story, recipient_id=str(story.ravi.pk))
    assert wrong.status_code == 400
    assert list(wrong.json()["errors"]) == ["recipient_id"]
    empty = _report(story, disclosed="   ")
    assert list(empty.json()["errors"]) == ["disclosed"]
    too_long = _report(story, disclosed="x" * 4001)
    assert list(too_long.json()["errors"]) == ["disclosed"]
    assert _reports(story) == 0
    with scope(organisation=story.harbourside.pk):
        assert not Notification.objects.filter(kind__contains="exception").exists()


def test_a_report_that_does_not_fit_the_schema_gets_422(story):
    for body in (
        {},
        {"person_id": str(story.amina.pk), "reason": "rumour", "disclosed": "x"},
        {"person_id": "amina", "reason": "life_in_danger", "disclosed": "x"},
        {"person_id": str(story.amina.pk), "reason": "life_in_danger", "disclosed": 5},
    ):
        response = post(story.samuel, "/exception-reports", body)
        assert response.status_code == 422, body
    assert _reports(story) == 0
