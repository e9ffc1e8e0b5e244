"""The path part of a concern's case page, for every path (issue 8 items 3 and 4; App. 9).

``{% case_path concern member %}`` lists the stages of the concern's path, recorded or not
yet, each linking to its page (where the line manager or HR record it); on the App. 9 path
the gentle line of §4.2; the peer mentor's consented yes or no (nothing without consent);
the targets for work; and the hand-off, or the way to ask for one.
"""

from __future__ import annotations

from typing import Any

from django import template

from peerwork.core.models import Membership

from .. import app9
from ..models import Concern

register = template.Library()


@register.inclusion_tag("concerns/_case_path_part.html")
def case_path(concern: Concern, member: Membership) -> dict[str, Any]:
    return {
        "concern": concern,
        "member": member,
        "view": app9.path_view(concern, member),
        "gentle": app9.GENTLE_LINE,
    }
