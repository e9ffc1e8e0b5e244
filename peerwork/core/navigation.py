"""Role-aware navigation: what each member sees in the menu.

A link appears only when its page would answer the member (the same ``access`` rules the
views call first), so nobody is shown a way into a page that answers "not found".
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .access import Action, DataClass, can, is_org_admin
from .models import Membership


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    current: bool
    count: int = 0  # shown beside the label when above zero (unread messages)


def navigation_for(member: Membership, path: str, *, unread: int = 0) -> list[NavItem]:
    items: list[tuple[object, str, int]] = [(_("My day"), reverse("core:dashboard"), 0)]
    # One's own information and what colleagues shared: every member has both (the second
    # says so when nothing is shared with them).
    items.append((_("My information"), reverse("people:mine"), 0))
    items.append((_("Shared with me"), reverse("people:shared"), 0))
    if can(member, Action.LIST, DataClass.WORK):
        items.append((_("People"), reverse("core:members"), 0))
        items.append((_("Teams"), reverse("core:teams"), 0))
    # Outreach shifts are work data for working members (peerwork.outreach.access).
    from peerwork.outreach.access import sees_shifts

    if sees_shifts(member):
        items.append((_("Outreach"), reverse("outreach:schedule"), 0))
    # Meetings, working hours and trips are work data for working members; schedule
    # health is for those who organise meetings (peerwork.schedule.access).
    from peerwork.schedule.access import may_organise, sees_schedule

    if sees_schedule(member):
        items.append((_("Schedule"), reverse("schedule:mine"), 0))
    if may_organise(member):
        items.append((_("Schedule health"), reverse("schedule:health"), 0))
    # Self-care tools are every working member's, private by default; support at work is
    # theirs too, and a coach's or facilitator's for what is theirs (issue 7).
    from peerwork.selfcare.access import uses_selfcare
    from peerwork.support.access import uses_support

    if uses_selfcare(member):
        items.append((_("Self-care"), reverse("selfcare:home"), 0))
    if uses_support(member):
        items.append((_("Support"), reverse("support:home"), 0))
    # Concerns about work: one's own, and the cases a line manager or HR works (issue 8).
    from peerwork.concerns.access import uses_concerns

    if uses_concerns(member):
        items.append((_("Concerns"), reverse("concerns:home"), 0))
    if is_org_admin(member):
        items.append((_("Invitations"), reverse("core:invitations"), 0))
    items.append((_("Inbox"), reverse("core:inbox"), unread))
    items.append((_("API tokens"), reverse("core:tokens"), 0))
    return [
        NavItem(str(label), url, path == url or (url != "/" and path.startswith(url + "/")), count)
        for label, url, count in items
    ]
