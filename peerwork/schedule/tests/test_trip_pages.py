"""The trip pages: the list, planning a trip, its page, changing and cancelling it (issue 6
item 5; the §3.4 tips). Privacy: the organiser's and a colleague's pages never show
whether anyone opted in to the OST checklist, nor anything on it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from peerwork.api.tests.helpers import signed_in
from peerwork.core.tests.page_checks import assert_sound_page
from peerwork.schedule import travel
from peerwork.schedule.models import Traveller, Trip

pytestmark = pytest.mark.django_db


def _post_data(story, **changes):
    today = timezone.localdate()
    data = {
        "version": "1",
        "title": "Regional harm reduction forum",
        "kind": Trip.Kind.EVENT_ELSEWHERE,
        "place": "Kisumu",
        "starts_on": (today + dt.timedelta(days=40)).isoformat(),
        "ends_on": (today + dt.timedelta(days=42)).isoformat(),
        "first_session_at": "09:30",
        "travellers": [str(story.amina.pk), str(story.olena.pk)],
        "ost_site_name": "Lakeside OST centre",
        "ost_site_address": "Oginga Odinga Street 4",
        "ost_site_opens": "10:00",
        "ost_site_travel_minutes": "30",
        "transport_plan": "",
        "announcement": "",
    }
    data.update(changes)
    return data


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
                ends_on=today + dt.timedelta(days=42),
                first_session_at=dt.time(9, 30),
                travellers=[story.amina.pk, story.olena.pk],
                ost_site_name="Lakeside OST centre",
                ost_site_opens=dt.time(10, 0),
                ost_site_travel_minutes=30,
            ),
        )


def _traveller(trip, member):
    with scope(organisation=trip.organisation_id):
        return Traveller.objects.select_related("trip__organisation", "member").get(
            trip=trip, member=member
        )


def _without_tokens(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


# --- the list --------------------------------------------------------------------------


def test_working_members_see_the_trips_coming_up(story, trip):
    html = assert_sound_page(signed_in(story.joseph).get(reverse("schedule:trips")))
    assert "Regional harm reduction forum" in html and "Kisumu" in html
    assert reverse("schedule:trip_new") not in html
    html = assert_sound_page(signed_in(story.amina).get(reverse("schedule:trips")))
    assert "you go" in html
    html = assert_sound_page(signed_in(story.ravi).get(reverse("schedule:trips")))
    assert reverse("schedule:trip_new") in html


@pytest.mark.parametrize("who", ["leila", "farah", "peter"])
def test_people_outside_the_working_team_get_404(story, trip, who):
    client = signed_in(getattr(story, who))
    assert client.get(reverse("schedule:trips")).status_code == 404
    assert client.get(reverse("schedule:trip", args=[trip.pk])).status_code == 404
    assert client.get(reverse("schedule:trip_new")).status_code == 404
    assert client.get(reverse("schedule:trip_edit", args=[trip.pk])).status_code == 404


def test_another_organisation_gets_404(story, trip):
    client = signed_in(story.taras)
    assert client.get(reverse("schedule:trip", args=[trip.pk])).status_code == 404
    assert client.get(reverse("schedule:trip_edit", args=[trip.pk])).status_code == 404
    response = client.post(reverse("schedule:trip_cancel", args=[trip.pk]), {"version": "1"})
    assert response.status_code == 404
    assert "Regional" not in client.get(reverse("schedule:trips")).content.decode()


# --- planning a trip -------------------------------------------------------------------


def test_a_line_manager_plans_a_trip(story):
    client = signed_in(story.ravi)
    assert_sound_page(client.get(reverse("schedule:trip_new")))
    response = client.post(reverse("schedule:trip_new"), _post_data(story))
    with scope(organisation=story.harbourside.pk):
        trip = Trip.objects.get()
        assert response.status_code == 302 and response.url == reverse(
            "schedule:trip", args=[trip.pk]
        )
        assert trip.organiser == story.ravi
        assert set(Traveller.objects.values_list("member_id", flat=True)) == {
            story.amina.pk,
            story.olena.pk,
        }


def test_a_colleague_may_not_plan_a_trip(story):
    client = signed_in(story.amina)
    assert client.get(reverse("schedule:trip_new")).status_code == 403
    assert client.post(reverse("schedule:trip_new"), _post_data(story)).status_code == 403
    with scope(organisation=story.harbourside.pk):
        assert not Trip.objects.exists()


def test_a_last_day_before_the_first_is_refused_and_what_was_typed_kept(story):
    today = timezone.localdate()
    data = _post_data(
        story,
        title="Kept title words",
        starts_on=(today + dt.timedelta(days=10)).isoformat(),
        ends_on=(today + dt.timedelta(days=9)).isoformat(),
    )
    html = assert_sound_page(signed_in(story.ravi).post(reverse("schedule:trip_new"), data))
    assert "The last day must be on or after the first." in html
    assert "Kept title words" in html and "Lakeside OST centre" in html
    with scope(organisation=story.harbourside.pk):
        assert not Trip.objects.exists()


def test_an_unknown_traveller_is_refused(story):
    data = _post_data(story, travellers=[str(story.amina.pk), str(story.taras.pk)])
    html = assert_sound_page(signed_in(story.ravi).post(reverse("schedule:trip_new"), data))
    assert "Choose travellers from the list." in html
    with scope(organisation=story.harbourside.pk):
        assert not Trip.objects.exists()


def test_the_draft_button_writes_an_announcement_and_saves_nothing(story):
    data = _post_data(story, kind=Trip.Kind.HOSTED_EVENT, ost_access_arranged="on", draft="1")
    html = assert_sound_page(signed_in(story.ravi).post(reverse("schedule:trip_new"), data))
    assert "arranged OST access for participants" in html
    with scope(organisation=story.harbourside.pk):
        assert not Trip.objects.exists()


# --- the trip's page -------------------------------------------------------------------


def test_the_page_shows_who_goes_by_name_and_the_sites_details(story, trip):
    html = assert_sound_page(signed_in(story.joseph).get(reverse("schedule:trip", args=[trip.pk])))
    assert "Amina Wanjiru" in html and "Olena Petrenko" in html
    assert "Lakeside OST centre" in html and "10:00" in html
    assert "Open your travel checklist" not in html


def test_the_organiser_is_warned_when_the_first_session_is_too_early(story, trip):
    # The site opens at 10:00, a 15-minute wait, 30 minutes away: 10:45 > 09:30.
    warning = "The first session starts before people collecting at the OST site can arrive (10:45)"
    html = assert_sound_page(signed_in(story.ravi).get(reverse("schedule:trip", args=[trip.pk])))
    assert warning in html and "start later, or plan transport" in html
    # Nobody opted in: the warning is about the event, not about a person.
    with scope(organisation=story.harbourside.pk):
        assert not any(row.checklist for row in Traveller.objects.all())
    html = signed_in(story.joseph).get(reverse("schedule:trip", args=[trip.pk])).content.decode()
    assert warning not in html


def test_a_transport_plan_answers_the_warning(story, trip):
    client = signed_in(story.ravi)
    data = _post_data(story, transport_plan="A minibus at 09:45, back by 10:50.")
    data["version"] = str(trip.version)
    assert client.post(reverse("schedule:trip_edit", args=[trip.pk]), data).status_code == 302
    html = client.get(reverse("schedule:trip", args=[trip.pk])).content.decode()
    assert "plan transport" not in html and "A minibus at 09:45" in html


def test_a_traveller_sees_a_link_to_their_own_checklist_only(story, trip):
    amina = _traveller(trip, story.amina)
    olena = _traveller(trip, story.olena)
    html = assert_sound_page(signed_in(story.amina).get(reverse("schedule:trip", args=[trip.pk])))
    assert reverse("schedule:checklist", args=[amina.pk]) in html
    assert reverse("schedule:checklist", args=[olena.pk]) not in html


@pytest.mark.parametrize("who", ["ravi", "olena", "joseph", "daniel"])
def test_nobody_else_learns_whether_anyone_opted_in(story, trip, who):
    client = signed_in(getattr(story, who))
    url = reverse("schedule:trip", args=[trip.pk])
    before = _without_tokens(client.get(url).content.decode())
    amina = _traveller(trip, story.amina)
    with scope(organisation=story.harbourside.pk):
        amina = travel.opt_in(actor=story.amina, traveller=amina)
        travel.update_checklist(
            actor=story.amina,
            traveller=amina,
            version=amina.version,
            details={
                "medicine": "Methadone",
                "daily_dose": "80 mg",
                "letter_consent": True,
                "take_home_limit": "2 a year",
            },
        )
    after = _without_tokens(client.get(url).content.decode())
    assert before == after
    for word in ("Methadone", "80 mg", "2 a year", str(amina.pk)):
        assert word not in after
    listing = client.get(reverse("schedule:trips")).content.decode()
    assert "80 mg" not in listing and str(amina.pk) not in listing


def test_hr_with_a_named_share_sees_a_link_to_help(story, trip):
    from peerwork.people.services import share

    with scope(organisation=story.harbourside.pk):
        share(
            actor=story.amina,
            audience="person",
            grantee=story.grace,
            categories=["ost"],
            purpose="Help with travel",
        )
    amina = _traveller(trip, story.amina)
    olena = _traveller(trip, story.olena)
    html = assert_sound_page(signed_in(story.grace).get(reverse("schedule:trip", args=[trip.pk])))
    assert reverse("schedule:checklist", args=[amina.pk]) in html
    assert reverse("schedule:checklist", args=[olena.pk]) not in html


def test_a_hosted_events_page_shows_its_announcement(story):
    with scope(organisation=story.harbourside.pk):
        today = timezone.localdate()
        trip = travel.create_trip(
            actor=story.ravi,
            fields=travel.TripFields(
                title="Peer worker gathering",
                kind=Trip.Kind.HOSTED_EVENT,
                place="Harbourside drop-in",
                starts_on=today + dt.timedelta(days=20),
                ends_on=today + dt.timedelta(days=20),
                ost_access_arranged=True,
            ),
        )
    html = assert_sound_page(signed_in(story.olena).get(reverse("schedule:trip", args=[trip.pk])))
    assert "arranged OST access for participants" in html and "Arranged" in html


# --- changing and cancelling -------------------------------------------------------------


def test_a_planner_changes_the_trip(story, trip):
    client = signed_in(story.ravi)
    url = reverse("schedule:trip_edit", args=[trip.pk])
    html = assert_sound_page(client.get(url))
    assert "Regional harm reduction forum" in html and f'value="{trip.version}"' in html
    data = _post_data(story, title="Forum, second day only", version=str(trip.version))
    assert client.post(url, data).status_code == 302
    with scope(organisation=story.harbourside.pk):
        assert Trip.objects.get(pk=trip.pk).title == "Forum, second day only"


def test_a_stale_change_is_refused_and_what_was_typed_kept(story, trip):
    stale = trip.version
    with scope(organisation=story.harbourside.pk):
        # Another planner saves first.
        travel.update_trip(
            actor=story.daniel,
            trip=trip,
            version=stale,
            fields=travel.TripFields(
                title="Daniel's title",
                kind=trip.kind,
                place=trip.place,
                starts_on=trip.starts_on,
                ends_on=trip.ends_on,
            ),
        )
    data = _post_data(story, title="Ravi's typed title", version=str(stale))
    html = assert_sound_page(
        signed_in(story.ravi).post(reverse("schedule:trip_edit", args=[trip.pk]), data)
    )
    assert "Someone else changed this trip" in html and "Ravi&#x27;s typed title" in html
    with scope(organisation=story.harbourside.pk):
        assert Trip.objects.get(pk=trip.pk).title == "Daniel's title"


def test_a_traveller_who_does_not_plan_may_not_change_or_cancel(story, trip):
    client = signed_in(story.olena)
    assert client.get(reverse("schedule:trip_edit", args=[trip.pk])).status_code == 403
    data = _post_data(story, title="Changed", version=str(trip.version))
    assert client.post(reverse("schedule:trip_edit", args=[trip.pk]), data).status_code == 403
    cancel = reverse("schedule:trip_cancel", args=[trip.pk])
    assert client.post(cancel, {"version": str(trip.version)}).status_code == 403
    html = client.get(reverse("schedule:trip", args=[trip.pk])).content.decode()
    assert reverse("schedule:trip_edit", args=[trip.pk]) not in html
    with scope(organisation=story.harbourside.pk):
        row = Trip.objects.get(pk=trip.pk)
        assert row.title == "Regional harm reduction forum" and not row.is_cancelled


def test_a_planner_cancels_the_trip(story, trip):
    client = signed_in(story.grace)
    response = client.post(
        reverse("schedule:trip_cancel", args=[trip.pk]), {"version": str(trip.version)}
    )
    assert response.status_code == 302
    html = assert_sound_page(client.get(reverse("schedule:trip", args=[trip.pk])))
    assert "Cancelled on" in html and reverse("schedule:trip_edit", args=[trip.pk]) not in html
    assert client.get(reverse("schedule:trip_edit", args=[trip.pk])).status_code == 302


def test_a_stale_cancel_changes_nothing(story, trip):
    client = signed_in(story.ravi)
    response = client.post(
        reverse("schedule:trip_cancel", args=[trip.pk]), {"version": str(trip.version + 3)}
    )
    assert response.status_code == 302
    html = client.get(reverse("schedule:trip", args=[trip.pk])).content.decode()
    assert "Someone else changed this trip a moment ago" in html
    with scope(organisation=story.harbourside.pk):
        assert not Trip.objects.get(pk=trip.pk).is_cancelled
