"""Signal handlers (none yet beyond module registration)."""
