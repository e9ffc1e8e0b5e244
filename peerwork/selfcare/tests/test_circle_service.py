"""The risk circle's rules and flows (``peerwork.selfcare.circles``; App. 3): the
suggested rating, what a circle accepts, versions kept on every save and compared, the
content sealed, and the review reminder the deadline loop sends once (time arranged in
data: the step is called with ``now``).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from peerwork.core.models import AuditEvent, Notification
from peerwork.core.notify import render
from peerwork.selfcare import circles
from peerwork.selfcare.circles import Area
from peerwork.selfcare.models import RiskCircle
from peerwork.selfcare.tests.test_circle_pages import (
    ARREST,
    DEBT,
    NEEDLE,
    areas_of,
    circle_of,
    keep_circle,
    local_today,
    open_to,
    versions_of,
)

pytestmark = pytest.mark.django_db
REVIEW = circles.REVIEW_DUE.kind


# --- rules ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("likelihood", "consequence", "rating"),
    [(1, 1, 1), (5, 5, 10), (3, 3, 4), (3, 4, 5), (2, 5, 4), (5, 1, 2), (None, 3, None)],
)
def test_the_suggested_rating_is_likelihood_times_consequence_over_two_and_a_half_rounded_up(
    likelihood, consequence, rating
):
    assert circles.suggested_rating(likelihood, consequence) == rating


def test_every_suggested_rating_is_on_the_scale_and_grows_with_either_answer():
    for likelihood in range(1, 6):
        for consequence in range(1, 6):
            rating = circles.suggested_rating(likelihood, consequence)
            assert rating is not None and 1 <= rating <= 10
            if likelihood < 5:
                assert circles.suggested_rating(likelihood + 1, consequence) >= rating
            if consequence < 5:
                assert circles.suggested_rating(likelihood, consequence + 1) >= rating


def test_areas_are_cleaned_names_on_one_line_and_strategies_with_their_breaks():
    [area] = circles.clean_areas(
        [{"name": "  Arrest \n on   outreach ", "rating": 7, "prevention": " a\r\nb "}]
    )
    assert area.name == "Arrest on outreach" and area.prevention == "a\nb"
    assert len(area.key) == 8


def test_every_fault_is_named_by_its_area_and_field():
    with pytest.raises(ValidationError) as raised:
        circles.clean_areas(
            [
                {"name": "ok", "rating": 5},
                {"name": "", "rating": 0, "consequence": 9},
                {"name": "ok", "rating": True},
            ]
        )
    assert set(raised.value.message_dict) == {
        "areas.1.name",
        "areas.1.rating",
        "areas.1.consequence",
        "areas.2.rating",
    }


def test_duplicate_keys_are_refused():
    with pytest.raises(ValidationError) as raised:
        circles.clean_areas(
            [
                {"key": "0000abcd", "name": "a", "rating": 1},
                {"key": "0000abcd", "name": "b", "rating": 2},
            ]
        )
    assert set(raised.value.message_dict) == {"areas.1.key"}


def test_outside_four_to_ten_peerwork_says_so_kindly_and_sixteen_is_the_limit():
    assert circles.range_note(4) is None and circles.range_note(10) is None
    assert "at least four" in circles.range_note(2)
    assert "more than the usual ten" in circles.range_note(11)
    circles.clean_areas([{"name": f"r{n}", "rating": 5} for n in range(16)])
    with pytest.raises(ValidationError) as raised:
        circles.clean_areas([{"name": f"r{n}", "rating": 5} for n in range(17)])
    assert "at most 16" in raised.value.message_dict["areas"][0]


def test_talk_first_is_by_rating_keeping_the_persons_order_for_equal_ones():
    areas = [Area("a" * 8, "low", 2), Area("b" * 8, "high", 9), Area("c" * 8, "also high", 9)]
    assert [a.name for a in circles.talk_first(areas)] == ["high", "also high", "low"]


def test_a_comparison_matches_areas_by_key():
    before = [Area("0000000a", "Arrest", 7, prevention="x"), Area("0000000b", "Debt", 4)]
    after = [Area("0000000a", "Arrest at night", 5, prevention="y"), Area("0000000c", "New", 3)]
    found = circles.compare(before, after)
    assert [a.name for a in found.added] == ["New"]
    assert [a.name for a in found.removed] == ["Debt"]
    assert [(b.rating, a.rating) for b, a in found.rating_down] == [(7, 5)]
    assert [(b.name, a.name) for b, a in found.renamed] == [("Arrest", "Arrest at night")]
    assert [a.key for a in found.strategies_changed] == ["0000000a"]
    assert circles.compare(after, after).nothing


# --- flows -------------------------------------------------------------------------------


def test_every_save_keeps_a_numbered_version_and_the_content_is_sealed(story):
    keep_circle(story.amina, [ARREST])
    keep_circle(story.amina, [ARREST, NEEDLE])
    keep_circle(story.amina, [DEBT])
    assert versions_of(story.amina) == [1, 2, 3]
    circle = circle_of(story.amina)
    assert circle.version == 3
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT content FROM {RiskCircle._meta.db_table} WHERE id = %s",  # noqa: S608
            [circle.pk.hex if connection.vendor == "sqlite" else circle.pk],
        )
        stored = bytes(cursor.fetchone()[0])
    assert b"Owing money" not in stored and b"rating" not in stored
    with scope(organisation=story.harbourside.pk):
        saves = AuditEvent.objects.filter(action="selfcare.circle.save", object_id=str(circle.pk))
        assert saves.count() == 3


def test_only_working_members_keep_a_circle_and_only_the_owner_changes_it(story):
    with scope(organisation=story.harbourside.pk), pytest.raises(PermissionDenied):
        circles.save_circle(actor=story.leila, areas=[ARREST], version=None)
    circle = keep_circle(story.amina)
    with scope(organisation=story.harbourside.pk):
        with pytest.raises(PermissionDenied):
            circles.mark_big_change(actor=story.ravi, circle=circle, version=circle.version)
        with pytest.raises(PermissionDenied):
            circles.delete_circle(actor=story.ravi, circle=circle)
        with pytest.raises(PermissionDenied):
            circles.open_circle(actor=story.ravi, circle=circle, grantee=story.samuel, days=3)


def test_opening_again_to_the_same_person_moves_the_end(story):
    keep_circle(story.amina)
    first = open_to(story.amina, story.samuel, days=3)
    again = open_to(story.amina, story.samuel, days=20)
    assert again.pk == first.pk and again.expires_at > first.expires_at


def test_an_opening_through_a_date_ends_at_midnight_there_and_at_most_ninety_days_ahead(story):
    now = timezone.now()
    today = local_today(story)
    ends = circles.expiry(story.harbourside, until=today, days=None, now=now)
    assert timezone.localtime(
        ends, circles.zone_of(story.harbourside)
    ).date() == today + dt.timedelta(days=1)
    last = circles.latest_until(story.harbourside, now)
    assert circles.expiry(story.harbourside, until=last, days=None, now=now) - now <= dt.timedelta(
        days=90
    )
    with pytest.raises(ValidationError):
        circles.expiry(story.harbourside, until=last + dt.timedelta(days=1), days=None, now=now)
    with pytest.raises(ValidationError):
        circles.expiry(story.harbourside, until=today, days=3, now=now)


def test_a_suggestion_for_an_area_since_removed_cannot_be_kept_but_can_be_declined(story):
    keep_circle(story.amina, [ARREST, NEEDLE])
    open_to(story.amina, story.samuel)
    with scope(organisation=story.harbourside.pk):
        circle = circles.circle_of(story.amina)
        key = circles.parse_content(circle.content)[1].key
        suggestion = circles.suggest(
            actor=story.samuel, circle=circle, area=key, ring="management", text="Report it."
        )
    keep_circle(story.amina, [ARREST])
    with scope(organisation=story.harbourside.pk):
        with pytest.raises(ValidationError) as raised:
            circles.decide_suggestion(actor=story.amina, suggestion=suggestion, accept=True)
        assert "no longer in your circle" in raised.value.messages[0]
        circles.decide_suggestion(actor=story.amina, suggestion=suggestion, accept=False)
    assert [a.name for a in areas_of(story.amina)] == [ARREST["name"]]


def test_a_kept_suggestion_may_not_make_a_strategy_too_long(story):
    keep_circle(story.amina, [{**ARREST, "prevention": "p" * 990}])
    open_to(story.amina, story.samuel)
    with scope(organisation=story.harbourside.pk):
        circle = circles.circle_of(story.amina)
        key = circles.parse_content(circle.content)[0].key
        suggestion = circles.suggest(
            actor=story.samuel, circle=circle, area=key, ring="prevention", text="Carry less."
        )
        with pytest.raises(ValidationError):
            circles.decide_suggestion(actor=story.amina, suggestion=suggestion, accept=True)
        suggestion.refresh_from_db()
        assert suggestion.decided_at is None  # nothing decided: she may shorten and retry
    assert versions_of(story.amina) == [1]


# --- the review reminder ---------------------------------------------------------------


def reminders() -> list[Notification]:
    with scopes_disabled():
        return list(
            Notification.objects.filter(kind=REVIEW)
            .select_related("organisation", "recipient__user")
            .order_by("created_at")
        )


def at_noon_there(story, day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(12), tzinfo=circles.zone_of(story.harbourside))


def test_the_review_reminder_is_sent_once_when_the_year_is_up(story):
    keep_circle(story.amina)
    due = circle_of(story.amina).review_due_on
    assert circles.remind_circle_reviews(at_noon_there(story, due - dt.timedelta(days=1))) == 0
    assert reminders() == []
    now = at_noon_there(story, due)
    assert circles.remind_circle_reviews(now) == 1
    assert circles.remind_circle_reviews(now + dt.timedelta(minutes=1)) == 0
    [message] = reminders()
    assert message.recipient_id == story.amina.pk
    with scope(organisation=story.harbourside.pk):
        words = render(message)
    assert words.subject == "Time to look at your risk circle again"
    assert "drug" not in (words.subject + words.body).lower()
    assert words.link == "/selfcare/circle/"


def test_it_is_due_by_the_organisations_date_not_the_servers(story):
    keep_circle(story.amina)
    due = circle_of(story.amina).review_due_on
    zone = circles.zone_of(story.harbourside)
    # 22:30 UTC the evening before is already the due day in Nairobi (UTC+3).
    before_there = dt.datetime.combine(due, dt.time(0, 30), tzinfo=zone) - dt.timedelta(hours=1)
    assert circles.remind_circle_reviews(before_there) == 0
    assert circles.remind_circle_reviews(dt.datetime.combine(due, dt.time(0, 30), tzinfo=zone)) == 1


def test_saving_again_sets_a_new_year_and_owes_the_reminder_again(story):
    keep_circle(story.amina)
    due = circle_of(story.amina).review_due_on
    assert circles.remind_circle_reviews(at_noon_there(story, due)) == 1
    keep_circle(story.amina)
    circle = circle_of(story.amina)
    assert circle.review_reminded_at is None
    assert circle.review_due_on == circles.a_year_after(local_today(story))


def test_a_big_change_marked_by_the_person_sends_no_reminder(story):
    circle = keep_circle(story.amina)
    with scope(organisation=story.harbourside.pk):
        circles.mark_big_change(actor=story.amina, circle=circle, version=circle.version)
    assert circles.remind_circle_reviews(timezone.now() + dt.timedelta(days=1)) == 0
    assert reminders() == []
