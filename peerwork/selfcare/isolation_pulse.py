"""Another organisation's pulse records for the organisation isolation test (peerwork.core.isolation)."""
