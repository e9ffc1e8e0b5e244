"""Who may see and do what with concerns (issue 8 item 6; DESIGN.md "Privacy model"; the
[record: concerns] section of the access matrix).

- A **case** (the concern, its path's stages, targets, review meetings, meeting notes and a
  hand-off) is seen by the staff member, their line manager and HR. The line manager and HR
  work it; the staff member words their own account, agrees or disagrees with a note and
  writes their self-reflection on targets. The director sees aggregates only
  (``sees_aggregates``). A peer mentor sees nothing unless the person brings them to a
  review meeting, and then that meeting and its note only. Someone named to support the
  person while the concern is open (``NamedSupporter``) sees the case, never the
  investigation.
- An **investigation** (§4.4, §4.7): that it exists, its state and any suspension are
  seen by the staff member, their line manager and HR. What is inside it (investigators,
  findings) is seen by its investigators and HR, never by the staff member while it is
  open, and never by anyone who supports the person (``separation``): a supporter asking
  for it gets 404 and the attempt is audited.
- A **request for advice** (§4.6) is the asker's and the person they asked.
- The **training library** (App. 10) is for every working member.

Gates answer 404 for what the member may not see (or that does not exist, or belongs to
another organisation) and 403 for what they see but may not do.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from peerwork.core.access import Action, is_working_member, lookup
from peerwork.core.models import Membership, Role

from . import separation
from .models import (
    AdviceRequest,
    Concern,
    Handoff,
    Investigation,
    MeetingNote,
    PathStep,
    ReviewMeeting,
    Target,
)


def uses_concerns(member: Membership) -> bool:
    """The module is for working members: their own concerns, and the cases they work."""
    return bool(is_working_member(member))


def is_hr(member: Membership) -> bool:
    return bool(member.is_active and member.has_role(Role.HR))


def manages_case(member: Membership, person: Membership) -> bool:
    """The person's line manager and HR work a case (raise, meet, set targets, hand off)."""
    if not member.is_active or member.pk == person.pk:
        return False
    return member.manages(person) or is_hr(member)


def raises_concerns(member: Membership) -> bool:
    """Line managers and HR record concerns (a colleague or a client raises one with them)."""
    return bool(member.is_active and member.has_role(Role.LINE_MANAGER, Role.HR))


def sees_aggregates(member: Membership) -> bool:
    """The director (and HR) see counts across the organisation, never a case."""
    return bool(member.is_active and member.has_role(Role.DIRECTOR, Role.HR))


def is_named_supporter(member: Membership, concern: Concern) -> bool:
    return concern.is_open() and concern.supporters.filter(member_id=member.pk).exists()


def investigates_concern(member: Membership, concern: Concern) -> bool:
    investigation = getattr(concern, "investigation", None)
    return bool(
        investigation is not None
        and investigation.is_open()
        and investigation.investigators.filter(member_id=member.pk).exists()
    )


def reads_case(member: Membership, concern: Concern) -> bool:
    if not member.is_active:
        return False
    return (
        member.pk == concern.person_id
        or manages_case(member, concern.person)
        or is_named_supporter(member, concern)
        or investigates_concern(member, concern)
    )


def _concerns(member: Membership) -> QuerySet[Concern]:
    return Concern.objects.filter(organisation_id=member.organisation_id).select_related(
        "person__user", "person__organisation", "raised_by__user"
    )


def concern_for_member(
    member: Membership, concern_id: object, action: str = Action.READ
) -> Concern:
    """A concern: its person, their line manager, HR, a named supporter and its
    investigators read it; the line manager and HR change it; HR deletes one raised in
    error."""
    concern = lookup(_concerns(member), concern_id)
    if not reads_case(member, concern):
        raise Http404
    if action == Action.DELETE:
        if not is_hr(member) or member.pk == concern.person_id:
            raise PermissionDenied
    elif action != Action.READ and not manages_case(member, concern.person):
        raise PermissionDenied
    return concern


def reads_meeting(member: Membership, meeting: ReviewMeeting) -> bool:
    if not member.is_active:
        return False
    if member.pk in (meeting.person_id, meeting.held_by_id, meeting.peer_supporter_id):
        return True
    if manages_case(member, meeting.person):
        return True
    return meeting.concern is not None and is_named_supporter(member, meeting.concern)


def meeting_for_member(
    member: Membership, meeting_id: object, action: str = Action.READ
) -> ReviewMeeting:
    """A review meeting: its two people, the peer supporter the person brought, the person's
    line manager and HR read it. Change: the manager and HR (the agenda), the staff member
    (their own account and the wording of support outside work)."""
    meeting = lookup(
        ReviewMeeting.objects.filter(organisation_id=member.organisation_id).select_related(
            "person__user",
            "person__organisation",
            "held_by__user",
            "peer_supporter__user",
            "concern",
        ),
        meeting_id,
    )
    if not reads_meeting(member, meeting):
        raise Http404
    if action != Action.READ and not (
        member.pk == meeting.person_id
        or member.pk == meeting.held_by_id
        or manages_case(member, meeting.person)
    ):
        raise PermissionDenied
    return meeting


def note_for_member(member: Membership, note_id: object, action: str = Action.READ) -> MeetingNote:
    """A meeting note: read like its meeting; only the two who were there answer it, and
    the manager (or HR) writes it."""
    note = lookup(
        MeetingNote.objects.filter(organisation_id=member.organisation_id).select_related(
            "meeting__person__user",
            "meeting__held_by__user",
            "meeting__peer_supporter__user",
            "meeting__concern",
            "person__organisation",
        ),
        note_id,
    )
    if not reads_meeting(member, note.meeting):
        raise Http404
    if action != Action.READ and not (
        note.meeting.was_there(member) or manages_case(member, note.person)
    ):
        raise PermissionDenied
    return note


def _case_part(member: Membership, concern: Concern, action: str, *, person_changes: bool) -> None:
    if not (member.pk == concern.person_id or manages_case(member, concern.person)):
        raise Http404
    if action != Action.READ and not (
        manages_case(member, concern.person) or (person_changes and member.pk == concern.person_id)
    ):
        raise PermissionDenied


def target_for_member(member: Membership, target_id: object, action: str = Action.READ) -> Target:
    """A target: the person, their line manager and HR. The person changes only their
    self-reflection (the service decides which fields)."""
    target = lookup(
        Target.objects.filter(organisation_id=member.organisation_id).select_related(
            "concern__person__user", "person__organisation"
        ),
        target_id,
    )
    _case_part(member, target.concern, action, person_changes=True)
    return target


def step_for_member(member: Membership, step_id: object, action: str = Action.READ) -> PathStep:
    step = lookup(
        PathStep.objects.filter(organisation_id=member.organisation_id).select_related(
            "concern__person__user", "person__organisation"
        ),
        step_id,
    )
    _case_part(member, step.concern, action, person_changes=False)
    return step


def handoff_for_member(
    member: Membership, handoff_id: object, action: str = Action.READ
) -> Handoff:
    """A hand-off: the person, their line manager and HR read it; the line manager or HR
    asks for it and HR countersigns (the service checks who does which)."""
    handoff = lookup(
        Handoff.objects.filter(organisation_id=member.organisation_id).select_related(
            "concern__person__user", "person__organisation"
        ),
        handoff_id,
    )
    _case_part(member, handoff.concern, action, person_changes=False)
    return handoff


def reads_investigation(member: Membership, investigation: Investigation) -> bool:
    """That it exists, its state and any suspension: the person, their line manager and HR,
    and its investigators; never someone who supports the person (§4.7)."""
    if not member.is_active:
        return False
    if member.pk == investigation.person_id:
        return True
    if separation.supports(member, investigation.person):
        return False
    return (
        manages_case(member, investigation.person)
        or investigation.investigators.filter(member_id=member.pk).exists()
    )


def reads_findings(member: Membership, investigation: Investigation) -> bool:
    """What is inside: its investigators and HR, never a supporter; the person once it is
    completed."""
    if not member.is_active:
        return False
    if member.pk == investigation.person_id:
        return not investigation.is_open()
    if separation.supports(member, investigation.person):
        return False
    return is_hr(member) or investigation.investigators.filter(member_id=member.pk).exists()


def investigation_for_member(
    member: Membership, investigation_id: object, action: str = Action.READ
) -> Investigation:
    """An investigation. A supporter of the person gets 404 like an outsider, and the
    attempt is audited. Change: HR (open, suspend, name investigators, complete) and the
    investigators (findings); the service decides which."""
    investigation = lookup(
        Investigation.objects.filter(organisation_id=member.organisation_id).select_related(
            "person__user", "person__organisation", "concern"
        ),
        investigation_id,
    )
    if not reads_investigation(member, investigation):
        if member.is_active and separation.supports(member, investigation.person):
            separation.record_refused_read(actor=member, investigation=investigation)
        raise Http404
    if action != Action.READ and not (
        is_hr(member) or investigation.investigators.filter(member_id=member.pk).exists()
    ):
        raise PermissionDenied
    return investigation


def advice_for_member(
    member: Membership, advice_id: object, action: str = Action.READ
) -> AdviceRequest:
    """A request for advice (§4.6): the asker and the person asked, nobody else."""
    advice = lookup(
        AdviceRequest.objects.filter(organisation_id=member.organisation_id).select_related(
            "person__user", "asked__user", "person__organisation"
        ),
        advice_id,
    )
    if not member.is_active or member.pk not in (advice.person_id, advice.asked_id):
        raise Http404
    return advice
