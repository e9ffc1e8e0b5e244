"""The draft request letter a traveller on OST takes to their prescribing doctor (issue 6
item 5; §2.4.1, the §3.4 tips).

The §3.4 tips say how OST is arranged away from home: the prescribing doctor writes in
advance to the doctor of an OST centre near the event, with the patient's details, the
medicine and amount they take, and the number of days of treatment they need; the patient
then brings the original letter, the doctor's recommendations and their passport (with a
copy) to the centre. Peerwork drafts that letter from the traveller's checklist so the
prescriber only checks, completes and signs it: it is addressed to the doctor of the centre
near the event, comes from the prescribing doctor (blank lines for their signature, stamp
and contact), names the patient, the medicine, the daily dose, the dates and the number of
days, and asks the centre to dispense. Our own words, in the organisation's first language.

The medicine and the prescriber come from the traveller's OST disclosure only when they
consented on their checklist (``letter_consent``); what they typed on the checklist comes
first. Nobody but the traveller (or HR under their named share of OST) ever gets it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from fpdf import FPDF

from peerwork.core.models import Membership
from peerwork.outreach.documents import FONT, FONT_NAME
from peerwork.people.models import Category
from peerwork.people.services import read_disclosures

from . import conflicts
from .models import Traveller

BLANK = "_" * 32


@dataclass(frozen=True)
class RequestLetter:
    title: str
    to_lines: list[str]
    from_lines: list[str]
    dated: str
    subject: str
    paragraphs: list[str]
    facts: list[tuple[str, str]]
    closing: str
    signature_lines: list[str]


def disclosed(actor: Membership, traveller: Traveller) -> dict[str, str]:
    """The medicine and prescriber from the traveller's OST disclosure, read (and audited)
    only as ``actor`` may read it. Call only when the traveller consented, and outside a
    transaction."""
    rows = read_disclosures(actor=actor, owner=traveller.member, categories=[Category.OST])
    answer = rows[0].answer if rows else {}
    medicine = str(answer.get("medicine") or "")
    names = {
        "methadone": _("Methadone"),
        "buprenorphine": _("Buprenorphine"),
    }
    if medicine == "other":
        medicine_text = str(answer.get("medicine_other") or "")
    else:
        medicine_text = str(names.get(medicine, ""))
    return {"medicine": medicine_text, "prescriber": str(answer.get("prescriber") or "")}


def _day(value: dt.date) -> str:
    return date_format(value, "DATE_FORMAT")


def letter_for(
    traveller: Traveller,
    details: Mapping[str, Any],
    from_disclosure: Mapping[str, str] | None = None,
    *,
    today: dt.date | None = None,
) -> RequestLetter:
    """The letter's words (call inside ``in_org_language``). ``details`` is the opened
    checklist; ``from_disclosure`` what ``disclosed`` found, used where the checklist is
    blank."""
    trip = traveller.trip
    zone = conflicts.zone_of(trip.organisation)
    today = today or timezone.localdate(timezone.now(), zone)
    found = from_disclosure or {}
    medicine = str(details.get("medicine") or "") or found.get("medicine", "")
    dose = str(details.get("daily_dose") or "")
    site = str(details.get("ost_site") or "") or trip.ost_site_name
    address = str(details.get("ost_site_address") or "") or trip.ost_site_address
    prescriber = found.get("prescriber", "")
    days = (trip.ends_on - trip.starts_on).days + 1
    name = traveller.member.name
    first, last = _day(trip.starts_on), _day(trip.ends_on)
    to_lines = [_("To the doctor in charge")]
    to_lines += [site] if site else [BLANK]
    to_lines += [line.strip() for line in address.splitlines() if line.strip()] or [BLANK]
    from_lines = [_("From the prescribing doctor")]
    from_lines += [prescriber] if prescriber else [BLANK]
    from_lines.append(BLANK)
    return RequestLetter(
        title=_("Request to continue opioid substitution therapy during travel"),
        to_lines=to_lines,
        from_lines=from_lines,
        dated=_day(today),
        subject=_("Dispensing for %(name)s from %(first)s to %(last)s")
        % {"name": name, "first": first, "last": last},
        paragraphs=[
            _("Dear colleague,"),
            _(
                "My patient %(name)s receives opioid substitution therapy (OST) from me. "
                "%(name)s will be in %(place)s for work from %(first)s to %(last)s and "
                "needs to continue treatment there without a break."
            )
            % {"name": name, "place": trip.place, "first": first, "last": last},
            _(
                "I ask you to dispense the daily dose below at your centre on each of these "
                "days. My patient will bring this original letter, my recommendations, and "
                "their passport with a copy of it."
            ),
        ],
        facts=[
            (_("Patient"), name),
            (_("Date of birth"), BLANK),
            (_("Passport number"), BLANK),
            (_("Medicine"), medicine or BLANK),
            (_("Daily dose"), dose or BLANK),
            (_("First day of treatment needed"), first),
            (_("Last day of treatment needed"), last),
            (_("Number of days"), str(days)),
            (_("Last dose given here before travel"), BLANK),
        ],
        closing=_(
            "Please contact me with any question about the treatment. Thank you for your help."
        ),
        signature_lines=[
            _("Signature of the prescribing doctor"),
            _("Name"),
            _("Clinic and stamp"),
            _("Telephone"),
            _("Date"),
        ],
    )


# --- PDF -------------------------------------------------------------------------------


def letter_pdf(letter: RequestLetter, *, compress: bool = True) -> bytes:
    """The letter on A4, in DejaVu Sans (any script)."""
    pdf = FPDF(unit="mm", format="A4")
    pdf.add_font(FONT_NAME, fname=str(FONT))
    pdf.set_compression(compress)
    pdf.set_title(letter.title)
    pdf.set_margins(25, 20, 25)
    pdf.add_page()

    def line(text: str, height: float = 6) -> None:
        pdf.multi_cell(0, height, text, new_x="LMARGIN", new_y="NEXT")

    pdf.set_font(FONT_NAME, size=10)
    for text in letter.from_lines:
        line(text, 5)
    pdf.ln(4)
    for text in letter.to_lines:
        line(text, 5)
    pdf.ln(4)
    line(letter.dated, 5)
    pdf.ln(4)
    pdf.set_font(FONT_NAME, size=13)
    line(letter.title, 7)
    pdf.set_font(FONT_NAME, size=11)
    line(letter.subject)
    pdf.ln(3)
    for paragraph in letter.paragraphs:
        line(paragraph)
        pdf.ln(2)
    for label, value in letter.facts:
        line(f"{label}: {value}")
    pdf.ln(3)
    line(letter.closing)
    pdf.ln(8)
    for label in letter.signature_lines:
        line(f"{label}: {BLANK}", 9)
    return bytes(pdf.output())
