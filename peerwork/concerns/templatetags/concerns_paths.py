"""What the other Section 4 paths add to a concern's case page and stage pages (§4.4–§4.7;
``other_paths.notes_for``).

``{% path_notes concern member %}`` on the case page states what a path says plainly: the
presumption of innocence of §4.7, the organisation's support for a worker when a client's
complaint had no grounds (§4.5, addressed to the worker when they read it), an approved
relationship (§4.6), and links to the pages the stages lead to. ``{% path_notes concern
member stage %}`` on a stage page shows the links of that stage only, and the presumption
of innocence.
"""

from __future__ import annotations

from typing import Any

from django import template

from peerwork.core.models import Membership

from .. import other_paths
from ..models import Concern
from ..paths import Stage

register = template.Library()


@register.inclusion_tag("concerns/path_notes.html")
def path_notes(concern: Concern, member: Membership, stage: Stage | None = None) -> dict[str, Any]:
    found = other_paths.notes_for(concern, member)
    if stage is None:
        return {"notices": found.notices, "links": found.links}
    return {
        "notices": [notice for notice in found.notices if notice.on_stages],
        "links": [link for link in found.links if link.stage == stage.key],
    }
