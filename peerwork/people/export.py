"""A person's own-data export: everything Peerwork holds about them in one organisation.

Issue 4 item 7 (and §2.3: what is about a person is theirs). The export is built from the
register of personal data (``peerwork.people.personal_data``), entry by entry, so a new
kind of record reaches the export the day it is registered. It comes as JSON and as one
readable HTML document (``people/export_document.html``) made for the browser's "Save as
PDF" (docs/decisions.md: no PDF library on the server).

What an open investigation holds about the person is left out while it is open; the
export lists that something was left out and why, without a word of what.

Reading one's own data is not a read of someone else's data: no audit read events are
written for the rows in it. Instead each download is one audit write event,
``export.download``, with opaque ids only (DESIGN.md "Audit").
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db import transaction
from django.http import Http404
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from peerwork.core import audit
from peerwork.core.access import Action, DataClass, can
from peerwork.core.models import Membership

from . import personal_data

FORMAT = "peerwork-export/1"
FORMATS = ("json", "html")


def own_records_for_member(member: Membership, action: str = Action.EXPORT) -> Membership:
    """The access gate of the export and erase pages: a person's own records, and only
    while their membership is active. The pages take no id: everyone gets their own."""
    if not can(member, action, DataClass.PRIVATE, member):
        raise Http404
    return member


def build_export(member: Membership, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """Everything the register finds about ``member``, in the active language.

    Runs inside the member's organisation scope. Each section is one register entry: its
    title, what erasure does to it, and its rows as labelled items.
    """
    now = now or timezone.now()
    sections = []
    for entry in personal_data.entries():
        rows = list(entry.rows(member))
        sections.append(
            {
                "key": entry.key,
                "title": str(entry.title),
                "on_erasure": entry.on_erasure.value,
                "what_erasure_does": str(entry.explanation),
                "items": entry.export(rows, member),
            }
        )
    withheld = [
        {
            "kind": kind,
            "reason": reason,
            "note": _("Some records are left out for now: %(reason)s") % {"reason": reason},
        }
        for kind, reason in personal_data.withheld_for(member)
    ]
    return {
        "format": FORMAT,
        "made_at": personal_data.plain(now),
        "language": translation.get_language(),
        "time_zone": timezone.get_current_timezone_name(),
        "person": member.name,
        "organisation": member.organisation.name,
        "sections": sections,
        "withheld": withheld,
    }


def download(member: Membership, kind: str, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """The export, with the download written to the audit chain (one write event)."""
    if kind not in FORMATS:
        raise ValueError(kind)
    with transaction.atomic():
        audit.record(
            actor=member,
            action="export.download",
            object_type="people.export",
            subject=member,
            data_class=DataClass.PRIVATE,
            detail={"format": kind},
        )
        return build_export(member, now=now)


def filename(member: Membership, kind: str, *, now: dt.datetime | None = None) -> str:
    """``peerwork-harbourside-2026-03-02.json``: the organisation and the day, no name (a
    file name shows in download lists and on shared computers)."""
    day = timezone.localdate(now or timezone.now())
    return f"peerwork-{member.organisation.slug}-{day.isoformat()}.{kind}"


_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}[+-]\d{2}:\d{2}$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _shown(value: object) -> str:
    """A value as the document shows it: times and days in the reader's own format."""
    if value is None or value == "" or value == []:
        return "—"
    if value is True:
        return _("Yes")
    if value is False:
        return _("No")
    if isinstance(value, list):
        return ", ".join(_shown(v) for v in value)
    text = str(value)
    if _TIME.match(text):
        return formats.date_format(dt.datetime.fromisoformat(text), "DATETIME_FORMAT")
    if _DAY.match(text):
        return formats.date_format(dt.date.fromisoformat(text), "DATE_FORMAT")
    return text


def as_document(data: dict[str, Any]) -> dict[str, Any]:
    """The export with each item as (label, text) pairs, for the readable document."""
    sections = [
        {
            **section,
            "items": [
                [(key, _shown(value)) for key, value in item.items()] for item in section["items"]
            ],
        }
        for section in data["sections"]
    ]
    return {**data, "made_at": _shown(data["made_at"]), "sections": sections}
