"""Another organisation's real outreach records, for the organisation isolation test
(``peerwork.core.isolation``; nothing here runs in production). Each area keeps its makers
beside its routes; importing them registers them."""

from . import (  # noqa: F401
    isolation_api,
    isolation_incidents,
    isolation_link,
    isolation_shifts,
    isolation_sms,
)
