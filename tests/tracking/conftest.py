"""Tracking fixtures: a source with its write key, the app under TestClient, and a real
uvicorn server on 127.0.0.1 (optionally behind a fault-injecting ASGI wrapper).

Every tracking test runs with each event store: DuckDB (the embedded default) and
PostgreSQL (a fresh database cloned from the test template; skipped without scripts/test),
on top of the root conftest's SQLite/PostgreSQL operational databases."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
import uvicorn
from fastapi.testclient import TestClient

from tenure.api.app import create_app
from tenure.config import Settings
from tenure.kit.context import AppContext
from tenure.kit.db import unit_of_work
from tenure.tracking import service
from tenure.usage.duckdb_store import DuckDBEventStore
from tenure.usage.postgres_store import conninfo
from tests.conftest import drop_postgres_database, fresh_postgres_database


@pytest.fixture(params=["duckdb", "pg-events"])
def events_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The event store of a tracking test: DuckDB, or PostgreSQL (its own database)."""
    if request.param == "duckdb":
        yield f"duckdb:///{tmp_path / 'events.duckdb'}"
        return
    template = request.getfixturevalue("postgres_template")  # skips without PostgreSQL
    name, url = fresh_postgres_database(template)
    yield url
    drop_postgres_database(name)


@pytest.fixture
def settings(settings: Settings, events_url: str) -> Settings:
    return settings.model_copy(update={"events_url": events_url})


@pytest.fixture
def write_key(context: AppContext) -> str:
    with unit_of_work(context.sessions) as session:
        return service.create_source(session, "web").write_key


@pytest.fixture(autouse=True)
def only_our_routers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Build apps with the tracking routes only: other domains' work in progress in the
    same tree must not break these tests (the full app is served in test_durability)."""
    monkeypatch.setattr(
        "tenure.api.routers.ROUTER_MODULES", ("tenure.api.health", "tenure.tracking.endpoints")
    )


@pytest.fixture
def client(context: AppContext) -> Iterator[TestClient]:
    with TestClient(create_app(context, run_jobs=False)) as test_client:
        yield test_client


STORED_SQL = (
    "SELECT message_id, source, event_time, received_at, account_external_id, user_id, "
    "event, CAST(properties AS {text}) AS properties FROM events ORDER BY message_id"
)


def stored(context: AppContext) -> list[dict[str, Any]]:
    """Every stored event as a dict (properties as JSON text), from either event store."""
    store = context.events
    if isinstance(store, DuckDBEventStore):
        with store.connect() as connection:
            cursor = connection.execute(STORED_SQL.format(text="VARCHAR"))
            names = [column[0] for column in cursor.description]
            return [dict(zip(names, row)) for row in cursor.fetchall()]
    store.ensure_schema()
    with psycopg.connect(conninfo(store.url)) as connection:
        cursor = connection.execute(STORED_SQL.format(text="text"))
        names = [column.name for column in cursor.description or ()]
        return [dict(zip(names, row)) for row in cursor.fetchall()]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


Wrapper = Callable[[Any], Any]


@pytest.fixture
def serve(context: AppContext) -> Iterator[Callable[..., str]]:
    """Start the app with uvicorn in a thread; returns its base URL."""
    servers: list[tuple[uvicorn.Server, threading.Thread]] = []

    def start(wrap: Wrapper | None = None) -> str:
        app = create_app(context, run_jobs=False)
        port = free_port()
        config = uvicorn.Config(wrap(app) if wrap else app, host="127.0.0.1", port=port,
                                log_level="warning", lifespan="on")
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 20
        while not server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.02)
        servers.append((server, thread))
        base = f"http://127.0.0.1:{port}"
        assert httpx.get(f"{base}/healthz").status_code == 200
        return base

    yield start
    for server, thread in servers:
        server.should_exit = True
        thread.join(20)
