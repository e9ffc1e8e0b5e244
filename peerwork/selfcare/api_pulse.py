"""The pulse part of the API (issue 7; shared/API.md)."""

from ninja import Router

router = Router()
