"""Asking for advice before acting (§4.6): not a concern. Filled in below."""
