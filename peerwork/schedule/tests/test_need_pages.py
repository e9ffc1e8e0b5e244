"""Private planning note pages (issue 6 item 2; §2.4.1, §3.5, §3.6): keeping, changing and
removing a note, refused input explained with nothing saved and nothing typed lost, a
stale save, an occasional appointment added as neutral times away, and who may open a
note at all: its owner, and HR only under the owner's share by name (each read audited).
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django_scopes import scope

from peerwork.api.tests.helpers import signed_in
from peerwork.core.models import AuditEvent
from peerwork.core.tests.page_checks import assert_sound_page
from peerwork.people.availability import add_unavailability
from peerwork.people.models import Adjustment, Unavailability
from peerwork.people.services import share
from peerwork.people.tests.helpers import expected, statuses
from peerwork.schedule import conflicts, services
from peerwork.schedule.models import PrivateNeed
from peerwork.schedule.tests.test_mine_page import (
    CASE_3,
    CLINIC,
    assert_phone_sized,
    olena,
    today_there,
)

pytestmark = pytest.mark.django_db

NEW_DISPENSING = "/schedule/notes/new/?kind=dispensing"
NEW_APPOINTMENT = "/schedule/notes/new/?kind=appointment"


def typed(**changes: object) -> dict[str, object]:
    """Case 3 as a person types it into the form."""
    data: dict[str, object] = {
        "site": CLINIC,
        "days": ["0", "1", "2", "3", "4"],
        "opens": "10:00",
        "closes": "13:00",
        "collection": "at_opening",
        "fixed_at": "",
        "wait_minutes": "15",
        "travel_minutes": "30",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def notes_of(person) -> list[PrivateNeed]:
    with scope(organisation=person.organisation_id):
        return list(PrivateNeed.objects.filter(owner=person))


def details_of(need: PrivateNeed) -> dict[str, object]:
    with scope(organisation=need.organisation_id):
        return json.loads(PrivateNeed.objects.get(pk=need.pk).content)


def share_with_grace(story, person, categories=("ost", "health")):
    with scope(organisation=story.harbourside.pk):
        share(
            actor=person,
            audience="person",
            grantee=story.grace,
            categories=list(categories),
            purpose="Help with planning",
        )


# --- keeping a note -----------------------------------------------------------------------


def test_without_a_kind_the_page_asks_which_note_to_keep(story):
    html = assert_sound_page(signed_in(story.amina).get("/schedule/notes/new/"))
    assert f'href="{NEW_DISPENSING}"' in html and f'href="{NEW_APPOINTMENT}"' in html


def test_olena_keeps_her_dispensing_note_and_sees_what_it_asks(story):
    olena(story, agreed=False, meeting=False)
    client = signed_in(story.olena)
    html = assert_sound_page(client.get(NEW_DISPENSING))
    assert "Private: only you see this note." in html
    response = client.post(NEW_DISPENSING, typed(site="Eastgate clinic"))
    assert response.status_code == 302 and response["Location"].startswith("/schedule/#note-")
    (_first, need) = notes_of(story.olena)
    assert details_of(need)["site"] == "Eastgate clinic"
    with scope(organisation=story.harbourside.pk):
        assert need.entered_by is None
    assert "You can be at work from 10:45 on Mon–Fri." in client.get("/schedule/").content.decode()


def test_a_regular_weekly_appointment_proposes_a_break_or_a_later_start(story):
    olena(story, agreed=False, meeting=False)
    client = signed_in(story.olena)
    response = client.post(
        NEW_APPOINTMENT,
        {
            "weekday": "1",
            "starts": "13:00",
            "ends": "14:00",
            "travel_minutes": "20",
            "every_weeks": "1",
        },
        follow=True,
    )
    html = response.content.decode()
    assert "Tuesday, 13:00–14:00, 20 min each way" in html
    assert "You need to be away from 12:40 to 14:20 on Tue." in html


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"opens": "14:00", "closes": "13:00"}, "closes", "The site must close after it opens."),
        ({"opens": "ten"}, "opens", "Enter a valid time."),
        ({"closes": "25:99"}, "closes", "Enter a valid time."),
        (
            {"collection": "fixed_time", "fixed_at": "15:00"},
            "fixed_at",
            "The fixed time must be while the site is open.",
        ),
        ({"wait_minutes": "600"}, "wait_minutes", "less than or equal to 240"),
        ({"days": None}, "days", "Choose at least one day."),
        ({"take_home_days": ["0", "1", "2", "3", "4"]}, "take_home_days", "all of the"),
    ],
)
def test_bad_input_is_explained_at_its_field_nothing_saved_and_the_typing_kept(
    story, changes, field, message
):
    client = signed_in(story.amina)
    data = typed(site="Typed site name", **changes)
    response = client.post(NEW_DISPENSING, data)
    assert response.status_code == 200
    html = assert_sound_page(response)
    assert message in html
    # The message sits beside its field (Django ties them with aria-describedby).
    assert f'id="id_{field}_error"' in html
    assert 'value="Typed site name"' in html
    assert notes_of(story.amina) == []


def test_an_appointment_ending_before_it_starts_is_refused(story):
    response = signed_in(story.amina).post(
        NEW_APPOINTMENT,
        {
            "weekday": "1",
            "starts": "14:00",
            "ends": "13:00",
            "travel_minutes": "20",
            "every_weeks": "1",
        },
    )
    html = assert_sound_page(response)
    assert "The end must be after the start." in html and 'value="14:00"' in html
    assert notes_of(story.amina) == []


# --- changing and removing ------------------------------------------------------------------


def test_olena_changes_her_note_and_it_asks_for_a_new_start(story):
    arranged = olena(story, agreed=False, meeting=False)
    url = f"/schedule/notes/{arranged.need.pk}/"
    client = signed_in(story.olena)
    html = assert_sound_page(client.get(url))
    assert f'value="{CLINIC}"' in html and 'name="version" value="1"' in html
    assert_phone_sized(html)
    response = client.post(url, typed(opens="09:30", version="1"))
    assert response.status_code == 302
    assert details_of(arranged.need)["opens"] == "09:30"
    assert "You can be at work from 10:15 on Mon–Fri." in client.get(url).content.decode()


def test_a_stale_save_is_refused_with_a_message_and_keeps_what_was_typed(story):
    arranged = olena(story, agreed=False, meeting=False)
    url = f"/schedule/notes/{arranged.need.pk}/"
    with scope(organisation=story.harbourside.pk):
        services.record_need(
            actor=story.olena,
            owner=story.olena,
            details={**CASE_3, "site": "Saved in another tab"},
            need=arranged.need,
            version=1,
        )
    client = signed_in(story.olena)
    response = client.post(url, typed(site="Typed here", version="1"))
    html = assert_sound_page(response)
    assert "This note changed while you were editing it" in html
    assert 'value="Typed here"' in html and 'name="version" value="2"' in html
    assert details_of(arranged.need)["site"] == "Saved in another tab"
    # Saving again knowingly goes over it.
    assert client.post(url, typed(site="Typed here", version="2")).status_code == 302
    assert details_of(arranged.need)["site"] == "Typed here"


def test_olena_removes_her_note_and_agreed_hours_stay(story):
    arranged = olena(story, meeting=False)
    client = signed_in(story.olena)
    response = client.post(f"/schedule/notes/{arranged.need.pk}/remove/", {"version": "1"})
    assert response.status_code == 302 and response["Location"] == "/schedule/"
    assert notes_of(story.olena) == []
    with scope(organisation=story.harbourside.pk):
        assert Adjustment.objects.get(pk=arranged.adjustment.pk).state == "agreed"


def test_a_stale_remove_removes_nothing(story):
    arranged = olena(story, meeting=False)
    response = signed_in(story.olena).post(
        f"/schedule/notes/{arranged.need.pk}/remove/", {"version": "7"}, follow=True
    )
    assert "This note changed while you were looking at it" in response.content.decode()
    assert len(notes_of(story.olena)) == 1


# --- an appointment every two or four weeks ---------------------------------------------


def fortnightly(story, weekday: int = 2):
    with scope(organisation=story.harbourside.pk):
        return services.record_need(
            actor=story.amina,
            owner=story.amina,
            details={
                "kind": "appointment",
                "weekday": weekday,
                "starts": "11:00",
                "ends": "12:00",
                "travel_minutes": "20",
                "every_weeks": 2,
            },
        )


def next_on(story, weekday: int) -> dt.date:
    today = today_there(story)
    return today + dt.timedelta(days=(weekday - today.weekday()) % 7 or 7)


def test_a_fortnightly_appointment_proposes_no_pattern_and_adds_neutral_times_away(story):
    olena(story, agreed=False, meeting=False)
    need = fortnightly(story)
    client = signed_in(story.amina)
    html = assert_sound_page(client.get("/schedule/"))
    assert "This does not change your working pattern." in html
    assert "Propose these hours" not in html
    first = next_on(story, 2)
    response = client.post(
        f"/schedule/notes/{need.pk}/away/", {"first_on": first.isoformat(), "count": "3"}
    )
    assert response.status_code == 302
    zone = conflicts.zone_of(story.harbourside)
    with scope(organisation=story.harbourside.pk):
        rows = list(Unavailability.objects.filter(membership=story.amina).order_by("starts_at"))
    assert [row.kind for row in rows] == ["appointment"] * 3
    assert [row.starts_at.astimezone(zone).date() for row in rows] == [
        first + dt.timedelta(weeks=2 * n) for n in range(3)
    ]
    assert rows[0].starts_at.astimezone(zone).time() == dt.time(10, 40)
    assert rows[0].ends_at.astimezone(zone).time() == dt.time(12, 20)


def test_the_wrong_weekday_is_refused_and_nothing_is_added(story):
    need = fortnightly(story)
    response = signed_in(story.amina).post(
        f"/schedule/notes/{need.pk}/away/",
        {"first_on": next_on(story, 3).isoformat(), "count": "2"},
    )
    html = assert_sound_page(response)
    assert "Choose a Wednesday" in html
    with scope(organisation=story.harbourside.pk):
        assert not Unavailability.objects.filter(membership=story.amina).exists()


def test_a_time_that_looks_regular_is_refused_with_its_message_and_none_is_added(story):
    need = fortnightly(story)
    first = next_on(story, 2)
    zone = conflicts.zone_of(story.harbourside)
    with scope(organisation=story.harbourside.pk):
        for offset in (-2, -1):  # the Monday and Tuesday before, at the same hour
            day = first + dt.timedelta(days=offset)
            add_unavailability(
                actor=story.amina,
                membership=story.amina,
                kind="unavailable",
                starts_at=dt.datetime.combine(day, dt.time(10, 40), tzinfo=zone),
                ends_at=dt.datetime.combine(day, dt.time(11, 0), tzinfo=zone),
            )
    response = signed_in(story.amina).post(
        f"/schedule/notes/{need.pk}/away/", {"first_on": first.isoformat(), "count": "2"}
    )
    html = assert_sound_page(response)
    assert "A regular time belongs in the working pattern" in html
    with scope(organisation=story.harbourside.pk):
        assert not Unavailability.objects.filter(
            membership=story.amina, kind="appointment"
        ).exists()


# --- who may open a note --------------------------------------------------------------------


def test_a_note_opens_to_its_owner_only_without_a_share(story):
    arranged = olena(story, meeting=False)
    url = f"/schedule/notes/{arranged.need.pk}/"
    assert statuses(story, url) == expected(olena=200)
    for action in ("propose", "away", "remove"):
        answers = statuses(story, f"{url}{action}/", "post", {"version": "1"})
        assert answers.pop("olena") in (200, 302)
        assert set(answers.values()) == {404}, action
    assert notes_of(story.olena) == []  # she removed it, last


def test_hr_opens_a_note_under_the_persons_named_share_and_the_read_is_audited(story):
    arranged = olena(story, agreed=False, meeting=False)
    share_with_grace(story, story.olena, categories=("ost",))
    url = f"/schedule/notes/{arranged.need.pk}/"
    assert statuses(story, url) == expected(olena=200, grace=200)
    html = assert_sound_page(signed_in(story.grace).get(url))
    assert "Olena Petrenko's note" in html and "They can see each time you open it." in html
    assert CLINIC in html and "Propose these hours to their line manager" in html
    assert "Remove this note" not in html
    with scope(organisation=story.harbourside.pk):
        reads = AuditEvent.objects.filter(action="schedule.need.read", actor_id=str(story.grace.pk))
        assert reads.exists()


def test_hr_under_a_share_saves_but_does_not_remove(story):
    arranged = olena(story, agreed=False, meeting=False)
    share_with_grace(story, story.olena, categories=("ost",))
    client = signed_in(story.grace)
    url = f"/schedule/notes/{arranged.need.pk}/"
    assert client.post(url, typed(site="Entered by HR", version="1")).status_code == 302
    assert details_of(arranged.need)["site"] == "Entered by HR"
    assert client.post(f"{url}remove/", {"version": "2"}).status_code == 403
    assert len(notes_of(story.olena)) == 1


def test_a_share_of_health_alone_does_not_open_a_dispensing_note(story):
    arranged = olena(story, meeting=False)
    share_with_grace(story, story.olena, categories=("health",))
    assert signed_in(story.grace).get(f"/schedule/notes/{arranged.need.pk}/").status_code == 404


def test_a_note_that_does_not_exist_is_not_found(story):
    for bad in ("not-an-id", "00000000-0000-0000-0000-000000000000"):
        assert signed_in(story.amina).get(f"/schedule/notes/{bad}/").status_code == 404
