"""Shared fixtures: a fresh, migrated operational database per test on SQLite and on
PostgreSQL (when scripts/test started one), and a DuckDB event store in a temp folder.

PostgreSQL tests clone a migrated template database, so each test starts empty in ~50 ms.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tenure.config import Settings
from tenure.kit import migrate
from tenure.kit.context import AppContext
from tenure.kit.db import make_engine

POSTGRES_URL = os.environ.get("TENURE_TEST_POSTGRES_URL")
BACKENDS = ["sqlite", "postgresql"]


def _admin_engine():  # type: ignore[no-untyped-def]
    return create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "tenure.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    if not POSTGRES_URL:
        pytest.skip("PostgreSQL not started: run the suite with scripts/test")
    name = f"tenure_tpl_{os.getpid()}"
    admin = _admin_engine()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(make_url(POSTGRES_URL).set(database=name).render_as_string(False))
    migrate.upgrade(engine)
    engine.dispose()
    yield name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    admin.dispose()


def fresh_postgres_database(template: str) -> tuple[str, str]:
    name = f"tenure_t_{uuid.uuid4().hex[:12]}"
    admin = _admin_engine()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    admin.dispose()
    return name, make_url(POSTGRES_URL).set(database=name).render_as_string(False)


def drop_postgres_database(name: str) -> None:
    admin = _admin_engine()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty operational database, once per backend."""
    if request.param == "sqlite":
        path = tmp_path / "tenure.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    template = request.getfixturevalue("postgres_template")
    name, url = fresh_postgres_database(template)
    yield url
    drop_postgres_database(name)


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return Settings(
        home=tmp_path / "home",
        database_url=database_url,
        events_url=f"duckdb:///{tmp_path / 'events.duckdb'}",
        run_jobs_in_serve=False,
    )


@pytest.fixture
def context(settings: Settings) -> Iterator[AppContext]:
    ctx = AppContext(settings)
    yield ctx
    ctx.close()


@pytest.fixture
def env_for(settings: Settings) -> dict[str, str]:
    """Environment for running the real `tenure` console script against `settings`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TENURE_")}
    env.update(
        TENURE_HOME=str(settings.home),
        TENURE_DATABASE_URL=settings.resolved_database_url,
        TENURE_EVENTS_URL=settings.resolved_events_url,
    )
    return env


# --- the REST API needs credentials (tenure.api.auth) -----------------------------------


def api_token(context: AppContext, role: str = "admin") -> str:
    """A fresh active user of `role` (no password) and a new API token for it."""
    from tenure.kit.db import unit_of_work
    from tenure.models.users import User
    from tenure.users import tokens

    email = f"api-{role}-{uuid.uuid4().hex[:8]}@tenure.test"
    with unit_of_work(context.sessions) as session:
        session.add(User(email=email, role=role, is_active=True))
        session.flush()
        return tokens.create_token(session, email, f"tests ({role})").token


def api_headers(context: AppContext, role: str = "admin") -> dict[str, str]:
    """`Authorization: Bearer <token>` for a new user of `role` (for httpx or TestClient)."""
    return {"Authorization": f"Bearer {api_token(context, role)}"}


def authorized_client(app: Any, context: AppContext, role: str = "admin") -> Any:
    """A TestClient on `app` sending `Authorization: Bearer <token of a new role user>`.
    Use it like TestClient: `with authorized_client(app, context) as client: ...`."""
    from fastapi.testclient import TestClient

    return TestClient(app, headers=api_headers(context, role))
