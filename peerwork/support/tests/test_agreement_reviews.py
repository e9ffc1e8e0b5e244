"""Review reminders of support agreements (issue 7 item 6; App. 4 "this TOR will be reviewed
on <date>"), with time arranged in data: the deadline step is called with a ``now`` on the
review date where the organisation works. The staff member, the mentor or coach and HR
are told once, in neutral words; a second round sends nothing; a new review date asks
again; an ended pair is told nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django_scopes import scope, scopes_disabled

from peerwork.core.models import Notification
from peerwork.core.notify import render
from peerwork.support import agreements, mentoring
from peerwork.support.tests.test_mentoring_pairs import draft, pair_of, today_there

pytestmark = pytest.mark.django_db

REVIEW = agreements.REVIEW_DUE.kind


def noon_there(story, day: dt.date) -> dt.datetime:
    zone = agreements.zone_of(story.harbourside)
    return dt.datetime.combine(day, dt.time(12, 0), tzinfo=zone)


def told() -> list[str]:
    with scopes_disabled():
        return sorted(str(n.recipient_id) for n in Notification.objects.filter(kind=REVIEW))


def test_the_review_date_is_told_once_to_the_three_sides(story):
    review_on = today_there(story) + dt.timedelta(days=30)
    agreement = draft(story, review_on=review_on)
    assert (
        agreements.remind_agreement_reviews(noon_there(story, review_on - dt.timedelta(days=1)))
        == 0
    )
    assert told() == []
    assert agreements.remind_agreement_reviews(noon_there(story, review_on)) == 1
    assert told() == sorted(str(m.pk) for m in (story.amina, story.samuel, story.grace))
    assert (
        agreements.remind_agreement_reviews(noon_there(story, review_on + dt.timedelta(days=2)))
        == 0
    )
    assert len(told()) == 3
    with scopes_disabled():
        message = Notification.objects.filter(kind=REVIEW, recipient=story.ravi).first()
        sample = Notification.objects.filter(kind=REVIEW).first()
    assert message is None  # mentoring sits outside line management
    assert sample is not None
    words = render(sample)
    assert words.link == f"/support/agreements/{agreement.pk}/"
    assert "Amina" not in words.subject + words.body and "Samuel" not in words.body

    # A new review date, redrafted by HR, is told again when it comes.
    later = review_on + dt.timedelta(days=90)
    with scope(organisation=story.harbourside.pk):
        agreement.refresh_from_db()
        agreements.change_terms(
            actor=story.grace,
            agreement=agreement,
            terms=agreements.Terms(
                service=agreement.service,
                frequency=agreement.frequency,
                exception_recipient=story.daniel,
                exception_route=agreement.exception_route,
                review_on=later,
            ),
            version=agreement.version,
            now=noon_there(story, review_on),
        )
    assert agreements.remind_agreement_reviews(noon_there(story, later)) == 1
    assert len(told()) == 6


def test_the_review_comes_on_the_organisations_date_not_the_servers(story):
    review_on = today_there(story) + dt.timedelta(days=10)
    draft(story, review_on=review_on)
    # 22:30 in UTC the evening before is already the review date in Nairobi (UTC+3).
    evening = dt.datetime.combine(review_on - dt.timedelta(days=1), dt.time(22, 30), tzinfo=dt.UTC)
    early = dt.datetime.combine(review_on - dt.timedelta(days=1), dt.time(20, 30), tzinfo=dt.UTC)
    assert agreements.remind_agreement_reviews(early) == 0
    assert agreements.remind_agreement_reviews(evening) == 1


def test_an_ended_pair_is_not_reminded(story):
    review_on = today_there(story) + dt.timedelta(days=20)
    draft(story, review_on=review_on)
    with scope(organisation=story.harbourside.pk):
        mentoring.end_pair(actor=story.grace, pair=pair_of(story))
    assert agreements.remind_agreement_reviews(noon_there(story, review_on)) == 0
    assert told() == []
    # The claim is kept: nothing is due again.
    assert agreements.remind_agreement_reviews(noon_there(story, review_on)) == 0
