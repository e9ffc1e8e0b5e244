"""The traveller's OST checklist page (issue 6 item 5; §2.4.1, the §3.4 tips): opt in and
out, the dates from the notice period with overdue ones flagged, the form with its version,
bad input and stale saves; the traveller's alone, and HR's only under their named share."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from peerwork.api.tests.helpers import signed_in
from peerwork.core.models import AuditEvent
from peerwork.core.tests.page_checks import assert_sound_page
from peerwork.schedule import travel
from peerwork.schedule.models import ScheduleSettings, Traveller, Trip
from peerwork.schedule.tests.situation import arrange

pytestmark = pytest.mark.django_db


@pytest.fixture
def trip(story):
    with scope(organisation=story.harbourside.pk):
        today = timezone.localdate()
        return travel.create_trip(
            actor=story.ravi,
            fields=travel.TripFields(
                title="Regional harm reduction forum",
                kind=Trip.Kind.EVENT_ELSEWHERE,
                place="Kisumu",
                starts_on=today + dt.timedelta(days=40),
                ends_on=today + dt.timedelta(days=43),
                travellers=[story.amina.pk, story.olena.pk],
                ost_site_name="Lakeside OST centre",
                ost_site_address="Oginga Odinga Street 4",
            ),
        )


def _traveller(trip, member):
    with scope(organisation=trip.organisation_id):
        return Traveller.objects.select_related("trip__organisation", "member").get(
            trip=trip, member=member
        )


def _url(row):
    return reverse("schedule:checklist", args=[row.pk])


def _opted_in(trip, member):
    with scope(organisation=trip.organisation_id):
        return travel.opt_in(actor=member, traveller=_traveller(trip, member))


def _form(row, **changes):
    data = {
        "action": "save",
        "version": str(row.version),
        "take_home_limit": "2 a year",
        "take_home_used": "1",
        "request_sent_on": "",
        "reply_received_on": "",
        "medicine": "",
        "daily_dose": "80 mg",
        "ost_site": "Lakeside OST centre",
        "ost_site_address": "Oginga Odinga Street 4",
    }
    data.update(changes)
    return data


def test_a_traveller_opts_in_and_sees_when_to_tell_the_prescriber(story, trip):
    row = _traveller(trip, story.amina)
    client = signed_in(story.amina)
    html = assert_sound_page(client.get(_url(row)))
    notice_by = trip.starts_on - dt.timedelta(days=14)
    assert "Start the checklist" in html and "tell your prescriber by" in html
    assert f"{notice_by.day} " in html
    response = client.post(_url(row), {"action": "opt_in"})
    assert response.status_code == 302 and response.url == _url(row)
    html = assert_sound_page(client.get(_url(row)))
    assert "Tell your prescriber by" in html and "Lakeside OST centre" in html
    assert "Treatment needed away: 4 days." in html
    assert 'name="version"' in html and "Save the checklist" in html


def test_the_notice_follows_the_organisations_setting(story, trip):
    with scope(organisation=story.harbourside.pk):
        ScheduleSettings.objects.create(organisation=story.harbourside, prescriber_notice_days=30)
    row = _opted_in(trip, story.amina)
    html = signed_in(story.amina).get(_url(row)).content.decode()
    assert "(30 days before you leave)" in html


def test_the_traveller_fills_in_the_list(story, trip):
    row = _opted_in(trip, story.amina)
    client = signed_in(story.amina)
    data = _form(row, packed=["passport", "passport_copy"], request_sent_on="2026-01-05")
    response = client.post(_url(row), data)
    assert response.status_code == 302
    with scope(organisation=story.harbourside.pk):
        details = travel.read_checklist(actor=story.amina, traveller=_traveller(trip, story.amina))
    assert details["daily_dose"] == "80 mg" and details["take_home_used"] == 1
    assert details["packed"] == ["passport", "passport_copy"]
    assert details["request_sent_on"] == "2026-01-05"
    html = client.get(_url(row)).content.decode()
    assert 'value="80 mg"' in html and 'value="2 a year"' in html


def test_overdue_dates_are_flagged(story):
    # The prescriber's notice period has passed and nothing was sent yet.
    today = timezone.localdate()
    with scope(organisation=story.harbourside.pk):
        trip = travel.create_trip(
            actor=story.ravi,
            fields=travel.TripFields(
                title="Short-notice training",
                kind=Trip.Kind.TRAVEL,
                place="Nakuru",
                starts_on=today + dt.timedelta(days=5),
                ends_on=today + dt.timedelta(days=5),
                travellers=[story.amina.pk],
            ),
        )
    row = _opted_in(trip, story.amina)
    client = signed_in(story.amina)
    html = client.get(_url(row)).content.decode()
    assert html.count(">overdue<") == 2
    client.post(
        _url(row),
        _form(row, request_sent_on=today.isoformat(), reply_received_on=today.isoformat()),
    )
    html = client.get(_url(row)).content.decode()
    assert ">overdue<" not in html and html.count(">done<") == 2


def test_bad_input_saves_nothing_and_keeps_what_was_typed(story, trip):
    row = _opted_in(trip, story.amina)
    data = _form(
        row,
        daily_dose="Typed dose",
        take_home_used="500",
        request_sent_on="2026-03-10",
        reply_received_on="2026-03-01",
    )
    html = assert_sound_page(signed_in(story.amina).post(_url(row), data))
    assert "Typed dose" in html
    assert "The reply cannot come before the request was sent." in html
    assert "Ensure this value is less than or equal to 99." in html
    with scope(organisation=story.harbourside.pk):
        details = travel.read_checklist(actor=story.amina, traveller=_traveller(trip, story.amina))
    assert details["daily_dose"] == ""


def test_a_stale_save_is_refused_and_what_was_typed_kept(story, trip):
    row = _opted_in(trip, story.amina)
    typed = _form(row, daily_dose="Typed in another tab")  # read at this version
    with scope(organisation=story.harbourside.pk):
        travel.update_checklist(
            actor=story.amina, traveller=row, version=row.version, details={"daily_dose": "60 mg"}
        )
    html = assert_sound_page(signed_in(story.amina).post(_url(row), typed))
    assert "was changed somewhere else" in html and "Typed in another tab" in html
    with scope(organisation=story.harbourside.pk):
        details = travel.read_checklist(actor=story.amina, traveller=_traveller(trip, story.amina))
    assert details["daily_dose"] == "60 mg"


def test_opting_out_clears_the_list(story, trip):
    row = _opted_in(trip, story.amina)
    client = signed_in(story.amina)
    client.post(_url(row), _form(row))
    assert client.post(_url(row), {"action": "opt_out"}).status_code == 302
    assert _traveller(trip, story.amina).checklist == ""
    html = client.get(_url(row)).content.decode()
    assert "Start the checklist" in html and "80 mg" not in html


@pytest.mark.parametrize("who", ["ravi", "olena", "daniel", "grace", "joseph", "leila", "taras"])
def test_nobody_else_opens_a_travellers_checklist(story, trip, who):
    row = _opted_in(trip, story.amina)
    client = signed_in(getattr(story, who))
    assert client.get(_url(row)).status_code == 404
    assert client.post(_url(row), _form(row, daily_dose="Not theirs")).status_code == 404
    assert client.post(_url(row), {"action": "opt_out"}).status_code == 404
    assert _traveller(trip, story.amina).checklist


def test_hr_helps_under_a_named_share_and_the_read_is_audited(story):
    situation = arrange(story, share_with_grace=True)
    row = situation.traveller
    client = signed_in(story.grace)
    html = assert_sound_page(client.get(_url(row)))
    assert "Amina Wanjiru's travel checklist" in html
    with scope(organisation=story.harbourside.pk):
        assert AuditEvent.objects.filter(
            action="schedule.checklist.read", actor_id=story.grace.pk, subject_id=story.amina.pk
        ).exists()
    response = client.post(_url(row), _form(row, request_sent_on="2026-01-05"))
    assert response.status_code == 302
    with scope(organisation=story.harbourside.pk):
        details = travel.read_checklist(
            actor=story.amina, traveller=_traveller(row.trip, story.amina)
        )
    assert details["request_sent_on"] == "2026-01-05"


def test_a_cancelled_trip_cannot_be_opted_into(story, trip):
    with scope(organisation=story.harbourside.pk):
        travel.cancel_trip(actor=story.ravi, trip=trip, version=trip.version)
    row = _traveller(trip, story.amina)
    client = signed_in(story.amina)
    html = client.get(_url(row)).content.decode()
    assert "Start the checklist" not in html
    client.post(_url(row), {"action": "opt_in"})
    assert _traveller(trip, story.amina).checklist == ""
