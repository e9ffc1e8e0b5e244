"""Assembles each app's django-ninja router under /api/v1 (API.md)."""

from ninja import NinjaAPI

api = NinjaAPI(title="Peerwork API", version="1", urls_namespace="api")
