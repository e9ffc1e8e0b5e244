"""Reminders the deadline loop sends for scheduling (DESIGN.md "deadlines").

- An agreed adjustment reaching its review date: the person and their line manager are
  told once (§3.5: arrangements are discussed and reviewed together).
- A trip whose prescriber notice period begins (the organisation's setting, §2.4.1): every
  traveller is told once to check their travel list. Everyone gets it, so the message says
  nothing about who is on OST.

Each row is claimed with a conditional update before anything is sent, so two loops never
send one reminder twice.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django_scopes import scope, scopes_disabled

from peerwork.core.deadlines import BATCH_SIZE, register_deadline
from peerwork.core.notify import notify
from peerwork.people.models import Adjustment

from . import kinds
from .models import ScheduleSettings, Traveller


@register_deadline
def remind_reviews(now: dt.datetime) -> int:
    # The latest "today" of any zone: a review date reached somewhere is due.
    today = (now + dt.timedelta(hours=14)).date()
    with scopes_disabled():  # ids and dates only
        due = list(
            Adjustment.objects.filter(
                state=Adjustment.State.AGREED,
                review_reminded_at__isnull=True,
                review_on__lte=today,
            ).values_list("pk", "organisation_id")[:BATCH_SIZE]
        )
    sent = 0
    for adjustment_id, organisation_id in due:
        with scope(organisation=organisation_id), transaction.atomic():
            won = Adjustment.objects.filter(
                organisation_id=organisation_id, pk=adjustment_id, review_reminded_at__isnull=True
            ).update(review_reminded_at=now)
            if not won:
                continue
            row = Adjustment.objects.select_related("membership__line_manager").get(
                organisation_id=organisation_id, pk=adjustment_id
            )
            params = {"adjustment": str(row.pk)}
            notify(
                recipient=row.membership,
                kind=kinds.ADJUSTMENT_REVIEW_DUE.kind,
                params=params,
                now=now,
            )
            if row.membership.line_manager is not None:
                notify(
                    recipient=row.membership.line_manager,
                    kind=kinds.ADJUSTMENT_REVIEW_DUE.kind,
                    params=params,
                    now=now,
                )
            sent += 1
    return sent


@register_deadline
def remind_travellers(now: dt.datetime) -> int:
    today = (now + dt.timedelta(hours=14)).date()
    with scopes_disabled():
        notice = dict(
            ScheduleSettings.objects.values_list("organisation_id", "prescriber_notice_days")
        )
        default = ScheduleSettings().prescriber_notice_days
        # Due where each organisation's own notice period has begun, so travellers not yet
        # due under a shorter period never fill the batch ahead of those who are.
        due_now = Q(
            ~Q(organisation_id__in=list(notice)),
            trip__starts_on__lte=today + dt.timedelta(days=default),
        )
        for organisation_id, days in notice.items():
            due_now |= Q(
                organisation_id=organisation_id,
                trip__starts_on__lte=today + dt.timedelta(days=days),
            )
        due = list(
            Traveller.objects.filter(
                due_now,
                reminded_at__isnull=True,
                trip__cancelled_at__isnull=True,
                trip__starts_on__gte=now.date(),
            ).values_list("pk", "organisation_id")[:BATCH_SIZE]
        )
    sent = 0
    for traveller_id, organisation_id in due:
        with scope(organisation=organisation_id), transaction.atomic():
            won = Traveller.objects.filter(
                organisation_id=organisation_id, pk=traveller_id, reminded_at__isnull=True
            ).update(reminded_at=now)
            if not won:
                continue
            row = Traveller.objects.select_related("member").get(
                organisation_id=organisation_id, pk=traveller_id
            )
            notify(
                recipient=row.member,
                kind=kinds.TRAVEL_NOTICE_DUE.kind,
                params={"trip": str(row.trip_id)},
                now=now,
            )
            sent += 1
    return sent
