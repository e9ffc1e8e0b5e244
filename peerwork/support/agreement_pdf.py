"""A support agreement as a PDF (issue 7 item 6; App. 4), for anyone who may read it.

The words are ``agreements.terms_of``: our own account of App. 4's terms of reference,
made from the agreement's fields, in the organisation's first language (as the outreach
documents and the OST request letter are), drawn with fpdf2 in the bundled DejaVu Sans so
any script renders. The three agreements and the staff member's acknowledgement of the
reporting duty are listed with their dates, or as not given yet. How the staff member likes
to keep in touch is not part of the terms and is never printed.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from fpdf import FPDF

from peerwork.outreach.documents import FONT, FONT_NAME, in_org_language

from .agreements import terms_of, zone_of
from .models import SupportAgreement


def agreement_pdf(agreement: SupportAgreement, *, compress: bool = True) -> bytes:
    """The agreement on A4, in the organisation's first language."""
    with in_org_language(agreement.person.organisation):
        text = terms_of(agreement)
        not_yet = _("not yet")
        zone = zone_of(agreement.person.organisation)
        facts = [
            (_("Service"), agreement.service),
            (_("Staff member"), agreement.person.name),
            (text.signatures[2].label, agreement.supporter.name),
            (_("Exception reports go to"), agreement.exception_recipient.name),
            (_("Review on"), date_format(agreement.review_on, "DATE_FORMAT")),
        ]
        agreed_heading = _("Agreed")
        pdf = FPDF(unit="mm", format="A4")
        pdf.add_font(FONT_NAME, fname=str(FONT))
        pdf.set_compression(compress)
        pdf.set_title(text.title)
        pdf.set_margins(22, 20, 22)
        pdf.add_page()

        def line(value: str, height: float = 6) -> None:
            pdf.multi_cell(0, height, value, new_x="LMARGIN", new_y="NEXT")

        pdf.set_font(FONT_NAME, size=15)
        line(text.title, 8)
        pdf.ln(2)
        pdf.set_font(FONT_NAME, size=10)
        for label, value in facts:
            line(f"{label}: {value}", 5)
        pdf.ln(4)
        pdf.set_font(FONT_NAME, size=11)
        for paragraph in text.paragraphs:
            line(paragraph)
            pdf.ln(2)
        line(text.exceptions_intro)
        for item in text.exceptions:
            line(f"  • {item}")
        pdf.ln(2)
        for paragraph in text.duty:
            line(paragraph)
            pdf.ln(2)
        line(text.review)
        pdf.ln(6)
        pdf.set_font(FONT_NAME, size=13)
        line(agreed_heading, 7)
        pdf.set_font(FONT_NAME, size=11)
        for signature in text.signatures:
            when = (
                date_format(timezone.localtime(signature.at, zone).date(), "DATE_FORMAT")
                if signature.at is not None
                else not_yet
            )
            name = signature.name or "—"
            line(f"{signature.label}: {name} · {when}")
    return bytes(pdf.output())
