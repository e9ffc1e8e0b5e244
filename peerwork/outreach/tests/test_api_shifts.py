"""/shifts, /shifts/{shift_id}, planning, cancelling and the timeline (issue 5 items 2, 5
and 8): the schedule every working member reads, and what only a shift's workers and
handlers see."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scope

from peerwork.outreach import services
from peerwork.outreach.models import Shift
from peerwork.outreach.tests.api_story import fresh, minutes, on_call, out, overdue, planned
from peerwork.people.tests.api_calls import get, post
from peerwork.people.tests.helpers import EVERYONE

pytestmark = pytest.mark.django_db

SCHEDULE_READERS = {
    "amina",
    "ravi",
    "taslima",
    "grace",
    "daniel",
    "chen",
    "samuel",
    "joseph",
    "olena",
}


def _when(after):
    """A time from now, as a query string carries it."""
    return quote((timezone.now() + after).isoformat())


def _ids(response):
    return [item["id"] for item in response.json()["items"]]


def _plan_body(story, **kw):
    start = timezone.now() + minutes(60)
    body = {
        "worker_ids": [str(story.amina.pk), str(story.olena.pk)],
        "area": "The market car park",
        "materials": "Naloxone",
        "planned_start": start.isoformat(),
        "planned_return": (start + minutes(180)).isoformat(),
    }
    body.update(kw)
    return body


# --- the schedule ----------------------------------------------------------------------


def test_every_working_member_reads_the_schedule_and_coaches_and_outsiders_see_none(story):
    shift = planned(story)
    for name in EVERYONE:
        response = get(getattr(story, name), "/shifts")
        assert response.status_code == 200, name
        expected = [str(shift.pk)] if name in SCHEDULE_READERS else []
        assert _ids(response) == expected, name


def test_the_schedule_is_filtered_by_dates_state_and_my_own_shifts(story):
    tonight = planned(story)
    later = planned(
        story, start=timezone.now() + minutes(60 * 24 * 5), workers=[story.olena, story.ravi]
    )
    back = out(story)
    assert _ids(get(story.amina, "/shifts?mine=true")) == [str(back.pk), str(tonight.pk)]
    assert _ids(get(story.olena, "/shifts?mine=true")) == [str(later.pk)]
    assert _ids(get(story.joseph, "/shifts?state=out")) == [str(back.pk)]
    tomorrow = _when(minutes(60 * 24))
    assert _ids(get(story.joseph, f"/shifts?end={tomorrow}")) == [str(back.pk), str(tonight.pk)]


def test_a_window_that_ends_first_or_is_too_long_is_refused_in_words(story):
    start, before = _when(minutes(0)), _when(minutes(-60))
    response = get(story.amina, f"/shifts?start={start}&end={before}")
    assert response.status_code == 400
    assert response.json()["errors"] == {"end": ["The end must be after the start."]}
    far = _when(minutes(60 * 24 * 100))
    response = get(story.amina, f"/shifts?start={start}&end={far}")
    assert response.json()["errors"] == {"end": ["Ask for at most 92 days at a time."]}
    response = get(story.amina, "/shifts?start=2026-11-24T18:00:00")
    assert response.status_code == 400
    assert "offset" in response.json()["detail"]


# --- one shift -------------------------------------------------------------------------


def test_a_shift_shows_its_workers_times_and_state(story):
    shift = planned(story)
    body = get(story.joseph, f"/shifts/{shift.pk}").json()
    assert body["area"] == "The station underpass"
    assert body["materials"] == "Needles, naloxone"
    assert body["workers"] == [
        {"id": str(story.amina.pk), "name": "Amina Wanjiru"},
        {"id": str(story.joseph.pk), "name": "Joseph Otieno"},
    ]
    assert body["planned_by"] == {"id": str(story.ravi.pk), "name": "Ravi Shah"}
    assert body["state"] == "planned" and body["state_label"] == "Planned"
    assert body["mine"] is True
    # Times in Harbourside's zone (Nairobi, +03:00).
    assert body["planned_start"].endswith("+03:00")
    assert body["version"] == 1


def test_the_etag_is_the_version(story):
    shift = planned(story)
    response = get(story.amina, f"/shifts/{shift.pk}")
    assert response["ETag"] == '"1"'


def test_a_coach_a_facilitator_and_another_organisation_get_404(story):
    shift = planned(story)
    for name in ("leila", "farah", "peter", "taras"):
        response = get(getattr(story, name), f"/shifts/{shift.pk}")
        assert response.status_code == 404, name
        assert response.json() == {"detail": "Not found."}
    assert get(story.amina, "/shifts/not-an-id").status_code == 404


def test_the_rough_location_is_for_the_workers_and_handlers_only(story):
    shift = out(story)
    with scope(organisation=story.harbourside.pk):
        services.share_location(actor=story.amina, shift=shift, location="Behind the bus depot")
    seen = {
        name: get(getattr(story, name), f"/shifts/{shift.pk}").json()["location"]
        for name in ("amina", "joseph", "ravi", "daniel", "taslima", "grace", "olena")
    }
    place = "Behind the bus depot"
    assert seen == {
        "amina": place,
        "joseph": place,
        "ravi": place,
        "daniel": place,
        "taslima": None,
        "grace": None,
        "olena": None,
    }


def test_the_alert_is_for_the_handlers_and_never_the_workers(story):
    shift = overdue(story)
    with scope(organisation=story.harbourside.pk):
        services.acknowledge(actor=story.ravi, shift=shift)
    alert = get(story.daniel, f"/shifts/{shift.pk}").json()["alert"]
    assert alert["acknowledged_by"] == {"id": str(story.ravi.pk), "name": "Ravi Shah"}
    assert alert["silent"] is False
    for name in ("amina", "joseph", "grace"):
        assert get(getattr(story, name), f"/shifts/{shift.pk}").json()["alert"] is None, name


def test_a_silent_alert_looks_like_a_check_in_to_all_but_its_handlers(story):
    on_call(story, story.taslima)
    shift = out(story)
    with scope(organisation=story.harbourside.pk):
        services.ask_for_help(actor=story.amina, shift=shift, silent=True, via="link")
    for name in ("amina", "joseph", "grace", "olena"):
        body = get(getattr(story, name), f"/shifts/{shift.pk}").json()
        assert body["state"] == "returned", name
        assert body["alert"] is None, name
        assert str(shift.pk) in _ids(get(getattr(story, name), "/shifts?state=returned")), name
        assert _ids(get(getattr(story, name), "/shifts?state=help")) == [], name
    for name in ("ravi", "daniel", "taslima"):
        body = get(getattr(story, name), f"/shifts/{shift.pk}").json()
        assert body["state"] == "help", name
        assert body["alert"]["silent"] is True, name
        assert _ids(get(getattr(story, name), "/shifts?state=help")) == [str(shift.pk)], name
        assert _ids(get(getattr(story, name), "/shifts?state=returned")) == [], name


# --- planning --------------------------------------------------------------------------


def test_a_worker_plans_a_shift_they_go_on_with_a_colleague(story):
    response = post(story.amina, "/shifts", _plan_body(story))
    assert response.status_code == 201
    body = response.json()
    assert body["state"] == "planned"
    assert body["planned_by"]["id"] == str(story.amina.pk)
    assert {w["id"] for w in body["workers"]} == {str(story.amina.pk), str(story.olena.pk)}
    assert response["ETag"] == '"1"'


def test_a_line_manager_plans_for_their_reports_and_the_director_for_anyone(story):
    assert post(story.ravi, "/shifts", _plan_body(story)).status_code == 201
    assert post(story.daniel, "/shifts", _plan_body(story)).status_code == 201


def test_planning_for_others_one_does_not_manage_is_refused(story):
    for name in ("taslima", "grace", "joseph"):
        response = post(getattr(story, name), "/shifts", _plan_body(story))
        assert response.status_code == 403, name
    response = post(story.leila, "/shifts", _plan_body(story))
    assert response.status_code == 403
    assert response.json()["detail"] == "Your role does not include outreach shifts."
    with scope(organisation=story.harbourside.pk):
        assert not Shift.objects.exists()


def test_bad_plans_are_refused_field_by_field_and_nothing_is_saved(story):
    past = (timezone.now() - minutes(30)).isoformat()
    response = post(
        story.amina,
        "/shifts",
        _plan_body(
            story,
            worker_ids=[str(story.amina.pk)],
            area="  ",
            planned_start=(timezone.now() - minutes(90)).isoformat(),
            planned_return=past,
        ),
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "worker_ids": ["Outreach here goes in pairs: choose two workers."],
        "area": ["Say in words where the shift goes."],
        "planned_return": ["The planned return has already passed: choose a later time."],
    }
    naive = post(story.amina, "/shifts", _plan_body(story, planned_start="2026-11-24T18:00:00"))
    assert naive.json()["errors"] == {
        "planned_start": ["Give the time with its offset, like 18:00+03:00."]
    }
    with scope(organisation=story.harbourside.pk):
        assert not Shift.objects.exists()


def test_a_worker_site_or_team_of_another_organisation_is_a_fault_of_its_field(story):
    response = post(
        story.amina,
        "/shifts",
        _plan_body(
            story,
            worker_ids=[str(story.amina.pk), str(story.taras.pk)],
            site_id=str(story.other_site.pk),
            team_id=str(story.other_team.pk),
        ),
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"worker_ids"}
    response = post(
        story.amina,
        "/shifts",
        _plan_body(story, site_id=str(story.other_site.pk), team_id=str(story.other_team.pk)),
    )
    assert set(response.json()["errors"]) == {"site_id"}


def test_messages_come_in_the_language_asked_for(story):
    response = post(
        story.amina, "/shifts", _plan_body(story, area=""), headers={"Accept-Language": "sw"}
    )
    assert response.status_code == 400
    assert response["Content-Language"] == "sw"
    assert response.json()["errors"]["area"] != ["Say in words where the shift goes."]


# --- cancelling ------------------------------------------------------------------------


def test_whoever_planned_it_or_a_worker_cancels_a_planned_shift(story):
    shift = planned(story)
    response = post(story.joseph, f"/shifts/{shift.pk}/cancel")
    assert response.status_code == 200
    assert response.json()["state"] == "cancelled"
    again = post(story.ravi, f"/shifts/{shift.pk}/cancel")
    assert again.status_code == 400
    assert again.json()["detail"] == "Only a shift that has not started can be cancelled."


def test_the_director_and_the_workers_line_manager_may_cancel_too(story):
    first, second = planned(story, actor=story.amina), planned(story, actor=story.amina)
    assert post(story.daniel, f"/shifts/{first.pk}/cancel").status_code == 200
    assert post(story.ravi, f"/shifts/{second.pk}/cancel").status_code == 200


def test_a_colleague_who_is_not_on_it_may_not_cancel_it(story):
    shift = planned(story)
    response = post(story.grace, f"/shifts/{shift.pk}/cancel")
    assert response.status_code == 403
    assert "cancel" in response.json()["detail"]
    assert fresh(story, shift).state == Shift.State.PLANNED


def test_a_stale_if_match_changes_nothing(story):
    shift = planned(story)
    with scope(organisation=story.harbourside.pk):
        services.share_location(actor=story.amina, shift=shift, location="By the river")
    response = post(story.amina, f"/shifts/{shift.pk}/cancel", if_match=1)
    assert response.status_code == 409
    assert fresh(story, shift).state == Shift.State.PLANNED
    assert post(story.amina, f"/shifts/{shift.pk}/cancel", if_match=2).status_code == 200


# --- the timeline ----------------------------------------------------------------------


def test_the_timeline_shows_every_change_oldest_first(story):
    shift = overdue(story)
    with scope(organisation=story.harbourside.pk):
        services.acknowledge(actor=story.ravi, shift=shift)
    lines = get(story.ravi, f"/shifts/{shift.pk}/timeline").json()
    assert [line["kind"] for line in lines][:2] == ["planned", "checked_out"]
    assert "alerted" in [line["kind"] for line in lines]
    alerted = next(line for line in lines if line["kind"] == "alerted")
    # The chain's first step: each worker's partner.
    assert {r["name"] for r in alerted["recipients"]} == {"Amina Wanjiru", "Joseph Otieno"}
    assert lines[-1]["kind"] == "acknowledged"
    assert lines[-1]["actor"] == {"id": str(story.ravi.pk), "name": "Ravi Shah"}
    # Who was alerted is for the handlers.
    theirs = get(story.grace, f"/shifts/{shift.pk}/timeline").json()
    assert all(line["recipients"] == [] for line in theirs)


def test_a_silent_alerts_lines_are_left_off_for_all_but_its_handlers(story):
    on_call(story, story.taslima)
    shift = out(story)
    with scope(organisation=story.harbourside.pk):
        services.ask_for_help(actor=story.amina, shift=shift, silent=True, via="link")
    for name in ("amina", "joseph", "grace"):
        kinds = [
            line["kind"]
            for line in get(getattr(story, name), f"/shifts/{shift.pk}/timeline").json()
        ]
        assert kinds == ["planned", "checked_out"], name
    kinds = [line["kind"] for line in get(story.taslima, f"/shifts/{shift.pk}/timeline").json()]
    assert kinds == ["planned", "checked_out", "help", "alerted"]


def test_an_extension_line_says_by_how_much(story):
    shift = out(story)
    with scope(organisation=story.harbourside.pk):
        services.extend(actor=story.amina, shift=shift, minutes=30)
    lines = get(story.amina, f"/shifts/{shift.pk}/timeline").json()
    assert lines[-1]["kind"] == "extended" and lines[-1]["minutes"] == 30


def test_the_timeline_of_a_shift_one_may_not_see_is_404(story):
    shift = planned(story)
    assert get(story.leila, f"/shifts/{shift.pk}/timeline").status_code == 404
    assert get(story.taras, f"/shifts/{shift.pk}/timeline").status_code == 404


def test_the_schedules_queries_do_not_grow_with_its_shifts(story):
    planned(story)
    with CaptureQueriesContext(connection) as few:
        assert get(story.joseph, "/shifts").status_code == 200
    for _ in range(5):
        planned(story)
    with CaptureQueriesContext(connection) as many:
        assert len(_ids(get(story.joseph, "/shifts"))) == 6
    assert len(many) == len(few)
