"""The hand-off to the organisation's disciplinary procedure (issue 8 item 3; App. 9 q8,
§4.2, §4.4, §4.7). Peerwork runs no discipline; it checks the grounds:

- on App. 9's grounds: stages q1–q7 recorded, a target, a held review on or after a
  target's date recording targets as not met, and support taken up (``unmet_despite_
  support``) or refused (``support_refused``); then it is handed off at once. Before any
  target date has passed it is refused, even with targets recorded unmet;
- for gross misconduct, on any path: a written reason, then HR's countersignature by
  someone other than the requester and the staff member. Without it the concern is not
  handed off.

Each refusal names what is missing and saves nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django_scopes import scope, scopes_disabled

from peerwork.concerns import app9
from peerwork.concerns.models import Concern, Handoff, Target
from peerwork.concerns.tests.test_app9_path import (
    app9_concern,
    meeting_on,
    record_up_to,
    target_on,
    today_there,
)
from peerwork.core.models import AuditEvent, Notification, SupportRelationship
from peerwork.core.notify import render
from peerwork.core.versions import StaleVersion

pytestmark = pytest.mark.django_db


@pytest.fixture
def hs(story):
    with scope(organisation=story.harbourside.pk):
        yield story


def ready(story, *, uptake: str = "taken_up", target_days_ago: int = 7):
    """A concern with q1–q7, a target whose date has passed, and a review held on that day
    recording it not met."""
    concern = app9_concern(story)
    first = meeting_on(story, concern, today_there(story) - dt.timedelta(days=40))
    target = target_on(story, concern, today_there(story) - dt.timedelta(days=target_days_ago))
    offered = ["flexible_hours"] if uptake != "none" else []
    q6 = {"support_offered": offered, "uptake": "" if uptake == "none" else uptake}
    if uptake == "none":
        q6["acknowledged"] = "no"
    record_up_to(story, concern, "q7", meeting=first, **q6)
    review = meeting_on(story, concern, target.review_on)
    app9.review_target(
        actor=story.ravi, target=target, meeting=review, outcome="unmet", version=target.version
    )
    return concern, review


def ask(story, concern, grounds, review=None, reason="", actor=None) -> Handoff:
    return app9.request_handoff(
        actor=actor or story.ravi, concern=concern, grounds=grounds, review=review, reason=reason
    )


def refusal(story, concern, grounds, review=None, reason="", actor=None) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as refused:
        ask(story, concern, grounds, review, reason, actor)
    concern.refresh_from_db()
    assert concern.state == Concern.State.OPEN
    assert not Handoff.objects.filter(concern=concern).exists()
    return refused.value.message_dict


def test_targets_unmet_despite_support_hand_off_at_once(hs):
    concern, review = ready(hs)
    handoff = ask(hs, concern, Handoff.Grounds.UNMET_DESPITE_SUPPORT, review)
    concern.refresh_from_db()
    assert handoff.state == Handoff.State.HANDED_OFF and concern.state == Concern.State.HANDED_OFF
    assert handoff.requested_by_id == hs.ravi.pk and handoff.countersigned_by_id is None
    event = AuditEvent.objects.filter(action="concerns.handoff_requested").get()
    assert event.detail == {"concern": str(concern.pk), "grounds": "unmet_despite_support"}
    # The staff member is told in neutral words, with a link.
    with scopes_disabled():
        message = Notification.objects.get(kind=app9.HANDOFF_MADE.kind)
    assert message.recipient_id == hs.amina.pk
    words = render(message)
    assert words.link == f"/concerns/handoffs/{handoff.pk}/"
    for word in ("Amina", "Ravi", "drug", "disciplin", "target"):
        assert word not in words.subject + words.body, word


def test_targets_unmet_with_support_refused_hand_off_on_that_ground_only(hs):
    concern, review = ready(hs, uptake="refused")
    errors = refusal(hs, concern, Handoff.Grounds.UNMET_DESPITE_SUPPORT, review)
    assert errors == {
        "grounds": [
            "The support stage (App. 9 q6) does not record support offered and taken up. If "
            "support was refused, choose that ground instead."
        ]
    }
    handoff = ask(hs, concern, Handoff.Grounds.SUPPORT_REFUSED, review)
    assert handoff.state == Handoff.State.HANDED_OFF


def test_support_taken_up_is_not_support_refused(hs):
    concern, review = ready(hs)
    errors = refusal(hs, concern, Handoff.Grounds.SUPPORT_REFUSED, review)
    assert set(errors) == {"grounds"}


def test_it_refuses_a_hand_off_before_a_target_date_has_passed_with_targets_recorded_unmet(hs):
    concern = app9_concern(hs)
    meeting = meeting_on(hs, concern, today_there(hs))
    record_up_to(hs, concern, "q7", meeting=meeting)
    target = concern.targets.get()
    assert target.review_on > today_there(hs)
    # Recorded unmet in today's meeting, before the target's date (as an import or an
    # earlier version might have left it).
    Target.objects.filter(pk=target.pk).update(outcome=Target.Outcome.UNMET, reviewed_in=meeting)
    errors = refusal(hs, concern, Handoff.Grounds.UNMET_DESPITE_SUPPORT, meeting)
    assert errors == {
        "review": [
            "No target's review date had come when that review was held. A hand-off waits for "
            "a review, on or after a target's date, that finds it not met."
        ]
    }


def test_a_review_meeting_held_before_the_date_does_not_open_it_either(hs):
    concern = app9_concern(hs)
    meeting = meeting_on(hs, concern, today_there(hs) - dt.timedelta(days=10))
    record_up_to(hs, concern, "q7", meeting=meeting)
    target = target_on(hs, concern, today_there(hs) - dt.timedelta(days=2))
    Target.objects.filter(pk=target.pk).update(outcome=Target.Outcome.UNMET, reviewed_in=meeting)
    errors = refusal(hs, concern, Handoff.Grounds.UNMET_DESPITE_SUPPORT, meeting)
    assert set(errors) == {"review"} and "No target's review date had come" in errors["review"][0]


def test_it_names_every_missing_thing_when_nothing_is_there(hs):
    concern = app9_concern(hs)
    errors = refusal(hs, concern, Handoff.Grounds.UNMET_DESPITE_SUPPORT)
    assert set(errors) == {"stages", "targets", "review", "grounds"}
    assert errors["stages"][0].startswith("First record these stages: What shows a problem")
    assert errors["targets"] == ["Set at least one target for work first (App. 9 q7)."]


def test_a_review_that_records_no_target_unmet_does_not_open_it(hs):
    concern, review = ready(hs)
    Target.objects.filter(concern=concern).update(outcome=Target.Outcome.PARTLY)
    errors = refusal(hs, concern, Handoff.Grounds.UNMET_DESPITE_SUPPORT, review)
    assert errors == {"review": ["That review does not record any target as not met."]}


def test_a_planned_review_or_another_concerns_does_not_open_it(hs):
    concern, _review = ready(hs)
    planned = meeting_on(hs, concern, today_there(hs), held=False)
    assert refusal(hs, concern, "unmet_despite_support", planned) == {
        "review": ["That review meeting has not been held yet."]
    }
    elsewhere = meeting_on(hs, app9_concern(hs), today_there(hs))
    assert refusal(hs, concern, "unmet_despite_support", elsewhere) == {
        "review": ["Choose a review meeting about this concern."]
    }


def test_the_app9_grounds_belong_to_the_app9_path(hs):
    concern = app9_concern(hs, path=Concern.Path.SUPPLY)
    errors = refusal(hs, concern, Handoff.Grounds.SUPPORT_REFUSED)
    assert (
        set(errors) == {"grounds"} and "problem drug use at work (App. 9)" in errors["grounds"][0]
    )
    assert [code for code, _l in app9.grounds_for(concern)] == ["gross_misconduct"]


def test_it_refuses_gross_misconduct_without_a_written_reason(hs):
    concern = app9_concern(hs, path=Concern.Path.SUPPLY)
    assert refusal(hs, concern, Handoff.Grounds.GROSS_MISCONDUCT, reason="   ") == {
        "reason": ["Write the reason: what happened, in terms of work."]
    }


def test_it_does_not_hand_off_for_gross_misconduct_without_hrs_countersignature(hs):
    concern = app9_concern(hs, path=Concern.Path.SUPPLY)
    handoff = ask(
        hs, concern, Handoff.Grounds.GROSS_MISCONDUCT, reason="Sold to a client at the drop-in"
    )
    concern.refresh_from_db()
    assert handoff.state == Handoff.State.WAITING
    assert concern.state == Concern.State.OPEN  # not handed off
    # HR is asked (not the requester, not the staff member); the staff member is told
    # nothing yet.
    with scopes_disabled():
        asked = list(Notification.objects.filter(kind=app9.HANDOFF_WAITING.kind))
        assert not Notification.objects.filter(kind=app9.HANDOFF_MADE.kind).exists()
    assert [m.recipient_id for m in asked] == [hs.grace.pk]
    # The requester, the staff member, a line manager and the director cannot countersign.
    for name in ("ravi", "taslima", "daniel", "amina"):
        with pytest.raises(PermissionDenied):
            app9.countersign_handoff(actor=getattr(hs, name), handoff=handoff)
    handoff.refresh_from_db()
    assert handoff.state == Handoff.State.WAITING
    app9.countersign_handoff(actor=hs.grace, handoff=handoff, version=handoff.version)
    concern.refresh_from_db()
    assert handoff.state == Handoff.State.HANDED_OFF and concern.state == Concern.State.HANDED_OFF
    assert handoff.countersigned_by_id == hs.grace.pk and handoff.countersigned_at is not None
    with scopes_disabled():
        told = {n.recipient_id for n in Notification.objects.filter(kind=app9.HANDOFF_MADE.kind)}
    assert told == {hs.amina.pk, hs.ravi.pk}
    with pytest.raises(ValidationError):
        app9.countersign_handoff(actor=hs.grace, handoff=handoff)


def test_hr_who_asked_cannot_countersign_their_own_request(hs):
    concern = app9_concern(hs, path=Concern.Path.THEFT_FRAUD)
    handoff = ask(hs, concern, "gross_misconduct", reason="The float was short", actor=hs.grace)
    with pytest.raises(ValidationError) as refused:
        app9.countersign_handoff(actor=hs.grace, handoff=handoff)
    assert "other than the person who asked" in refused.value.messages[0]
    assert app9.hr_who_may_countersign(handoff) == []


def test_hr_who_supports_the_person_cannot_countersign(hs):
    concern = app9_concern(hs, path=Concern.Path.SUPPLY)
    handoff = ask(hs, concern, "gross_misconduct", reason="Sold to a client")
    with scopes_disabled():
        SupportRelationship.objects.create(
            organisation=hs.harbourside,
            supporter=hs.grace,
            person=hs.amina,
            kind=SupportRelationship.Kind.COACH,
        )
    with pytest.raises(ValidationError) as refused:
        app9.countersign_handoff(actor=hs.grace, handoff=handoff)
    assert "(§4.7)" in refused.value.messages[0]
    handoff.refresh_from_db()
    assert handoff.state == Handoff.State.WAITING


def test_a_waiting_hand_off_can_be_withdrawn_and_asked_for_again(hs):
    concern = app9_concern(hs, path=Concern.Path.SUPPLY)
    handoff = ask(hs, concern, "gross_misconduct", reason="Sold to a client")
    with pytest.raises(ValidationError):
        ask(hs, concern, "gross_misconduct", reason="Twice")  # one at a time
    with pytest.raises(PermissionDenied):
        app9.withdraw_handoff(actor=hs.taslima, handoff=handoff)
    with pytest.raises(StaleVersion):
        app9.withdraw_handoff(actor=hs.ravi, handoff=handoff, version=handoff.version + 1)
    app9.withdraw_handoff(actor=hs.ravi, handoff=handoff, version=handoff.version)
    assert handoff.state == Handoff.State.WITHDRAWN
    again = ask(hs, concern, "gross_misconduct", reason="Sold to a client, a second account")
    assert again.pk == handoff.pk and again.state == Handoff.State.WAITING
    assert again.reason == "Sold to a client, a second account"


def test_only_the_line_manager_or_hr_ask_and_only_while_the_concern_is_open(hs):
    concern, review = ready(hs)
    for name in ("amina", "taslima", "samuel", "daniel"):
        with pytest.raises(PermissionDenied):
            ask(hs, concern, "unmet_despite_support", review, actor=getattr(hs, name))
    Concern.objects.filter(pk=concern.pk).update(state=Concern.State.CLOSED)
    concern.refresh_from_db()
    with pytest.raises(ValidationError):
        ask(hs, concern, "unmet_despite_support", review)
