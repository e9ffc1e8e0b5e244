"""Investigations, named supporters and suspension with support (issue 8 items 4 and 5;
guide §4.4, §4.5, §4.7; PRODUCT.md Principle 4).

Some concerns need a formal investigation: supplying or asking for drugs (§4.7), theft or
fraud (§4.4), or anything HR judges needs one. HR opens it and names the investigators.
While it runs the person is presumed innocent and remains an employee; if they are
suspended, support goes on, given by people who take no part in the investigation (§4.7).
So:

- **Investigators** are chosen by HR from the working members, and each is checked by
  ``separation.check_may_investigate``: nobody who supports the person (their peer mentor
  or coach, a facilitator of their group, a named supporter, a peer supporter they brought
  to a review meeting, a mentor or coach who filed an exception report about them), and
  never the person. A refusal is audited, and nothing changes.
- **Named supporters** (``NamedSupporter``): the person names someone to support them while
  the concern is open, or whoever works the case does so and the person is told (a
  suspension with support, §4.7; a peer under pressure from clients, §4.5). Refused, and
  audited, when that someone investigates them (``separation.check_may_support``).
- **Suspension with support**: HR records the dates, only while at least one supporter is
  named, and the last supporter cannot be taken away while the suspension lasts.
- **What is inside** (investigators, findings) is read by the investigators and HR
  (``access.reads_findings``); the person reads it once it is completed, and their
  own-data export says it is held back until then
  (``personal_data.withheld_investigations``).
- **Completing** it (HR) needs findings. ``no_grounds`` closes the concern as no grounds
  found; ``restorative`` (§4.4) or ``support`` close it as resolved with support;
  ``disciplinary`` asks for the hand-off to the organisation's own procedure on grounds of
  gross misconduct, with a written reason and HR's countersignature (``app9``).

Typed, keyword-only services taking the acting membership. The record's gate
(``peerwork.concerns.access``) is called by the view first; the services check again who
may do what. The separation checks run before the change's transaction opens, so the
audit of a refusal is never rolled back with it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peerwork.core import audit
from peerwork.core.access import DataClass, is_working_member, lookup
from peerwork.core.models import Membership, Notification, Role, active_members
from peerwork.core.models.notifications import Channel
from peerwork.core.notify import notify, register_kind
from peerwork.core.versions import StaleVersion, update_if_current

from . import separation
from .access import is_hr, manages_case, reads_findings, reads_investigation
from .models import Concern, Handoff, Investigation, Investigator, NamedSupporter

FINDINGS_MAX = 20_000
REASON_MAX = 5_000
# A suspension is recorded for a bounded time and looked at again, never open-ended.
SUSPENSION_MAX_DAYS = 90

# The categories and paths for which the case page suggests an investigation (§4.4, §4.7).
SUGGESTED = frozenset({Concern.Category.SUPPLY, Concern.Category.THEFT_FRAUD})


# --- messages ------------------------------------------------------------------------------
#
# Neutral words (lock screens, shared inboxes): no names, nothing about what the concern is.


def _investigation_link(notification: Notification) -> str | None:
    value = notification.params.get("investigation")
    return reverse("concerns:investigation", args=[value]) if value else None


def _supporters_link(notification: Notification) -> str | None:
    value = notification.params.get("concern")
    return f"{reverse('concerns:supporters')}?concern={value}" if value else None


UPDATE_FOR_PERSON = register_kind(
    "concerns.investigation_update",
    subject=gettext_lazy("Peerwork: an update about a matter at work"),
    body=gettext_lazy(
        "There is an update for you about a matter at work. Open Peerwork to read it."
    ),
    default_channels=(Channel.EMAIL,),
    link=_investigation_link,
)
INVESTIGATOR_NAMED = register_kind(
    "concerns.investigator_named",
    subject=gettext_lazy("Peerwork: a task is waiting for you"),
    body=gettext_lazy(
        "You have been named to take part in an investigation. Open Peerwork to see it."
    ),
    default_channels=(Channel.EMAIL,),
    link=_investigation_link,
)
SUPPORTER_NAMED = register_kind(
    "concerns.supporter_named",
    subject=gettext_lazy("Peerwork: a colleague would like your support"),
    body=gettext_lazy(
        "You have been named to support a colleague for a while. Open Peerwork to see who."
    ),
    default_channels=(Channel.EMAIL,),
    link=_supporters_link,
)
SUPPORTER_NAMED_FOR_YOU = register_kind(
    "concerns.supporter_named_for_you",
    subject=gettext_lazy("Peerwork: support for you"),
    body=gettext_lazy(
        "Someone has been named to support you for a while. Open Peerwork to see who, and "
        "to change it if it does not suit you."
    ),
    default_channels=(Channel.EMAIL,),
    link=_supporters_link,
)


def _audit(
    actor: Membership,
    action: str,
    object_type: str,
    object_id: object,
    person: Membership,
    **detail: object,
) -> None:
    audit.record(
        actor=actor,
        action=f"concerns.{action}",
        object_type=object_type,
        object_id=object_id,  # type: ignore[arg-type]
        subject=person,
        data_class=DataClass.PERSONNEL,
        detail=detail or None,
    )


def _tell(people: Iterable[Membership | None], kind: str, params: Mapping[str, object]) -> None:
    seen: set[object] = set()
    for member in people:
        if member is None or member.pk in seen:
            continue
        seen.add(member.pk)
        notify(recipient=member, kind=kind, params=params)


def _colleague(actor: Membership, wanted: Membership | None, field: str) -> Membership:
    """A member of the actor's organisation who still works here, or the field's error."""
    if (
        wanted is None
        or wanted.organisation_id != actor.organisation_id
        or not is_working_member(wanted)
    ):
        raise ValidationError({field: [_("Choose a colleague who works here.")]})
    return wanted


def _refused(error: separation.SeparationRefused, field: str) -> ValidationError:
    return ValidationError({field: [error.message]})


# --- who sees which ------------------------------------------------------------------------


def investigation_of(concern: Concern) -> Investigation | None:
    return (
        Investigation.objects.filter(organisation_id=concern.organisation_id, concern=concern)
        .select_related("person__user", "person__organisation", "concern", "opened_by__user")
        .first()
    )


def investigations_for(member: Membership) -> list[Investigation]:
    """The investigations ``member`` may know of, open ones first: HR sees every one; anyone
    else those about them, about the people they manage, and those they investigate.
    Never one about someone they support (§4.7)."""
    if not member.is_active:
        return []
    rows = Investigation.objects.filter(organisation_id=member.organisation_id).select_related(
        "person__user", "person__organisation", "concern"
    )
    if not is_hr(member):
        rows = rows.filter(
            Q(person=member) | Q(person__line_manager=member) | Q(investigators__member=member)
        ).distinct()
    ordered = rows.order_by("-state", "-opened_at")  # "open" sorts before "closed" here
    return [row for row in ordered if reads_investigation(member, row)]


def investigators_on(investigation: Investigation) -> list[Investigator]:
    return list(
        Investigator.objects.filter(
            organisation_id=investigation.organisation_id, investigation=investigation
        )
        .select_related("member__user")
        .order_by("added_at")
    )


def supporters_on(concern: Concern) -> list[NamedSupporter]:
    return list(
        NamedSupporter.objects.filter(organisation_id=concern.organisation_id, concern=concern)
        .select_related("member__user", "added_by__user")
        .order_by("added_at")
    )


def may_open(member: Membership, concern: Concern) -> bool:
    """HR opens an investigation of an open concern about someone else, once."""
    return (
        is_hr(member)
        and member.pk != concern.person_id
        and concern.is_open()
        and not Investigation.objects.filter(
            organisation_id=concern.organisation_id, concern=concern
        ).exists()
    )


def suggests_investigation(concern: Concern) -> bool:
    """Supplying or asking for drugs (§4.7) and theft or fraud (§4.4) usually need one."""
    return concern.category in SUGGESTED or concern.path in (
        Concern.Path.SUPPLY,
        Concern.Path.THEFT_FRAUD,
    )


def names_supporters(member: Membership, concern: Concern) -> bool:
    """The person names their own supporters; whoever works the case (their line manager,
    HR) may name one for them, and the person is told."""
    return member.is_active and (
        member.pk == concern.person_id or manages_case(member, concern.person)
    )


def writes_findings(member: Membership, investigation: Investigation) -> bool:
    return (
        investigation.is_open()
        and reads_findings(member, investigation)
        and (
            is_hr(member)
            or Investigator.objects.filter(
                organisation_id=investigation.organisation_id,
                investigation=investigation,
                member_id=member.pk,
            ).exists()
        )
    )


def runs_investigation(member: Membership, investigation: Investigation) -> bool:
    """HR names investigators, records a suspension and completes it."""
    return is_hr(member) and member.pk != investigation.person_id


def suspended_on(investigation: Investigation, day: dt.date) -> bool:
    return (
        investigation.is_open()
        and investigation.suspended_from is not None
        and investigation.suspended_until is not None
        and investigation.suspended_from <= day <= investigation.suspended_until
    )


def suspension_ahead(investigation: Investigation, day: dt.date) -> bool:
    """A suspension that has not ended by ``day`` (it may not have started yet)."""
    return (
        investigation.is_open()
        and investigation.suspended_until is not None
        and investigation.suspended_until >= day
    )


def candidates(organisation_id: uuid.UUID, person: Membership) -> QuerySet[Membership]:
    """Whom a form offers: the organisation's working members, other than the person. The
    separation of duties is checked when one is chosen, with its reason in words."""
    from peerwork.core.access import WORKING_ROLES

    return (
        Membership.objects.filter(
            active_members(),
            organisation_id=organisation_id,
            role_grants__role__in=list(WORKING_ROLES),
        )
        .exclude(pk=person.pk)
        .select_related("user")
        .distinct()
        .order_by("user__display_name", "user__username")
    )


def supporter_candidates(organisation_id: uuid.UUID, person: Membership) -> QuerySet[Membership]:
    """Whom the person may name: working members and coaches, other than themself."""
    from peerwork.core.access import WORKING_ROLES

    return (
        Membership.objects.filter(
            active_members(),
            organisation_id=organisation_id,
            role_grants__role__in=[*WORKING_ROLES, Role.COACH],
        )
        .exclude(pk=person.pk)
        .select_related("user")
        .distinct()
        .order_by("user__display_name", "user__username")
    )


def supporter_for_member(
    member: Membership, named_supporter_id: object, action: str = "read"
) -> NamedSupporter:
    """A named supporter's row: read by the person, whoever works the case and the
    supporter themself; taken away by the person, HR, or the supporter stepping down
    (403 for the line manager, who reads it). Anyone else: 404."""
    row = lookup(
        NamedSupporter.objects.filter(organisation_id=member.organisation_id).select_related(
            "concern__person__user", "concern__person__organisation", "member__user"
        ),
        named_supporter_id,
    )
    person = row.concern.person
    if not member.is_active or not (
        member.pk in (person.pk, row.member_id) or manages_case(member, person)
    ):
        raise Http404
    if action != "read" and not (member.pk in (person.pk, row.member_id) or is_hr(member)):
        raise PermissionDenied
    return row


# --- opening and investigators ----------------------------------------------------------


def open_investigation(
    *, actor: Membership, concern: Concern, now: dt.datetime | None = None
) -> Investigation:
    """HR opens an investigation of an open concern. HR must not support the person
    themself (§4.7): they run it. The person is told, in neutral words."""
    if not is_hr(actor) or actor.pk == concern.person_id:
        raise PermissionDenied(_("HR opens investigations."))
    if not concern.is_open():
        raise ValidationError(_("This concern is closed: it needs no investigation now."))
    if Investigation.objects.filter(
        organisation_id=concern.organisation_id, concern=concern
    ).exists():
        raise ValidationError(_("This concern already has an investigation."))
    try:
        separation.check_may_investigate(actor=actor, member=actor, person=concern.person)
    except separation.SeparationRefused as refused:
        raise ValidationError(refused.message) from None
    now = now or timezone.now()
    try:
        with transaction.atomic():
            investigation = Investigation.objects.create(
                organisation_id=concern.organisation_id,
                concern=concern,
                person=concern.person,
                opened_by=actor,
                opened_at=now,
            )
            _audit(
                actor,
                "investigation.open",
                "concerns.investigation",
                investigation.pk,
                concern.person,
            )
            _tell(
                [concern.person], UPDATE_FOR_PERSON.kind, {"investigation": str(investigation.pk)}
            )
    except IntegrityError:
        raise ValidationError(_("This concern already has an investigation.")) from None
    return investigation


def add_investigator(
    *, actor: Membership, investigation: Investigation, member: Membership | None
) -> Investigator:
    """HR names a working member an investigator. Refused (audited, nothing saved) when
    they support the person or are the person (§4.7)."""
    if not runs_investigation(actor, investigation):
        raise PermissionDenied(_("HR names the investigators."))
    if not investigation.is_open():
        raise ValidationError(
            _("This investigation is completed: its investigators no longer change.")
        )
    if member is None or member.organisation_id != actor.organisation_id or not member.is_active:
        raise ValidationError({"member": [_("Choose a colleague who works here.")]})
    # The rule of §4.7 first, so that every attempt to name a supporter is audited.
    try:
        separation.check_may_investigate(actor=actor, member=member, person=investigation.person)
    except separation.SeparationRefused as refused:
        raise _refused(refused, "member") from None
    chosen = _colleague(actor, member, "member")
    if Investigator.objects.filter(
        organisation_id=investigation.organisation_id,
        investigation=investigation,
        member=chosen,
    ).exists():
        raise ValidationError(
            {"member": [_("%(name)s is already an investigator.") % {"name": chosen.name}]}
        )
    try:
        with transaction.atomic():
            row = Investigator.objects.create(
                organisation_id=investigation.organisation_id,
                investigation=investigation,
                member=chosen,
                added_by=actor,
            )
            _audit(
                actor,
                "investigator.add",
                "concerns.investigation",
                investigation.pk,
                investigation.person,
                member=chosen.pk,
            )
            _tell([chosen], INVESTIGATOR_NAMED.kind, {"investigation": str(investigation.pk)})
    except IntegrityError:
        raise ValidationError(
            {"member": [_("%(name)s is already an investigator.") % {"name": chosen.name}]}
        ) from None
    return row


def remove_investigator(
    *, actor: Membership, investigation: Investigation, member_id: uuid.UUID
) -> bool:
    """HR takes someone off an open investigation; False when they were not on it."""
    if not runs_investigation(actor, investigation):
        raise PermissionDenied(_("HR names the investigators."))
    if not investigation.is_open():
        raise ValidationError(
            _("This investigation is completed: its investigators no longer change.")
        )
    with transaction.atomic():
        rows = Investigator.objects.filter(
            organisation_id=investigation.organisation_id,
            investigation=investigation,
            member_id=member_id,
        )
        found = rows.first()
        if found is None:
            return False
        rows.delete()
        _audit(
            actor,
            "investigator.remove",
            "concerns.investigation",
            investigation.pk,
            investigation.person,
            member=found.member_id,
        )
    return True


# --- findings and suspension ----------------------------------------------------------------


def _claim(investigation: Investigation, version: int | None) -> int:
    """Take the next version of the row at the version read (sealed fields are not written
    by ``update()``: the version first, then ``save``)."""
    at = investigation.version if version is None else version
    moved = Investigation.objects.filter(
        organisation_id=investigation.organisation_id, pk=investigation.pk, version=at
    ).update(version=F("version") + 1)
    if not moved:
        raise StaleVersion
    investigation.version = at + 1
    return at


def _clean_findings(text: str, *, required: bool) -> str:
    text = (text or "").strip()
    if required and not text:
        raise ValidationError({"findings": [_("Write the findings first.")]})
    if len(text) > FINDINGS_MAX:
        raise ValidationError(
            {"findings": [_("Please keep this under %(n)d characters.") % {"n": FINDINGS_MAX}]}
        )
    return text


def record_findings(
    *, actor: Membership, investigation: Investigation, findings: str, version: int | None = None
) -> Investigation:
    """An investigator or HR writes the findings so far (sealed under the person's key).
    ``StaleVersion`` when someone changed the investigation since ``version``."""
    if not writes_findings(actor, investigation):
        if not investigation.is_open():
            raise ValidationError(
                _("This investigation is completed: its findings no longer change.")
            )
        raise PermissionDenied(_("The investigators and HR write the findings."))
    text = _clean_findings(findings, required=False)
    with transaction.atomic():
        _claim(investigation, version)
        investigation.findings = text
        investigation.save(update_fields=["findings"])
        _audit(
            actor,
            "investigation.findings",
            "concerns.investigation",
            investigation.pk,
            investigation.person,
        )
    return investigation


def named_supporters_count(concern: Concern) -> int:
    return NamedSupporter.objects.filter(
        active_members("member__"), organisation_id=concern.organisation_id, concern=concern
    ).count()


SUPPORT_MUST_GO_ON = gettext_lazy(
    "Name someone to support the staff member first. A suspension is recorded only with "
    "support: they are presumed innocent and remain an employee, and support goes on, from "
    "people who take no part in the investigation (§4.7)."
)


def set_suspension(
    *,
    actor: Membership,
    investigation: Investigation,
    suspended_from: dt.date | None,
    suspended_until: dt.date | None,
    version: int | None = None,
    now: dt.datetime | None = None,
) -> Investigation:
    """HR records a suspension with support (§4.7): from and until, in the organisation's
    dates, ending at most ``SUSPENSION_MAX_DAYS`` ahead, and only while at least one
    supporter is named. The person is told."""
    if not runs_investigation(actor, investigation):
        raise PermissionDenied(_("HR records a suspension."))
    if not investigation.is_open():
        raise ValidationError(
            _("This investigation is completed: a suspension is no longer recorded.")
        )
    organisation = investigation.person.organisation
    today = organisation.local_today(now)
    opened_day = timezone.localdate(investigation.opened_at, organisation.zone)
    errors: dict[str, list[str]] = {}
    if suspended_from is None:
        errors["suspended_from"] = [_("Give the first day of the suspension.")]
    elif suspended_from < opened_day:
        errors["suspended_from"] = [
            _("The suspension starts on or after the day the investigation opened.")
        ]
    if suspended_until is None:
        errors["suspended_until"] = [_("Give the last day of the suspension.")]
    elif suspended_from is not None and suspended_until < suspended_from:
        errors["suspended_until"] = [_("The last day is on or after the first day.")]
    elif suspended_until > today + dt.timedelta(days=SUSPENSION_MAX_DAYS):
        errors["suspended_until"] = [
            _(
                "Choose a last day within %(days)d days from today; look at it again then "
                "and record a new one if needed."
            )
            % {"days": SUSPENSION_MAX_DAYS}
        ]
    if errors:
        raise ValidationError(errors)
    if not named_supporters_count(investigation.concern):
        raise ValidationError(str(SUPPORT_MUST_GO_ON))
    with transaction.atomic():
        at = investigation.version if version is None else version
        update_if_current(
            Investigation,
            pk=investigation.pk,
            version=at,
            changes={"suspended_from": suspended_from, "suspended_until": suspended_until},
        )
        investigation.suspended_from = suspended_from
        investigation.suspended_until = suspended_until
        investigation.version = at + 1
        _audit(
            actor,
            "investigation.suspend",
            "concerns.investigation",
            investigation.pk,
            investigation.person,
            days=(suspended_until - suspended_from).days + 1,  # type: ignore[operator]
        )
        _tell(
            [investigation.person], UPDATE_FOR_PERSON.kind, {"investigation": str(investigation.pk)}
        )
    return investigation


def end_suspension(
    *, actor: Membership, investigation: Investigation, version: int | None = None
) -> Investigation:
    """HR ends a suspension early (the dates are cleared); the person is told."""
    if not runs_investigation(actor, investigation):
        raise PermissionDenied(_("HR records a suspension."))
    if investigation.suspended_from is None and investigation.suspended_until is None:
        return investigation
    with transaction.atomic():
        at = investigation.version if version is None else version
        update_if_current(
            Investigation,
            pk=investigation.pk,
            version=at,
            changes={"suspended_from": None, "suspended_until": None},
        )
        investigation.suspended_from = investigation.suspended_until = None
        investigation.version = at + 1
        _audit(
            actor,
            "investigation.suspension_end",
            "concerns.investigation",
            investigation.pk,
            investigation.person,
        )
        _tell(
            [investigation.person], UPDATE_FOR_PERSON.kind, {"investigation": str(investigation.pk)}
        )
    return investigation


# --- completing ----------------------------------------------------------------------------

CLOSES_AS = {
    Investigation.Outcome.NO_GROUNDS: Concern.Outcome.NO_GROUNDS,
    Investigation.Outcome.RESTORATIVE: Concern.Outcome.RESOLVED,
    Investigation.Outcome.SUPPORT: Concern.Outcome.RESOLVED,
}


def complete_investigation(
    *,
    actor: Membership,
    investigation: Investigation,
    outcome: str,
    findings: str | None = None,
    reason: str = "",
    version: int | None = None,
    now: dt.datetime | None = None,
) -> Investigation:
    """HR completes an investigation with its findings (the ones given, or those recorded
    so far) and an outcome:

    - ``no_grounds``: the concern closes as no grounds found;
    - ``restorative`` (§4.4) or ``support``: the concern closes as resolved with support;
    - ``disciplinary``: the hand-off to the organisation's procedure is asked for, on
      grounds of gross misconduct with ``reason`` written, and waits for HR's
      countersignature (``app9.request_handoff``); the concern stays open until then.

    All or nothing: a refused hand-off leaves the investigation open."""
    if not runs_investigation(actor, investigation):
        raise PermissionDenied(_("HR completes an investigation."))
    if not investigation.is_open():
        raise ValidationError(_("This investigation is already completed."))
    errors: dict[str, list[str]] = {}
    if outcome not in Investigation.Outcome.values:
        errors["outcome"] = [_("Choose the outcome.")]
    text = ""
    try:
        text = _clean_findings(
            investigation.findings or "" if findings is None else findings, required=True
        )
    except ValidationError as error:
        errors.update(error.message_dict)
    reason = (reason or "").strip()
    if outcome == Investigation.Outcome.DISCIPLINARY:
        if not reason:
            errors["reason"] = [
                _(
                    "Write the reason the disciplinary procedure is needed: it goes with the hand-off."
                )
            ]
        elif len(reason) > REASON_MAX:
            errors["reason"] = [_("Please keep this under %(n)d characters.") % {"n": REASON_MAX}]
    if errors:
        raise ValidationError(errors)
    concern = investigation.concern
    now = now or timezone.now()
    try:
        with transaction.atomic():
            _claim(investigation, version)
            investigation.findings = text
            investigation.outcome = outcome
            investigation.state = Investigation.State.CLOSED
            investigation.closed_at = now
            investigation.save(update_fields=["findings", "outcome", "state", "closed_at"])
            _audit(
                actor,
                "investigation.complete",
                "concerns.investigation",
                investigation.pk,
                investigation.person,
                outcome=outcome,
            )
            if outcome == Investigation.Outcome.DISCIPLINARY:
                _hand_off(actor=actor, concern=concern, reason=reason)
            else:
                _close_concern(actor=actor, investigation=investigation, now=now)
            people = [
                investigation.person,
                *(row.member for row in investigators_on(investigation)),
            ]
            _tell(people, UPDATE_FOR_PERSON.kind, {"investigation": str(investigation.pk)})
    except Exception:
        # Nothing was saved: the caller sees the investigation as it is stored.
        investigation.refresh_from_db()
        raise
    return investigation


def _close_concern(*, actor: Membership, investigation: Investigation, now: dt.datetime) -> None:
    """The concern closes the one way concerns close (``intake.close_concern``: the person
    is told), with the investigation's outcome as the reason."""
    from . import intake

    concern = investigation.concern
    if not concern.is_open():
        return
    outcome = Investigation.Outcome(investigation.outcome)
    reason = _("The investigation was completed: %(outcome)s.") % {
        "outcome": str(outcome.label).lower()
    }
    intake.close_concern(
        actor=actor, concern=concern, outcome=CLOSES_AS[outcome], reason=reason, now=now
    )


def _hand_off(*, actor: Membership, concern: Concern, reason: str) -> None:
    from . import app9

    app9.request_handoff(
        actor=actor,
        concern=concern,
        grounds=Handoff.Grounds.GROSS_MISCONDUCT,
        review=None,
        reason=reason,
    )


# --- named supporters ------------------------------------------------------------------------


def name_supporter(
    *, actor: Membership, concern: Concern, member: Membership | None
) -> NamedSupporter:
    """The person names someone to support them while the concern is open, or whoever works
    the case names someone and the person is told. Refused (audited, nothing saved) when
    that someone investigates the person (§4.7)."""
    if not names_supporters(actor, concern):
        raise PermissionDenied(_("The staff member, their line manager and HR name supporters."))
    if not concern.is_open():
        raise ValidationError(_("This concern is closed: supporters are named while it is open."))
    person = concern.person
    if (
        member is None
        or member.organisation_id != actor.organisation_id
        or not member.is_active
        or not member.has_role(*supporter_roles())
    ):
        raise ValidationError({"member": [_("Choose a colleague who works here.")]})
    if member.pk == person.pk:
        raise ValidationError({"member": [_("Choose someone other than the staff member.")]})
    if NamedSupporter.objects.filter(
        organisation_id=concern.organisation_id, concern=concern, member=member
    ).exists():
        raise ValidationError(
            {"member": [_("%(name)s is already named to support.") % {"name": member.name}]}
        )
    try:
        separation.check_may_support(actor=actor, member=member, person=person)
    except separation.SeparationRefused as refused:
        raise _refused(refused, "member") from None
    try:
        with transaction.atomic():
            row = NamedSupporter.objects.create(
                organisation_id=concern.organisation_id,
                concern=concern,
                member=member,
                added_by=actor,
            )
            _audit(
                actor,
                "supporter.name",
                "concerns.named_supporter",
                row.pk,
                person,
                member=member.pk,
            )
            params = {"concern": str(concern.pk)}
            _tell([member], SUPPORTER_NAMED.kind, params)
            if actor.pk != person.pk:
                _tell([person], SUPPORTER_NAMED_FOR_YOU.kind, params)
    except IntegrityError:
        raise ValidationError(
            {"member": [_("%(name)s is already named to support.") % {"name": member.name}]}
        ) from None
    return row


def supporter_roles() -> tuple[str, ...]:
    from peerwork.core.access import WORKING_ROLES

    return (*WORKING_ROLES, Role.COACH)


def remove_supporter(
    *, actor: Membership, supporter: NamedSupporter, now: dt.datetime | None = None
) -> None:
    """The person, HR, or the supporter stepping down, ends a named support. The last
    supporter stays while a suspension lasts: support goes on (§4.7)."""
    concern = supporter.concern
    person = concern.person
    if not actor.is_active or not (actor.pk in (person.pk, supporter.member_id) or is_hr(actor)):
        raise PermissionDenied(_("The staff member, HR and the supporter end a named support."))
    investigation = investigation_of(concern)
    today = person.organisation.local_today(now)
    with transaction.atomic():
        if (
            investigation is not None
            and suspension_ahead(investigation, today)
            and named_supporters_count(concern) <= 1
        ):
            raise ValidationError(
                _(
                    "This is the only supporter named while the staff member is suspended. "
                    "Name someone else first: support goes on during a suspension (§4.7)."
                )
            )
        deleted, _rows = NamedSupporter.objects.filter(
            organisation_id=supporter.organisation_id, pk=supporter.pk
        ).delete()
        if deleted:
            _audit(
                actor,
                "supporter.remove",
                "concerns.named_supporter",
                supporter.pk,
                person,
                member=supporter.member_id,
            )
