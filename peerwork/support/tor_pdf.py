"""A peer support group's terms of reference as a PDF (issue 7 item 7; App. 4 "support
group model terms of reference"), to print and pin up or sign.

The words are ``groups.terms_text``, the same the group's page shows, in the reader's
language, set in DejaVu Sans (any script) with fpdf2 as the other documents are
(``peerwork.schedule.letter``). It names the group, its facilitator and its terms, never
who is in it.
"""

from __future__ import annotations

import datetime as dt

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from fpdf import FPDF

from peerwork.outreach.documents import FONT, FONT_NAME

from . import groups
from .models import SupportGroup

BLANK = "_" * 32


def terms_pdf(group: SupportGroup, *, today: dt.date, compress: bool = True) -> bytes:
    """The terms on A4, with lines to sign for the organisation and for the group."""
    title = _("Terms of reference: %(name)s") % {"name": group.name}
    pdf = FPDF(unit="mm", format="A4")
    pdf.add_font(FONT_NAME, fname=str(FONT))
    pdf.set_compression(compress)
    pdf.set_title(title)
    pdf.set_margins(25, 20, 25)
    pdf.add_page()

    def line(text: str, height: float = 6) -> None:
        pdf.multi_cell(0, height, text, new_x="LMARGIN", new_y="NEXT")

    pdf.set_font(FONT_NAME, size=10)
    line(group.organisation.name, 5)
    pdf.ln(4)
    pdf.set_font(FONT_NAME, size=14)
    line(title, 8)
    pdf.set_font(FONT_NAME, size=11)
    facilitator = group.facilitator.name if group.facilitator else _("None named yet")
    line(_("Facilitator: %(name)s") % {"name": facilitator})
    pdf.ln(3)
    for paragraph in groups.terms_text(group):
        line(paragraph)
        pdf.ln(2)
    pdf.ln(6)
    for label in (_("For the organisation"), _("For the group"), _("Date")):
        line(f"{label}: {BLANK}", 9)
    pdf.ln(2)
    pdf.set_font(FONT_NAME, size=8)
    line(
        _("Printed %(date)s. The group's page in Peerwork always has the current terms.")
        % {"date": date_format(today, "DATE_FORMAT")}
    )
    return bytes(pdf.output())
