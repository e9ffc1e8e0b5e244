"""Support at work in the shared story (the [record: support] section of the access matrix),
for every support test to build on.

At Harbourside (Africa/Nairobi):

- **Amina and Samuel** (peer mentoring, §3.11). Amina asked HR for a mentor, naming
  Samuel, and Grace paired them. Grace drafted their agreement, naming Daniel to receive
  exception reports (App. 4); Amina acknowledged the reporting duty before the first
  session, and all three agreed (Grace for the organisation). Amina lets Samuel confirm to
  Ravi that support is taking place; Samuel logged a session and confirmed "yes".
- **Olena and Leila** (coaching, §3.13). Grace drafted their agreement, naming herself to
  receive exception reports; Ravi agreed it for the organisation as Olena's line manager.
  Olena acknowledged the duty; Leila logged a session. Olena once let Leila confirm
  support to Ravi, Leila did, and Olena then withdrew her consent: she does not consent
  now, so nobody but Olena sees that answer.
- **The Friday lunch group** (§3.10, §4.8): Grace started it two months ago with Farah to
  facilitate; Amina joined; it met last Friday, shared a piece of learning with everyone,
  and went through mediation, the first step of the §4.8 path.
- **Ravi's peer retreat** (§3.12) in six weeks, Amina, Olena and Joseph invited, with the
  audit of how the organisation employs people who use drugs on its agenda.

Everything is made through the area services (``mentoring``, ``agreements``, ``groups``,
``retreats``), except two things the story already holds: the two pairs themselves, and
so HR's answer to Amina's request, which is linked to the pair the story made.

The extra situations of the section (``arrange_row`` by the row's key):

- ``line-manager-of-coachee``: Ravi, Olena's line manager; nothing to add (she does not
  consent to a confirmation);
- ``former-mentor``: Grace ended Samuel's mentoring of Amina (``mentoring.end_pair``).

Each confidential record carries words found nowhere else (``WORDS``), so a test can tell
whether an export or an answer holds it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import F
from django.utils import timezone
from django_scopes import scope

from peerwork.core.models import Membership, SupportRelationship
from peerwork.schedule.services import local_today
from peerwork.support import agreements, groups, mentoring, retreats
from peerwork.support.models import (
    GroupLearning,
    GroupMeeting,
    GroupMember,
    GroupStep,
    MentoringRequest,
    Retreat,
    SupportAgreement,
    SupportConfirmation,
    SupportGroup,
    SupportSession,
)

WORDS = {
    "amina-session": "Worried about the new police post at the market",
    "olena-session": "The clinic queue on Mondays and the team meeting",
    "amina-contact": "Tea at the kiosk by the ferry on Tuesdays",
    "olena-contact": "A video call on Thursday mornings",
    "request": "Someone who knows night outreach and NA",
    "learning": "Outreach pairs want a second phone charger in the bag",
}
EXTRAS = ("line-manager-of-coachee", "former-mentor")


@dataclass
class Situation:
    now: dt.datetime
    today: dt.date  # in Harbourside's own zone
    mentoring: SupportRelationship
    coaching: SupportRelationship
    amina_agreement: SupportAgreement
    olena_agreement: SupportAgreement
    amina_session: SupportSession
    olena_session: SupportSession
    amina_confirmation: SupportConfirmation
    olena_confirmation: SupportConfirmation
    request: MentoringRequest
    group: SupportGroup
    membership: GroupMember
    meeting: GroupMeeting
    learning: GroupLearning
    step: GroupStep
    retreat: Retreat

    def pair_of(self, subject: Membership) -> SupportRelationship:
        """The pair a row asks of: Olena's coaching when she is the subject, else Amina's
        mentoring."""
        return self.coaching if subject.pk == self.coaching.person_id else self.mentoring

    def agreement_of(self, subject: Membership) -> SupportAgreement:
        if subject.pk == self.coaching.person_id:
            return self.olena_agreement
        return self.amina_agreement

    def session_of(self, subject: Membership) -> SupportSession:
        return self.olena_session if subject.pk == self.coaching.person_id else self.amina_session

    def confirmation_of(self, subject: Membership) -> SupportConfirmation:
        if subject.pk == self.coaching.person_id:
            return self.olena_confirmation
        return self.amina_confirmation


def _pair(story: Any, supporter: Membership, person: Membership) -> SupportRelationship:
    return SupportRelationship.objects.get(
        organisation_id=story.harbourside.pk, supporter=supporter, person=person
    )


def _agreement(
    story: Any,
    pair: SupportRelationship,
    *,
    service: str,
    recipient: Membership,
    for_organisation: Membership,
    contact: str,
    today: dt.date,
    now: dt.datetime,
) -> SupportAgreement:
    """Grace drafts the pair's agreement; the staff member writes how they keep in touch
    and acknowledges the reporting duty; the three agree."""
    agreement = agreements.draft_agreement(
        actor=story.grace,
        pair=pair,
        terms=agreements.Terms(
            service=service,
            frequency=SupportAgreement.Frequency.FORTNIGHTLY,
            exception_recipient=recipient,
            review_on=today + dt.timedelta(days=180),
            sessions=6,
            concerns_route="Raised with HR, without naming what was said in sessions",
        ),
        now=now - dt.timedelta(days=20),
    )
    person = pair.person
    agreements.set_contact(actor=person, agreement=agreement, contact=contact)
    agreements.acknowledge_duty(actor=person, agreement=agreement, now=now - dt.timedelta(days=19))
    for party in (person, pair.supporter, for_organisation):
        agreements.agree(actor=party, agreement=agreement, now=now - dt.timedelta(days=19))
    return agreement


def arrange(story: Any, *, now: dt.datetime | None = None) -> Situation:
    now = now or timezone.now()
    org = story.harbourside
    with scope(organisation=org.pk):
        today = local_today(story.amina, now)
        mentor_pair = _pair(story, story.samuel, story.amina)
        coach_pair = _pair(story, story.leila, story.olena)
        # Amina asked for a mentor, naming Samuel; HR answered with the pair the story
        # already holds (making a second current mentor pair is refused, rightly).
        request = mentoring.ask_for_mentor(
            actor=story.amina,
            wanted=story.samuel,
            note=WORDS["request"],
            now=now - dt.timedelta(days=25),
        )
        MentoringRequest.objects.filter(pk=request.pk).update(
            state=MentoringRequest.State.PAIRED, relationship=mentor_pair, version=F("version") + 1
        )
        request.refresh_from_db()
        amina_agreement = _agreement(
            story,
            mentor_pair,
            service="Peer mentoring",
            recipient=story.daniel,
            for_organisation=story.grace,
            contact=WORDS["amina-contact"],
            today=today,
            now=now,
        )
        olena_agreement = _agreement(
            story,
            coach_pair,
            service="Professional coaching",
            recipient=story.grace,
            for_organisation=story.ravi,
            contact=WORDS["olena-contact"],
            today=today,
            now=now,
        )
        agreements.consent_to_confirmation(
            actor=story.amina, agreement=amina_agreement, now=now - dt.timedelta(days=18)
        )
        agreements.consent_to_confirmation(
            actor=story.olena, agreement=olena_agreement, now=now - dt.timedelta(days=18)
        )
        held_on = today - dt.timedelta(days=7)
        amina_session = mentoring.log_session(
            actor=story.samuel,
            pair=mentor_pair,
            held_on=held_on,
            minutes=50,
            notes=WORDS["amina-session"],
            now=now - dt.timedelta(days=7),
        )
        olena_session = mentoring.log_session(
            actor=story.leila,
            pair=coach_pair,
            held_on=held_on,
            minutes=50,
            notes=WORDS["olena-session"],
            now=now - dt.timedelta(days=7),
        )
        amina_confirmation = mentoring.confirm_support(
            actor=story.samuel, pair=mentor_pair, taking_place=True, now=now - dt.timedelta(days=6)
        )
        olena_confirmation = mentoring.confirm_support(
            actor=story.leila, pair=coach_pair, taking_place=True, now=now - dt.timedelta(days=6)
        )
        # Olena withdraws her consent: the answer Leila gave is hers alone again.
        agreements.withdraw_consent(actor=story.olena, agreement=olena_agreement)

        group = groups.start_group(
            actor=story.grace,
            terms=groups.GroupTerms(
                name="Friday lunch group",
                place="Drop-in centre, back room",
                frequency="Every Friday, 13:00 to 14:00",
                timing=SupportGroup.Timing.LUNCH,
                management_contact="Through Farah, by message",
                concerns_to="Grace in HR",
                review_on=today + dt.timedelta(days=180),
                facilitator=story.farah.pk,
            ),
            now=now - dt.timedelta(days=60),
        )
        groups.join_group(actor=story.amina, group=group, now=now - dt.timedelta(days=50))
        membership = GroupMember.objects.get(group=group, member=story.amina)
        last_friday = today - dt.timedelta(days=(today.weekday() - 4) % 7 or 7)
        meeting = groups.record_meeting(
            actor=story.farah, group=group, held_on=last_friday, attended=7, now=now
        )
        learning = groups.share_learning(
            actor=story.farah, group=group, text=WORDS["learning"], now=now - dt.timedelta(days=2)
        )
        step = groups.record_step(
            actor=story.grace,
            group=group,
            kind=GroupStep.Kind.MEDIATION,
            held_on=today - dt.timedelta(days=10),
            outcome="Two members agreed how to raise disagreements in the group",
            now=now,
        )
        starts = today + dt.timedelta(days=45)
        retreat = retreats.plan_retreat(
            actor=story.ravi,
            fields=retreats.RetreatFields(
                title="Peer retreat at Kilifi",
                purpose="Time together and learning, away from the drop-in",
                place="Kilifi",
                starts_on=starts,
                ends_on=starts + dt.timedelta(days=1),
                agenda=["Walk on the beach", "Sharing what works on night outreach"],
                attendees=[story.amina.pk, story.olena.pk, story.joseph.pk],
            ),
            now=now,
        )
    return Situation(
        now=now,
        today=today,
        mentoring=mentor_pair,
        coaching=coach_pair,
        amina_agreement=amina_agreement,
        olena_agreement=olena_agreement,
        amina_session=amina_session,
        olena_session=olena_session,
        amina_confirmation=amina_confirmation,
        olena_confirmation=olena_confirmation,
        request=request,
        group=group,
        membership=membership,
        meeting=meeting,
        learning=learning,
        step=step,
        retreat=retreat,
    )


def end_mentoring(story: Any, s: Situation) -> None:
    """``former-mentor``: Grace ends Samuel's mentoring of Amina."""
    with scope(organisation=story.harbourside.pk):
        s.mentoring = mentoring.end_pair(actor=story.grace, pair=s.mentoring, now=s.now)


def nothing_to_add(story: Any, s: Situation) -> None:
    """``line-manager-of-coachee``: the shared situation already is his (Olena does not
    consent to a confirmation)."""


ARRANGE = {"former-mentor": end_mentoring, "line-manager-of-coachee": nothing_to_add}


def arrange_row(story: Any, row: str, *, now: dt.datetime | None = None) -> Situation:
    """The shared situation, and the row's extra one when it has one."""
    s = arrange(story, now=now)
    if row in ARRANGE:
        ARRANGE[row](story, s)
    return s
