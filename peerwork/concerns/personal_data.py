"""The concerns module's part of a person's own-data export and erasure (issue 4 items 7
and 8), and what the export holds back while an investigation is open."""

from __future__ import annotations


def register() -> None:
    """Called from ``ConcernsConfig.ready``."""
