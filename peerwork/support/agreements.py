"""Support agreements: the terms one mentoring or coaching pair works under (issue 7 item 6;
§3.11, §3.13, App. 4 "psychological/professional support model terms of reference").

HR drafts the terms of a pair (one agreement per pair; for peer mentoring the same shape
as for coaching): the service, how many sessions, how often and how long, how the mentor
or coach raises worries about management or policy, who receives an exception report and
how it is made, and the review date, which lies ahead. The staff member writes how they
like to keep in touch (§3.11: coffee, a phone, a message), sealed under their key; the two
of them read it, and the supporter's reads are audited.

Three agreements make it a three-way agreement (App. 4): the staff member's, the mentor's
or coach's, and the organisation's. HR agrees for the organisation; for coaching the
person's line manager may do so instead (§3.13: "managers need to understand and consent"
to professional support; mentoring sits outside line management, §3.11, so a line manager
never agrees to, or reads, a mentoring agreement).

The reporting duty is acknowledged separately and explicitly by the staff member
(``duty_acknowledged_at``), because App. 4 asks that every staff member is made aware of
it at the start of the first session: no session is logged before it
(``SupportAgreement.may_log_sessions``, enforced in ``mentoring.log_session``).

Redrafting the terms clears the three agreements (the parties agreed to other terms). The
duty acknowledgement is kept when the two exceptions would still reach the same person the
same way: the duty itself (gross misconduct, actual or planned; someone's life in danger)
is the same in every agreement. When the recipient or the way of reporting changes, the
acknowledgement is cleared too, because the staff member must know where a report about
them would go; sessions wait until they acknowledge it again. The staff member's consent
to a confirmation (§4.2) is theirs and is kept.

The agreement's text is written here in our own words from these fields (``terms_of``),
for the page in the reader's language and for the PDF (``agreement_pdf``) in the
organisation's first language.

Also here: the notification kinds of mentoring and agreements, the review reminders
(a deadline step), and the rule that offers an exception report's recipient from the
pair's agreement (``people.exception_reports.register_recipients``).
"""

from __future__ import annotations

import datetime as dt
import uuid
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from peerwork.core import audit
from peerwork.core.access import DataClass, is_working_member
from peerwork.core.deadlines import claim_dated_rows, register_deadline
from peerwork.core.models import (
    Membership,
    Notification,
    Organisation,
    Role,
    SupportRelationship,
    active_members,
)
from peerwork.core.models.notifications import Channel
from peerwork.core.notify import notify, register_kind
from peerwork.core.versions import StaleVersion, update_if_current
from peerwork.people.exception_reports import register_recipients

from .access import makes_pairs
from .models import SupportAgreement

SERVICE_MAX = 200
ROUTE_MAX = 2000
CONTACT_MAX = 1000
EARLIEST_YEAR, LATEST_YEAR = 1970, 2200


# --- days and pairs ------------------------------------------------------------------------


def zone_of(organisation: Organisation) -> zoneinfo.ZoneInfo:
    return organisation.zone


def local_today(organisation: Organisation, now: dt.datetime | None = None) -> dt.date:
    return organisation.local_today(now)


def current_q(prefix: str = "") -> Q:
    """Pairs that have not ended: the query twin of ``SupportRelationship.is_current``
    (which the access gates read), so a page lists exactly the pairs its gates open."""
    today = timezone.localdate()
    return Q(**{f"{prefix}ended_on__isnull": True}) | Q(**{f"{prefix}ended_on__gte": today})


def pairs_in(organisation_id: uuid.UUID) -> QuerySet[SupportRelationship]:
    return SupportRelationship.objects.filter(organisation_id=organisation_id).select_related(
        "person__user", "supporter__user", "person__organisation"
    )


def hr_of(organisation_id: uuid.UUID) -> list[Membership]:
    """The organisation's active HR officers (who make pairs and draft agreements)."""
    return list(
        Membership.objects.filter(
            active_members(), organisation_id=organisation_id, role_grants__role=Role.HR
        )
        .select_related("user")
        .distinct()
    )


def _notify_each(
    people: Iterable[Membership | None], kind: str, params: dict[str, object], now: dt.datetime
) -> None:
    seen: set[object] = set()
    for person in people:
        if person is None or person.pk in seen:
            continue
        seen.add(person.pk)
        notify(recipient=person, kind=kind, params=params, now=now)


# --- messages ------------------------------------------------------------------------------
#
# Neutral subjects (lock screens, shared inboxes): support at work is offered to everyone
# (§4.8), and nothing here says why someone has a mentor or coach, or names anyone.


def _link(name: str, key: str) -> Callable[[Notification], str | None]:
    def link(notification: Notification) -> str | None:
        value = notification.params.get(key)
        return reverse(name, args=[value]) if value else None

    return link


def _home(notification: Notification) -> str:
    return reverse("support:home")


PAIR_MADE = register_kind(
    "support.pair_made",
    subject=gettext_lazy("Support at work: a new pairing"),
    body=gettext_lazy("You have been paired for support at work. Open Peerwork to see with whom."),
    default_channels=(Channel.EMAIL,),
    link=_link("support:pair", "pair"),
)
PAIR_ENDED = register_kind(
    "support.pair_ended",
    subject=gettext_lazy("Support at work: a pairing has ended"),
    body=gettext_lazy("A support pairing you were part of has ended."),
    default_channels=(Channel.EMAIL,),
    link=_home,
)
MENTOR_ASKED = register_kind(
    "support.mentor_asked",
    subject=gettext_lazy("A request for a peer mentor"),
    body=gettext_lazy("Someone has asked for a peer mentor and is waiting to be paired."),
    default_channels=(Channel.EMAIL,),
    link=_link("support:request", "request"),
)
AGREEMENT_READY = register_kind(
    "support.agreement_ready",
    subject=gettext_lazy("A support agreement is ready to read"),
    body=gettext_lazy(
        "A support agreement is waiting for you to read it and say whether you agree."
    ),
    default_channels=(Channel.EMAIL,),
    link=_link("support:agreement", "agreement"),
)
AGREEMENT_CHANGED = register_kind(
    "support.agreement_changed",
    subject=gettext_lazy("A support agreement has new terms"),
    body=gettext_lazy(
        "The terms of a support agreement you are part of were changed. Please read them "
        "and agree again if they suit you."
    ),
    default_channels=(Channel.EMAIL,),
    link=_link("support:agreement", "agreement"),
)
CONFIRMATION_GIVEN = register_kind(
    "support.confirmation_given",
    subject=gettext_lazy("Support at work: an answer for you"),
    body=gettext_lazy(
        "Someone you manage let their mentor or coach tell you whether support is taking "
        "place. The answer is waiting for you."
    ),
    default_channels=(Channel.EMAIL,),
    link=lambda n: reverse("support:confirmations"),
)
REVIEW_DUE = register_kind(
    "support.agreement_review_due",
    subject=gettext_lazy("A support agreement is due for review"),
    body=gettext_lazy(
        "A support agreement has reached its review date. Look at its terms together and "
        "change them if needed."
    ),
    default_channels=(Channel.EMAIL,),
    link=_link("support:agreement", "agreement"),
)


# --- the terms -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Terms:
    """What HR writes for a pair (App. 4's blanks)."""

    service: str
    frequency: str
    exception_recipient: Membership | None
    review_on: dt.date | None
    sessions: int | None = None
    session_minutes: int | None = 60
    concerns_route: str = ""
    exception_route: str = ""


TERM_FIELDS = (
    "service",
    "sessions",
    "frequency",
    "session_minutes",
    "concerns_route",
    "exception_recipient",
    "exception_route",
    "review_on",
)


def default_terms(pair: SupportRelationship) -> dict[str, object]:
    """A draft's starting point: the organisation as the service, one hour, every month."""
    return {
        "service": pair.person.organisation.name,
        "frequency": SupportAgreement.Frequency.MONTHLY,
        "session_minutes": 60,
    }


def recipient_allowed(recipient: Membership, pair: SupportRelationship) -> bool:
    return (
        recipient.organisation_id == pair.organisation_id
        and recipient.pk not in (pair.person_id, pair.supporter_id)
        and bool(is_working_member(recipient))
    )


def exception_recipients(pair: SupportRelationship) -> QuerySet[Membership]:
    """Whom a draft may name: the organisation's working members other than the two."""
    from peerwork.core.access import WORKING_ROLES

    return (
        Membership.objects.filter(
            active_members(),
            organisation_id=pair.organisation_id,
            role_grants__role__in=list(WORKING_ROLES),
        )
        .exclude(pk__in=[pair.person_id, pair.supporter_id])
        .select_related("user")
        .distinct()
        .order_by("user__display_name", "user__username")
    )


def _clean_terms(pair: SupportRelationship, terms: Terms, today: dt.date) -> dict[str, object]:
    """The terms as stored, or ``ValidationError`` naming every field at fault."""
    errors: dict[str, list[str]] = {}
    service = (terms.service or "").strip()
    if not service:
        errors["service"] = [_("Name the service, as the organisation is known.")]
    elif len(service) > SERVICE_MAX:
        errors["service"] = [_("Please keep this under %(n)d characters.") % {"n": SERVICE_MAX}]
    if terms.sessions is not None and not 1 <= terms.sessions <= 100:
        errors["sessions"] = [_("Choose between 1 and 100 sessions, or leave it open.")]
    if terms.frequency not in SupportAgreement.Frequency.values:
        errors["frequency"] = [_("Choose how often the two of you meet.")]
    minutes = terms.session_minutes
    if minutes is None or not 10 <= minutes <= 480:
        errors["session_minutes"] = [_("A session lasts between 10 and 480 minutes.")]
    routes = {}
    for name in ("concerns_route", "exception_route"):
        text = (getattr(terms, name) or "").strip()
        if len(text) > ROUTE_MAX:
            errors[name] = [_("Please keep this under %(n)d characters.") % {"n": ROUTE_MAX}]
        routes[name] = text
    recipient = terms.exception_recipient
    if recipient is None:
        errors["exception_recipient"] = [_("Choose who receives an exception report.")]
    elif not recipient_allowed(recipient, pair):
        errors["exception_recipient"] = [
            _(
                "Choose a colleague who works here and is neither the staff member nor "
                "their mentor or coach."
            )
        ]
    review_on = terms.review_on
    if review_on is None:
        errors["review_on"] = [_("Choose the day you will look at these terms again.")]
    elif not EARLIEST_YEAR <= review_on.year <= LATEST_YEAR:
        errors["review_on"] = [
            _("Choose a date between the years %(first)d and %(last)d.")
            % {"first": EARLIEST_YEAR, "last": LATEST_YEAR}
        ]
    elif review_on <= today:
        errors["review_on"] = [_("The review date must be after today.")]
    if errors:
        raise ValidationError(errors)
    return {
        "service": service,
        "sessions": terms.sessions,
        "frequency": terms.frequency,
        "session_minutes": minutes,
        "concerns_route": routes["concerns_route"],
        "exception_recipient": recipient,
        "exception_route": routes["exception_route"],
        "review_on": review_on,
    }


def _parties(agreement: SupportAgreement) -> list[Membership | None]:
    """Who is asked to agree: the two, and for coaching the line manager too (HR drafted)."""
    people: list[Membership | None] = [agreement.person, agreement.supporter]
    manager = agreement.person.line_manager
    if (
        agreement.relationship.kind == SupportRelationship.Kind.COACH
        and manager is not None
        and manager.manages(agreement.person)
    ):
        people.append(manager)
    return people


def _record(actor: Membership, action: str, agreement: SupportAgreement, **detail: object) -> None:
    audit.record(
        actor=actor,
        action=f"support.agreement.{action}",
        object_type="support.agreement",
        object_id=agreement.pk,
        subject=agreement.person,
        data_class=DataClass.PERSONNEL,
        detail=detail or None,
    )


def draft_agreement(
    *,
    actor: Membership,
    pair: SupportRelationship,
    terms: Terms,
    now: dt.datetime | None = None,
) -> SupportAgreement:
    """HR drafts a current pair's agreement (one per pair). The two, and for coaching the
    line manager, are asked to read and agree."""
    if not makes_pairs(actor) or actor.organisation_id != pair.organisation_id:
        raise PermissionDenied
    now = now or timezone.now()
    if not pair.is_current():
        raise ValidationError(_("This pairing has ended: it needs no agreement now."))
    if SupportAgreement.objects.filter(
        organisation_id=pair.organisation_id, relationship=pair
    ).exists():
        raise ValidationError(_("This pairing already has an agreement: change its terms there."))
    clean = _clean_terms(pair, terms, local_today(pair.person.organisation, now))
    with transaction.atomic():
        agreement = SupportAgreement(
            organisation_id=pair.organisation_id,
            relationship=pair,
            person=pair.person,
            supporter=pair.supporter,
            drafted_by=actor,
            drafted_at=now,
            **clean,
        )
        agreement.save()
        _record(actor, "draft", agreement)
        _notify_each(
            [p for p in _parties(agreement) if p is not None and p.pk != actor.pk],
            AGREEMENT_READY.kind,
            {"agreement": str(agreement.pk)},
            now,
        )
    return agreement


def change_terms(
    *,
    actor: Membership,
    agreement: SupportAgreement,
    terms: Terms,
    version: int,
    now: dt.datetime | None = None,
) -> SupportAgreement:
    """HR redrafts the terms. Any change clears the three agreements; a change of who
    receives an exception report, or how it is made, also clears the staff member's
    acknowledgement of the reporting duty (see the module's docstring). Unchanged terms
    change nothing."""
    if not makes_pairs(actor) or actor.organisation_id != agreement.organisation_id:
        raise PermissionDenied
    now = now or timezone.now()
    if version != agreement.version:
        raise StaleVersion
    clean = _clean_terms(
        agreement.relationship, terms, local_today(agreement.person.organisation, now)
    )
    changed = {name: value for name, value in clean.items() if getattr(agreement, name) != value}
    if not changed:
        return agreement
    changes: dict[str, object] = dict(changed)
    changes.update(
        person_agreed_at=None,
        supporter_agreed_at=None,
        organisation_agreed_at=None,
        organisation_agreed_by=None,
        drafted_by=actor,
        drafted_at=now,
    )
    if "exception_recipient" in changed or "exception_route" in changed:
        changes["duty_acknowledged_at"] = None
    if "review_on" in changed:
        changes["review_reminded_at"] = None
    with transaction.atomic():
        update_if_current(SupportAgreement, pk=agreement.pk, version=version, changes=changes)
        for name, value in changes.items():
            setattr(agreement, name, value)
        agreement.version = version + 1
        _record(actor, "change_terms", agreement, duty_cleared="duty_acknowledged_at" in changes)
        _notify_each(
            [p for p in _parties(agreement) if p is not None and p.pk != actor.pk],
            AGREEMENT_CHANGED.kind,
            {"agreement": str(agreement.pk)},
            now,
        )
    return agreement


# --- agreeing, the duty, consent ------------------------------------------------------------

PERSON, SUPPORTER, ORGANISATION = "person", "supporter", "organisation"


def party_of(member: Membership, agreement: SupportAgreement) -> str | None:
    """Which of the three ``member`` agrees as: the staff member, the mentor or coach (while
    the pair is current), or the organisation (HR; for coaching the line manager too)."""
    if not member.is_active or member.organisation_id != agreement.organisation_id:
        return None
    if member.pk == agreement.person_id:
        return PERSON
    if member.pk == agreement.supporter_id:
        return SUPPORTER if agreement.relationship.is_current() else None
    if makes_pairs(member):
        return ORGANISATION
    if agreement.relationship.kind == SupportRelationship.Kind.COACH and member.manages(
        agreement.person
    ):
        return ORGANISATION
    return None


def has_agreed(agreement: SupportAgreement, party: str | None) -> bool:
    return {
        PERSON: agreement.person_agreed_at,
        SUPPORTER: agreement.supporter_agreed_at,
        ORGANISATION: agreement.organisation_agreed_at,
    }.get(party or "") is not None


def _change(
    actor: Membership,
    agreement: SupportAgreement,
    changes: dict[str, object],
    action: str,
    version: int | None,
) -> SupportAgreement:
    """One conditional update of plain fields at the version read (or as loaded)."""
    at = agreement.version if version is None else version
    with transaction.atomic():
        update_if_current(SupportAgreement, pk=agreement.pk, version=at, changes=changes)
        for name, value in changes.items():
            setattr(agreement, name, value)
        agreement.version = at + 1
        _record(actor, action, agreement)
    return agreement


def agree(
    *,
    actor: Membership,
    agreement: SupportAgreement,
    version: int | None = None,
    now: dt.datetime | None = None,
) -> str:
    """``actor`` agrees to the terms as the party they are; agreeing again changes
    nothing. Answers the party."""
    party = party_of(actor, agreement)
    if party is None:
        raise PermissionDenied
    if has_agreed(agreement, party):
        return party
    now = now or timezone.now()
    changes: dict[str, object] = {f"{party}_agreed_at": now}
    if party == ORGANISATION:
        changes["organisation_agreed_by"] = actor
    _change(actor, agreement, changes, f"agree_{party}", version)
    return party


def acknowledge_duty(
    *,
    actor: Membership,
    agreement: SupportAgreement,
    version: int | None = None,
    now: dt.datetime | None = None,
) -> SupportAgreement:
    """The staff member acknowledges, on its own, that their mentor or coach must report
    the two exceptions (App. 4). Only they can."""
    if party_of(actor, agreement) != PERSON:
        raise PermissionDenied
    if agreement.duty_acknowledged_at is not None:
        return agreement
    return _change(
        actor,
        agreement,
        {"duty_acknowledged_at": now or timezone.now()},
        "acknowledge_duty",
        version,
    )


def consent_to_confirmation(
    *,
    actor: Membership,
    agreement: SupportAgreement,
    version: int | None = None,
    now: dt.datetime | None = None,
) -> SupportAgreement:
    """The staff member lets their mentor or coach tell their line manager whether support
    is taking place: yes or no, nothing more (§4.2). Only they can."""
    if party_of(actor, agreement) != PERSON:
        raise PermissionDenied
    if agreement.confirm_consent_at is not None:
        return agreement
    return _change(
        actor, agreement, {"confirm_consent_at": now or timezone.now()}, "consent", version
    )


def withdraw_consent(
    *,
    actor: Membership,
    agreement: SupportAgreement,
    version: int | None = None,
) -> SupportAgreement:
    """The staff member takes their consent back: their line manager sees no answer
    again, earlier ones included (``access.confirmations_visible_to``)."""
    if party_of(actor, agreement) != PERSON:
        raise PermissionDenied
    if agreement.confirm_consent_at is None:
        return agreement
    return _change(actor, agreement, {"confirm_consent_at": None}, "withdraw_consent", version)


def set_contact(
    *,
    actor: Membership,
    agreement: SupportAgreement,
    contact: str,
    version: int | None = None,
) -> SupportAgreement:
    """The staff member writes how they like to keep in touch (sealed under their key)."""
    if party_of(actor, agreement) != PERSON:
        raise PermissionDenied
    text = (contact or "").strip()
    if len(text) > CONTACT_MAX:
        raise ValidationError(
            {"contact": [_("Please keep this under %(n)d characters.") % {"n": CONTACT_MAX}]}
        )
    at = agreement.version if version is None else version
    with transaction.atomic():
        # A sealed field is not written by ``update()``: take the version first, then save.
        moved = SupportAgreement.objects.filter(pk=agreement.pk, version=at).update(
            version=F("version") + 1
        )
        if not moved:
            raise StaleVersion
        agreement.version = at + 1
        agreement.contact = text
        agreement.save(update_fields=["contact"])
        audit.record(
            actor=actor,
            action="support.agreement.contact",
            object_type="support.agreement",
            object_id=agreement.pk,
            subject=agreement.person,
            data_class=DataClass.CONFIDENTIAL,
        )
    return agreement


def read_contact(*, actor: Membership, agreement: SupportAgreement) -> str | None:
    """How the staff member likes to keep in touch, for the two of them only (None for
    anyone else). The supporter's read is audited first; call outside a transaction."""
    if actor.pk == agreement.person_id:
        return agreement.contact
    if party_of(actor, agreement) != SUPPORTER:
        return None
    if not agreement.contact:
        return None
    audit.record_read(
        actor=actor,
        action="support.agreement.contact.read",
        object_type="support.agreement",
        object_id=agreement.pk,
        subject=agreement.person,
        data_class=DataClass.CONFIDENTIAL,
    )
    return agreement.contact


def sees_consent(member: Membership, agreement: SupportAgreement) -> bool:
    """Whether the staff member consented is between the two of them: a line manager
    learns of it only through an answer (``mentoring.confirmation_for``)."""
    return member.pk == agreement.person_id or party_of(member, agreement) == SUPPORTER


def waiting_for(member: Membership, agreement: SupportAgreement) -> list[str]:
    """What ``member`` still has to do on the agreement: "agree", "duty"."""
    party = party_of(member, agreement)
    waiting = []
    if party is not None and not has_agreed(agreement, party):
        waiting.append("agree")
    if party == PERSON and agreement.duty_acknowledged_at is None:
        waiting.append("duty")
    return waiting


# --- the agreement in words --------------------------------------------------------------


@dataclass(frozen=True)
class Signature:
    label: str
    name: str
    at: dt.datetime | None


@dataclass(frozen=True)
class AgreementText:
    title: str
    paragraphs: list[str]
    exceptions_intro: str
    exceptions: list[str]
    duty: list[str]
    review: str
    signatures: list[Signature]


def _day(value: dt.date) -> str:
    return date_format(value, "DATE_FORMAT")


def _how_often(frequency: str) -> str:
    words: dict[str, str] = {
        SupportAgreement.Frequency.WEEKLY: _("every week"),
        SupportAgreement.Frequency.FORTNIGHTLY: _("every two weeks"),
        SupportAgreement.Frequency.MONTHLY: _("every month"),
        SupportAgreement.Frequency.ONE_OFF: _("once"),
        SupportAgreement.Frequency.AS_NEEDED: _("whenever either of them asks"),
    }
    return words.get(frequency, "")


def sessions_text(agreement: SupportAgreement) -> str:
    minutes = agreement.session_minutes
    if agreement.frequency == SupportAgreement.Frequency.ONE_OFF:
        return _("One session of %(minutes)d minutes.") % {"minutes": minutes}
    how_often = _how_often(agreement.frequency)
    if agreement.sessions:
        return ngettext(
            "%(count)d session of %(minutes)d minutes, %(how_often)s.",
            "%(count)d sessions of %(minutes)d minutes each, %(how_often)s.",
            agreement.sessions,
        ) % {"count": agreement.sessions, "minutes": minutes, "how_often": how_often}
    return _(
        "Sessions of %(minutes)d minutes, %(how_often)s, for as long as this agreement runs."
    ) % {"minutes": minutes, "how_often": how_often}


def supporter_label(kind: str) -> str:
    return _("Peer mentor") if kind == SupportRelationship.Kind.MENTOR else _("Coach")


def terms_of(agreement: SupportAgreement) -> AgreementText:
    """The agreement in words, in the active language, made from its fields (App. 4 in
    our own words)."""
    values = {
        "service": agreement.service,
        "person": agreement.person.name,
        "supporter": agreement.supporter.name,
        "recipient": agreement.exception_recipient.name,
    }
    mentoring = agreement.relationship.kind == SupportRelationship.Kind.MENTOR
    if mentoring:
        title = _("Peer mentoring agreement")
        opening = _(
            "%(service)s agrees with %(supporter)s that %(supporter)s mentors %(person)s as a "
            "peer, outside line management."
        )
    else:
        title = _("Coaching and supervision agreement")
        opening = _(
            "%(service)s agrees with %(supporter)s that %(supporter)s gives %(person)s "
            "coaching and supervision that is not management."
        )
    paragraphs = [
        opening % values,
        sessions_text(agreement),
        _(
            "The support is about %(person)s's work: time to reflect on it, look after their "
            "well-being and grow in their role. It is not therapy. It works within the "
            "policies of %(service)s and helps %(person)s take a full part in the "
            "organisation, and the organisation to learn and improve."
        )
        % values,
    ]
    if agreement.concerns_route:
        paragraphs.append(
            _(
                "If %(supporter)s has worries about how the organisation is managed or about "
                "its policies, they raise them this way: %(route)s"
            )
            % {**values, "route": agreement.concerns_route}
        )
    else:
        paragraphs.append(
            _(
                "If %(supporter)s has worries about how the organisation is managed or about "
                "its policies, they raise them with HR."
            )
            % values
        )
    duty = [
        _("In either case, and in no other, %(supporter)s must report it to %(recipient)s.")
        % values
    ]
    if agreement.exception_route:
        duty.append(_("How the report is made: %(route)s") % {"route": agreement.exception_route})
    duty += [
        _(
            "%(person)s is always told when a report is made, and can read what it says and "
            "to whom it went. What else was said in the sessions stays between the two."
        )
        % values,
        _(
            "%(person)s is told of this duty before the first session and acknowledges it on "
            "its own, apart from agreeing to these terms. No session is logged before then."
        )
        % values,
    ]
    organisation_by = agreement.organisation_agreed_by
    return AgreementText(
        title=title,
        paragraphs=paragraphs,
        exceptions_intro=_(
            "What %(person)s and %(supporter)s talk about stays between them. Nothing is "
            "passed to managers, with two exceptions only:"
        )
        % values,
        exceptions=[
            _("gross misconduct that %(person)s has done or plans to do;") % values,
            _("someone's life in danger, %(person)s's own included.") % values,
        ],
        duty=duty,
        review=_("These terms will be looked at again together on %(date)s.")
        % {"date": _day(agreement.review_on)},
        signatures=[
            Signature(_("Staff member"), agreement.person.name, agreement.person_agreed_at),
            Signature(
                _("Reporting duty acknowledged by"),
                agreement.person.name,
                agreement.duty_acknowledged_at,
            ),
            Signature(
                supporter_label(agreement.relationship.kind),
                agreement.supporter.name,
                agreement.supporter_agreed_at,
            ),
            Signature(
                _("For the organisation"),
                organisation_by.name if organisation_by else "",
                agreement.organisation_agreed_at,
            ),
        ],
    )


# --- review reminders ----------------------------------------------------------------------


@register_deadline
def remind_agreement_reviews(now: dt.datetime) -> int:
    """An agreement reaching its review date (in its organisation's zone): the staff member,
    the mentor or coach and HR are told once. A pair that has ended is claimed and nobody
    is told."""

    def tell(agreement: SupportAgreement) -> bool:
        if not agreement.relationship.is_current():
            return False
        _notify_each(
            [agreement.person, agreement.supporter, *hr_of(agreement.organisation_id)],
            REVIEW_DUE.kind,
            {"agreement": str(agreement.pk)},
            now,
        )
        return True

    return claim_dated_rows(
        SupportAgreement,
        date_field="review_on",
        claimed_field="review_reminded_at",
        now=now,
        act=tell,
        related=("relationship", "person", "supporter"),
    )


# --- exception reports go where the agreement says -----------------------------------------


@register_recipients
def recipient_named_by_agreement(
    supporter: Membership, person: Membership
) -> list[Membership] | None:
    """The one recipient the current pair's agreement names (App. 4: "this should be
    reported in the following way"); None, for the default, when the pair has no
    agreement or the person it names has left."""
    agreement = (
        SupportAgreement.objects.filter(
            organisation_id=person.organisation_id,
            person=person,
            supporter=supporter,
        )
        .filter(current_q("relationship__"))
        .select_related("exception_recipient__user")
        .order_by("-drafted_at")
        .first()
    )
    if agreement is None or not agreement.exception_recipient.is_active:
        return None
    return [agreement.exception_recipient]
