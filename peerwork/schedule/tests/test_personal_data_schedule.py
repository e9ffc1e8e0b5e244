"""The scheduling module's entries in the register of personal data: what a person's export
holds (their private notes and checklists opened for them alone) and what erasure does to
notes, checklists, adjustments, attendance, conflicts, trips and feeds (issue 6; issue 4
items 7 and 8)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scope

from peerwork.core.models import Membership
from peerwork.people import personal_data
from peerwork.people.export import build_export
from peerwork.people.models import Adjustment
from peerwork.people.retention import erase_now
from peerwork.schedule.models import (
    Attendee,
    CalendarFeed,
    Conflict,
    Meeting,
    PrivateNeed,
    ScheduleSettings,
    Traveller,
    Trip,
)

pytestmark = pytest.mark.django_db

KEYS = (
    "schedule.adjustment",
    "schedule.private_need",
    "schedule.meeting_organised",
    "schedule.attendee",
    "schedule.conflict",
    "schedule.trip_organised",
    "schedule.traveller",
    "schedule.travel_checklist",
    "schedule.calendar_feed",
)


@pytest.fixture
def org(story):
    with scope(organisation=story.harbourside.pk):
        yield story


def _entry(key):
    return personal_data.entry(key)


def _sections(member):
    return {s["key"]: s for s in build_export(member)["sections"]}


def _leave(member):
    Membership.objects.filter(pk=member.pk).update(ended_at=timezone.now() - timedelta(days=1))
    member.refresh_from_db()


def test_it_registers_every_schedule_model_that_marks_a_person():
    registered = personal_data.registered_models()
    for model in (Adjustment, PrivateNeed, Meeting, Attendee, Conflict, Trip, Traveller):
        assert model in registered, model
    assert CalendarFeed in registered
    assert ScheduleSettings in personal_data.not_personal()
    assert {e.key for e in personal_data.entries()} >= set(KEYS)


def test_it_opens_a_private_note_in_its_owners_export_in_readable_words(org):
    _entry("schedule.private_need").sample(org.olena)
    items = _sections(org.olena)["schedule.private_need"]["items"]
    assert len(items) == 1
    text = json.dumps(items, ensure_ascii=False)
    assert "Sample clinic" in text and "OST dispensing" in text
    assert "When the site opens" in text and "Sunday" in text


def test_it_leaves_a_private_note_out_of_everyone_elses_export(org):
    _entry("schedule.private_need").sample(org.olena)
    _entry("schedule.travel_checklist").sample(org.olena)
    for other in (org.ravi, org.grace, org.amina):
        sections = _sections(other)
        assert not sections["schedule.private_need"]["items"], other
        assert not sections["schedule.travel_checklist"]["items"], other
        assert "Sample clinic" not in json.dumps(sections, ensure_ascii=False)


def test_it_opens_a_checklist_for_the_traveller_only(org):
    traveller = _entry("schedule.travel_checklist").sample(org.olena)
    Traveller.objects.create(
        organisation_id=org.harbourside.pk, trip=traveller.trip, member=org.amina
    )
    olena = _sections(org.olena)
    assert "2026-01-05" in json.dumps(olena["schedule.travel_checklist"]["items"])
    amina = _sections(org.amina)
    assert amina["schedule.traveller"]["items"]  # she travels too: a work fact
    assert not amina["schedule.travel_checklist"]["items"]
    assert "2026-01-05" not in json.dumps(amina)


def test_it_exports_adjustments_with_their_hours_and_never_a_reason(org):
    _entry("schedule.adjustment").sample(org.olena)
    _entry("schedule.private_need").sample(org.olena)
    items = _sections(org.olena)["schedule.adjustment"]["items"]
    assert len(items) == 1
    text = json.dumps(items, ensure_ascii=False)
    assert "10:45" in text and "Monday" in text
    assert "clinic" not in text.lower()


def test_it_exports_a_calendar_feed_without_its_secret(org):
    feed = _entry("schedule.calendar_feed").sample(org.amina)
    text = json.dumps(_sections(org.amina)["schedule.calendar_feed"]["items"])
    assert feed.token_hash not in text and "made" in text.lower()


def test_erasing_deletes_private_notes_and_clears_checklists_at_once(org):
    need = _entry("schedule.private_need").sample(org.olena)
    traveller = _entry("schedule.travel_checklist").sample(org.olena)
    erase_now(actor=org.olena)
    assert not PrivateNeed.objects.filter(pk=need.pk).exists()
    traveller.refresh_from_db()
    assert not traveller.checklist  # cleared, and the row stays: she travelled
    assert Traveller.objects.filter(pk=traveller.pk, member=org.olena).exists()
    assert not _entry("schedule.travel_checklist").rows(org.olena)


def test_erasing_while_working_here_keeps_adjustments_meetings_and_feeds(org):
    adjustment = _entry("schedule.adjustment").sample(org.olena)
    attendee = _entry("schedule.attendee").sample(org.olena)
    conflict = _entry("schedule.conflict").sample(org.olena)
    feed = _entry("schedule.calendar_feed").sample(org.olena)
    erase_now(actor=org.olena)
    assert Adjustment.objects.filter(pk=adjustment.pk).exists()
    assert Attendee.objects.filter(pk=attendee.pk).exists()
    assert Conflict.objects.filter(pk=conflict.pk).exists()
    assert CalendarFeed.objects.filter(pk=feed.pk).exists()


def test_erasing_a_leaver_takes_them_off_meetings_and_keeps_what_they_organised(org):
    adjustment = _entry("schedule.adjustment").sample(org.olena)
    attendee = _entry("schedule.attendee").sample(org.olena)
    conflict = _entry("schedule.conflict").sample(org.olena)
    feed = _entry("schedule.calendar_feed").sample(org.olena)
    meeting = _entry("schedule.meeting_organised").sample(org.olena)
    trip = _entry("schedule.trip_organised").sample(org.olena)
    traveller = _entry("schedule.traveller").sample(org.olena)
    _leave(org.olena)
    erase_now(actor=org.olena)
    assert not Adjustment.objects.filter(pk=adjustment.pk).exists()
    assert not Attendee.objects.filter(pk=attendee.pk).exists()
    assert Meeting.objects.filter(pk=attendee.meeting_id).exists()  # the meeting stays
    assert not Conflict.objects.filter(pk=conflict.pk).exists()
    assert not CalendarFeed.objects.filter(pk=feed.pk).exists()
    assert Meeting.objects.filter(pk=meeting.pk, organiser=org.olena).exists()
    assert Trip.objects.filter(pk=trip.pk, organiser=org.olena).exists()
    assert Traveller.objects.filter(pk=traveller.pk).exists()


def test_every_schedule_section_says_what_erasure_does(org):
    sections = _sections(org.olena)
    for key in KEYS:
        assert sections[key]["title"] and sections[key]["what_erasure_does"], key


def test_it_reads_the_checklist_in_words(org):
    _entry("schedule.travel_checklist").sample(org.olena)
    [item] = _sections(org.olena)["schedule.travel_checklist"]["items"]
    checklist = item["Checklist"]
    assert checklist["Request sent on"] == "2026-01-05"
    assert checklist["Packed"] == ["Your passport"]
