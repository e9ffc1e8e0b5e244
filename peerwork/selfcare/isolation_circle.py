"""Another organisation's circle records for the organisation isolation test (peerwork.core.isolation)."""
