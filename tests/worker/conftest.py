"""A settable clock and throw-away registries for scheduler tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tenure.worker.registry import JobRegistry


class Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2025, 3, 10, 10, 5, tzinfo=UTC))


@pytest.fixture
def registry() -> JobRegistry:
    return JobRegistry()
