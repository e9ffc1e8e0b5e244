"""The paths part of concerns through the API (issue 8 item 8; shared/API.md)."""

from ninja import Router

router = Router(tags=["concerns"])
