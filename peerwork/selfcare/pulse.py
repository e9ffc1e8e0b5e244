"""pulse (issue 7): filled in by its area."""
