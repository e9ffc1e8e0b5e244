"""Staff record pages: a person's record, HR's list, editing terms, the working pattern
(issue 4 items 1 and 9; personnel data: the person, their line manager and HR)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from peerwork.api.tests.helpers import signed_in
from peerwork.core.models import Role
from peerwork.core.services import add_member
from peerwork.core.tests.page_checks import assert_sound_page
from peerwork.people import availability, services
from peerwork.people.models import SharingGrant, StaffRecord, WorkingPattern
from peerwork.people.tests.helpers import expected, statuses

pytestmark = pytest.mark.django_db


def record_of(person):
    with scopes_disabled():
        return StaffRecord.objects.filter(membership=person).first()


def terms(**fields):
    data = {"contract": "employee", "grade": "", "hours_per_week": "", "version": "0"}
    data.update(fields)
    return data


# --- who may open what -----------------------------------------------------------------


def test_a_staff_record_opens_to_the_person_their_line_manager_and_hr_only(story):
    url = f"/records/{story.amina.pk}"
    assert statuses(story, url) == expected(amina=200, ravi=200, grace=200)


def test_only_the_line_manager_and_hr_may_edit_terms_and_the_person_is_refused(story):
    for page in ("edit", "pattern"):
        url = f"/records/{story.amina.pk}/{page}"
        assert statuses(story, url) == expected(amina=403, ravi=200, grace=200), page


def test_nobody_else_changes_terms_by_posting(story):
    url = f"/records/{story.amina.pk}/edit"
    answers = statuses(story, url, "post", terms(grade="Z9", line_manager=str(story.ravi.pk)))
    # Ravi saves first; Grace sent the same version 0, so she is told instead (see below).
    assert answers == expected(amina=403, ravi=302, grace=200)
    pattern = f"/records/{story.amina.pk}/pattern"
    answers = statuses(story, pattern, "post", {"starts_0": "09:00", "ends_0": "10:00"})
    assert answers == expected(amina=403, ravi=302, grace=302)


def test_refused_posts_change_nothing(story):
    for name in ("amina", "taslima", "daniel", "chen", "samuel", "taras"):
        client = signed_in(getattr(story, name))
        client.post(f"/records/{story.amina.pk}/edit", terms(grade="Z9"))
        client.post(f"/records/{story.amina.pk}/pattern", {"starts_0": "09:00", "ends_0": "10:00"})
    assert record_of(story.amina) is None
    with scopes_disabled():
        assert not WorkingPattern.objects.filter(membership=story.amina).exists()


def test_hrs_list_of_staff_records_opens_to_hr_only(story):
    assert statuses(story, "/records") == expected(grace=200)


def test_the_directory_card_links_to_the_record_only_for_those_who_may_read_it(story):
    url = f"/people/{story.amina.pk}"
    record_link = f'href="/records/{story.amina.pk}"'
    for name in ("amina", "ravi", "grace"):
        assert record_link in signed_in(getattr(story, name)).get(url).content.decode(), name
    for name in ("taslima", "daniel", "chen", "samuel", "joseph"):
        html = assert_sound_page(signed_in(getattr(story, name)).get(url))
        assert record_link not in html and "Staff record" not in html, name


# --- reading ---------------------------------------------------------------------------


def test_the_record_shows_terms_position_line_manager_and_pattern(story):
    with scope(organisation=story.harbourside.pk):
        services.update_staff_record(
            actor=story.grace,
            person=story.amina,
            record=StaffRecord(organisation=story.harbourside, membership=story.amina),
            version=None,
            changes={
                "contract": "sessional",
                "grade": "P2",
                "hours_per_week": Decimal("24.5"),
                "started_on": dt.date(2025, 2, 3),
                "position": "Peer outreach worker",
            },
        )
        availability.set_working_pattern(
            actor=story.ravi,
            membership=story.amina,
            days={d: (dt.time(10, 45), dt.time(17)) for d in range(5)},
        )
    html = assert_sound_page(signed_in(story.amina).get(f"/records/{story.amina.pk}"))
    for shown in (
        "Peer outreach worker",
        "Sessional worker",
        "P2",
        "24.5",
        "3 Feb 2025",
        "Open-ended",
        "Ravi Shah",
        "10:45–17:00",
        "Not a working day",
    ):
        assert shown in html, shown
    assert "Edit staff record" not in html  # the person reads, never edits, their terms
    manager = assert_sound_page(signed_in(story.ravi).get(f"/records/{story.amina.pk}"))
    assert "Edit staff record" in manager and "Change the working pattern" in manager


def test_a_record_nobody_wrote_yet_says_so(story):
    html = assert_sound_page(signed_in(story.grace).get(f"/records/{story.olena.pk}"))
    assert "No terms have been written down yet." in html
    assert "No working pattern has been agreed yet." in html


def test_hrs_list_shows_terms_and_never_a_disclosure(story):
    with scope(organisation=story.harbourside.pk):
        services.update_staff_record(
            actor=story.grace,
            person=story.joseph,
            record=StaffRecord(organisation=story.harbourside, membership=story.joseph),
            version=None,
            changes={"contract": "volunteer", "grade": "V1", "started_on": dt.date(2024, 6, 1)},
        )
        services.disclose(
            actor=story.joseph,
            owner=story.joseph,
            category="health",
            answer={"own_words": "Canary-health-7781"},
        )
        services.share(
            actor=story.joseph,
            audience="person",
            grantee=story.grace,
            categories=["health"],
            purpose="Canary-purpose-7781",
        )
    html = assert_sound_page(signed_in(story.grace).get("/records"))
    assert "Joseph Otieno" in html and "Volunteer" in html and "V1" in html
    assert "1 Jun 2024" in html and "not written down yet" in html
    assert "Taras" not in html  # Riverside's
    assert "Canary" not in html


def test_hrs_list_pages_through_many_people_with_the_same_queries(story):
    client = signed_in(story.grace)
    client.get("/records")  # warm the session and caches
    with CaptureQueriesContext(connection) as few:
        assert client.get("/records").status_code == 200
    with scopes_disabled():
        for n in range(60):
            add_member(
                organisation=story.harbourside,
                username=f"extra{n}",
                display_name=f"Extra {n:02d}",
                email=f"extra{n}@example.org",
                roles=[Role.STAFF],
                team=story.team,
            )
    with CaptureQueriesContext(connection) as many:
        html = assert_sound_page(client.get("/records"))
    assert len(many) == len(few)
    assert "Page 1 of 2" in html
    assert "Page 2 of 2" in client.get("/records?page=2").content.decode()


def test_a_record_page_asks_the_same_queries_however_many_times_away(story):
    client = signed_in(story.ravi)
    url = f"/records/{story.amina.pk}"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    start = timezone.now() + dt.timedelta(days=1)
    with scope(organisation=story.harbourside.pk):
        for day in range(10):
            at = start + dt.timedelta(days=day, hours=day * 2)
            availability.add_unavailability(
                actor=story.amina,
                membership=story.amina,
                kind="unavailable",
                starts_at=at,
                ends_at=at + dt.timedelta(minutes=30),
            )
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


# --- editing terms ---------------------------------------------------------------------


def test_the_line_manager_writes_terms_and_a_position(story):
    client = signed_in(story.ravi)
    html = assert_sound_page(client.get(f"/records/{story.amina.pk}/edit"))
    assert 'name="version" value="0"' in html
    response = client.post(
        f"/records/{story.amina.pk}/edit",
        terms(
            position="Peer outreach worker",
            line_manager=str(story.ravi.pk),
            contract="employee",
            grade="P3",
            hours_per_week="37.5",
            started_on="2025-01-06",
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == f"/records/{story.amina.pk}"
    record = record_of(story.amina)
    assert (record.grade, record.hours_per_week, record.version) == ("P3", Decimal("37.5"), 1)
    assert record.started_on == dt.date(2025, 1, 6)
    story.amina.refresh_from_db()
    assert story.amina.title == "Peer outreach worker"
    assert story.amina.line_manager_id == story.ravi.pk


def test_the_line_manager_choice_lists_working_line_managers_only(story):
    html = assert_sound_page(signed_in(story.grace).get(f"/records/{story.amina.pk}/edit"))
    assert f'value="{story.ravi.pk}" selected' in html
    assert f'value="{story.taslima.pk}"' in html
    for other in (story.amina, story.joseph, story.daniel, story.taras):
        assert f'value="{other.pk}"' not in html
    assert "is paused" in html  # the form says what a new line manager does to shares


def test_bad_terms_keep_what_was_typed_and_change_nothing(story):
    client = signed_in(story.grace)
    response = client.post(
        f"/records/{story.amina.pk}/edit",
        terms(
            position="Outreach lead",
            grade="P4",
            hours_per_week="200",
            started_on="2025-05-01",
            ends_on="2025-04-01",
            line_manager=str(story.taras.pk),
        ),
    )
    html = assert_sound_page(response)
    assert response.status_code == 200
    assert "Ensure this value is less than or equal to 80." in html
    assert "Select a valid choice" in html
    assert 'value="Outreach lead"' in html and 'value="P4"' in html and 'value="200"' in html
    assert 'value="2025-04-01"' in html
    assert record_of(story.amina) is None
    story.amina.refresh_from_db()
    assert story.amina.title == "" and story.amina.line_manager_id == story.ravi.pk


def test_an_end_before_the_start_is_refused_beside_the_end_date(story):
    response = signed_in(story.grace).post(
        f"/records/{story.amina.pk}/edit",
        terms(line_manager=str(story.ravi.pk), started_on="2025-05-01", ends_on="2025-04-01"),
    )
    html = assert_sound_page(response)
    assert 'id="id_ends_on_error"' in html
    assert "The end date must be on or after the start date." in html
    assert record_of(story.amina) is None


def test_two_edits_from_one_version_the_second_is_told_and_loses_nothing(story):
    url = f"/records/{story.amina.pk}/edit"
    manager = signed_in(story.ravi)
    hr = signed_in(story.grace)
    # Both read the form before either saved (a new record: version 0).
    assert 'name="version" value="0"' in manager.get(url).content.decode()
    assert 'name="version" value="0"' in hr.get(url).content.decode()
    first = manager.post(url, terms(line_manager=str(story.ravi.pk), grade="P3"))
    assert first.status_code == 302
    second = hr.post(url, terms(line_manager=str(story.ravi.pk), grade="P5", hours_per_week="20"))
    html = assert_sound_page(second)
    assert second.status_code == 200
    assert "Someone else changed this staff record while you were editing" in html
    assert "Grade: P3" in html  # what is stored now
    assert 'value="P5"' in html and 'value="20"' in html  # what HR typed
    assert 'name="version" value="1"' in html
    record = record_of(story.amina)
    assert (record.grade, record.version) == ("P3", 1)
    # Saving again, knowingly, goes over the first change.
    third = hr.post(url, terms(line_manager=str(story.ravi.pk), grade="P5", version="1"))
    assert third.status_code == 302
    record = record_of(story.amina)
    assert (record.grade, record.version) == ("P5", 2)


def test_two_edits_of_a_saved_record_from_one_version_the_second_is_told(story):
    url = f"/records/{story.amina.pk}/edit"
    signed_in(story.ravi).post(url, terms(line_manager=str(story.ravi.pk), grade="P1"))
    one, two = signed_in(story.ravi), signed_in(story.grace)
    assert (
        one.post(url, terms(line_manager=str(story.ravi.pk), grade="P2", version="1")).status_code
        == 302
    )
    answer = two.post(url, terms(line_manager=str(story.ravi.pk), grade="P9", version="1"))
    assert "Someone else changed this staff record" in answer.content.decode()
    assert record_of(story.amina).grade == "P2"


def test_a_new_line_manager_pauses_the_persons_line_manager_shares(story):
    with scope(organisation=story.harbourside.pk):
        services.disclose(
            actor=story.amina, owner=story.amina, category="ost", answer={"medicine": "methadone"}
        )
        grant = services.share(
            actor=story.amina, audience="line_manager", categories=["ost"], purpose="planning"
        )
    client = signed_in(story.grace)
    response = client.post(
        f"/records/{story.amina.pk}/edit",
        terms(line_manager=str(story.taslima.pk)),
        follow=True,
    )
    html = assert_sound_page(response)
    assert "Staff record saved." in html
    assert "is paused until they confirm it" in html
    with scopes_disabled():
        grant = SharingGrant.objects.select_related("owner").get(pk=grant.pk)
        assert grant.is_paused()
    story.amina.refresh_from_db()
    assert story.amina.line_manager_id == story.taslima.pk


# --- the working pattern ---------------------------------------------------------------


def test_the_line_manager_records_an_agreed_later_start(story):
    client = signed_in(story.ravi)
    html = assert_sound_page(client.get(f"/records/{story.amina.pk}/pattern"))
    assert 'for="id_starts_0"' in html and 'type="time"' in html
    days = {}
    for day in range(5):
        days[f"starts_{day}"] = "10:45"
        days[f"ends_{day}"] = "17:00"
    response = client.post(f"/records/{story.amina.pk}/pattern", days)
    assert response.status_code == 302
    with scopes_disabled():
        rows = list(WorkingPattern.objects.filter(membership=story.amina).order_by("weekday"))
    assert [r.weekday for r in rows] == [0, 1, 2, 3, 4]
    assert {(r.starts, r.ends) for r in rows} == {(dt.time(10, 45), dt.time(17))}
    assert rows[0].agreed_by_id == story.ravi.pk
    form = client.get(f"/records/{story.amina.pk}/pattern").content.decode()
    assert 'name="starts_0" value="10:45"' in form
    assert 'name="starts_5"' in form and 'name="starts_5" value' not in form


def test_a_day_with_only_a_start_or_an_end_before_the_start_is_refused(story):
    with scope(organisation=story.harbourside.pk):
        availability.set_working_pattern(
            actor=story.ravi, membership=story.amina, days={0: (dt.time(9), dt.time(17))}
        )
    response = signed_in(story.ravi).post(
        f"/records/{story.amina.pk}/pattern",
        {"starts_1": "10:00", "starts_2": "15:00", "ends_2": "09:00", "starts_3": "soon"},
    )
    html = assert_sound_page(response)
    assert response.status_code == 200
    assert "Give both a start and an end" in html
    assert "The end must be after the start." in html
    assert "Enter a valid time." in html
    assert 'value="10:00"' in html and 'value="15:00"' in html and 'value="soon"' in html
    with scopes_disabled():
        rows = list(WorkingPattern.objects.filter(membership=story.amina))
    assert [(r.weekday, r.starts) for r in rows] == [(0, dt.time(9))]


def _pattern_version(html: str) -> str:
    return re.search(r'name="pattern_version" value="([0-9a-f]+)"', html).group(1)


def _days_of(person):
    with scopes_disabled():
        rows = WorkingPattern.objects.filter(membership=person).order_by("weekday")
        return [(r.weekday, r.starts, r.ends) for r in rows]


def test_two_managers_editing_the_pattern_at_once_the_second_is_told_and_keeps_their_input(
    story,
):
    url = f"/records/{story.amina.pk}/pattern"
    ravi, grace = signed_in(story.ravi), signed_in(story.grace)
    read_by_ravi = _pattern_version(ravi.get(url).content.decode())
    read_by_grace = _pattern_version(grace.get(url).content.decode())
    grace_saves = {"starts_0": "08:00", "ends_0": "12:00", "pattern_version": read_by_grace}
    assert grace.post(url, grace_saves).status_code == 302
    ravi_types = {"starts_1": "10:45", "ends_1": "17:00", "pattern_version": read_by_ravi}
    response = ravi.post(url, ravi_types)
    html = assert_sound_page(response)
    assert response.status_code == 200
    assert "Someone else changed this working pattern while you were editing" in html
    assert "08:00–12:00" in html  # what Grace saved, beside what Ravi typed
    assert 'name="starts_1" value="10:45"' in html
    assert _days_of(story.amina) == [(0, dt.time(8), dt.time(12))]
    # Saving again knowingly goes over Grace's pattern.
    response = ravi.post(url, {**ravi_types, "pattern_version": _pattern_version(html)})
    assert response.status_code == 302
    assert _days_of(story.amina) == [(1, dt.time(10, 45), dt.time(17))]


def test_hr_clears_the_pattern_by_leaving_every_day_empty(story):
    with scope(organisation=story.harbourside.pk):
        availability.set_working_pattern(
            actor=story.ravi, membership=story.amina, days={0: (dt.time(9), dt.time(17))}
        )
    assert signed_in(story.grace).post(f"/records/{story.amina.pk}/pattern", {}).status_code == 302
    with scopes_disabled():
        assert not WorkingPattern.objects.filter(membership=story.amina).exists()
