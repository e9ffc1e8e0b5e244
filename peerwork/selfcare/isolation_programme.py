"""Another organisation's programme records for the organisation isolation test (peerwork.core.isolation)."""
