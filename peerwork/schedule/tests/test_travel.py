"""Trips and the traveller's OST checklist, as services (issue 6 item 5; §2.4.1, the §3.4
tips): who may plan and change a trip, bad input, stale versions, the sealed checklist and
its dates, the timing check, the hosted event's announcement, and the reminder."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from peerwork.core.models import AuditEvent, Notification
from peerwork.core.notify import render
from peerwork.core.versions import StaleVersion
from peerwork.schedule import kinds, reminders, travel
from peerwork.schedule.models import ScheduleSettings, Traveller, Trip
from peerwork.schedule.tests.situation import arrange

pytestmark = pytest.mark.django_db


def _fields(story, **changes):
    today = timezone.localdate()
    values = {
        "title": "Regional harm reduction forum",
        "kind": Trip.Kind.EVENT_ELSEWHERE,
        "place": "Kisumu",
        "starts_on": today + dt.timedelta(days=40),
        "ends_on": today + dt.timedelta(days=42),
        "first_session_at": dt.time(9, 0),
        "travellers": [story.amina.pk, story.olena.pk],
        "ost_site_name": "Lakeside OST centre",
        "ost_site_address": "Oginga Odinga Street 4",
        "ost_site_opens": dt.time(8, 0),
        "ost_site_travel_minutes": 20,
    }
    values.update(changes)
    return travel.TripFields(**values)


@pytest.fixture
def trip(story):
    with scope(organisation=story.harbourside.pk):
        return travel.create_trip(actor=story.ravi, fields=_fields(story))


def _traveller(trip, member):
    return Traveller.objects.select_related("trip__organisation", "member").get(
        trip=trip, member=member
    )


# --- trips ---------------------------------------------------------------------------


def test_it_puts_a_trip_on_the_schedule_with_its_travellers(story, trip):
    with scope(organisation=story.harbourside.pk):
        assert trip.organiser == story.ravi and trip.place == "Kisumu"
        names = [row.member.name for row in travel.travellers_of(trip)]
        assert names == ["Amina Wanjiru", "Olena Petrenko"]
        assert all(not row.checklist for row in travel.travellers_of(trip))
        assert AuditEvent.objects.filter(action="schedule.trip.create", object_id=trip.pk).exists()


def test_it_lets_only_managers_hr_and_the_director_organise(story):
    with scope(organisation=story.harbourside.pk):
        for member in (story.grace, story.daniel):
            travel.create_trip(actor=member, fields=_fields(story, travellers=[]))
        for member in (story.amina, story.joseph, story.chen):
            with pytest.raises(PermissionDenied):
                travel.create_trip(actor=member, fields=_fields(story))
        assert Trip.objects.count() == 2


def test_it_refuses_a_last_day_before_the_first_and_saves_nothing(story):
    today = timezone.localdate()
    with scope(organisation=story.harbourside.pk):
        with pytest.raises(ValidationError) as error:
            travel.create_trip(
                actor=story.ravi,
                fields=_fields(
                    story,
                    starts_on=today + dt.timedelta(days=5),
                    ends_on=today + dt.timedelta(days=4),
                    title="",
                    ost_site_travel_minutes=300,
                ),
            )
        assert set(error.value.message_dict) == {"ends_on", "title", "ost_site_travel_minutes"}
        assert "The last day must be on or after the first." in error.value.message_dict["ends_on"]
        assert not Trip.objects.exists()


@pytest.mark.parametrize("who", ["other_organisation", "unknown", "malformed"])
def test_it_refuses_unknown_travellers(story, who):
    wanted = {
        "other_organisation": story.taras.pk,
        "unknown": uuid.uuid4(),
        "malformed": "not-an-id",
    }[who]
    with scope(organisation=story.harbourside.pk):
        with pytest.raises(ValidationError) as error:
            travel.create_trip(
                actor=story.ravi, fields=_fields(story, travellers=[story.amina.pk, wanted])
            )
        assert "travellers" in error.value.message_dict
        assert not Trip.objects.exists() and not Traveller.objects.exists()


def test_it_changes_a_trip_and_keeps_the_checklists_of_those_who_stay(story, trip):
    with scope(organisation=story.harbourside.pk):
        amina = travel.opt_in(actor=story.amina, traveller=_traveller(trip, story.amina))
        Traveller.objects.filter(pk=amina.pk).update(reminded_at=timezone.now())
        new_start = trip.starts_on + dt.timedelta(days=7)
        changed = travel.update_trip(
            actor=story.ravi,
            trip=trip,
            version=trip.version,
            fields=_fields(
                story,
                starts_on=new_start,
                ends_on=new_start + dt.timedelta(days=1),
                travellers=[story.amina.pk, story.joseph.pk],
            ),
        )
        assert changed.version == trip.version and changed.starts_on == new_start
        rows = {row.member_id: row for row in travel.travellers_of(changed)}
        assert set(rows) == {story.amina.pk, story.joseph.pk}
        assert rows[story.amina.pk].checklist  # still hers
        assert rows[story.amina.pk].reminded_at is None  # reminded again for the new dates


def test_it_refuses_a_stale_change_and_keeps_the_trip(story, trip):
    with scope(organisation=story.harbourside.pk):
        stale = trip.version
        travel.update_trip(actor=story.ravi, trip=trip, version=stale, fields=_fields(story))
        with pytest.raises(StaleVersion):
            travel.update_trip(
                actor=story.daniel,
                trip=trip,
                version=stale,
                fields=_fields(story, title="Someone else's title"),
            )
        assert Trip.objects.get(pk=trip.pk).title == "Regional harm reduction forum"


def test_it_lets_only_planners_change_or_cancel(story, trip):
    with scope(organisation=story.harbourside.pk):
        # Olena travels but does not plan; Taslima manages nobody going.
        for member in (story.olena, story.taslima, story.joseph):
            with pytest.raises(PermissionDenied):
                travel.update_trip(
                    actor=member, trip=trip, version=trip.version, fields=_fields(story)
                )
            with pytest.raises(PermissionDenied):
                travel.cancel_trip(actor=member, trip=trip, version=trip.version)
        travel.cancel_trip(actor=story.grace, trip=trip, version=trip.version)
        trip.refresh_from_db()
        assert trip.is_cancelled
        with pytest.raises(ValidationError):
            travel.cancel_trip(actor=story.ravi, trip=trip, version=trip.version)
        with pytest.raises(ValidationError):
            travel.update_trip(
                actor=story.ravi, trip=trip, version=trip.version, fields=_fields(story)
            )


def test_it_refuses_a_stale_cancel(story, trip):
    with scope(organisation=story.harbourside.pk):
        with pytest.raises(StaleVersion):
            travel.cancel_trip(actor=story.ravi, trip=trip, version=trip.version + 1)
        assert not Trip.objects.get(pk=trip.pk).is_cancelled


# --- the timing check and the hosted event --------------------------------------------


def test_it_warns_when_the_first_session_starts_before_people_can_arrive(story):
    # The site opens at 10:00; a usual 15-minute wait and 30 minutes away give 10:45.
    fields = _fields(
        story,
        ost_site_opens=dt.time(10, 0),
        ost_site_travel_minutes=30,
        first_session_at=dt.time(9, 30),
    )
    assert travel.timing_warning(fields) == dt.time(10, 45)
    fields.first_session_at = dt.time(10, 45)
    assert travel.timing_warning(fields) is None
    fields.first_session_at = dt.time(10, 0)
    fields.transport_plan = "A minibus leaves the hotel at 09:45 and waits."
    assert travel.timing_warning(fields) is None


def test_it_says_nothing_when_the_trip_does_not_say_enough(story):
    assert travel.timing_warning(_fields(story, ost_site_opens=None)) is None
    assert travel.timing_warning(_fields(story, ost_site_travel_minutes=None)) is None
    assert travel.timing_warning(_fields(story, first_session_at=None)) is None


def test_it_drafts_an_announcement_that_welcomes_people_on_ost(story):
    with scope(organisation=story.harbourside.pk):
        trip = travel.create_trip(
            actor=story.ravi,
            fields=_fields(
                story,
                kind=Trip.Kind.HOSTED_EVENT,
                title="Peer worker gathering",
                place="Harbourside drop-in",
                travellers=[],
                ost_access_arranged=True,
                ost_site_opens=dt.time(8, 30),
            ),
        )
    text = trip.announcement
    assert "Peer worker gathering" in text and "Harbourside drop-in" in text
    assert "arranged OST access for participants" in text
    assert "Lakeside OST centre, Oginga Odinga Street 4" in text and "08:30" in text
    assert "no record of who asks" in text


def test_it_keeps_the_organisers_own_announcement(story):
    with scope(organisation=story.harbourside.pk):
        trip = travel.create_trip(
            actor=story.ravi,
            fields=_fields(
                story,
                kind=Trip.Kind.HOSTED_EVENT,
                ost_access_arranged=True,
                announcement="Our own words: OST is arranged.",
            ),
        )
    assert trip.announcement == "Our own words: OST is arranged."


def test_it_drafts_in_the_language_asked_for(story):
    fields = _fields(story, kind=Trip.Kind.HOSTED_EVENT)
    english = travel.draft_announcement(fields)
    assert travel.draft_announcement(fields, language="en") == english


# --- the checklist -------------------------------------------------------------------


def test_opting_in_starts_a_sealed_checklist_with_the_trips_site(story, trip):
    with scope(organisation=story.harbourside.pk):
        row = travel.opt_in(actor=story.amina, traveller=_traveller(trip, story.amina))
        details = travel.read_checklist(actor=story.amina, traveller=row)
        assert details["ost_site"] == "Lakeside OST centre"
        assert details["ost_site_address"] == "Oginga Odinga Street 4"
        assert details["packed"] == [] and details["letter_consent"] is False
        # Sealed: the column holds no readable words.
        with connection.cursor() as cursor:
            cursor.execute("SELECT checklist FROM schedule_traveller")
            raw = " ".join(str(value) for (value,) in cursor.fetchall())
        assert raw and "Lakeside" not in raw
        # Opting in twice changes nothing.
        again = travel.opt_in(actor=story.amina, traveller=_traveller(trip, story.amina))
        assert again.version == row.version


def test_opting_out_clears_everything(story, trip):
    with scope(organisation=story.harbourside.pk):
        row = travel.opt_in(actor=story.amina, traveller=_traveller(trip, story.amina))
        row = travel.update_checklist(
            actor=story.amina,
            traveller=row,
            version=row.version,
            details={"medicine": "Methadone", "daily_dose": "80 mg"},
        )
        travel.opt_out(actor=story.amina, traveller=row)
        row = _traveller(trip, story.amina)
        assert row.checklist == ""
        assert travel.read_checklist(actor=story.amina, traveller=row) == {}


@pytest.mark.parametrize("who", ["ravi", "olena", "daniel", "grace", "taslima"])
def test_nobody_else_opens_or_starts_a_travellers_checklist(story, trip, who):
    member = getattr(story, who)  # Grace holds no share from Amina here.
    with scope(organisation=story.harbourside.pk):
        row = travel.opt_in(actor=story.amina, traveller=_traveller(trip, story.amina))
        for call in (travel.read_checklist, travel.opt_out):
            with pytest.raises(PermissionDenied):
                call(actor=member, traveller=row)
        with pytest.raises(PermissionDenied):
            travel.update_checklist(actor=member, traveller=row, version=row.version, details={})
        with pytest.raises(PermissionDenied):
            travel.opt_in(actor=member, traveller=row)


def test_hr_helps_under_the_travellers_share_and_every_read_is_audited(story):
    situation = arrange(story, share_with_grace=True)
    with scope(organisation=story.harbourside.pk):
        row = situation.traveller
        travel.read_checklist(actor=story.amina, traveller=row)
        assert not AuditEvent.objects.filter(action="schedule.checklist.read").exists()
        travel.update_checklist(
            actor=story.grace,
            traveller=row,
            version=row.version,
            details={"request_sent_on": "2026-01-05"},
        )
        details = travel.read_checklist(
            actor=story.grace, traveller=_traveller(row.trip, story.amina)
        )
        assert details["request_sent_on"] == "2026-01-05"
        read = AuditEvent.objects.get(action="schedule.checklist.read")
        assert read.subject_id == story.amina.pk and read.actor_id == story.grace.pk


def test_it_refuses_bad_checklist_input_and_keeps_what_was_saved(story, trip):
    with scope(organisation=story.harbourside.pk):
        row = travel.opt_in(actor=story.amina, traveller=_traveller(trip, story.amina))
        row = travel.update_checklist(
            actor=story.amina, traveller=row, version=row.version, details={"daily_dose": "80 mg"}
        )
        with pytest.raises(ValidationError) as error:
            travel.update_checklist(
                actor=story.amina,
                traveller=row,
                version=row.version,
                details={
                    "daily_dose": "90 mg",
                    "take_home_used": "a few",
                    "request_sent_on": "2026-03-10",
                    "reply_received_on": "2026-03-01",
                    "packed": ["passport", "toothbrush"],
                },
            )
        assert set(error.value.message_dict) == {"take_home_used", "reply_received_on", "packed"}
        row = _traveller(trip, story.amina)
        assert travel.read_checklist(actor=story.amina, traveller=row)["daily_dose"] == "80 mg"


def test_it_refuses_a_stale_checklist_save(story, trip):
    with scope(organisation=story.harbourside.pk):
        row = travel.opt_in(actor=story.amina, traveller=_traveller(trip, story.amina))
        old = row.version
        travel.update_checklist(actor=story.amina, traveller=row, version=old, details={})
        with pytest.raises(StaleVersion):
            travel.update_checklist(
                actor=story.amina,
                traveller=_traveller(trip, story.amina),
                version=old,
                details={"medicine": "Buprenorphine"},
            )
        details = travel.read_checklist(actor=story.amina, traveller=_traveller(trip, story.amina))
        assert details["medicine"] == ""


def test_a_checklist_cannot_be_filled_before_opting_in(story, trip):
    with scope(organisation=story.harbourside.pk):
        row = _traveller(trip, story.amina)
        with pytest.raises(ValidationError):
            travel.update_checklist(
                actor=story.amina, traveller=row, version=row.version, details={}
            )


def test_the_dates_follow_the_organisations_notice_period(story, trip):
    with scope(organisation=story.harbourside.pk):
        row = travel.opt_in(actor=story.amina, traveller=_traveller(trip, story.amina))
        dates = travel.checklist_dates(row, {}, today=trip.starts_on - dt.timedelta(days=30))
        assert dates.notice_days == 14
        assert dates.notice_by == trip.starts_on - dt.timedelta(days=14)
        assert not dates.notice_overdue and not dates.reply_overdue
        assert dates.treatment_days == 3
        ScheduleSettings.objects.create(organisation=story.harbourside, prescriber_notice_days=21)
        dates = travel.checklist_dates(row, {}, today=trip.starts_on - dt.timedelta(days=20))
        assert dates.notice_by == trip.starts_on - dt.timedelta(days=21)
        assert dates.notice_overdue


def test_it_flags_overdue_dates_until_they_are_done(story, trip):
    with scope(organisation=story.harbourside.pk):
        row = _traveller(trip, story.amina)
        late = trip.starts_on - dt.timedelta(days=3)
        dates = travel.checklist_dates(row, {}, today=late)
        assert dates.notice_overdue and dates.reply_overdue
        done = {"request_sent_on": "2026-01-01", "reply_received_on": "2026-01-03"}
        dates = travel.checklist_dates(row, done, today=late)
        assert not dates.notice_overdue and not dates.reply_overdue


# --- the reminder --------------------------------------------------------------------


def test_every_traveller_is_reminded_once_when_the_notice_period_begins(story, trip):
    with scope(organisation=story.harbourside.pk):
        travel.opt_in(actor=story.amina, traveller=_traveller(trip, story.amina))
    early = timezone.now().replace(hour=9) + dt.timedelta(days=20)
    assert trip.starts_on - dt.timedelta(days=14) > (early + dt.timedelta(hours=14)).date()
    assert reminders.remind_travellers(early) == 0
    due = dt.datetime.combine(trip.starts_on - dt.timedelta(days=14), dt.time(9, 0), tzinfo=dt.UTC)
    assert reminders.remind_travellers(due) == 2
    assert reminders.remind_travellers(due) == 0
    with scope(organisation=story.harbourside.pk):
        sent = list(Notification.objects.filter(kind=kinds.TRAVEL_NOTICE_DUE.kind))
        # Everyone going is told the same, opted in or not: it says nothing about anyone.
        assert {n.recipient_id for n in sent} == {story.amina.pk, story.olena.pk}
        assert {json.dumps(n.params) for n in sent} == {json.dumps({"trip": str(trip.pk)})}
        assert render(sent[0]).link == reverse("schedule:trip", args=[trip.pk])


def test_a_cancelled_trip_reminds_nobody(story, trip):
    with scope(organisation=story.harbourside.pk):
        travel.cancel_trip(actor=story.ravi, trip=trip, version=trip.version)
    due = dt.datetime.combine(trip.starts_on - dt.timedelta(days=10), dt.time(9), tzinfo=dt.UTC)
    assert reminders.remind_travellers(due) == 0
