"""Investigations as services (issue 8 items 4 and 5; §4.4, §4.7): HR opens one on a concern
(once, and never while supporting the person), names investigators (never a supporter or
the person: refused, audited, nothing saved), investigators and HR write the findings at
the version they read, a suspension is recorded only with a supporter named and within 90
days of the organisation's today, and completing it closes the concern as its outcome
says. The own-data export holds the inside back while it is open.

The helpers here (a supply concern, an open investigation, each kind of supporter) serve
the other investigation test files too."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django_scopes import scope

from peerwork.core.models import AuditEvent, Membership, Notification, SupportRelationship
from peerwork.core.versions import StaleVersion
from peerwork.people import personal_data
from peerwork.people.exception_reports import report_exception
from peerwork.support import groups
from peerwork.support.models import SupportGroup

from .. import investigations
from ..models import Concern, Handoff, Investigation, Investigator, NamedSupporter, ReviewMeeting

pytestmark = pytest.mark.django_db


# --- helpers for every investigation test file -------------------------------------------


def today_there(story: Any) -> dt.date:
    return story.harbourside.local_today()


def supply_concern(story: Any, person: Membership | None = None, **fields: Any) -> Concern:
    """A §4.7 concern about Amina (or ``person``) that Grace recorded: a client said she
    offered to buy for them."""
    person = person or story.amina
    with scope(organisation=person.organisation_id):
        concern = Concern(
            organisation_id=person.organisation_id,
            person=person,
            raised_by=story.grace if person.organisation_id == story.harbourside.pk else None,
            source=Concern.Source.CLIENT,
            category=fields.pop("category", Concern.Category.SUPPLY),
            path=fields.pop("path", Concern.Path.SUPPLY),
            noticed_from=fields.pop("noticed_from", today_there(story) - dt.timedelta(days=3)),
            **fields,
        )
        concern.what_happened = "A client said an offer was made at the drop-in."
        concern.save()
    return concern


def opened(story: Any, concern: Concern | None = None) -> Investigation:
    """Grace opens an investigation on the concern (a new supply concern by default)."""
    concern = concern or supply_concern(story)
    with scope(organisation=concern.organisation_id):
        return investigations.open_investigation(actor=story.grace, concern=concern)


def fresh(investigation: Investigation) -> Investigation:
    with scope(organisation=investigation.organisation_id):
        return Investigation.objects.select_related(
            "person__user", "person__organisation", "concern"
        ).get(pk=investigation.pk)


def refusals(action: str, actor: Membership | None = None) -> int:
    with scope(organisation=actor.organisation_id if actor else None):
        rows = AuditEvent.objects.filter(action=action)
        if actor is not None:
            rows = rows.filter(actor_id=actor.pk)
        return rows.count()


def named(story: Any, concern: Concern, member: Membership, by: Membership | None = None) -> Any:
    with scope(organisation=concern.organisation_id):
        return investigations.name_supporter(
            actor=by or concern.person, concern=concern, member=member
        )


# Each kind of supporter (§4.7 and issue 8 item 5), made real in the story: who it is and
# how they came to support Amina.
SUPPORTER_KINDS = (
    "peer_mentor",
    "coach",
    "group_facilitator",
    "named_supporter",
    "brought_peer_supporter",
    "mentor_who_reported",
)


def make_supporter(story: Any, kind: str, concern: Concern) -> Membership:
    """Someone who supports Amina in the way ``kind`` names."""
    org = story.harbourside
    with scope(organisation=org.pk):
        if kind == "peer_mentor":
            return story.samuel  # the story's pair
        if kind == "coach":
            SupportRelationship.objects.create(
                organisation=org, supporter=story.leila, person=story.amina, kind="coach"
            )
            return story.leila
        if kind == "group_facilitator":
            group = groups.start_group(
                actor=story.grace,
                terms=groups.GroupTerms(
                    name="Friday lunch",
                    place="The back room",
                    frequency="Every Friday",
                    timing=SupportGroup.Timing.LUNCH,
                    management_contact="Through the facilitator",
                    concerns_to="The facilitator",
                    review_on=today_there(story) + dt.timedelta(days=90),
                    facilitator=story.farah.pk,
                ),
            )
            groups.join_group(actor=story.amina, group=group)
            return story.farah
        if kind == "named_supporter":
            named(story, concern, story.joseph)
            return story.joseph
        if kind == "brought_peer_supporter":
            ReviewMeeting.objects.create(
                organisation=org,
                concern=concern,
                person=story.amina,
                held_by=story.ravi,
                peer_supporter=story.olena,
                starts_at=timezone.now() + dt.timedelta(days=2),
            )
            return story.olena
        if kind == "mentor_who_reported":
            report_exception(
                actor=story.samuel,
                person=story.amina,
                reason="life_in_danger",
                disclosed="Someone's life was at risk on Tuesday.",
                recipient=story.daniel,  # the default: the director
            )
            SupportRelationship.objects.filter(supporter=story.samuel, person=story.amina).update(
                ended_on=today_there(story) - dt.timedelta(days=1)
            )
            return story.samuel
    raise ValueError(kind)


# --- opening -------------------------------------------------------------------------------


def test_hr_opens_one_investigation_on_a_concern_and_the_person_is_told_in_neutral_words(story):
    concern = supply_concern(story)
    investigation = opened(story, concern)
    with scope(organisation=story.harbourside.pk):
        assert investigation.is_open() and investigation.opened_by_id == story.grace.pk
        assert investigation.person_id == story.amina.pk
        told = Notification.objects.get(recipient=story.amina, kind="concerns.investigation_update")
        assert "Amina" not in str(told.params) and told.params == {
            "investigation": str(investigation.pk)
        }
        assert AuditEvent.objects.filter(
            action="concerns.investigation.open", object_id=investigation.pk
        ).exists()
        with pytest.raises(ValidationError, match="already has an investigation"):
            investigations.open_investigation(actor=story.grace, concern=concern)


def test_only_hr_opens_an_investigation_and_never_on_a_closed_concern(story):
    concern = supply_concern(story)
    with scope(organisation=story.harbourside.pk):
        for someone in (story.ravi, story.daniel, story.amina, story.samuel):
            with pytest.raises(PermissionDenied):
                investigations.open_investigation(actor=someone, concern=concern)
        Concern.objects.filter(pk=concern.pk).update(state=Concern.State.CLOSED)
        concern.refresh_from_db()
        with pytest.raises(ValidationError, match="closed"):
            investigations.open_investigation(actor=story.grace, concern=concern)
        assert not Investigation.objects.exists()


def test_an_hr_officer_who_supports_the_person_cannot_open_an_investigation_of_them(story):
    concern = supply_concern(story)
    named(story, concern, story.grace)  # Amina asked Grace to support her
    with scope(organisation=story.harbourside.pk):
        with pytest.raises(ValidationError, match="§4.7"):
            investigations.open_investigation(actor=story.grace, concern=concern)
        assert not Investigation.objects.exists()
    assert refusals("concerns.investigator_refused", story.grace) == 1


# --- investigators ----------------------------------------------------------------------------


def test_hr_names_someone_who_supports_amina_in_no_way_an_investigator(story):
    investigation = opened(story)
    with scope(organisation=story.harbourside.pk):
        row = investigations.add_investigator(
            actor=story.grace, investigation=investigation, member=story.taslima
        )
        assert row.member_id == story.taslima.pk
        assert Notification.objects.filter(
            recipient=story.taslima, kind="concerns.investigator_named"
        ).exists()
        with pytest.raises(ValidationError) as twice:
            investigations.add_investigator(
                actor=story.grace, investigation=investigation, member=story.taslima
            )
        assert "already an investigator" in str(twice.value.message_dict["member"])
        with pytest.raises(PermissionDenied):
            investigations.add_investigator(
                actor=story.taslima, investigation=investigation, member=story.daniel
            )


@pytest.mark.parametrize("kind", SUPPORTER_KINDS)
def test_every_kind_of_supporter_is_refused_as_an_investigator_and_the_attempt_is_audited(
    story, kind
):
    investigation = opened(story)
    supporter = make_supporter(story, kind, investigation.concern)
    with scope(organisation=story.harbourside.pk):
        with pytest.raises(ValidationError) as refused:
            investigations.add_investigator(
                actor=story.grace, investigation=investigation, member=supporter
            )
        message = " ".join(refused.value.message_dict["member"])
        assert supporter.name in message and "§4.7" in message and "supports" in message
        assert not Investigator.objects.filter(investigation=investigation).exists()
        event = AuditEvent.objects.get(action="concerns.investigator_refused")
        assert event.actor_id == story.grace.pk and event.subject_id == story.amina.pk
        assert event.object_id == supporter.pk and event.detail == {"refused": True}


def test_the_person_cannot_investigate_themself(story):
    investigation = opened(story)
    with scope(organisation=story.harbourside.pk), pytest.raises(ValidationError) as refused:
        investigations.add_investigator(
            actor=story.grace, investigation=investigation, member=story.amina
        )
    assert "themself" in str(refused.value.message_dict["member"])
    assert refusals("concerns.investigator_refused", story.grace) == 1


def test_someone_outside_the_working_members_is_not_an_investigator(story):
    investigation = opened(story)
    with scope(organisation=story.harbourside.pk):
        with pytest.raises(ValidationError) as refused:
            investigations.add_investigator(
                actor=story.grace, investigation=investigation, member=story.peter
            )
        assert "works here" in str(refused.value.message_dict["member"])
        with pytest.raises(ValidationError):
            investigations.add_investigator(
                actor=story.grace, investigation=investigation, member=story.taras
            )


def test_hr_takes_an_investigator_off(story):
    investigation = opened(story)
    with scope(organisation=story.harbourside.pk):
        investigations.add_investigator(
            actor=story.grace, investigation=investigation, member=story.taslima
        )
        assert investigations.remove_investigator(
            actor=story.grace, investigation=investigation, member_id=story.taslima.pk
        )
        assert not investigations.remove_investigator(
            actor=story.grace, investigation=investigation, member_id=story.taslima.pk
        )
        assert not Investigator.objects.exists()


# --- findings -------------------------------------------------------------------------------


def test_an_investigator_writes_findings_at_the_version_they_read(story):
    investigation = opened(story)
    with scope(organisation=story.harbourside.pk):
        investigations.add_investigator(
            actor=story.grace, investigation=investigation, member=story.taslima
        )
        read = investigation.version
        investigations.record_findings(
            actor=story.taslima,
            investigation=investigation,
            findings="Two colleagues saw nothing of the kind.",
            version=read,
        )
        with pytest.raises(StaleVersion):
            investigations.record_findings(
                actor=story.grace, investigation=fresh(investigation), findings="x", version=read
            )
        assert fresh(investigation).findings == "Two colleagues saw nothing of the kind."
        for outsider in (story.ravi, story.amina, story.daniel):
            with pytest.raises(PermissionDenied):
                investigations.record_findings(
                    actor=outsider, investigation=fresh(investigation), findings="x"
                )


# --- suspension with support ---------------------------------------------------------------------


def test_a_suspension_is_refused_until_someone_is_named_to_support_the_person(story):
    investigation = opened(story)
    today = today_there(story)
    with scope(organisation=story.harbourside.pk):
        with pytest.raises(ValidationError) as refused:
            investigations.set_suspension(
                actor=story.grace,
                investigation=investigation,
                suspended_from=today,
                suspended_until=today + dt.timedelta(days=14),
            )
        assert "support" in " ".join(refused.value.messages)
        assert fresh(investigation).suspended_from is None
    named(story, investigation.concern, story.joseph)
    with scope(organisation=story.harbourside.pk):
        done = investigations.set_suspension(
            actor=story.grace,
            investigation=fresh(investigation),
            suspended_from=today,
            suspended_until=today + dt.timedelta(days=14),
        )
        assert done.suspended_until == today + dt.timedelta(days=14)
        assert investigations.suspended_on(fresh(investigation), today)


def test_a_suspensions_dates_hold_together_in_the_organisations_days(story):
    investigation = opened(story)
    named(story, investigation.concern, story.joseph)
    today = today_there(story)

    def suspend(first: dt.date | None, last: dt.date | None) -> dict[str, list[str]]:
        with scope(organisation=story.harbourside.pk), pytest.raises(ValidationError) as bad:
            investigations.set_suspension(
                actor=story.grace,
                investigation=fresh(investigation),
                suspended_from=first,
                suspended_until=last,
            )
        return bad.value.message_dict

    assert "suspended_until" in suspend(today, today - dt.timedelta(days=1))
    assert "suspended_until" in suspend(today, today + dt.timedelta(days=91))
    assert "suspended_from" in suspend(today - dt.timedelta(days=30), today)
    assert set(suspend(None, None)) == {"suspended_from", "suspended_until"}
    with scope(organisation=story.harbourside.pk):
        investigations.set_suspension(
            actor=story.grace,
            investigation=fresh(investigation),
            suspended_from=today,
            suspended_until=today + dt.timedelta(days=90),
        )
        with pytest.raises(PermissionDenied):
            investigations.set_suspension(
                actor=story.ravi,
                investigation=fresh(investigation),
                suspended_from=today,
                suspended_until=today,
            )


def test_the_last_supporter_stays_while_the_suspension_lasts(story):
    investigation = opened(story)
    row = named(story, investigation.concern, story.joseph)
    today = today_there(story)
    with scope(organisation=story.harbourside.pk):
        investigations.set_suspension(
            actor=story.grace,
            investigation=investigation,
            suspended_from=today,
            suspended_until=today + dt.timedelta(days=7),
        )
        with pytest.raises(ValidationError, match="support goes on"):
            investigations.remove_supporter(actor=story.amina, supporter=row)
        assert NamedSupporter.objects.filter(pk=row.pk).exists()
        investigations.end_suspension(actor=story.grace, investigation=fresh(investigation))
        investigations.remove_supporter(actor=story.amina, supporter=row)
        assert not NamedSupporter.objects.filter(pk=row.pk).exists()


# --- completing ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outcome", "closes_as"),
    [("no_grounds", "no_grounds"), ("restorative", "resolved"), ("support", "resolved")],
)
def test_completing_closes_the_concern_as_the_outcome_says(story, outcome, closes_as):
    investigation = opened(story)
    with scope(organisation=story.harbourside.pk):
        investigations.complete_investigation(
            actor=story.grace,
            investigation=investigation,
            outcome=outcome,
            findings="Nothing was offered; the client mistook someone else.",
        )
        done = fresh(investigation)
        assert done.state == Investigation.State.CLOSED and done.outcome == outcome
        assert done.closed_at is not None
        concern = Concern.objects.get(pk=investigation.concern_id)
        assert concern.state == Concern.State.CLOSED and concern.outcome == closes_as
        assert concern.closed_by_id == story.grace.pk
        assert "investigation was completed" in concern.outcome_reason
        with pytest.raises(ValidationError, match="already completed"):
            investigations.complete_investigation(
                actor=story.grace, investigation=done, outcome=outcome, findings="again"
            )


def test_a_disciplinary_outcome_asks_for_the_hand_off_and_waits_for_hrs_countersignature(story):
    investigation = opened(story)
    with scope(organisation=story.harbourside.pk):
        investigations.complete_investigation(
            actor=story.grace,
            investigation=investigation,
            outcome="disciplinary",
            findings="Seen handing over a bag at the drop-in on two days.",
            reason="Supply on work premises, seen by two colleagues.",
        )
        assert fresh(investigation).state == Investigation.State.CLOSED
        handoff = Handoff.objects.get(concern=investigation.concern_id)
        assert handoff.grounds == Handoff.Grounds.GROSS_MISCONDUCT
        assert handoff.state == Handoff.State.WAITING
        assert handoff.reason == "Supply on work premises, seen by two colleagues."
        assert Concern.objects.get(pk=investigation.concern_id).is_open()


def test_a_refused_hand_off_leaves_the_investigation_open(story):
    investigation = opened(story)
    with scope(organisation=story.harbourside.pk):
        Handoff.objects.create(
            organisation=story.harbourside,
            concern=investigation.concern,
            person=story.amina,
            grounds=Handoff.Grounds.GROSS_MISCONDUCT,
            requested_by=story.grace,
            state=Handoff.State.WAITING,
        )
        with pytest.raises(ValidationError, match="already been asked for"):
            investigations.complete_investigation(
                actor=story.grace,
                investigation=investigation,
                outcome="disciplinary",
                findings="Seen handing over a bag.",
                reason="Supply on work premises.",
            )
        assert investigation.is_open() and fresh(investigation).is_open()


def test_completing_needs_findings_and_an_outcome_and_changes_nothing_without(story):
    investigation = opened(story)
    with scope(organisation=story.harbourside.pk):
        with pytest.raises(ValidationError) as refused:
            investigations.complete_investigation(
                actor=story.grace, investigation=investigation, outcome="maybe", findings=" "
            )
        assert set(refused.value.message_dict) == {"outcome", "findings"}
        with pytest.raises(ValidationError) as no_reason:
            investigations.complete_investigation(
                actor=story.grace,
                investigation=investigation,
                outcome="disciplinary",
                findings="Seen handing over a bag.",
            )
        assert "reason" in no_reason.value.message_dict
        with pytest.raises(PermissionDenied):
            investigations.complete_investigation(
                actor=story.ravi, investigation=investigation, outcome="support", findings="x"
            )
        assert fresh(investigation).is_open()
        assert Concern.objects.get(pk=investigation.concern_id).is_open()


def test_completing_uses_the_findings_recorded_so_far_when_none_are_given(story):
    investigation = opened(story)
    with scope(organisation=story.harbourside.pk):
        investigations.record_findings(
            actor=story.grace, investigation=investigation, findings="Nothing found."
        )
        investigations.complete_investigation(
            actor=story.grace, investigation=fresh(investigation), outcome="no_grounds"
        )
        assert fresh(investigation).findings == "Nothing found."


def test_a_stale_completion_is_refused_and_leaves_it_open(story):
    investigation = opened(story)
    with scope(organisation=story.harbourside.pk):
        read = investigation.version
        investigations.record_findings(
            actor=story.grace, investigation=investigation, findings="So far."
        )
        with pytest.raises(StaleVersion):
            investigations.complete_investigation(
                actor=story.grace,
                investigation=fresh(investigation),
                outcome="support",
                findings="Final.",
                version=read,
            )
        assert fresh(investigation).is_open()


# --- the own-data export -------------------------------------------------------------------------


def test_the_export_holds_the_inside_back_while_an_investigation_is_open(story):
    investigation = opened(story)
    with scope(organisation=story.harbourside.pk):
        held = personal_data.withheld_for(story.amina)
        assert [kind for kind, _reason in held] == ["investigation"]
        assert "completed" in held[0][1]
        assert personal_data.withheld_for(story.olena) == []
        investigations.complete_investigation(
            actor=story.grace, investigation=investigation, outcome="no_grounds", findings="None."
        )
        assert personal_data.withheld_for(story.amina) == []
