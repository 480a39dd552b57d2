"""An empty event store per test, once on DuckDB and once on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import drop_postgres_database, fresh_postgres_database
from tenure.usage.store import EventStore, open_event_store


@pytest.fixture(params=["duckdb", "postgresql"])
def events_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "duckdb":
        yield f"duckdb:///{tmp_path / 'events.duckdb'}"
        return
    template = request.getfixturevalue("postgres_template")  # skips without PostgreSQL
    name, url = fresh_postgres_database(template)
    yield url
    drop_postgres_database(name)


@pytest.fixture
def store(events_url: str) -> Iterator[EventStore]:
    opened = open_event_store(events_url)
    opened.ensure_schema()
    yield opened
    opened.close()
