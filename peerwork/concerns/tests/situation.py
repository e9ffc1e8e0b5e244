"""Concerns in the shared story (the [record: concerns] section of the access matrix), for
the matrix walkers and the own-data export tests to build on (issue 8 item 6).

At Harbourside (Africa/Nairobi):

- **Amina's attendance concern** (§4.2, App. 9). Ravi, her line manager, recorded it on
  the App. 9 path: she missed Monday outreach shifts. Its first stage is recorded, two
  work targets are set (attendance and time-keeping, never anything about drug use: §4.2,
  §4.3), and Ravi held a review meeting (App. 7) that Amina brought Samuel, her peer
  mentor, to. Its meeting note is written. Ravi asked for a hand-off to the disciplinary
  procedure on the grounds of gross misconduct; it waits for HR's countersignature.
- **Amina's §4.7 concern** (supplying or asking for drugs): Grace in HR recorded it and
  opened an investigation, and has written findings so far. Amina named Samuel, who
  already supports her, to support her through it, and Grace recorded a suspension with
  support for two weeks (§4.7: she is presumed innocent and still an employee). Nobody is
  named to investigate yet.
- **Amina's request for advice** (§4.6): she asked Ravi before acting. It is not a concern.
- **Olena's time-keeping concern**: Ravi met her and they closed it as a review of her
  agreed working pattern instead (App. 10 case 3); the meeting has a note.

Everything is made through the area services (``intake``, ``meetings``, ``paths``,
``app9``, ``investigations``, ``advice``), at the times the story tells.

The extra situations of the section (``arrange_row`` by the row's key):

- ``investigator``: Grace names Taslima an investigator of the §4.7 investigation;
- ``unbrought-peer-mentor``: Amina did not bring Samuel (the meeting has no peer
  supporter).

Each record carries words found nowhere else (``WORDS``), so a test can tell whether an
export or an answer holds it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django_scopes import scope

from peerwork.concerns import advice as advice_service
from peerwork.concerns import app9, intake, investigations, meetings, paths
from peerwork.concerns.models import (
    AdviceRequest,
    Concern,
    Handoff,
    Investigation,
    Investigator,
    MeetingNote,
    PathStep,
    ReviewMeeting,
    Target,
)
from peerwork.core.models import Membership

WORDS = {
    "concern": "Missed four Monday outreach shifts since the long rains",
    "evidence": "The drop-in sign-in sheets for March",
    "account": "The early matatu from the estate stopped running",
    "note": "Agreed to try the later Monday shift for a month",
    "target": "Signs in for every Monday shift by half past nine",
    "reflection": "Mondays go better when I pack the van on Sunday",
    "step": "The rota shows the gaps fall on Mondays only",
    "handoff": "Left the night van open with the client files inside",
    "supply": "A client said money changed hands behind the kiosk",
    "findings": "Two clients gave the same account of the kiosk",
    "advice": "An old friend from the programme asked me to dinner",
    "olena": "Late to three clinic mornings in a row",
    "olena-note": "The later start on clinic days we agreed answers it",
}
EXTRAS = ("investigator", "unbrought-peer-mentor")


@dataclass
class Situation:
    now: dt.datetime
    today: dt.date  # in Harbourside's own zone
    concern: Concern  # Amina's attendance concern (App. 9)
    step: PathStep
    targets: list[Target]
    meeting: ReviewMeeting
    note: MeetingNote
    handoff: Handoff
    supply: Concern  # Amina's §4.7 concern
    investigation: Investigation
    advice: AdviceRequest
    olena_concern: Concern
    olena_meeting: ReviewMeeting
    olena_note: MeetingNote
    investigator: Investigator | None = None

    @property
    def target(self) -> Target:
        return self.targets[0]

    def concern_of(self, subject: Membership) -> Concern:
        """The case a row asks of: Olena's closed concern when she is the subject, else
        Amina's attendance concern."""
        return self.olena_concern if subject.pk == self.olena_concern.person_id else self.concern

    def meeting_of(self, subject: Membership) -> ReviewMeeting:
        return self.olena_meeting if subject.pk == self.olena_concern.person_id else self.meeting

    def note_of(self, subject: Membership) -> MeetingNote:
        return self.olena_note if subject.pk == self.olena_concern.person_id else self.note

    def is_amina(self, subject: Membership) -> bool:
        return subject.pk == self.concern.person_id


def _concern(
    story: Any,
    *,
    person: Membership,
    raised_by: Membership,
    source: str,
    category: str,
    path: str,
    what_happened: str,
    noticed_from: dt.date,
    raised_at: dt.datetime,
    evidence: str = "",
    work_impact: str = "",
) -> Concern:
    return intake.record_concern(
        actor=raised_by,
        person=person,
        fields=intake.ConcernFields(
            source=source,
            category=category,
            noticed_from=noticed_from,
            what_happened=what_happened,
            evidence=evidence,
            work_impact=work_impact,
            path=path,
        ),
        record_anyway=True,
        now=raised_at,
    )


def _meeting(
    story: Any,
    *,
    concern: Concern,
    held_by: Membership,
    starts_at: dt.datetime,
    account: str,
    peer_supporter: Membership | None = None,
) -> ReviewMeeting:
    """The manager plans the meeting four days ahead; the staff member chooses whether to
    bring a peer supporter and words her own account; the manager writes the purpose and
    marks it held."""
    planned_at = starts_at - dt.timedelta(days=4)
    meeting = meetings.schedule_meeting(
        actor=held_by,
        person=None,
        concern=concern,
        starts_at=starts_at,
        place="The small office at the drop-in",
        now=planned_at,
    )
    person = concern.person
    if peer_supporter is not None:
        meetings.choose_supporter(
            actor=person,
            meeting=meeting,
            supporter=peer_supporter,
            version=meeting.version,
            now=planned_at,
        )
    meetings.change_meeting(
        actor=held_by,
        meeting=meeting,
        changes={"purpose": "To talk about how work is going"},
        version=meeting.version,
        now=planned_at,
    )
    meetings.change_meeting(
        actor=person,
        meeting=meeting,
        changes={"person_account": account},
        version=meeting.version,
        now=planned_at,
    )
    return meetings.mark_held(actor=held_by, meeting=meeting, now=starts_at + dt.timedelta(hours=1))


def _note(
    story: Any, *, meeting: ReviewMeeting, summary: str, review_on: dt.date | None
) -> MeetingNote:
    written_at = (meeting.held_at or meeting.starts_at) + dt.timedelta(hours=1)
    return meetings.write_note(
        actor=meeting.held_by, meeting=meeting, summary=summary, review_on=review_on, now=written_at
    )


def _target(
    story: Any,
    *,
    concern: Concern,
    measure: str,
    description: str,
    review_on: dt.date,
    set_in: ReviewMeeting,
    set_by: Membership,
    reflection: str = "",
) -> Target:
    target = app9.set_target(
        actor=set_by,
        concern=concern,
        fields=app9.TargetFields(
            measure=measure,
            description=description,
            review_on=review_on,
            feedback_sources="The drop-in rota and the team leader's sign-in check",
            set_in=set_in,
        ),
    )
    if reflection:
        target = app9.write_reflection(
            actor=concern.person,
            target=target,
            self_reflection=reflection,
            version=target.version,
        )
    return target


def arrange(story: Any, *, now: dt.datetime | None = None, brought: bool = True) -> Situation:
    """The story above. ``brought``: whether Amina brings Samuel to her review meeting."""
    now = now or timezone.now()
    org = story.harbourside
    with scope(organisation=org.pk):
        today = org.local_today(now)
        concern = _concern(
            story,
            person=story.amina,
            raised_by=story.ravi,
            source=Concern.Source.MANAGER,
            category=Concern.Category.ATTENDANCE,
            path=Concern.Path.PROBLEM_DRUG_USE,
            what_happened=WORDS["concern"],
            evidence=WORDS["evidence"],
            work_impact="Outreach on Mondays ran one worker short",
            noticed_from=today - dt.timedelta(days=42),
            raised_at=now - dt.timedelta(days=30),
        )
        meeting = _meeting(
            story,
            concern=concern,
            held_by=story.ravi,
            peer_supporter=story.samuel if brought else None,
            starts_at=now - dt.timedelta(days=21),
            account=WORDS["account"],
        )
        note = _note(
            story, meeting=meeting, summary=WORDS["note"], review_on=today + dt.timedelta(days=28)
        )
        step = paths.record_step(
            actor=story.ravi,
            concern=concern,
            stage_key="q1",
            answers={"indications": ["lateness"], "evidence": ["records"]},
            notes=WORDS["step"],
        )
        targets = [
            _target(
                story,
                concern=concern,
                measure=Target.Measure.ATTENDANCE,
                description=WORDS["target"],
                review_on=today + dt.timedelta(days=28),
                set_in=meeting,
                set_by=story.ravi,
                reflection=WORDS["reflection"],
            ),
            _target(
                story,
                concern=concern,
                measure=Target.Measure.TIME_KEEPING,
                description="Lets the team leader know by eight when running late",
                review_on=today + dt.timedelta(days=28),
                set_in=meeting,
                set_by=story.ravi,
            ),
        ]
        handoff = app9.request_handoff(
            actor=story.ravi,
            concern=concern,
            grounds=Handoff.Grounds.GROSS_MISCONDUCT,
            review=None,
            reason=WORDS["handoff"],
            now=now - dt.timedelta(days=2),
        )

        supply = _concern(
            story,
            person=story.amina,
            raised_by=story.grace,
            source=Concern.Source.CLIENT,
            category=Concern.Category.SUPPLY,
            path=Concern.Path.SUPPLY,
            what_happened=WORDS["supply"],
            noticed_from=today - dt.timedelta(days=10),
            raised_at=now - dt.timedelta(days=5),
        )
        investigation = investigations.open_investigation(
            actor=story.grace, concern=supply, now=now - dt.timedelta(days=4)
        )
        # A suspension is recorded only with support (§4.7): Amina names Samuel, who
        # already supports her, so nobody new learns of the concern.
        investigations.name_supporter(actor=story.amina, concern=supply, member=story.samuel)
        investigation = investigations.set_suspension(
            actor=story.grace,
            investigation=investigation,
            suspended_from=today - dt.timedelta(days=3),
            suspended_until=today + dt.timedelta(days=11),
            now=now,
        )
        investigation = investigations.record_findings(
            actor=story.grace, investigation=investigation, findings=WORDS["findings"]
        )

        advice = advice_service.ask_for_advice(
            actor=story.amina,
            asked=story.ravi,
            question=WORDS["advice"],
            now=now - dt.timedelta(days=1),
        )

        olena_concern = _concern(
            story,
            person=story.olena,
            raised_by=story.ravi,
            source=Concern.Source.MANAGER,
            category=Concern.Category.TIME_KEEPING,
            path=Concern.Path.REVIEW,
            what_happened=WORDS["olena"],
            noticed_from=today - dt.timedelta(days=60),
            raised_at=now - dt.timedelta(days=50),
        )
        olena_meeting = _meeting(
            story,
            concern=olena_concern,
            held_by=story.ravi,
            starts_at=now - dt.timedelta(days=45),
            account="Clinic mornings clash with the agreed start",
        )
        olena_note = _note(
            story, meeting=olena_meeting, summary=WORDS["olena-note"], review_on=None
        )
        olena_concern = intake.close_concern(
            actor=story.ravi,
            concern=Concern.objects.get(pk=olena_concern.pk),
            outcome=Concern.Outcome.PATTERN_REVIEW,
            reason="Her agreed later start on clinic days answers it",
            now=now - dt.timedelta(days=44),
        )
    return Situation(
        now=now,
        today=today,
        concern=concern,
        step=step,
        targets=targets,
        meeting=meeting,
        note=note,
        handoff=handoff,
        supply=supply,
        investigation=investigation,
        advice=advice,
        olena_concern=olena_concern,
        olena_meeting=olena_meeting,
        olena_note=olena_note,
    )


def name_investigator(story: Any, s: Situation) -> None:
    """``investigator``: Grace names Taslima, who supports Amina in no way, an investigator."""
    with scope(organisation=story.harbourside.pk):
        s.investigator = investigations.add_investigator(
            actor=story.grace, investigation=s.investigation, member=story.taslima
        )


def peer_mentor_not_brought(story: Any, s: Situation) -> None:
    """``unbrought-peer-mentor``: Amina did not choose to bring Samuel (``arrange_row``
    arranges the meeting so); nothing more to add."""
    assert s.meeting.peer_supporter_id is None  # noqa: S101


ARRANGE = {"investigator": name_investigator, "unbrought-peer-mentor": peer_mentor_not_brought}


def arrange_row(story: Any, row: str, *, now: dt.datetime | None = None) -> Situation:
    """The shared situation, and the row's extra one when it has one."""
    s = arrange(story, now=now, brought=row != "unbrought-peer-mentor")
    if row in ARRANGE:
        ARRANGE[row](story, s)
    return s


def without_handoff(concern: Concern) -> None:
    """A concern handed to the disciplinary procedure (or waiting for HR's countersignature
    to be) stays as the record of it (``intake.delete_concern``; tested in
    test_case_page.py). The delete cells ask whether a role removes a concern raised in
    error, so the case's hand-off, asked for and perhaps countersigned by the rows before,
    is taken away first."""
    with scope(organisation=concern.organisation_id):
        Handoff.objects.filter(concern=concern).delete()
