"""Another organisation's real support records, for the organisation isolation test
(``peerwork.core.isolation``; nothing here runs in production). Each area keeps its makers
beside its routes; importing them registers them."""

from . import isolation_groups, isolation_mentoring  # noqa: F401
