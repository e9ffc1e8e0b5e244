"""The Section 3 menu of support, as review meetings (App. 7 "discuss, identify and agree
any appropriate support (see Section 3)") and App. 9 q6 ("workforce support within the
organisation … and/or agreed self-referral to OST, harm reduction or psychosocial
services") offer it. Codes are stored; labels are our words, with the guide section.

Nothing here is a test, a way of using or abstinence: support is offered, never imposed
(§4.2, §4.3)."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# (code, label, guide section)
WORKPLACE: tuple[tuple[str, Promise, str], ...] = (
    ("ost_arrangements", _("Arrangements for OST: dosing times and time to collect"), "§3.5"),
    ("flexible_hours", _("Flexible hours or a change to the working pattern"), "§3.6"),
    ("health_appointments", _("Time for health appointments"), "§3.6"),
    ("training", _("Training or development"), "§3.7"),
    ("risk_circle", _("A peer risk assessment (the risk circle)"), "§3.8"),
    ("relapse_plan", _("A plan for lapses and burnout"), "§3.9"),
    ("support_group", _("A peer support group"), "§3.10"),
    ("peer_mentor", _("A peer mentor"), "§3.11"),
    ("self_control", _("Self-control coaching with a peer mentor"), "§4.2, App. 8"),
    ("coaching", _("Psychological or professional support (a coach)"), "§3.13"),
    ("workload", _("A change of workload or tasks for a time"), "§3.9"),
    ("leave", _("A period of leave"), "§4.9"),
)

# Services outside work the staff member may choose to refer themselves to (App. 9 q6).
# Mentioned in the meeting as options; never stored by name: what the record says about
# support outside work is the staff member's own wording, or "External support agreed"
# (``EXTERNAL``).
SELF_REFERRAL: tuple[tuple[str, Promise, str], ...] = (
    ("referral_ost", _("Self-referral to an OST service"), "App. 9"),
    ("referral_harm_reduction", _("Self-referral to a harm reduction service"), "App. 9"),
    ("referral_psychosocial", _("Self-referral to psychosocial support"), "App. 9"),
)

EXTERNAL = "external_support"
EXTERNAL_DEFAULT = _("External support agreed")

MENU = WORKPLACE + ((EXTERNAL, _("Support outside work, worded by the staff member"), "App. 9"),)
CODES = frozenset(code for code, _label, _section in MENU)
CHOICES: list[tuple[str, Promise]] = [(code, label) for code, label, _section in MENU]


def label_of(code: str) -> str:
    for known, label, _section in MENU:
        if known == code:
            return str(label)
    return code
