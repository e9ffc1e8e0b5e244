"""Another organisation's groups records for the organisation isolation test (peerwork.core.isolation)."""
