"""The summary a hand-off gives the organisation's disciplinary procedure, as a PDF (issue 8
item 3; App. 9 q8, §4.2, §4.4, §4.7).

Peerwork runs no discipline: it hands over what the case holds, in terms of work, and says
so on the page. The summary (``summary_of``) holds the concern as recorded (the effect on
work, dates, what happened, the evidence; never the signs noticed, which are not a problem
on their own, §4.2), the hand-off's grounds and written reason, the stages of the path with
their answers, the review meetings and their notes with each side's answer and any
disagreement beside them, the targets with their feedback sources, the staff member's
self-reflection and the outcomes, and the support offered and whether it was taken up.
Support outside work is given in the staff member's own words, or as "External support
agreed" (DESIGN.md "Privacy model").

Nothing from mentoring or coaching (sessions, confirmations), self-care or disclosures is
read here: the summary is made from the concern's own records only.

The words are in the organisation's first language, drawn with fpdf2 in the bundled
DejaVu Sans (as ``peerwork.support.agreement_pdf``), so any script renders.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, cast

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from fpdf import FPDF

from peerwork.outreach.documents import FONT, FONT_NAME, in_org_language

from . import app9, meetings, paths, support_menu
from .models import Concern, Handoff, MeetingNote, ReviewMeeting


@dataclass
class Section:
    heading: str
    lines: list[tuple[str, str]] = field(default_factory=list)  # (label, value)
    paragraphs: list[str] = field(default_factory=list)
    subsections: list[Section] = field(default_factory=list)


@dataclass
class Summary:
    title: str
    disclaimer: str
    facts: list[tuple[str, str]]
    sections: list[Section]


def _day(value: dt.date | None) -> str:
    return date_format(value, "DATE_FORMAT") if value is not None else "—"


def _moment(value: dt.datetime | None, concern: Concern) -> str:
    if value is None:
        return "—"
    return _day(timezone.localtime(value, concern.person.organisation.zone).date())


def _text(value: object) -> str:
    return str(value or "").strip()


def external_wording(concern: Concern) -> str:
    """Support outside work as the staff member worded it in the latest meeting that
    mentions it, else "External support agreed"."""
    for meeting in reversed(list(app9.meetings_of(concern))):
        worded = meetings.external_support_text(meeting)
        if worded:
            return worded
    return str(support_menu.EXTERNAL_DEFAULT)


def _concern_section(concern: Concern) -> Section:
    section = Section(_("The concern, in terms of work"))
    section.lines = [
        (_("Effect on work"), str(concern.get_category_display())),
        (_("Raised by"), str(concern.get_source_display())),
        (_("First noticed"), _day(concern.noticed_from)),
        (_("Last noticed"), _day(concern.noticed_to)),
        (_("Recorded"), _moment(concern.raised_at, concern)),
        (_("Path"), str(concern.get_path_display())),
    ]
    for label, value in (
        (_("What happened at work"), concern.what_happened),
        (_("The effect on work"), concern.work_impact),
        (_("Evidence"), concern.evidence),
    ):
        if _text(value):
            section.lines.append((label, _text(value)))
    return section


def _stages_section(concern: Concern) -> Section | None:
    spec = paths.spec_for(concern)
    if spec is None:
        return None
    recorded = paths.steps_of(concern)
    section = Section(_("The stages of the path"))
    external = external_wording(concern)
    for stage in spec.stages:
        step = recorded.get(stage.key)
        sub = Section(f"{stage.guide} · {stage.title}")
        if step is None:
            sub.paragraphs.append(_("Not recorded."))
        else:
            answers = dict(app9.stage_answers(step))
            offered = answers.get("support_offered")
            if isinstance(offered, list) and support_menu.EXTERNAL in offered:
                # The staff member's words, never the menu's (DESIGN.md "Privacy model").
                answers["support_offered"] = [c for c in offered if c != support_menu.EXTERNAL]
            sub.lines = app9.answer_labels(stage, answers)
            if isinstance(offered, list) and support_menu.EXTERNAL in offered:
                sub.lines.append((_("Support outside work"), external))
            if _text(step.notes):
                sub.lines.append((str(stage.notes_label), _text(step.notes)))
            if step.meeting is not None:
                sub.lines.append((_("In the meeting of"), _day(app9.meeting_day(step.meeting))))
            sub.lines.append((_("Recorded"), _moment(step.recorded_at, concern)))
        section.subsections.append(sub)
    return section


def _response(response: str, disagreement: object) -> str:
    if response == MeetingNote.Response.AGREED:
        return _("Agreed")
    if response == MeetingNote.Response.DISAGREED:
        return _("Disagrees: %(what)s") % {"what": _text(disagreement)}
    return _("Not answered yet")


def _meeting_section(meeting: ReviewMeeting) -> Section:
    sub = Section(
        _("Review meeting of %(day)s (%(state)s)")
        % {"day": _day(app9.meeting_day(meeting)), "state": meeting.get_state_display()}
    )
    sub.lines.append((_("Held by"), meeting.held_by.name))
    for name in (
        "purpose",
        "issue_and_standards",
        "expected_level",
        "person_account",
        "job_concerns",
    ):
        value = _text(getattr(meeting, name))
        if value:
            label = cast(Any, ReviewMeeting._meta.get_field(name)).verbose_name
            sub.lines.append((str(label).capitalize(), value))
    agreed = [line.label for line in meetings.support_lines(meeting)]
    if agreed:
        sub.lines.append((_("Support agreed"), "; ".join(agreed)))
    if _text(meeting.support_details):
        sub.lines.append((_("Support, training and development"), _text(meeting.support_details)))
    outside = meetings.external_support_text(meeting)
    if outside:
        sub.lines.append((_("Support outside work"), outside))
    note = meetings.note_of(meeting)
    if note is not None:
        sub.lines.append((_("Meeting note"), _text(note.summary)))
        sub.lines.append(
            (_("The staff member"), _response(note.person_response, note.person_disagreement))
        )
        sub.lines.append(
            (_("The manager"), _response(note.manager_response, note.manager_disagreement))
        )
    return sub


def _meetings_section(concern: Concern) -> Section:
    section = Section(_("Review meetings and their notes"))
    section.paragraphs.append(
        _(
            "A meeting note is an agreed summary of a meeting. It is not a warning and was kept "
            "outside any disciplinary procedure."
        )
    )
    found = list(app9.meetings_of(concern).select_related("held_by__user"))
    if not found:
        section.paragraphs.append(_("None."))
    section.subsections = [_meeting_section(m) for m in found]
    return section


def _targets_section(concern: Concern) -> Section:
    section = Section(_("Targets for work and how they went"))
    found = list(app9.targets_of(concern))
    if not found:
        section.paragraphs.append(_("None."))
    for number, target in enumerate(found, start=1):
        sub = Section(
            _("Target %(n)d: %(measure)s") % {"n": number, "measure": target.get_measure_display()}
        )
        sub.lines = [
            (_("What good looks like"), _text(target.description)),
            (_("Review on"), _day(target.review_on)),
            (_("Objective sources of feedback"), _text(target.feedback_sources)),
            (_("The staff member's self-reflection"), _text(target.self_reflection) or "—"),
            (_("Outcome"), str(target.get_outcome_display())),
        ]
        if target.reviewed_in is not None:
            sub.lines.append(
                (_("Reviewed in the meeting of"), _day(app9.meeting_day(target.reviewed_in)))
            )
        section.subsections.append(sub)
    return section


def summary_of(handoff: Handoff) -> Summary:
    """What the summary says, in the active language."""
    concern = handoff.concern
    facts = [
        (_("Staff member"), handoff.person.name),
        (_("Organisation"), handoff.person.organisation.name),
        (_("Grounds"), str(handoff.get_grounds_display())),
        (_("State"), str(handoff.get_state_display())),
        (
            _("Asked for by"),
            f"{handoff.requested_by.name if handoff.requested_by else '—'} · "
            f"{_moment(handoff.requested_at, concern)}",
        ),
    ]
    if handoff.countersigned_by is not None:
        facts.append(
            (
                _("Countersigned by"),
                f"{handoff.countersigned_by.name} · {_moment(handoff.countersigned_at, concern)}",
            )
        )
    if handoff.review is not None:
        facts.append((_("Review meeting"), _day(app9.meeting_day(handoff.review))))
    sections: list[Section] = []
    if _text(handoff.reason):
        sections.append(Section(_("Written reason"), paragraphs=[_text(handoff.reason)]))
    sections.append(_concern_section(concern))
    stages = _stages_section(concern)
    if stages is not None:
        sections.append(stages)
    sections.append(_meetings_section(concern))
    sections.append(_targets_section(concern))
    return Summary(
        title=_("Summary for the organisation's disciplinary procedure"),
        disclaimer=_(
            "Peerwork does not run disciplinary procedures. This summary hands what the case "
            "records to the organisation's own procedure, which decides what happens next."
        ),
        facts=facts,
        sections=sections,
    )


def handoff_pdf(handoff: Handoff, *, compress: bool = True) -> bytes:
    """The summary on A4, in the organisation's first language."""
    with in_org_language(handoff.person.organisation):
        summary = summary_of(handoff)
        pdf = FPDF(unit="mm", format="A4")
        pdf.add_font(FONT_NAME, fname=str(FONT))
        pdf.set_compression(compress)
        pdf.set_title(summary.title)
        pdf.set_margins(20, 18, 20)
        pdf.set_auto_page_break(auto=True, margin=18)
        pdf.add_page()

        def line(value: str, size: float = 10, height: float = 5) -> None:
            pdf.set_font(FONT_NAME, size=size)
            pdf.multi_cell(0, height, value, new_x="LMARGIN", new_y="NEXT")

        def draw(section: Section, size: float) -> None:
            pdf.ln(2)
            line(section.heading, size, 6.5)
            for paragraph in section.paragraphs:
                line(paragraph)
            for label, value in section.lines:
                line(f"{label}: {value}")
            for sub in section.subsections:
                draw(sub, size - 1.5)

        line(summary.title, 15, 8)
        line(summary.disclaimer, 10)
        pdf.ln(2)
        for label, value in summary.facts:
            line(f"{label}: {value}")
        for section in summary.sections:
            draw(section, 13)
        pdf.ln(4)
        line(summary.disclaimer, 9)
    return bytes(pdf.output())
