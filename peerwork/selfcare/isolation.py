"""Another organisation's real self-care records, for the organisation isolation test
(``peerwork.core.isolation``; nothing here runs in production). Each area keeps its makers
beside its routes; importing them registers them."""

from . import isolation_circle, isolation_programme, isolation_pulse, isolation_wellbeing  # noqa: F401
