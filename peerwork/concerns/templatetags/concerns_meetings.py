"""The review meetings part of a concern's case page (issue 8 item 2; App. 7).

``{% case_meetings concern member %}`` lists the concern's review meetings that ``member``
reads (``access.reads_meeting``: an investigator of the person, for one, reads none) and
offers the line manager and HR a new one.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from peerwork.core.models import Membership

from .. import access, meetings
from ..models import Concern

register = template.Library()


@register.inclusion_tag("concerns/meeting_case_part.html")
def case_meetings(concern: Concern, member: Membership) -> dict[str, Any]:
    found = meetings.meetings_of_concern(member, concern)
    notes = {
        note.meeting_id: note
        for note in meetings.MeetingNote.objects.filter(
            organisation_id=concern.organisation_id, meeting__in=[m.pk for m in found]
        )
    }
    return {
        "concern": concern,
        "rows": [(meeting, notes.get(meeting.pk)) for meeting in found],
        "may_plan": concern.is_open() and access.manages_case(member, concern.person),
        "new_url": f"{reverse('concerns:review_new')}?concern={concern.pk}",
    }
