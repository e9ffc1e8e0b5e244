"""Changes of working hours (issue 6 items 1 and 2; §2.4.1: flexible hours negotiated as
terms of employment): a line manager or HR proposes one, the person agrees or not, either
side ends it, each button carrying the version read; the hours only, never why."""

from __future__ import annotations

import datetime as dt

import pytest
from django_scopes import scope

from peerwork.api.tests.helpers import signed_in
from peerwork.core.models import Notification
from peerwork.core.notify import render
from peerwork.core.tests.page_checks import assert_sound_page
from peerwork.people.models import Adjustment
from peerwork.people.tests.helpers import expected, statuses
from peerwork.schedule.tests.test_mine_page import (
    SECRETS,
    assert_phone_sized,
    manager_proposes,
    olena,
    today_there,
)

pytestmark = pytest.mark.django_db


def new_url(person) -> str:
    return f"/schedule/people/{person.pk}/adjustments/new/"


def fresh(row: Adjustment) -> Adjustment:
    with scope(organisation=row.organisation_id):
        return Adjustment.objects.get(pk=row.pk)


def adjustments_of(person) -> list[Adjustment]:
    with scope(organisation=person.organisation_id):
        return list(Adjustment.objects.filter(membership=person))


def terms(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "weekdays": ["0", "1", "2", "3", "4"],
        "starts": "10:45",
        "ends": "",
        "break_starts": "",
        "break_ends": "",
        "valid_from": "2026-12-01",
        "valid_until": "",
        "review_on": "2027-06-01",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


# --- proposing --------------------------------------------------------------------------


def test_only_the_line_manager_and_hr_may_propose_and_the_person_is_refused(story):
    olena(story, agreed=False, meeting=False)
    assert statuses(story, new_url(story.olena)) == expected(ravi=200, grace=200, olena=403)


def test_ravi_proposes_a_later_start_and_olena_is_asked(story):
    olena(story, agreed=False, meeting=False)
    client = signed_in(story.ravi)
    html = assert_sound_page(client.get(new_url(story.olena)))
    assert_phone_sized(html)
    response = client.post(new_url(story.olena), terms())
    assert response.status_code == 302
    assert response["Location"] == f"/schedule/people/{story.olena.pk}/"
    (row,) = adjustments_of(story.olena)
    assert row.state == Adjustment.State.PROPOSED and row.manager_agreed_at is not None
    assert row.starts == dt.time(10, 45) and row.review_on == dt.date(2027, 6, 1)
    with scope(organisation=story.harbourside.pk):
        (told,) = Notification.objects.filter(
            recipient=story.olena, kind="schedule.adjustment_proposed"
        )
        words = render(told)
    # The message says that something changed and links here; never why.
    assert words.link == f"/schedule/adjustments/{row.pk}/"
    assert "10:45" not in words.subject + words.body
    html = assert_sound_page(signed_in(story.olena).get(words.link))
    assert "Agree</button>" in html


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"starts": "12:00", "ends": "11:00"}, "ends", "The end must be after the start."),
        ({"starts": "", "ends": ""}, "starts", "Give a new start, a new end or a break."),
        ({"break_starts": "12:00"}, "break_ends", "Give a break as a start and an end"),
        ({"weekdays": None}, "weekdays", "Choose at least one day."),
        ({"review_on": "2026-11-01"}, "review_on", "The review must be on or after"),
        ({"starts": "quarter to eleven"}, "starts", "Enter a valid time."),
        ({"valid_from": "3026-01-01"}, "valid_from", "between the years 1970 and 2200"),
    ],
)
def test_bad_input_is_explained_nothing_proposed_and_the_typing_kept(
    story, changes, field, message
):
    olena(story, agreed=False, meeting=False)
    response = signed_in(story.ravi).post(new_url(story.olena), terms(**changes))
    assert response.status_code == 200
    html = assert_sound_page(response)
    assert message in html and f'id="id_{field}_error"' in html
    assert 'value="2026-12-01"' in html or field == "valid_from"
    assert adjustments_of(story.olena) == []


# --- the adjustment's page and its buttons ----------------------------------------------------


def test_the_page_opens_to_the_person_their_line_manager_and_hr(story):
    arranged = olena(story, meeting=False)
    url = f"/schedule/adjustments/{arranged.adjustment.pk}/"
    assert statuses(story, url) == expected(olena=200, ravi=200, grace=200)
    for action in ("agree", "decline", "end"):
        answers = statuses(story, f"{url}{action}/", "post", {"version": "1"})
        for name in ("olena", "ravi", "grace"):
            answers.pop(name)
        assert set(answers.values()) == {404}, action


def test_ravi_sees_the_hours_and_dates_and_never_why(story):
    arranged = olena(story, meeting=False)
    html = assert_sound_page(
        signed_in(story.ravi).get(f"/schedule/adjustments/{arranged.adjustment.pk}/")
    )
    assert "starts 10:45 Mon–Fri" in html and arranged.today.isoformat() in html
    assert "End this change" in html and "Agree</button>" not in html
    for secret in (*SECRETS, "OST"):
        assert secret not in html, secret
    assert_phone_sized(html)


def test_olena_agrees_to_ravis_proposal_from_its_page(story):
    olena(story, agreed=False, meeting=False)
    row = manager_proposes(story, story.olena)
    client = signed_in(story.olena)
    url = f"/schedule/adjustments/{row.pk}/"
    html = assert_sound_page(client.get(url))
    assert "Agree</button>" in html and "Not agree</button>" in html
    response = client.post(f"{url}agree/", {"version": row.version})
    assert response.status_code == 302 and response["Location"] == url
    assert fresh(row).state == Adjustment.State.AGREED
    with scope(organisation=story.harbourside.pk):
        assert Notification.objects.filter(
            recipient=story.ravi, kind="schedule.adjustment_agreed"
        ).exists()


def test_olena_does_not_agree_and_the_hours_stay(story):
    olena(story, agreed=False, meeting=False)
    row = manager_proposes(story, story.olena)
    response = signed_in(story.olena).post(
        f"/schedule/adjustments/{row.pk}/decline/", {"version": row.version}, follow=True
    )
    assert "Not agreed: the hours stay as they were." in response.content.decode()
    assert fresh(row).state == Adjustment.State.DECLINED


def test_the_side_that_proposed_waits_and_may_withdraw(story):
    olena(story, agreed=False, meeting=False)
    row = manager_proposes(story, story.olena)
    html = signed_in(story.ravi).get(f"/schedule/adjustments/{row.pk}/").content.decode()
    assert "Waiting for the other side" in html and "Withdraw the proposal" in html
    assert "Agree</button>" not in html


def test_a_stale_button_does_nothing_and_says_why(story):
    olena(story, agreed=False, meeting=False)
    row = manager_proposes(story, story.olena)
    with scope(organisation=story.harbourside.pk):
        Adjustment.objects.filter(pk=row.pk).update(version=row.version + 1)
    for action in ("agree", "decline"):
        response = signed_in(story.olena).post(
            f"/schedule/adjustments/{row.pk}/{action}/", {"version": row.version}, follow=True
        )
        assert "answered or changed while you were looking at it" in response.content.decode()
        assert fresh(row).state == Adjustment.State.PROPOSED
    response = signed_in(story.olena).post(f"/schedule/adjustments/{row.pk}/agree/", {})
    assert response.status_code == 302 and fresh(row).state == Adjustment.State.PROPOSED


def test_either_side_ends_an_agreed_change_from_a_last_day(story):
    arranged = olena(story, meeting=False)
    row = arranged.adjustment
    last = today_there(story) + dt.timedelta(days=30)
    response = signed_in(story.olena).post(
        f"/schedule/adjustments/{row.pk}/end/",
        {"version": row.version, "last_day": last.isoformat()},
    )
    assert response.status_code == 302
    assert fresh(row).valid_until == last


def test_ending_with_a_bad_last_day_keeps_it_and_ends_nothing(story):
    arranged = olena(story, meeting=False)
    row = arranged.adjustment
    response = signed_in(story.ravi).post(
        f"/schedule/adjustments/{row.pk}/end/", {"version": row.version, "last_day": "soon"}
    )
    html = assert_sound_page(response)
    assert "Enter a valid date." in html and 'value="soon"' in html
    assert fresh(row).valid_until is None and fresh(row).state == Adjustment.State.AGREED


def test_a_stale_end_ends_nothing(story):
    arranged = olena(story, meeting=False)
    row = arranged.adjustment
    response = signed_in(story.ravi).post(
        f"/schedule/adjustments/{row.pk}/end/", {"version": row.version + 5}, follow=True
    )
    assert "answered or changed while you were looking at it" in response.content.decode()
    assert fresh(row).valid_until is None


def test_an_adjustment_of_another_organisation_or_no_one_is_not_found(story):
    for bad in ("not-an-id", "00000000-0000-0000-0000-000000000000"):
        assert signed_in(story.ravi).get(f"/schedule/adjustments/{bad}/").status_code == 404
    arranged = olena(story, meeting=False)
    url = f"/schedule/adjustments/{arranged.adjustment.pk}/"
    assert signed_in(story.taras).get(url).status_code == 404
