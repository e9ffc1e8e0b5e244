"""Role-aware navigation: what each member sees in the menu."""

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


def navigation_for(member: Membership, path: str) -> list[NavItem]:
    items: list[tuple[object, str]] = [(_("My day"), reverse("core:dashboard"))]
    if can(member, Action.LIST, DataClass.WORK):
        items.append((_("People"), reverse("core:members")))
        items.append((_("Teams"), reverse("core:teams")))
    if is_org_admin(member):
        items.append((_("Invitations"), reverse("core:invitations")))
    items.append((_("Inbox"), reverse("core:inbox")))
    items.append((_("API tokens"), reverse("core:tokens")))
    return [
        NavItem(str(label), url, path == url or (url != "/" and path.startswith(url)))
        for label, url in items
    ]
