"""Peerwork's PostgreSQL backend (``ENGINE = "peerwork.core.postgresql"``): see ``base``."""
