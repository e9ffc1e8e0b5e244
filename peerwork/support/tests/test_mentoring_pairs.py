"""Mentoring and coaching pairs (issue 7 item 5; §3.11, §3.13): HR makes them on the pairs
page, never with the person's own line manager, never with themselves, never a second
current pair of the same kind, and only with someone holding the role the kind needs; the
two are told and the line manager is not; HR ends a pair and the former mentor reads
nothing more of it. Also the helpers the other mentoring tests share."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from django_scopes import scope

from peerwork.api.tests.helpers import signed_in
from peerwork.core.models import Membership, Notification, SupportRelationship
from peerwork.core.tests.page_checks import assert_sound_page
from peerwork.support import agreements, mentoring
from peerwork.support.models import SupportAgreement

pytestmark = pytest.mark.django_db

PAIRS = "/support/pairs/"


# --- shared helpers (the other mentoring tests import them) --------------------------------


def pair_of(story: Any, person: str = "amina") -> SupportRelationship:
    """The story's current pair of ``person`` (Samuel mentors Amina, Leila coaches Olena)."""
    member = getattr(story, person)
    with scope(organisation=member.organisation_id):
        return SupportRelationship.objects.select_related(
            "person__user", "supporter__user", "person__organisation"
        ).get(person=member, ended_on__isnull=True)


def today_there(story: Any) -> dt.date:
    return agreements.local_today(story.harbourside)


def draft(
    story: Any,
    person: str = "amina",
    *,
    recipient: str = "daniel",
    agreed: bool = True,
    duty: bool = True,
    consent: bool = False,
    **terms: Any,
) -> SupportAgreement:
    """HR (Grace) drafts the agreement of ``person``'s pair; the parties agree as asked."""
    pair = pair_of(story, person)
    values: dict[str, Any] = {
        "service": "Harbourside Harm Reduction",
        "frequency": SupportAgreement.Frequency.FORTNIGHTLY,
        "sessions": None,
        "session_minutes": 60,
        "concerns_route": "",
        "exception_recipient": getattr(story, recipient),
        "exception_route": "In Peerwork, and a phone call the same day.",
        "review_on": today_there(story) + dt.timedelta(days=180),
    }
    values.update(terms)
    with scope(organisation=story.harbourside.pk):
        agreement = agreements.draft_agreement(
            actor=story.grace, pair=pair, terms=agreements.Terms(**values)
        )
        if agreed:
            for who in (pair.person, pair.supporter, story.grace):
                agreements.agree(actor=who, agreement=agreement)
        if duty:
            agreements.acknowledge_duty(actor=pair.person, agreement=agreement)
        if consent:
            agreements.consent_to_confirmation(actor=pair.person, agreement=agreement)
        return SupportAgreement.objects.select_related(
            "relationship", "person__user", "person__organisation", "supporter__user"
        ).get(pk=agreement.pk)


def notifications(member: Membership, kind: str) -> list[Notification]:
    with scope(organisation=member.organisation_id):
        return list(Notification.objects.filter(recipient=member, kind=kind))


def pairs_of(member: Membership) -> list[SupportRelationship]:
    with scope(organisation=member.organisation_id):
        return list(SupportRelationship.objects.filter(person=member).order_by("started_on"))


# --- the pairs page ----------------------------------------------------------------------------


def test_only_hr_opens_the_pairs_page(story):
    html = assert_sound_page(signed_in(story.grace).get(PAIRS))
    assert "Samuel Kiprop" in html and "Leila Haddad" in html
    for name in ("amina", "ravi", "daniel", "chen", "samuel", "leila", "peter", "taras"):
        assert signed_in(getattr(story, name)).get(PAIRS).status_code == 404, name


def test_hr_pairs_joseph_with_samuel_and_only_the_two_are_told(story):
    response = signed_in(story.grace).post(
        PAIRS,
        {"person": str(story.joseph.pk), "supporter": str(story.samuel.pk), "kind": "mentor"},
    )
    (pair,) = pairs_of(story.joseph)
    assert response.status_code == 302 and response["Location"] == f"/support/pairs/{pair.pk}/"
    assert pair.supporter_id == story.samuel.pk and pair.kind == "mentor"
    assert pair.is_current()
    made = agreements.PAIR_MADE.kind
    assert notifications(story.joseph, made) and notifications(story.samuel, made)
    # Mentoring sits outside line management: Ravi, Joseph's line manager, hears nothing.
    with scope(organisation=story.harbourside.pk):
        assert not Notification.objects.filter(recipient=story.ravi).exists()


def test_pairing_someone_with_their_own_line_manager_is_refused_and_says_why(story):
    with scope(organisation=story.harbourside.pk):
        mentoring_role = Membership.objects.get(pk=story.ravi.pk)
    from peerwork.core.services import set_roles

    with scope(organisation=story.harbourside.pk):
        set_roles(membership=mentoring_role, roles=["staff", "line_manager", "peer_mentor"])
    response = signed_in(story.grace).post(
        PAIRS,
        {"person": str(story.joseph.pk), "supporter": str(story.ravi.pk), "kind": "mentor"},
    )
    html = assert_sound_page(response)
    assert response.status_code == 200
    assert "Ravi Shah is Joseph Otieno&#x27;s line manager" in html
    assert "Mentoring and coaching sit outside line management" in html
    assert 'id="id_supporter_error"' in html
    assert pairs_of(story.joseph) == []


@pytest.mark.parametrize(
    ("person", "supporter", "kind", "field", "message"),
    [
        ("samuel", "samuel", "mentor", "supporter", "Nobody can be their own mentor or coach."),
        ("joseph", "leila", "mentor", "supporter", "Leila Haddad is not a peer mentor here."),
        ("joseph", "samuel", "coach", "supporter", "Samuel Kiprop is not a coach here."),
        ("amina", "samuel", "mentor", "person", "already has a peer mentor"),
        ("olena", "leila", "coach", "person", "already has a coach"),
    ],
)
def test_hr_is_told_what_is_wrong_and_nothing_is_made(
    story, person, supporter, kind, field, message
):
    before = {name: len(pairs_of(getattr(story, name))) for name in ("amina", "joseph", "samuel")}
    response = signed_in(story.grace).post(
        PAIRS,
        {
            "person": str(getattr(story, person).pk),
            "supporter": str(getattr(story, supporter).pk),
            "kind": kind,
        },
    )
    html = assert_sound_page(response)
    assert message in html and f'id="id_{field}_error"' in html
    assert {name: len(pairs_of(getattr(story, name))) for name in before} == before


def test_the_pair_page_is_for_the_two_and_hr(story):
    pair = pair_of(story)
    url = f"/support/pairs/{pair.pk}/"
    for name in ("amina", "samuel", "grace"):
        assert_sound_page(signed_in(getattr(story, name)).get(url))
    for name in ("ravi", "taslima", "daniel", "chen", "leila", "joseph", "farah", "peter", "taras"):
        assert signed_in(getattr(story, name)).get(url).status_code == 404, name


def test_hr_ends_a_pair_and_the_former_mentor_reads_nothing_more(story):
    agreement = draft(story)
    pair = pair_of(story)
    with scope(organisation=story.harbourside.pk):
        mentoring.log_session(
            actor=story.samuel, pair=pair, held_on=today_there(story), notes="We met."
        )
    samuel = signed_in(story.samuel)
    assert samuel.get(f"/support/pairs/{pair.pk}/").status_code == 200
    assert signed_in(story.samuel).post(f"/support/pairs/{pair.pk}/end/").status_code == 403
    response = signed_in(story.grace).post(f"/support/pairs/{pair.pk}/end/")
    assert response.status_code == 302
    with scope(organisation=story.harbourside.pk):
        pair.refresh_from_db()
    assert not pair.is_current()
    assert pair.ended_on is not None and pair.ended_on < timezone.localdate()
    for url in (
        f"/support/pairs/{pair.pk}/",
        f"/support/pairs/{pair.pk}/sessions/new/",
        f"/support/agreements/{agreement.pk}/",
    ):
        assert samuel.get(url).status_code == 404, url
    # Amina keeps her own log.
    html = assert_sound_page(signed_in(story.amina).get(f"/support/pairs/{pair.pk}/"))
    assert "We met." in html
    assert notifications(story.samuel, agreements.PAIR_ENDED.kind)


def test_a_pair_can_be_made_again_once_the_earlier_one_ended(story):
    pair = pair_of(story)
    with scope(organisation=story.harbourside.pk):
        mentoring.end_pair(actor=story.grace, pair=pair)
        again = mentoring.make_pair(
            actor=story.grace, person=story.amina, supporter=story.samuel, kind="mentor"
        )
    assert again.is_current() and again.pk != pair.pk
