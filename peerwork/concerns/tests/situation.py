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
  opened an investigation, with Amina suspended with support for two weeks (§4.7: she is
  presumed innocent and still an employee). Nobody is named to investigate yet.
- **Amina's request for advice** (§4.6): she asked Ravi before acting. It is not a concern.
- **Olena's time-keeping concern**: Ravi met her and they closed it as a review of her
  agreed working pattern instead (App. 10 case 3); the meeting has a note.

Each area's service makes its part where it has landed; until then the rows are made as
the service would (the same fields, sealed text and all).

The extra situations of the section (``arrange_row`` by the row's key):

- ``investigator``: Grace names Taslima an investigator of the §4.7 investigation;
- ``unbrought-peer-mentor``: Amina has not brought Samuel (the meeting has no peer
  supporter).

Each record carries words found nowhere else (``WORDS``), so a test can tell whether an
export or an answer holds it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import F
from django.utils import timezone
from django_scopes import scope

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
    concern = Concern(
        organisation_id=story.harbourside.pk,
        person=person,
        raised_by=raised_by,
        raised_at=raised_at,
        source=source,
        category=category,
        path=path,
        noticed_from=noticed_from,
    )
    concern.what_happened = what_happened
    concern.evidence = evidence
    concern.work_impact = work_impact
    concern.save()
    return concern


def _meeting(
    story: Any,
    *,
    concern: Concern,
    held_by: Membership,
    starts_at: dt.datetime,
    account: str,
    peer_supporter: Membership | None = None,
) -> ReviewMeeting:
    meeting = ReviewMeeting(
        organisation_id=story.harbourside.pk,
        concern=concern,
        person=concern.person,
        held_by=held_by,
        peer_supporter=peer_supporter,
        starts_at=starts_at,
        place="The small office at the drop-in",
        state=ReviewMeeting.State.HELD,
        held_at=starts_at + dt.timedelta(hours=1),
        support_agreed=[],
    )
    meeting.purpose = "To talk about how work is going"
    meeting.person_account = account
    meeting.save()
    return meeting


def _note(
    story: Any, *, meeting: ReviewMeeting, summary: str, review_on: dt.date | None
) -> MeetingNote:
    note = MeetingNote(
        organisation_id=story.harbourside.pk,
        meeting=meeting,
        person=meeting.person,
        review_on=review_on,
        written_by=meeting.held_by,
        written_at=meeting.held_at or meeting.starts_at,
    )
    note.summary = summary
    note.save()
    return note


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
    target = Target(
        organisation_id=story.harbourside.pk,
        concern=concern,
        person=concern.person,
        measure=measure,
        review_on=review_on,
        set_in=set_in,
        set_by=set_by,
    )
    target.description = description
    target.feedback_sources = "The drop-in rota and the team leader's sign-in check"
    target.self_reflection = reflection
    target.save()
    return target


def arrange(story: Any, *, now: dt.datetime | None = None) -> Situation:
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
            peer_supporter=story.samuel,
            starts_at=now - dt.timedelta(days=21),
            account=WORDS["account"],
        )
        note = _note(
            story, meeting=meeting, summary=WORDS["note"], review_on=today + dt.timedelta(days=28)
        )
        step = PathStep(
            organisation_id=org.pk,
            concern=concern,
            person=story.amina,
            stage="q1",
            answers={},
            meeting=meeting,
            recorded_by=story.ravi,
            recorded_at=now - dt.timedelta(days=21),
        )
        step.notes = WORDS["step"]
        step.save()
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
        handoff = Handoff(
            organisation_id=org.pk,
            concern=concern,
            person=story.amina,
            grounds=Handoff.Grounds.GROSS_MISCONDUCT,
            requested_by=story.ravi,
            requested_at=now - dt.timedelta(days=2),
            state=Handoff.State.WAITING,
        )
        handoff.reason = WORDS["handoff"]
        handoff.save()

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
        investigation = Investigation(
            organisation_id=org.pk,
            concern=supply,
            person=story.amina,
            opened_by=story.grace,
            opened_at=now - dt.timedelta(days=4),
            suspended_from=today - dt.timedelta(days=3),
            suspended_until=today + dt.timedelta(days=11),
        )
        investigation.findings = WORDS["findings"]
        investigation.save()

        advice = AdviceRequest(
            organisation_id=org.pk,
            person=story.amina,
            asked=story.ravi,
            asked_at=now - dt.timedelta(days=1),
        )
        advice.question = WORDS["advice"]
        advice.save()

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
        Concern.objects.filter(pk=olena_concern.pk).update(
            state=Concern.State.CLOSED,
            outcome=Concern.Outcome.PATTERN_REVIEW,
            closed_at=now - dt.timedelta(days=44),
            closed_by=story.ravi,
            version=F("version") + 1,
        )
        olena_concern.refresh_from_db()
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
        s.investigator = Investigator.objects.create(
            organisation_id=story.harbourside.pk,
            investigation=s.investigation,
            member=story.taslima,
            added_by=story.grace,
        )


def leave_the_peer_mentor_out(story: Any, s: Situation) -> None:
    """``unbrought-peer-mentor``: Amina has not brought Samuel to the meeting."""
    with scope(organisation=story.harbourside.pk):
        ReviewMeeting.objects.filter(pk=s.meeting.pk).update(
            peer_supporter=None, version=F("version") + 1
        )
        s.meeting.refresh_from_db()


ARRANGE = {"investigator": name_investigator, "unbrought-peer-mentor": leave_the_peer_mentor_out}


def arrange_row(story: Any, row: str, *, now: dt.datetime | None = None) -> Situation:
    """The shared situation, and the row's extra one when it has one."""
    s = arrange(story, now=now)
    if row in ARRANGE:
        ARRANGE[row](story, s)
    return s
