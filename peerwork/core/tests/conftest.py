"""Fixtures shared by the sign-in tests (the people are in the root ``conftest.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache

from peerwork.core.tests.signing_in import code_period_clock


@pytest.fixture
def fresh_limits(db: None) -> None:
    """allauth's rate limits and its record of used codes live in the cache: start clean."""
    cache.clear()


@pytest.fixture
def clock() -> Iterator[Any]:
    """Time frozen one second into a two-step code period (see ``code_period_clock``)."""
    with code_period_clock() as frozen:
        yield frozen
