"""Another organisation's mentoring records for the organisation isolation test (peerwork.core.isolation)."""
