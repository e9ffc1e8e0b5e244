"""Putting a meeting on the schedule and changing it (issue 6 item 3): line managers, HR
and the director organise; a meeting's planners change it with the version they read.
Refused input (unknown attendees, a meeting running past midnight, a last date before the
first, no required attendee) is said beside its field, nothing is saved and nothing typed
is lost."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from peerwork.api.tests.helpers import signed_in
from peerwork.core.tests.page_checks import assert_sound_page
from peerwork.schedule import services
from peerwork.schedule.models import Attendee, Conflict, Meeting

pytestmark = pytest.mark.django_db

NEW = reverse("schedule:meeting_new")


def today():
    return timezone.localdate(timezone.now(), zoneinfo.ZoneInfo("Africa/Nairobi"))


def typed(story, **changes):
    data = {
        "title": "Peer support training",
        "kind": "training",
        "place": "Upstairs room",
        "team": str(story.team.pk),
        "first_on": str(today() + dt.timedelta(days=10)),
        "starts": "14:00",
        "minutes": "120",
        "repeats": "never",
        "until": "",
        "required": [str(story.amina.pk), str(story.olena.pk)],
        "optional": [str(story.joseph.pk)],
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def meetings(story):
    with scope(organisation=story.harbourside.pk):
        return list(Meeting.objects.all())


@pytest.fixture
def meeting(story):
    with scope(organisation=story.harbourside.pk):
        return services.create_meeting(
            actor=story.ravi,
            fields=services.MeetingFields(
                title="Team meeting",
                kind=Meeting.Kind.TEAM_MEETING,
                first_on=today() + dt.timedelta(days=3),
                starts=dt.time(9, 30),
                minutes=60,
                repeats=Meeting.Repeats.WEEKLY,
                required=[story.amina.pk, story.olena.pk],
                optional=[story.joseph.pk],
            ),
        )


def edit_url(meeting):
    return reverse("schedule:meeting_edit", args=[meeting.pk])


# --- a new meeting -----------------------------------------------------------------------


def test_it_offers_the_organisations_active_members_as_attendees(story):
    with scope(organisation=story.harbourside.pk):
        story.peter.ended_at = timezone.now() - dt.timedelta(days=1)
        story.peter.save(update_fields=["ended_at"])
    html = assert_sound_page(signed_in(story.ravi).get(NEW))
    assert 'type="checkbox"' in html and "Required attendees" in html
    for name in ("Amina Wanjiru", "Olena Petrenko", "Joseph Otieno"):
        assert name in html
    assert "Peter Kamau" not in html  # he has left
    assert "Taras Melnyk" not in html  # another organisation
    assert 'type="time"' in html and 'type="date"' in html


def test_a_line_manager_puts_a_meeting_on_the_schedule(story):
    response = signed_in(story.ravi).post(NEW, typed(story))
    (meeting,) = meetings(story)
    assert response.status_code == 302
    assert response.url == reverse("schedule:meeting", args=[meeting.pk])
    assert meeting.title == "Peer support training" and meeting.organiser == story.ravi
    assert meeting.starts == dt.time(14, 0) and meeting.minutes == 120
    assert meeting.team == story.team and meeting.place == "Upstairs room"
    with scope(organisation=story.harbourside.pk):
        attendees = set(Attendee.objects.values_list("member_id", "required"))
    assert attendees == {
        (story.amina.pk, True),
        (story.olena.pk, True),
        (story.joseph.pk, False),
    }


@pytest.mark.parametrize("name", ["grace", "daniel"])
def test_hr_and_the_director_organise_too(story, name):
    response = signed_in(getattr(story, name)).post(NEW, typed(story))
    assert response.status_code == 302 and len(meetings(story)) == 1


@pytest.mark.parametrize(
    ("changes", "message", "field"),
    [
        (
            {"required": ["00000000-0000-4000-8000-000000000000"]},
            "Someone in the list is not a member of this organisation.",
            "required",
        ),
        ({"required": ["not-an-id"]}, "Choose attendees from the list.", "required"),
        (
            {"starts": "23:30", "minutes": "60"},
            "The meeting must end on the day it starts.",
            "minutes",
        ),
        (
            {"repeats": "weekly", "until": "2000-01-01"},
            "The last date must be on or after the first.",
            "until",
        ),
        ({"required": None}, "Name at least one required attendee.", "required"),
        ({"title": "  "}, "Give the meeting a title.", "title"),
        ({"minutes": "2"}, "A meeting lasts from 5 minutes to 12 hours.", "minutes"),
        ({"starts": "half past nine"}, "Give a time, such as 09:30.", "starts"),
        ({"first_on": "next week"}, "Give a date, such as 2026-03-04.", "first_on"),
        ({"kind": "party"}, "Choose what kind of meeting it is.", "kind"),
        ({"first_on": "9999-12-31"}, "Choose a date between the years 1970 and 2200.", "first_on"),
        (
            {"repeats": "weekly", "until": "0001-01-01"},
            "Choose a date between the years 1970 and 2200.",
            "until",
        ),
    ],
)
def test_refused_input_is_said_beside_its_field_and_nothing_typed_is_lost(
    story, changes, message, field
):
    response = signed_in(story.ravi).post(NEW, typed(story, place="Kept place words", **changes))
    html = assert_sound_page(response)
    assert response.status_code == 200
    assert message in html
    assert 'aria-invalid="true"' in html and f'id="id_{field}' in html
    assert "Kept place words" in html
    assert meetings(story) == []


def test_an_attendee_of_another_organisation_is_refused(story):
    html = assert_sound_page(
        signed_in(story.ravi).post(NEW, typed(story, required=[str(story.taras.pk)]))
    )
    assert "Someone in the list is not a member of this organisation." in html
    assert meetings(story) == []


def test_someone_both_required_and_optional_is_refused(story):
    html = assert_sound_page(
        signed_in(story.ravi).post(NEW, typed(story, optional=[str(story.amina.pk)]))
    )
    assert "A person is either required or optional, not both." in html
    assert meetings(story) == []


def test_it_keeps_the_ticked_attendees_after_a_refusal(story):
    html = signed_in(story.ravi).post(NEW, typed(story, title="")).content.decode()
    assert f'value="{story.olena.pk}"' in html
    ticked = html.split(f'value="{story.olena.pk}"', 1)[1].split(">", 1)[0]
    assert "checked" in ticked


@pytest.mark.parametrize("name", ["samuel", "amina", "joseph", "chen"])
def test_a_colleague_who_does_not_organise_is_refused(story, name):
    client = signed_in(getattr(story, name))
    assert client.get(NEW).status_code == 403
    assert client.post(NEW, typed(story)).status_code == 403
    assert meetings(story) == []


@pytest.mark.parametrize("name", ["leila", "farah", "taras"])
def test_people_outside_the_working_roles_or_the_organisation_get_not_found(story, meeting, name):
    client = signed_in(getattr(story, name))
    if name != "taras":
        assert client.get(NEW).status_code == 404
    assert client.get(edit_url(meeting)).status_code == 404
    assert client.post(edit_url(meeting), typed(story)).status_code == 404


# --- changing one --------------------------------------------------------------------------


def test_the_form_shows_the_meeting_as_it_is(story, meeting):
    html = assert_sound_page(signed_in(story.ravi).get(edit_url(meeting)))
    assert 'value="Team meeting"' in html and 'value="09:30"' in html
    assert f'name="version" value="{meeting.version}"' in html
    assert "checked" in html.split(f'value="{story.amina.pk}"', 1)[1].split(">", 1)[0]


def test_a_planner_changes_it_and_its_conflicts_are_worked_out_again(story, meeting):
    with scope(organisation=story.harbourside.pk):
        from peerwork.people.availability import set_working_pattern

        set_working_pattern(
            actor=story.ravi,
            membership=story.olena,
            days=dict.fromkeys(range(7), (dt.time(12, 0), dt.time(18, 0))),
        )
    data = typed(
        story,
        title="Team meeting",
        kind="team_meeting",
        first_on=str(meeting.first_on),
        starts="13:00",
        minutes="60",
        repeats="weekly",
        version=str(meeting.version),
    )
    response = signed_in(story.grace).post(edit_url(meeting), data)
    assert response.status_code == 302
    with scope(organisation=story.harbourside.pk):
        meeting.refresh_from_db()
        assert not Conflict.objects.filter(meeting=meeting, member=story.olena).exists()
    assert meeting.starts == dt.time(13, 0) and meeting.version == 2


def test_a_stale_version_saves_nothing_and_keeps_what_was_typed(story, meeting):
    read = meeting.version
    with scope(organisation=story.harbourside.pk):
        services.set_late_join(
            actor=story.daniel,
            meeting=meeting,
            version=meeting.version,
            decisions_from=dt.time(10, 0),
        )
    client = signed_in(story.ravi)
    data = typed(
        story,
        title="My new title",
        kind="team_meeting",
        first_on=str(meeting.first_on),
        starts="09:30",
        minutes="60",
        repeats="weekly",
        version=str(read),
    )
    response = client.post(edit_url(meeting), data)
    html = assert_sound_page(response)
    assert "Someone else changed this meeting while you were editing" in html
    assert 'value="My new title"' in html
    assert 'name="version" value="2"' in html  # saving again goes over theirs, knowingly
    with scope(organisation=story.harbourside.pk):
        meeting.refresh_from_db()
    assert meeting.title == "Team meeting"
    again = client.post(edit_url(meeting), {**data, "version": "2"})
    assert again.status_code == 302
    with scope(organisation=story.harbourside.pk):
        meeting.refresh_from_db()
    assert meeting.title == "My new title"


def test_refused_changes_keep_the_stored_meeting(story, meeting):
    data = typed(story, title="Team meeting", until="2000-01-01", repeats="weekly")
    html = assert_sound_page(
        signed_in(story.ravi).post(edit_url(meeting), {**data, "version": meeting.version})
    )
    assert "The last date must be on or after the first." in html
    with scope(organisation=story.harbourside.pk):
        meeting.refresh_from_db()
    assert meeting.until is None and meeting.version == 1


@pytest.mark.parametrize("name", ["samuel", "taslima", "amina", "olena", "chen"])
def test_a_non_planner_may_not_change_it(story, meeting, name):
    client = signed_in(getattr(story, name))
    assert client.get(edit_url(meeting)).status_code == 403
    data = typed(story, version=str(meeting.version))
    assert client.post(edit_url(meeting), data).status_code == 403
    with scope(organisation=story.harbourside.pk):
        meeting.refresh_from_db()
    assert meeting.version == 1
