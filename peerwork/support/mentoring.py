"""Peer mentoring and coaching pairs: requests, pairing, session logs and the consented
confirmation (issue 7 items 5 and 6; §3.11, §3.13, §4.2, App. 4).

- **Pairs** (``core.SupportRelationship``) are made by HR, from a staff member's request or
  on HR's own initiative. A peer mentor holds the peer mentor role, a coach the coach role.
  Never the person's own line manager: mentoring is support "recognised by the
  organisation but outside the line management structure" (§3.11), and a manager who
  coaches their own report would mix support with management (§3.13). Never the person
  themself, and never a second current pair of the same kind. The line manager is not told
  that a pair exists. Ending a pair makes yesterday its last day, so the former supporter
  reads nothing more from that moment (``access.in_pair``).
- **Requests** (``MentoringRequest``): a staff member asks for a peer mentor, perhaps a named
  one, with a note for HR in their own words (sealed under their key; HR's reads are
  audited). They may withdraw it while it waits.
- **Session logs** (``SupportSession``): the supporter logs a session (its date, not in the
  future, its length and notes, sealed under the staff member's key). Refused until the
  staff member has acknowledged the reporting duty on the pair's agreement (App. 4: staff
  are made aware of the obligation at the start of their first session). The two of them
  read the log; the supporter's reads are audited, the staff member's own are not. HR, the
  line manager and the director never read it (Principle 5); a former supporter neither.
- **Confirmations** (``SupportConfirmation``): with the staff member's consent on their
  agreement, the supporter answers yes or no, "support is taking place", for the line
  manager, who sees the latest answer and its date and nothing else (§4.2: support
  "recognised by managers"). Without consent it is refused; withdrawing consent hides the
  answers again (``access.confirmations_visible_to``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from peerwork.core import audit
from peerwork.core.access import DataClass, is_working_member
from peerwork.core.models import Membership, Role, SupportRelationship, active_members
from peerwork.core.notify import notify
from peerwork.core.versions import StaleVersion

from . import agreements
from .access import confirmations_visible_to, consents_to_confirmation, makes_pairs
from .agreements import current_q, local_today
from .models import MentoringRequest, SupportAgreement, SupportConfirmation, SupportSession

NOTE_MAX = 2000
NOTES_MAX = 4000
MINUTES_MAX = 600
EARLIEST_YEAR = 1970

ROLE_OF_KIND: dict[str, str] = {
    SupportRelationship.Kind.MENTOR: Role.PEER_MENTOR,
    SupportRelationship.Kind.COACH: Role.COACH,
}


# --- days ------------------------------------------------------------------------------------


def start_day(member: Membership) -> dt.date:
    """The first day of a pair made now. The earlier of the organisation's date and UTC's,
    so the pair counts as begun wherever it is asked (``access.supports`` and
    ``SupportRelationship.is_current`` compare with the date in the active zone: the
    organisation's in a request, the server's in the deadline loop)."""
    return min(local_today(member.organisation), timezone.localdate(timezone.now(), dt.UTC))


def last_day_if_ended_now(member: Membership) -> dt.date:
    """The last day of a pair ended now: the day before ``start_day``, so it is over at
    once for the access gates, in whichever zone they ask."""
    return start_day(member) - dt.timedelta(days=1)


# --- who may support ---------------------------------------------------------------------------


def supporters(organisation_id: uuid.UUID, *kinds: str) -> QuerySet[Membership]:
    """Active members holding the role a pair of one of ``kinds`` needs."""
    roles = [ROLE_OF_KIND[kind] for kind in kinds if kind in ROLE_OF_KIND]
    return (
        Membership.objects.filter(
            active_members(), organisation_id=organisation_id, role_grants__role__in=roles
        )
        .select_related("user")
        .distinct()
        .order_by("user__display_name", "user__username")
    )


def people_to_pair(organisation_id: uuid.UUID) -> QuerySet[Membership]:
    """Whom HR may pair with a mentor or coach: the organisation's working members."""
    from peerwork.core.access import WORKING_ROLES

    return (
        Membership.objects.filter(
            active_members(),
            organisation_id=organisation_id,
            role_grants__role__in=list(WORKING_ROLES),
        )
        .select_related("user")
        .distinct()
        .order_by("user__display_name", "user__username")
    )


def current_pair_of(person: Membership, kind: str) -> SupportRelationship | None:
    return (
        SupportRelationship.objects.filter(
            organisation_id=person.organisation_id, person=person, kind=kind
        )
        .filter(current_q())
        .first()
    )


def _pair_errors(
    person: Membership | None, supporter: Membership | None, kind: str
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if kind not in ROLE_OF_KIND:
        errors["kind"] = [_("Choose peer mentoring or coaching.")]
        return errors
    if person is None or not is_working_member(person):
        errors["person"] = [_("Choose a colleague who works here.")]
    if supporter is None or not supporter.is_active:
        errors["supporter"] = [_("Choose a mentor or coach from the list.")]
    if errors:
        return errors
    assert person is not None and supporter is not None  # noqa: S101 (checked above)
    if supporter.organisation_id != person.organisation_id:
        errors["supporter"] = [_("Choose a mentor or coach from the list.")]
    elif supporter.pk == person.pk:
        errors["supporter"] = [_("Nobody can be their own mentor or coach.")]
    elif person.line_manager_id == supporter.pk:
        errors["supporter"] = [
            _(
                "%(name)s is %(person)s's line manager. Mentoring and coaching sit outside "
                "line management, so choose someone else."
            )
            % {"name": supporter.name, "person": person.name}
        ]
    elif not supporter.has_role(ROLE_OF_KIND[kind]):
        errors["supporter"] = [
            _("%(name)s is not a peer mentor here.") % {"name": supporter.name}
            if kind == SupportRelationship.Kind.MENTOR
            else _("%(name)s is not a coach here.") % {"name": supporter.name}
        ]
    elif current_pair_of(person, kind) is not None:
        errors["person"] = [
            _("%(person)s already has a peer mentor: end that pairing first.")
            % {"person": person.name}
            if kind == SupportRelationship.Kind.MENTOR
            else _("%(person)s already has a coach: end that pairing first.")
            % {"person": person.name}
        ]
    return errors


def _kept_apart(actor: Membership, person: Membership, supporter: Membership) -> None:
    """Whoever investigates the person cannot become their mentor or coach (§4.7,
    ``peerwork.concerns.separation``); the refusal is audited there, outside this change's
    transaction."""
    from peerwork.concerns import separation

    try:
        separation.check_may_support(actor=actor, member=supporter, person=person)
    except separation.SeparationRefused as refused:
        raise ValidationError({"supporter": [refused.message]}) from None


# --- pairs -------------------------------------------------------------------------------------


def make_pair(
    *,
    actor: Membership,
    person: Membership | None,
    supporter: Membership | None,
    kind: str,
    request: MentoringRequest | None = None,
    now: dt.datetime | None = None,
) -> SupportRelationship:
    """HR pairs ``person`` with a peer mentor or coach (§3.11). The two are told; the
    person's line manager is not."""
    if not makes_pairs(actor):
        raise PermissionDenied
    errors = _pair_errors(person, supporter, kind)
    if errors:
        raise ValidationError(errors)
    assert person is not None and supporter is not None  # noqa: S101 (checked above)
    _kept_apart(actor, person, supporter)
    now = now or timezone.now()
    with transaction.atomic():
        pair = SupportRelationship.objects.create(
            organisation_id=person.organisation_id,
            person=person,
            supporter=supporter,
            kind=kind,
            started_on=start_day(person),
        )
        audit.record(
            actor=actor,
            action="support.pair.create",
            object_type="core.support_relationship",
            object_id=pair.pk,
            subject=person,
            data_class=DataClass.PERSONNEL,
            detail={"kind": kind, "supporter": supporter.pk},
        )
        if request is not None:
            moved = MentoringRequest.objects.filter(
                pk=request.pk, state=MentoringRequest.State.OPEN, version=request.version
            ).update(
                state=MentoringRequest.State.PAIRED, relationship=pair, version=F("version") + 1
            )
            if not moved:
                raise ValidationError(
                    _("This request was withdrawn or answered meanwhile: nothing was done.")
                )
            request.state = MentoringRequest.State.PAIRED
            request.relationship = pair
            request.version += 1
        for member in (person, supporter):
            notify(
                recipient=member,
                kind=agreements.PAIR_MADE.kind,
                params={"pair": str(pair.pk)},
                now=now,
            )
    return pair


def end_pair(
    *, actor: Membership, pair: SupportRelationship, now: dt.datetime | None = None
) -> SupportRelationship:
    """HR ends a pair: from now the former supporter reads nothing more of it."""
    if not makes_pairs(actor) or actor.organisation_id != pair.organisation_id:
        raise PermissionDenied
    if not pair.is_current():
        raise ValidationError(_("This pairing has already ended."))
    now = now or timezone.now()
    with transaction.atomic():
        pair.ended_on = last_day_if_ended_now(pair.person)
        pair.save(update_fields=["ended_on"])
        audit.record(
            actor=actor,
            action="support.pair.end",
            object_type="core.support_relationship",
            object_id=pair.pk,
            subject=pair.person,
            data_class=DataClass.PERSONNEL,
        )
        for member in (pair.person, pair.supporter):
            notify(recipient=member, kind=agreements.PAIR_ENDED.kind, params={}, now=now)
    return pair


def pairs_of(member: Membership) -> dict[str, list[SupportRelationship]]:
    """The member's own current pairs: the support they have, and whom they support."""
    pairs = agreements.pairs_in(member.organisation_id).filter(current_q())
    return {
        "mine": list(pairs.filter(person=member).order_by("kind", "started_on")),
        "supporting": list(
            pairs.filter(supporter=member).order_by(
                "person__user__display_name", "person__user__username"
            )
        ),
    }


def agreement_of(pair: SupportRelationship) -> SupportAgreement | None:
    return (
        SupportAgreement.objects.filter(organisation_id=pair.organisation_id, relationship=pair)
        .select_related(
            "relationship",
            "person__user",
            "person__organisation",
            "supporter__user",
            "exception_recipient__user",
            "organisation_agreed_by__user",
        )
        .first()
    )


# --- requests -----------------------------------------------------------------------------------


def _note(text: str | None, field: str = "note") -> str:
    text = (text or "").strip()
    if len(text) > NOTE_MAX:
        raise ValidationError(
            {field: [_("Please keep this under %(n)d characters.") % {"n": NOTE_MAX}]}
        )
    return text


def ask_for_mentor(
    *,
    actor: Membership,
    wanted: Membership | None = None,
    note: str = "",
    now: dt.datetime | None = None,
) -> MentoringRequest:
    """A staff member asks HR for a peer mentor, perhaps a named one (never their own line
    manager), with a note in their own words. HR is told that someone asked, not who."""
    if not is_working_member(actor):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if wanted is not None:
        if (
            wanted.organisation_id != actor.organisation_id
            or not wanted.is_active
            or not wanted.has_role(Role.PEER_MENTOR)
            or wanted.pk == actor.pk
        ):
            errors["wanted"] = [_("Choose a peer mentor from the list, or nobody in particular.")]
        elif actor.line_manager_id == wanted.pk:
            errors["wanted"] = [
                _(
                    "%(name)s is your line manager. Mentoring sits outside line management, "
                    "so choose someone else."
                )
                % {"name": wanted.name}
            ]
    try:
        text = _note(note)
    except ValidationError as error:
        errors.update(error.message_dict)
        text = ""
    if MentoringRequest.objects.filter(
        organisation_id=actor.organisation_id, person=actor, state=MentoringRequest.State.OPEN
    ).exists():
        errors[NON_FIELD_ERRORS] = [
            _("You have already asked for a mentor. Withdraw that request to ask again.")
        ]
    if errors:
        raise ValidationError(errors)
    now = now or timezone.now()
    with transaction.atomic():
        request = MentoringRequest(
            organisation_id=actor.organisation_id, person=actor, wanted=wanted, made_at=now
        )
        request.note = text
        request.save()
        audit.record(
            actor=actor,
            action="support.request.create",
            object_type="support.mentoring_request",
            object_id=request.pk,
            subject=actor,
            data_class=DataClass.DISCLOSED,
        )
        agreements._notify_each(
            [m for m in agreements.hr_of(actor.organisation_id) if m.pk != actor.pk],
            agreements.MENTOR_ASKED.kind,
            {"request": str(request.pk)},
            now,
        )
    return request


def withdraw_request(
    *, actor: Membership, request: MentoringRequest, version: int | None = None
) -> MentoringRequest:
    """The person withdraws their request while it waits (only they can)."""
    if actor.pk != request.person_id or not actor.is_active:
        raise PermissionDenied
    if request.state != MentoringRequest.State.OPEN:
        raise ValidationError(_("This request is no longer waiting: there is nothing to withdraw."))
    at = request.version if version is None else version
    with transaction.atomic():
        moved = MentoringRequest.objects.filter(
            pk=request.pk, version=at, state=MentoringRequest.State.OPEN
        ).update(state=MentoringRequest.State.WITHDRAWN, version=F("version") + 1)
        if not moved:
            raise StaleVersion
        request.state = MentoringRequest.State.WITHDRAWN
        request.version = at + 1
        audit.record(
            actor=actor,
            action="support.request.withdraw",
            object_type="support.mentoring_request",
            object_id=request.pk,
            subject=actor,
            data_class=DataClass.DISCLOSED,
        )
    return request


def pair_request(
    *,
    actor: Membership,
    request: MentoringRequest,
    supporter: Membership | None,
    now: dt.datetime | None = None,
) -> SupportRelationship:
    """HR answers a request with a peer mentor (the one asked for, or another)."""
    if not makes_pairs(actor):
        raise PermissionDenied
    if request.state != MentoringRequest.State.OPEN:
        raise ValidationError(_("This request is no longer waiting for a mentor."))
    return make_pair(
        actor=actor,
        person=request.person,
        supporter=supporter,
        kind=SupportRelationship.Kind.MENTOR,
        request=request,
        now=now,
    )


def read_request_note(*, actor: Membership, request: MentoringRequest) -> str | None:
    """The person's note to HR: theirs, and HR's (the read audited first; call outside a
    transaction)."""
    if actor.pk == request.person_id:
        return request.note
    if not makes_pairs(actor):
        return None
    note = request.note
    if note:
        audit.record_read(
            actor=actor,
            action="support.request.read",
            object_type="support.mentoring_request",
            object_id=request.pk,
            subject=request.person,
            data_class=DataClass.DISCLOSED,
        )
    return note


def open_requests(member: Membership) -> QuerySet[MentoringRequest]:
    return MentoringRequest.objects.filter(
        organisation_id=member.organisation_id, state=MentoringRequest.State.OPEN
    ).select_related("person__user", "wanted__user")


# --- session logs ---------------------------------------------------------------------------


def is_supporter(actor: Membership, pair: SupportRelationship) -> bool:
    """The pair's mentor or coach, while the pair is current."""
    return actor.is_active and actor.pk == pair.supporter_id and pair.is_current()


def _session_errors(
    pair: SupportRelationship,
    held_on: dt.date | None,
    minutes: int | None,
    notes: str | None,
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    agreement = agreement_of(pair)
    if agreement is None:
        errors[NON_FIELD_ERRORS] = [
            _(
                "Sessions are logged once this pairing has an agreement and %(person)s has "
                "acknowledged the duty to report the two exceptions. Nothing was saved."
            )
            % {"person": pair.person.name}
        ]
    elif not agreement.may_log_sessions():
        errors[NON_FIELD_ERRORS] = [
            _(
                "%(person)s has not yet acknowledged the duty to report the two exceptions "
                "on your agreement. Tell them about it before your first session; you can "
                "log sessions once they have acknowledged it. Nothing was saved."
            )
            % {"person": pair.person.name}
        ]
    today = local_today(pair.person.organisation)
    if held_on is None or held_on.year < EARLIEST_YEAR:
        errors["held_on"] = [_("Enter the day of the session.")]
    elif held_on > today:
        errors["held_on"] = [_("A session is logged after it happens: choose today or earlier.")]
    if minutes is not None and not 1 <= minutes <= MINUTES_MAX:
        errors["minutes"] = [
            _("Enter the minutes, from 1 to %(most)d, or leave it empty.") % {"most": MINUTES_MAX}
        ]
    if len((notes or "").strip()) > NOTES_MAX:
        errors["notes"] = [_("Please keep the notes under %(n)d characters.") % {"n": NOTES_MAX}]
    return errors


def _record_session(actor: Membership, action: str, session: SupportSession) -> None:
    audit.record(
        actor=actor,
        action=f"support.session.{action}",
        object_type="support.session",
        object_id=session.pk,
        subject=session.person,
        data_class=DataClass.CONFIDENTIAL,
    )


def log_session(
    *,
    actor: Membership,
    pair: SupportRelationship,
    held_on: dt.date | None,
    minutes: int | None = None,
    notes: str | None = "",
    now: dt.datetime | None = None,
) -> SupportSession:
    """The mentor or coach logs a session; refused (nothing saved) until the staff member
    has acknowledged the reporting duty."""
    if not is_supporter(actor, pair):
        raise PermissionDenied
    errors = _session_errors(pair, held_on, minutes, notes)
    if errors:
        raise ValidationError(errors)
    assert held_on is not None  # noqa: S101 (checked above)
    now = now or timezone.now()
    with transaction.atomic():
        session = SupportSession(
            organisation_id=pair.organisation_id,
            relationship=pair,
            person=pair.person,
            held_on=held_on,
            minutes=minutes,
            logged_by=actor,
            logged_at=now,
        )
        session.notes = (notes or "").strip()
        session.save()
        _record_session(actor, "create", session)
    return session


def change_session(
    *,
    actor: Membership,
    session: SupportSession,
    held_on: dt.date | None,
    minutes: int | None,
    notes: str | None,
    version: int,
) -> SupportSession:
    """The mentor or coach corrects their entry, at the version they read."""
    pair = session.relationship
    if not is_supporter(actor, pair):
        raise PermissionDenied
    errors = _session_errors(pair, held_on, minutes, notes)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # A sealed field is not written by ``update()``: take the version first, then save.
        moved = SupportSession.objects.filter(pk=session.pk, version=version).update(
            version=F("version") + 1
        )
        if not moved:
            raise StaleVersion
        session.version = version + 1
        session.held_on = held_on  # type: ignore[assignment]  # checked above
        session.minutes = minutes
        session.notes = (notes or "").strip()
        session.save(update_fields=["held_on", "minutes", "notes"])
        _record_session(actor, "change", session)
    return session


def remove_session(
    *, actor: Membership, session: SupportSession, version: int | None = None
) -> None:
    """The mentor or coach removes their entry for good."""
    if not is_supporter(actor, session.relationship):
        raise PermissionDenied
    with transaction.atomic():
        query = SupportSession.objects.filter(pk=session.pk)
        if version is not None:
            query = query.filter(version=version)
        if not query.exists():
            raise StaleVersion
        _record_session(actor, "remove", session)
        query.delete()


@dataclass(frozen=True)
class SessionRead:
    session: SupportSession
    notes: str


def _audit_reads(actor: Membership, sessions: list[SupportSession]) -> None:
    audit.record_reads(
        {
            "actor": actor,
            "action": "support.session.read",
            "object_type": "support.session",
            "object_id": session.pk,
            "subject": session.person,
            "data_class": DataClass.CONFIDENTIAL,
        }
        for session in sessions
        if actor.pk != session.person_id
    )


def read_sessions(*, actor: Membership, pair: SupportRelationship) -> list[SessionRead]:
    """The pair's log, newest first, for the two of them (the gate has checked). The
    supporter's reads are audited first, in one short transaction; call outside one."""
    sessions = list(
        SupportSession.objects.filter(organisation_id=pair.organisation_id, relationship=pair)
        .select_related("person__user", "logged_by__user")
        .order_by("-held_on", "-logged_at")
    )
    _audit_reads(actor, sessions)
    return [SessionRead(session, session.notes or "") for session in sessions]


def read_session(*, actor: Membership, session: SupportSession) -> str:
    _audit_reads(actor, [session])
    return session.notes or ""


# --- confirmations ----------------------------------------------------------------------------


def confirm_support(
    *,
    actor: Membership,
    pair: SupportRelationship,
    taking_place: bool,
    now: dt.datetime | None = None,
) -> SupportConfirmation:
    """The mentor or coach answers, for the staff member's line manager, whether support is
    taking place: yes or no, nothing more. Only while the staff member consents."""
    if not is_supporter(actor, pair):
        raise PermissionDenied
    if not consents_to_confirmation(pair):
        raise ValidationError(
            _(
                "%(person)s has not chosen to let you tell their line manager whether support "
                "is taking place. Nothing was sent."
            )
            % {"person": pair.person.name}
        )
    now = now or timezone.now()
    with transaction.atomic():
        confirmation = SupportConfirmation.objects.create(
            organisation_id=pair.organisation_id,
            relationship=pair,
            person=pair.person,
            taking_place=bool(taking_place),
            made_at=now,
        )
        audit.record(
            actor=actor,
            action="support.confirmation.create",
            object_type="support.confirmation",
            object_id=confirmation.pk,
            subject=pair.person,
            data_class=DataClass.PERSONNEL,
            detail={"taking_place": bool(taking_place)},
        )
        manager = pair.person.line_manager
        if manager is not None and manager.manages(pair.person):
            notify(recipient=manager, kind=agreements.CONFIRMATION_GIVEN.kind, params={}, now=now)
    return confirmation


def confirmation_for(viewer: Membership, person: Membership) -> SupportConfirmation | None:
    """The latest yes or no about ``person`` that ``viewer`` may see (§4.2), or None: for
    their line manager, only while the person consents. Issue 8's review pages call it."""
    return confirmations_visible_to(viewer, person).order_by("-made_at").first()


@dataclass(frozen=True)
class ReportAnswer:
    person: Membership
    confirmation: SupportConfirmation


def confirmations_for_manager(manager: Membership) -> list[ReportAnswer]:
    """The latest answer about each of the manager's reports who consents to one."""
    if not manager.is_active or not manager.has_role(Role.LINE_MANAGER):
        return []
    reports = (
        Membership.objects.filter(
            active_members(), organisation_id=manager.organisation_id, line_manager=manager
        )
        .select_related("user")
        .order_by("user__display_name", "user__username")
    )
    answers = []
    for person in reports:
        found = confirmation_for(manager, person)
        if found is not None:
            answers.append(ReportAnswer(person, found))
    return answers
