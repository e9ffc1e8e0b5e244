"""The scheduling settings page (issue 6): the prescriber's notice period for travel and
the hours meetings are suggested in; HR, the director and the org admin only; the row made
on the first save; bad input and stale saves refused with what was typed kept."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django_scopes import scope

from peerwork.api.tests.helpers import signed_in
from peerwork.core.models import AuditEvent
from peerwork.core.tests.page_checks import assert_sound_page
from peerwork.schedule import travel
from peerwork.schedule.models import ScheduleSettings

pytestmark = pytest.mark.django_db

URL = "schedule:settings"


def _data(**changes):
    data = {
        "version": "1",
        "prescriber_notice_days": "21",
        "day_starts": "09:00",
        "day_ends": "17:00",
    }
    data.update(changes)
    return data


def _row(story):
    with scope(organisation=story.harbourside.pk):
        return ScheduleSettings.objects.filter(organisation=story.harbourside).first()


@pytest.mark.parametrize("who", ["grace", "daniel", "chen"])
def test_hr_the_director_and_the_org_admin_save_the_settings(story, who):
    client = signed_in(getattr(story, who))
    html = assert_sound_page(client.get(reverse(URL)))
    assert "Peerwork&#x27;s defaults" in html or "Peerwork's defaults" in html
    assert 'value="14"' in html and 'value="08:00"' in html
    response = client.post(reverse(URL), _data())
    assert response.status_code == 302
    row = _row(story)
    assert row.prescriber_notice_days == 21
    assert (row.day_starts, row.day_ends) == (dt.time(9), dt.time(17))
    html = client.get(reverse(URL)).content.decode()
    assert 'value="21"' in html and "defaults" not in html
    with scope(organisation=story.harbourside.pk):
        assert AuditEvent.objects.filter(action="schedule.settings.change").count() == 1


def test_a_second_save_changes_the_row_and_its_version(story):
    client = signed_in(story.grace)
    client.post(reverse(URL), _data())
    first = _row(story)
    client.post(reverse(URL), _data(version=str(first.version), prescriber_notice_days="7"))
    row = _row(story)
    assert row.pk == first.pk and row.prescriber_notice_days == 7
    assert row.version == first.version + 1


@pytest.mark.parametrize("who", ["ravi", "amina", "joseph", "leila", "farah", "taras"])
def test_everyone_else_gets_404(story, who):
    client = signed_in(getattr(story, who))
    assert client.get(reverse(URL)).status_code == 404
    assert client.post(reverse(URL), _data()).status_code == 404
    assert _row(story) is None


@pytest.mark.parametrize(
    ("days", "message"),
    [
        ("0", "Ensure this value is greater than or equal to 1."),
        ("91", "Ensure this value is less than or equal to 90."),
        ("soon", "Enter a whole number."),
    ],
)
def test_notice_days_out_of_range_are_refused(story, days, message):
    data = _data(prescriber_notice_days=days, day_starts="07:15")
    html = assert_sound_page(signed_in(story.grace).post(reverse(URL), data))
    assert message in html and 'value="07:15"' in html
    assert _row(story) is None


def test_meetings_must_end_after_they_start(story):
    data = _data(day_starts="18:00", day_ends="08:00", prescriber_notice_days="30")
    html = assert_sound_page(signed_in(story.daniel).post(reverse(URL), data))
    assert "Meetings must end after they start." in html and 'value="30"' in html
    assert _row(story) is None


def test_a_stale_save_is_refused_and_what_was_typed_kept(story):
    with scope(organisation=story.harbourside.pk):
        travel.save_settings(
            actor=story.chen,
            version=None,
            prescriber_notice_days=10,
            day_starts=dt.time(8),
            day_ends=dt.time(18),
        )
        travel.save_settings(
            actor=story.chen,
            version=1,
            prescriber_notice_days=12,
            day_starts=dt.time(8),
            day_ends=dt.time(18),
        )
    html = assert_sound_page(
        signed_in(story.grace).post(reverse(URL), _data(version="1", prescriber_notice_days="45"))
    )
    assert "Someone else changed these settings" in html and 'value="45"' in html
    assert _row(story).prescriber_notice_days == 12


def test_a_stale_first_save_is_refused(story):
    with scope(organisation=story.harbourside.pk):
        travel.save_settings(
            actor=story.grace,
            version=1,
            prescriber_notice_days=10,
            day_starts=dt.time(8),
            day_ends=dt.time(18),
        )
    # Someone read the defaults (version 1) before the row was made, then the row moved on.
    with scope(organisation=story.harbourside.pk):
        travel.save_settings(
            actor=story.grace,
            version=1,
            prescriber_notice_days=11,
            day_starts=dt.time(8),
            day_ends=dt.time(18),
        )
    html = signed_in(story.daniel).post(reverse(URL), _data(version="1")).content.decode()
    assert "Someone else changed these settings" in html
    assert _row(story).prescriber_notice_days == 11


def test_the_service_refuses_anyone_else(story):
    from django.core.exceptions import PermissionDenied

    with scope(organisation=story.harbourside.pk), pytest.raises(PermissionDenied):
        travel.save_settings(
            actor=story.ravi,
            version=None,
            prescriber_notice_days=10,
            day_starts=dt.time(8),
            day_ends=dt.time(18),
        )


def test_the_travellers_dates_follow_the_saved_setting(story):
    from peerwork.schedule.tests.situation import arrange

    situation = arrange(story)
    signed_in(story.grace).post(reverse(URL), _data(prescriber_notice_days="28"))
    html = (
        signed_in(story.amina)
        .get(reverse("schedule:checklist", args=[situation.traveller.pk]))
        .content.decode()
    )
    assert "(28 days before you leave)" in html
