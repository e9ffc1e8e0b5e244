"""Another organisation's wellbeing records for the organisation isolation test (peerwork.core.isolation)."""
