"""Makers of Riverside's path, target and hand-off records for the organisation isolation
walk (``peerwork.core.isolation``; nothing here runs in production). Each maker builds a
concern on the App. 9 path about the other organisation's ordinary member (Taras there):

- ``path_step_id``: its first stage (App. 9 q1), recorded by an HR officer there, who owns
  it: they read and correct it.
- ``target_id``: a target for work whose review date has passed, with a held review
  meeting of the concern; the HR officer owns it: they read, change and review it.
- ``handoff_id``: a hand-off for gross misconduct asked for by one HR officer and waiting
  for a countersignature; another HR officer owns it: they read it, its summary,
  countersign and withdraw it.

Routes under a concern (``<concern_id>/stage/``, ``/api/v1/concerns/{concern_id}/steps``)
get intake's concern (``isolation_intake``), on the review-meeting path: its owner records
a first stage through the API once the body builder has put it on the App. 9 path (the
walk builds bodies before it takes its snapshots).
"""

from __future__ import annotations

import datetime as dt
from typing import cast

from django.utils import timezone
from django_scopes import scopes_disabled

from peerwork.core.isolation import (
    Body,
    Made,
    Other,
    register_isolation_maker,
    register_isolation_request,
)
from peerwork.core.models import Membership, Role

from . import app9, paths
from .models import Concern, Handoff, PathStep, ReviewMeeting, Target

API = "/api/v1"
Q1 = {"indications": ["lateness"], "evidence": ["records"]}


def _app9_concern(other: Other, hr: Membership) -> Concern:
    today = other.organisation.local_today()
    concern = Concern(
        organisation=other.organisation,
        person=other.member,
        raised_by=hr,
        source=Concern.Source.MANAGER,
        category=Concern.Category.ATTENDANCE,
        path=Concern.Path.PROBLEM_DRUG_USE,
        noticed_from=today - dt.timedelta(days=21),
    )
    concern.what_happened = "Missed three morning needle exchange shifts"
    concern.save()
    return concern


def _step(other: Other) -> Made:
    hr = other.member_with(Role.HR)
    concern = _app9_concern(other, hr)
    step = paths.record_step(
        actor=hr, concern=concern, stage_key="q1", answers=Q1, notes="The rota shows the gaps"
    )
    return Made(value=str(step.pk), owner=hr, obj=step)


def _target(other: Other) -> Made:
    hr = other.member_with(Role.HR)
    concern = _app9_concern(other, hr)
    today = other.organisation.local_today()
    ReviewMeeting.objects.create(
        organisation=other.organisation,
        concern=concern,
        person=concern.person,
        held_by=hr,
        starts_at=timezone.now(),
        state=ReviewMeeting.State.HELD,
        held_at=timezone.now(),
    )
    target = Target(
        organisation=other.organisation,
        concern=concern,
        person=concern.person,
        measure=Target.Measure.ATTENDANCE,
        review_on=today - dt.timedelta(days=1),
        set_by=hr,
    )
    target.description = "At every morning shift on the rota"
    target.feedback_sources = "The rota"
    target.save()
    return Made(value=str(target.pk), owner=hr, obj=target)


def _handoff(other: Other) -> Made:
    asking = other.member_with(Role.STAFF, Role.HR)
    owner = other.member_with(Role.HR)
    concern = _app9_concern(other, asking)
    handoff = app9.request_handoff(
        actor=asking,
        concern=concern,
        grounds=Handoff.Grounds.GROSS_MISCONDUCT,
        review=None,
        reason="Took the outreach float home",
    )
    return Made(value=str(handoff.pk), owner=owner, obj=handoff)


register_isolation_maker("path_step_id", _step)
register_isolation_maker("target_id", _target)
register_isolation_maker("handoff_id", _handoff)


# --- what unsafe API calls send to succeed for the owner -----------------------------------


def _first_stage(made: Made) -> Body:
    concern = cast(Concern, made.obj)
    with scopes_disabled():
        Concern.objects.filter(pk=concern.pk).update(path=Concern.Path.PROBLEM_DRUG_USE)
    return Body(data={"stage": "q1", "answers": Q1, "notes": "The rota shows the gaps"})


def _step_patch(made: Made) -> Body:
    step = cast(PathStep, made.obj)
    return Body(data={"notes": "The rota and the sign-in sheet"}, headers=_version(step))


def _version(obj: PathStep | Target | Handoff) -> dict[str, str]:
    return {"If-Match": f'"{obj.version}"'}


def _target_patch(made: Made) -> Body:
    target = cast(Target, made.obj)
    return Body(data={"description": "At every shift on the rota"}, headers=_version(target))


def _target_review(made: Made) -> Body:
    target = cast(Target, made.obj)
    with scopes_disabled():
        meeting = ReviewMeeting.objects.filter(concern_id=target.concern_id).first()
    return Body(
        data={"meeting": str(meeting.pk) if meeting else "", "outcome": "unmet"},
        headers=_version(target),
    )


register_isolation_request(f"POST {API}/concerns/{{concern_id}}/steps", _first_stage)
register_isolation_request(f"PATCH {API}/path-steps/{{path_step_id}}", _step_patch)
register_isolation_request(f"PATCH {API}/targets/{{target_id}}", _target_patch)
register_isolation_request(f"POST {API}/targets/{{target_id}}/review", _target_review)
