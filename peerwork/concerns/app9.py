"""Concerns: the app9 area (issue 8). Typed, keyword-only services taking the acting
membership; the record's gate (``peerwork.concerns.access``) is called by the view first."""
