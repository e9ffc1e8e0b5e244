"""Another organisation's real schedule records, for the organisation isolation test
(``peerwork.core.isolation``; nothing here runs in production). Each area keeps its makers
beside its routes; importing them registers them. The makers go by parameter name
(``meeting_id``, ``note_id``, ``adjustment_id``, …) and serve the pages and the API alike:
register a maker for a name once, here, and only requests (bodies) elsewhere."""

from . import isolation_api  # noqa: F401
