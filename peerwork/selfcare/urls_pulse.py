"""The pulse pages of selfcare (issue 7)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
