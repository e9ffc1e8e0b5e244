"""A test-only app: models with sealed fields, installed when PEERWORK_TESTING=1."""
