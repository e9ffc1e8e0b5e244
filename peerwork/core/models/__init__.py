"""Core models: tenancy, keys, audit, notifications, API tokens and process heartbeats.

Each group lives in its own module; import from ``peerwork.core.models``.
"""

from .audit import AuditEvent, AuditHead
from .keys import OrganisationKey, PersonKey
from .notifications import (
    Delivery,
    DeliveryAttempt,
    Notification,
    NotificationPreference,
    WebhookEndpoint,
)
from .processes import Heartbeat
from .tenancy import (
    Invitation,
    Membership,
    MembershipRole,
    Organisation,
    Role,
    Site,
    SupportRelationship,
    Team,
    User,
    active_members,
)
from .tokens import ApiToken

__all__ = [
    "ApiToken",
    "AuditEvent",
    "AuditHead",
    "Delivery",
    "DeliveryAttempt",
    "Heartbeat",
    "Invitation",
    "Membership",
    "MembershipRole",
    "Notification",
    "NotificationPreference",
    "Organisation",
    "OrganisationKey",
    "PersonKey",
    "Role",
    "Site",
    "SupportRelationship",
    "Team",
    "User",
    "WebhookEndpoint",
    "active_members",
]
