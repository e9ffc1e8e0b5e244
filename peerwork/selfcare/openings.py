"""Opening a private record to one person until an expiry, and closing it (DESIGN.md
"Privacy model": private data is the owner's only, "opened for a time to a person they
choose"; issue 7 items 1 and 2).

One way for both records that can be opened, a risk circle (§3.8, App. 3: to a peer
mentor, the owner's line manager or coach) and a self-control programme (§4.2: to the peer
mentor who mentors the owner). Whom a record may be opened to is the record's own rule
(``access.may_open_circle_to``, ``access.may_open_programme_to``); everything else is here:

- an opening runs until ``expires_at``, which is ahead of now and at most
  ``LONGEST_OPENING`` ahead;
- opening a record again to someone it is open to moves that opening's end rather than
  adding a second one, so the owner sees one line per person;
- the owner closes it early; access ends at the minute either way, with nothing to run;
- opening and closing are audited against the record, and the person it is opened to is
  told in words that say nothing of what the record is ("a page").
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from peerwork.core import audit
from peerwork.core.access import DataClass
from peerwork.core.models import Membership, Notification
from peerwork.core.notify import notify

from .access import LONGEST_OPENING, live_openings
from .models import Opening, RiskCircle, SelfControlProgramme

Record = RiskCircle | SelfControlProgramme


def expiry_problem(expires_at: dt.datetime, now: dt.datetime) -> str | None:
    """Why an opening cannot run until ``expires_at``, or None when it can."""
    if expires_at <= now:
        return _("Choose a time that has not passed yet.")
    if expires_at > now + LONGEST_OPENING:
        return _("It can stay open for at most %(days)d days. Choose an earlier date.") % {
            "days": LONGEST_OPENING.days
        }
    return None


def _record_field(record: Record) -> dict[str, Record]:
    return {"circle": record} if isinstance(record, RiskCircle) else {"programme": record}


def open_record(
    *,
    actor: Membership,
    record: Record,
    grantee: Membership,
    expires_at: dt.datetime,
    now: dt.datetime,
    action: str,
    object_type: str,
    kind: str,
) -> Opening:
    """Open ``record`` (the owner's, checked by the caller with the record's rule of whom)
    to ``grantee`` until ``expires_at`` (checked with ``expiry_problem``)."""
    if record.owner_id != actor.pk:
        raise PermissionDenied
    with transaction.atomic():
        opening = (
            Opening.objects.select_for_update()
            .filter(
                organisation_id=record.organisation_id,
                grantee=grantee,
                closed_at__isnull=True,
                expires_at__gt=now,
                **_record_field(record),
            )
            .order_by("-expires_at")
            .first()
        )
        if opening is not None:
            opening.expires_at = expires_at
            opening.save(update_fields=["expires_at"])
        else:
            opening = Opening.objects.create(
                organisation_id=record.organisation_id,
                owner=actor,
                grantee=grantee,
                opened_at=now,
                expires_at=expires_at,
                **_record_field(record),
            )
        audit.record(
            actor=actor,
            action=action,
            object_type=object_type,
            object_id=record.pk,
            subject=actor,
            data_class=DataClass.PRIVATE,
            detail={"opening": opening.pk, "grantee": grantee.pk},
        )
        notify(
            recipient=grantee,
            kind=kind,
            params={"opening": str(opening.pk), "by": str(actor.pk), "until": expires_at},
            now=now,
        )
    return opening


def close_opening(
    *, actor: Membership, opening: Opening, now: dt.datetime, action: str, object_type: str
) -> Opening:
    """The owner closes an opening before its end; the person loses access at once.
    Closing a closed or expired opening changes nothing."""
    if opening.owner_id != actor.pk:
        raise PermissionDenied
    with transaction.atomic():
        closed = Opening.objects.filter(pk=opening.pk, closed_at__isnull=True).update(closed_at=now)
        if closed:
            audit.record(
                actor=actor,
                action=action,
                object_type=object_type,
                object_id=opening.circle_id or opening.programme_id,
                subject=actor,
                data_class=DataClass.PRIVATE,
                detail={"opening": opening.pk, "grantee": opening.grantee_id},
            )
    opening.refresh_from_db(fields=["closed_at"])
    return opening


def opened_to(
    member: Membership, *, circles: bool, now: dt.datetime | None = None
) -> QuerySet[Opening]:
    """The circles (or programmes) open to ``member`` now, soonest to close first."""
    if not member.is_active:
        return Opening.objects.none()
    field = "circle" if circles else "programme"
    return (
        live_openings(member, now)
        .filter(**{f"{field}__isnull": False})
        .select_related("owner__user", field)
        .order_by("expires_at")
    )


def live_openings_of(record: Record, now: dt.datetime | None = None) -> list[Opening]:
    """Whom ``record`` is open to now, soonest to close first."""
    return list(
        Opening.objects.filter(
            organisation_id=record.organisation_id,
            closed_at__isnull=True,
            expires_at__gt=now or timezone.now(),
            **_record_field(record),
        )
        .select_related("grantee__user")
        .order_by("expires_at")
    )


def opened_message(notification: Notification) -> dict[str, object]:
    """Who opened a page and until when, read when the message is shown (in the
    organisation's zone; an opening "until 3 March" ends at the first moment of 4 March)."""
    by = notification.params.get("by")
    person = (
        Membership.objects.filter(organisation_id=notification.organisation_id, pk=by)
        .select_related("user")
        .first()
        if isinstance(by, str)
        else None
    )
    until = parse_datetime(str(notification.params.get("until") or ""))
    zone = notification.organisation.zone
    return {
        "name": person.name if person is not None else _("A colleague"),
        "until": formats.date_format(
            timezone.localtime(until, zone) - dt.timedelta(microseconds=1), "DATE_FORMAT"
        )
        if until is not None
        else "—",
    }
