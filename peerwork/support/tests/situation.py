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

The group and the retreat are made through their services (``groups``, ``retreats``); the
pairs' requests, agreements, sessions and confirmations through the models until the
mentoring and agreement services land.

The extra situations of the section (``arrange_row`` by the row's key):

- ``line-manager-of-coachee``: Ravi, Olena's line manager; nothing to add (she does not
  consent to a confirmation);
- ``former-mentor``: Grace ended Samuel's mentoring of Amina; its last day was two days
  ago. (Two, not one: ``SupportRelationship.is_current`` compares with the server's date,
  which is a day behind Harbourside's between 21:00 and midnight UTC.)

Each confidential record carries words found nowhere else (``WORDS``), so a test can tell
whether an export or an answer holds it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django_scopes import scope

from peerwork.core.models import Membership, SupportRelationship
from peerwork.schedule.services import local_today
from peerwork.support import groups, retreats
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
    relationship: SupportRelationship,
    *,
    service: str,
    recipient: Membership,
    drafted_by: Membership,
    agreed_by: Membership,
    contact: str,
    consent: bool,
    today: dt.date,
    now: dt.datetime,
) -> SupportAgreement:
    agreement = SupportAgreement(
        organisation_id=relationship.organisation_id,
        relationship=relationship,
        person=relationship.person,
        supporter=relationship.supporter,
        service=service,
        sessions=6,
        frequency=SupportAgreement.Frequency.FORTNIGHTLY,
        concerns_route="Raised with HR, without naming what was said in sessions",
        exception_recipient=recipient,
        review_on=today + dt.timedelta(days=180),
        drafted_by=drafted_by,
        drafted_at=now - dt.timedelta(days=20),
        person_agreed_at=now - dt.timedelta(days=19),
        duty_acknowledged_at=now - dt.timedelta(days=19),
        supporter_agreed_at=now - dt.timedelta(days=19),
        organisation_agreed_at=now - dt.timedelta(days=18),
        organisation_agreed_by=agreed_by,
        confirm_consent_at=now - dt.timedelta(days=18) if consent else None,
    )
    agreement.contact = contact
    agreement.save()
    return agreement


def _session(
    relationship: SupportRelationship, notes: str, held_on: dt.date, now: dt.datetime
) -> SupportSession:
    session = SupportSession(
        organisation_id=relationship.organisation_id,
        relationship=relationship,
        person=relationship.person,
        held_on=held_on,
        minutes=50,
        logged_by=relationship.supporter,
        logged_at=now - dt.timedelta(days=7),
    )
    session.notes = notes
    session.save()
    return session


def arrange(story: Any, *, now: dt.datetime | None = None) -> Situation:
    now = now or timezone.now()
    org = story.harbourside
    with scope(organisation=org.pk):
        today = local_today(story.amina, now)
        mentoring = _pair(story, story.samuel, story.amina)
        coaching = _pair(story, story.leila, story.olena)
        request = MentoringRequest(
            organisation_id=org.pk,
            person=story.amina,
            wanted=story.samuel,
            state=MentoringRequest.State.PAIRED,
            made_at=now - dt.timedelta(days=25),
            relationship=mentoring,
        )
        request.note = WORDS["request"]
        request.save()
        amina_agreement = _agreement(
            mentoring,
            service="Peer mentoring",
            recipient=story.daniel,
            drafted_by=story.grace,
            agreed_by=story.grace,
            contact=WORDS["amina-contact"],
            consent=True,
            today=today,
            now=now,
        )
        olena_agreement = _agreement(
            coaching,
            service="Professional coaching",
            recipient=story.grace,
            drafted_by=story.grace,
            agreed_by=story.ravi,
            contact=WORDS["olena-contact"],
            consent=True,
            today=today,
            now=now,
        )
        amina_session = _session(
            mentoring, WORDS["amina-session"], today - dt.timedelta(days=7), now
        )
        olena_session = _session(
            coaching, WORDS["olena-session"], today - dt.timedelta(days=7), now
        )
        amina_confirmation = SupportConfirmation.objects.create(
            organisation_id=org.pk,
            relationship=mentoring,
            person=story.amina,
            taking_place=True,
            made_at=now - dt.timedelta(days=6),
        )
        olena_confirmation = SupportConfirmation.objects.create(
            organisation_id=org.pk,
            relationship=coaching,
            person=story.olena,
            taking_place=True,
            made_at=now - dt.timedelta(days=6),
        )
        # Olena withdraws her consent: the answer Leila gave is hers alone again.
        olena_agreement.confirm_consent_at = None
        olena_agreement.save(update_fields=["confirm_consent_at"])

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
        mentoring=mentoring,
        coaching=coaching,
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
    """``former-mentor``: Grace ended Samuel's mentoring of Amina (its last day two days
    ago)."""
    with scope(organisation=story.harbourside.pk):
        s.mentoring.ended_on = s.today - dt.timedelta(days=2)
        s.mentoring.save(update_fields=["ended_on"])


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
