"""The outreach module's API: shifts, check-out and check-in, acknowledgements and
incidents (issue 5 item 8; shared/API.md)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["outreach"])
