"""/people/{person_id}/staff-record and /working-pattern: personnel data, for the person,
their line manager and HR (issue 4 item 1; §2.4.1 for the agreed working pattern)."""

from __future__ import annotations

import pytest
from django_scopes import scope

from peerwork.people import availability
from peerwork.people.models import StaffRecord, WorkingPattern
from peerwork.people.tests.api_calls import call, get
from peerwork.people.tests.helpers import EVERYONE

pytestmark = pytest.mark.django_db


def _record_path(story):
    return f"/people/{story.amina.pk}/staff-record"


def _patch(member, story, body, version):
    return call(member, "PATCH", _record_path(story), body, if_match=version)


def _put_pattern(member, person, days):
    return call(member, "PUT", f"/people/{person.pk}/working-pattern", {"days": days})


def _record(story):
    with scope(organisation=story.harbourside.pk):
        return StaffRecord.objects.filter(membership=story.amina).first()


def test_the_person_their_line_manager_and_hr_read_the_staff_record_and_nobody_else(story):
    readers = {"amina", "ravi", "grace"}
    for name in EVERYONE:
        response = get(getattr(story, name), _record_path(story))
        expected = 200 if name in readers else 404
        assert response.status_code == expected, name
    body = get(story.ravi, _record_path(story)).json()
    assert body == {
        "person": {"id": str(story.amina.pk), "name": "Amina Wanjiru"},
        "position": "",
        "line_manager": {"id": str(story.ravi.pk), "name": "Ravi Shah"},
        "grade": "",
        "contract": "employee",
        "contract_label": "Employee",
        "hours_per_week": None,
        "started_on": None,
        "ends_on": None,
        "version": 0,
        "working_pattern_version": body["working_pattern_version"],
    }
    with scope(organisation=story.harbourside.pk):
        assert body["working_pattern_version"] == availability.pattern_fingerprint(story.amina)


def test_hr_writes_the_first_terms_and_the_line_manager_changes_them_with_the_version(story):
    first = _patch(
        story.grace,
        story,
        {
            "position": "Peer outreach worker",
            "grade": "B2",
            "contract": "sessional",
            "hours_per_week": 22.5,
            "started_on": "2024-03-01",
        },
        0,
    )
    assert first.status_code == 200, first.content
    body = first.json()
    assert (body["position"], body["grade"], body["contract"]) == (
        "Peer outreach worker",
        "B2",
        "sessional",
    )
    assert body["hours_per_week"] == 22.5
    assert body["version"] == 1
    assert first["ETag"] == '"1"'
    second = _patch(story.ravi, story, {"hours_per_week": 30}, 1)
    assert second.status_code == 200
    assert second.json()["hours_per_week"] == 30
    assert second.json()["grade"] == "B2"  # not sent, not changed
    assert second.json()["version"] == 2


def test_the_person_may_read_but_not_change_their_own_terms(story):
    response = _patch(story.amina, story, {"grade": "A1"}, 0)
    assert response.status_code == 403
    assert response.json()["detail"]
    assert _record(story) is None


@pytest.mark.parametrize("name", ["taslima", "daniel", "chen", "samuel", "joseph", "taras"])
def test_others_may_not_change_someones_terms_and_learn_nothing(story, name):
    response = _patch(getattr(story, name), story, {"grade": "A1"}, 0)
    assert response.status_code == 404
    assert _record(story) is None


def test_a_change_against_an_old_version_gets_409_and_changes_nothing(story):
    _patch(story.grace, story, {"grade": "B2"}, 0)
    _patch(story.ravi, story, {"grade": "B3"}, 1)
    stale = _patch(story.grace, story, {"grade": "C1"}, 1)
    assert stale.status_code == 409
    assert (_record(story).grade, _record(story).version) == ("B3", 2)
    # A first change against a record someone else just wrote is stale too.
    assert _patch(story.grace, story, {"grade": "C1"}, 0).status_code == 409


def test_refused_terms_name_the_field_and_change_nothing(story):
    _patch(story.grace, story, {"grade": "B2", "hours_per_week": 20}, 0)
    refused = {
        "hours_per_week": {"hours_per_week": 120},
        "grade": {"grade": "x" * 41},
        "line_manager_id": {"line_manager_id": str(story.taras.pk)},
        "contract": {"contract": None},
    }
    for field, body in refused.items():
        response = _patch(story.grace, story, body, 1)
        assert response.status_code == 400, (field, response.content)
        assert field in response.json()["errors"], (field, response.json())
    # A colleague who is not a line manager, and the person themself.
    for manager in (story.joseph, story.amina):
        response = _patch(story.grace, story, {"line_manager_id": str(manager.pk)}, 1)
        assert list(response.json()["errors"]) == ["line_manager_id"], manager
    ends_first = _patch(
        story.grace, story, {"started_on": "2025-01-10", "ends_on": "2025-01-01"}, 1
    )
    assert ends_first.status_code == 400
    assert list(ends_first.json()["errors"]) == ["ends_on"]
    record = _record(story)
    assert (record.grade, record.hours_per_week, record.version) == ("B2", 20, 1)
    assert record.started_on is None
    story.amina.refresh_from_db()
    assert story.amina.line_manager_id == story.ravi.pk


def test_terms_that_do_not_fit_the_schema_get_422(story):
    for body in (
        {"hours_per_week": "lots"},
        {"contract": "boss"},
        {"started_on": "spring"},
        {"line_manager_id": "ravi"},
        {"grade": "a\x00b"},
    ):
        assert _patch(story.grace, story, body, 0).status_code == 422, body
    assert call(story.grace, "PATCH", _record_path(story), {"grade": "B"}).status_code == 422
    assert _record(story) is None


def test_another_organisations_person_is_not_found(story):
    path = f"/people/{story.taras.pk}/staff-record"
    assert get(story.grace, path).status_code == 404
    assert call(story.grace, "PATCH", path, {"grade": "x"}, if_match=0).status_code == 404
    assert _put_pattern(story.grace, story.taras, []).status_code == 404


def test_the_line_manager_agrees_a_working_pattern_in_local_times(story):
    days = [{"weekday": d, "starts": "10:45", "ends": "17:30"} for d in range(5)]
    response = _put_pattern(story.ravi, story.olena, days)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["time_zone"] == "Africa/Nairobi"
    assert body["days"][0] == {"weekday": 0, "day": "Monday", "starts": "10:45", "ends": "17:30"}
    assert len(body["days"]) == 5
    # It replaces the previous one as a whole; an empty list clears it.
    assert _put_pattern(story.grace, story.olena, days[:2]).json()["days"][1]["day"] == "Tuesday"
    assert _put_pattern(story.grace, story.olena, []).json()["days"] == []


def test_a_pattern_changed_since_it_was_read_is_refused_with_409(story):
    path = f"/people/{story.olena.pk}/working-pattern"
    read = get(story.ravi, f"/people/{story.olena.pk}/staff-record").json()
    seen = read["working_pattern_version"]
    mornings = [{"weekday": 0, "starts": "08:00", "ends": "12:00"}]
    by_grace = call(story.grace, "PUT", path, {"days": mornings}, if_match=seen)
    assert by_grace.status_code == 200, by_grace.content
    assert by_grace["ETag"] == f'"{by_grace.json()["version"]}"' != f'"{seen}"'
    later = [{"weekday": 1, "starts": "10:45", "ends": "17:00"}]
    stale = call(story.ravi, "PUT", path, {"days": later}, if_match=seen)
    assert stale.status_code == 409
    assert get(story.ravi, f"/people/{story.olena.pk}/availability").json()["pattern"] == [
        {"weekday": 0, "day": "Monday", "starts": "08:00", "ends": "12:00"}
    ]
    # Read again (the ETag of Grace's answer, or the staff record), then save over it.
    again = get(story.ravi, f"/people/{story.olena.pk}/staff-record").json()
    assert f'"{again["working_pattern_version"]}"' == by_grace["ETag"]
    retried = call(story.ravi, "PUT", path, {"days": later}, if_match=by_grace.json()["version"])
    assert retried.status_code == 200
    assert retried.json()["days"][0]["day"] == "Tuesday"
    malformed = call(story.ravi, "PUT", path, {"days": later}, headers={"If-Match": "yesterday"})
    assert malformed.status_code == 400
    assert list(malformed.json()["errors"]) == ["If-Match"]


def test_only_the_line_manager_and_hr_agree_a_working_pattern(story):
    days = [{"weekday": 0, "starts": "09:00", "ends": "17:00"}]
    assert _put_pattern(story.olena, story.olena, days).status_code == 403
    for name in ("taslima", "daniel", "chen", "samuel", "leila", "joseph", "taras"):
        assert _put_pattern(getattr(story, name), story.olena, days).status_code == 404, name
    with scope(organisation=story.harbourside.pk):
        assert not WorkingPattern.objects.exists()


def test_a_pattern_that_repeats_a_day_or_ends_before_it_starts_is_refused(story):
    twice = [{"weekday": 0, "starts": "09:00", "ends": "12:00"}] * 2
    backwards = [{"weekday": 1, "starts": "17:00", "ends": "09:00"}]
    for days in (twice, backwards):
        response = _put_pattern(story.ravi, story.olena, days)
        assert response.status_code == 400
        assert list(response.json()["errors"]) == ["days"]
    for days in (
        [{"weekday": 7, "starts": "09:00", "ends": "12:00"}],
        [{"weekday": 0, "starts": "09:00+03:00", "ends": "12:00"}],
        [{"weekday": 0, "starts": "nine", "ends": "12:00"}],
        [{"weekday": d % 7, "starts": "09:00", "ends": "12:00"} for d in range(8)],
    ):
        assert _put_pattern(story.ravi, story.olena, days).status_code == 422, days
    with scope(organisation=story.harbourside.pk):
        assert not WorkingPattern.objects.exists()
