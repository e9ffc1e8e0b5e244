"""Another organisation's real concerns records, for the organisation isolation test
(``peerwork.core.isolation``; nothing here runs in production). Each area keeps its makers
beside its routes; importing them registers them."""

from . import (  # noqa: F401
    isolation_app9,
    isolation_intake,
    isolation_investigations,
    isolation_meetings,
    isolation_paths,
)
