"""The outreach documents (issue 5 item 7; guide §4.4): a police liaison letter explaining
outreach work, and an outreach worker ID card. Both in the organisation's language, as a
printable page and as a PDF.

§4.4 asks organisations to "liaise with the police about the work of outreach and peer
workers ... or receive letters of support" and to "use materials to identify outreach
workers so that police understand who they are". The letter says what peer outreach is,
that workers carry needles, syringes and naloxone as part of their job, and whom to call:
the project manager named in the outreach policy (``OutreachPolicy.project_manager``),
with their work contact. The card carries the worker's name, the organisation, the role,
a date it is valid until and the same contact; a box for a photo the worker attaches on
paper (Peerwork stores no photos).

The PDFs are drawn with fpdf2 in DejaVu Sans, bundled in ``fonts/`` so any script (Latin,
Cyrillic, …) renders without a system package.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from fpdf import FPDF

from peerwork.core.models import Membership, Organisation

from .policy import policy_for

FONT = Path(__file__).resolve().parent / "fonts" / "DejaVuSans.ttf"
FONT_NAME = "DejaVuSans"
# A card is valid for a year from printing, or until the person's membership ends.
CARD_VALID = dt.timedelta(days=365)
# ISO/IEC 7810 ID-1, the size of a bank card, in millimetres.
CARD_SIZE = (85.6, 53.98)


@dataclass(frozen=True)
class Contact:
    name: str
    phone: str
    email: str


@dataclass(frozen=True)
class Letter:
    organisation: str
    title: str
    paragraphs: list[str]
    contact_intro: str
    contact: Contact | None
    closing: str
    dated: str


@dataclass(frozen=True)
class Card:
    organisation: str
    role: str
    name: str
    valid_until: str
    contact_label: str
    contact: Contact | None
    photo: str


def language_of(organisation: Organisation) -> str:
    """The organisation's first language, else the one active now."""
    languages = organisation.languages or []
    return str(languages[0]) if languages else (translation.get_language() or "en")


def project_manager(member: Membership) -> Contact | None:
    """The project manager named in the policy of the member's site (else the
    organisation's), with their work contact; None when no one is named."""
    site_id = member.team.site_id if member.team_id and member.team else None
    manager = policy_for(organisation_id=member.organisation_id, site_id=site_id).project_manager
    if manager is None or not manager.is_active:
        return None
    return Contact(name=manager.name, phone=manager.work_phone, email=manager.work_email)


def letter_for(member: Membership, *, today: dt.date | None = None) -> Letter:
    """The letter's words, in the organisation's language (call inside ``in_org_language``)."""
    today = today or timezone.localdate()
    org = member.organisation.name
    return Letter(
        organisation=org,
        title=_("To whom it may concern: our outreach workers"),
        paragraphs=[
            _(
                "%(org)s runs peer outreach. Our outreach workers, many of them with their own "
                "experience of drug use, meet people who use drugs where they are: on the "
                "street, in open drug scenes and in the places where they live. They offer "
                "health information, new injecting equipment and naloxone, and help people "
                "reach health services."
            )
            % {"org": org},
            _(
                "As part of their job our outreach workers carry new needles and syringes, used "
                "equipment in sealed containers for safe disposal, and naloxone, a medicine "
                "that reverses an opioid overdose. Carrying these materials is part of their "
                "work for us and protects the health of the whole community."
            ),
            _(
                "Each outreach worker carries an ID card from us. If you have a question about "
                "a worker or about our outreach work, please contact our project manager "
                "before taking any further step."
            ),
        ],
        contact_intro=_("Project manager"),
        contact=project_manager(member),
        closing=_("Thank you for supporting harm reduction in our community."),
        dated=date_format(today, "DATE_FORMAT"),
    )


def card_for(person: Membership, *, today: dt.date | None = None) -> Card:
    today = today or timezone.localdate()
    until = today + CARD_VALID
    if person.ended_at is not None:
        until = min(until, timezone.localdate(person.ended_at))
    return Card(
        organisation=person.organisation.name,
        role=_("Outreach worker"),
        name=person.name,
        valid_until=_("Valid until %(date)s") % {"date": date_format(until, "DATE_FORMAT")},
        contact_label=_("Project manager"),
        contact=project_manager(person),
        photo=_("Photo"),
    )


def in_org_language(organisation: Organisation) -> translation.override:
    return translation.override(language_of(organisation))


# --- PDF -------------------------------------------------------------------------------


def _pdf(**kwargs: object) -> FPDF:
    pdf = FPDF(unit="mm", **kwargs)  # type: ignore[arg-type]
    pdf.add_font(FONT_NAME, fname=str(FONT))
    pdf.set_font(FONT_NAME, size=11)
    return pdf


def _contact_lines(contact: Contact | None) -> list[str]:
    if contact is None:
        return [_("Not named yet: ask the organisation.")]
    return [line for line in (contact.name, contact.phone, contact.email) if line]


def letter_pdf(letter: Letter, *, compress: bool = True) -> bytes:
    """The letter on A4."""
    pdf = _pdf(format="A4")
    pdf.set_compression(compress)
    pdf.set_title(letter.title)
    pdf.set_margins(25, 25, 25)
    pdf.add_page()
    pdf.set_font(FONT_NAME, size=16)
    pdf.multi_cell(0, 8, letter.organisation, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT_NAME, size=10)
    pdf.multi_cell(0, 6, letter.dated, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font(FONT_NAME, size=13)
    pdf.multi_cell(0, 7, letter.title, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font(FONT_NAME, size=11)
    for paragraph in letter.paragraphs:
        pdf.multi_cell(0, 6, paragraph, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
    pdf.multi_cell(0, 6, letter.contact_intro + ":", new_x="LMARGIN", new_y="NEXT")
    for line in _contact_lines(letter.contact):
        pdf.multi_cell(0, 6, "    " + line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.multi_cell(0, 6, letter.closing, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.multi_cell(0, 6, letter.organisation, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def card_pdf(card: Card, *, compress: bool = True) -> bytes:
    """The card at bank-card size, landscape: the text on the left, a photo box right."""
    width, height = CARD_SIZE
    pdf = _pdf(orientation="L", format=(height, width))
    pdf.set_compression(compress)
    pdf.set_title(card.name)
    pdf.set_auto_page_break(False)
    pdf.set_margins(4, 4, 4)
    pdf.add_page()
    pdf.rect(1, 1, width - 2, height - 2)
    photo_w, photo_h = 20.0, 25.0
    pdf.rect(width - 4 - photo_w, 8, photo_w, photo_h)
    pdf.set_font(FONT_NAME, size=6)
    pdf.set_xy(width - 4 - photo_w, 8 + photo_h / 2 - 2)
    pdf.cell(photo_w, 4, card.photo, align="C")
    text_w = width - 8 - photo_w - 3
    pdf.set_xy(4, 4)
    pdf.set_font(FONT_NAME, size=8)
    pdf.multi_cell(text_w, 3.6, card.organisation, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT_NAME, size=11)
    pdf.multi_cell(text_w, 5, card.name, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT_NAME, size=8)
    pdf.multi_cell(text_w, 3.6, card.role, new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(text_w, 3.6, card.valid_until, new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(height - 17)
    pdf.set_font(FONT_NAME, size=6.5)
    pdf.multi_cell(width - 8, 3, card.contact_label + ":", new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(width - 8, 3, " · ".join(_contact_lines(card.contact)), new_x="LMARGIN")
    return bytes(pdf.output())
