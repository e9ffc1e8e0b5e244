"""The investigation part of a concern's case page (issue 8 items 4 and 5; §4.7).

``{% case_investigation concern member %}`` shows what ``member`` may know: that an
investigation is open and where the person stands (never to someone who supports them),
who supports the person (never to an investigator as such), and HR's button to open one.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from peerwork.core.models import Membership

from .. import access, investigations
from ..models import Concern

register = template.Library()


@register.inclusion_tag("concerns/investigation_case_part.html")
def case_investigation(concern: Concern, member: Membership) -> dict[str, Any]:
    investigation = investigations.investigation_of(concern)
    if investigation is not None and not access.reads_investigation(member, investigation):
        investigation = None
    sees_supporters = (
        member.pk == concern.person_id
        or access.manages_case(member, concern.person)
        or access.is_named_supporter(member, concern)
    )
    today = concern.person.organisation.local_today()
    return {
        "concern": concern,
        "member": member,
        "investigation": investigation,
        "is_person": member.pk == concern.person_id,
        "supporters": investigations.supporters_on(concern) if sees_supporters else [],
        "sees_supporters": sees_supporters,
        "supporters_url": f"{reverse('concerns:supporters')}?concern={concern.pk}",
        "suspension_ahead": investigation is not None
        and investigations.suspension_ahead(investigation, today),
        "may_open": investigations.may_open(member, concern),
        "suggested": investigations.suggests_investigation(concern),
        "names_supporters": concern.is_open() and investigations.names_supporters(member, concern),
    }
