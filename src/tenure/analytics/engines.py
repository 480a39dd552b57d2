"""Engine connections: the operational database through Ibis, or an in-memory DuckDB.

- `connect_operational(context)`: an Ibis backend on the operational database itself
  (SQLite file or PostgreSQL), built from the SQLAlchemy URL.
- `connect_duckdb()`: a fresh connection to the process's in-memory DuckDB database;
  `tables.load_into` registers the input tables there as Arrow views and temporary
  tables (exact decimals, real dates), where the expressions run fastest. Views and
  temporary tables belong to the connection, so concurrent loads never see each other's;
  opening one costs 0.5 ms instead of the 12 ms of a new database.

Both are opened on demand by the caller and must be closed with `backend.disconnect()`.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

import duckdb
import ibis
from ibis.backends import BaseBackend
from sqlalchemy.engine import URL, make_url

from tenure.analytics import tables
from tenure.errors import Invalid
from tenure.kit.context import AppContext

EngineName = Literal["duckdb", "database"]
ENGINES: tuple[EngineName, ...] = ("duckdb", "database")


def operational_backend(url: str | URL) -> BaseBackend:
    """An Ibis backend over the database named by a SQLAlchemy URL."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return ibis.sqlite.connect(parsed.database or ":memory:")
    if backend == "postgresql":
        return ibis.postgres.connect(
            host=parsed.host or "localhost",
            port=parsed.port or 5432,
            user=parsed.username,
            password=parsed.password,
            database=parsed.database,
            **{str(k): str(v) for k, v in parsed.query.items()},
        )
    raise Invalid(f"analytics cannot run on a {backend} database")


def connect_operational(context: AppContext) -> BaseBackend:
    return operational_backend(context.settings.resolved_database_url)


@functools.cache
def _database() -> duckdb.DuckDBPyConnection:
    return duckdb.connect(":memory:")


def connect_duckdb() -> BaseBackend:
    return ibis.duckdb.from_connection(_database().cursor())


@contextmanager
def analytics_tables(context: AppContext, engine: EngineName) -> Iterator[tables.Tables]:
    """The analytics input tables on the chosen engine; the connection closes after use."""
    if engine not in ENGINES:
        raise Invalid(f"unknown analytics engine {engine!r}; use one of {', '.join(ENGINES)}")
    if engine == "database":
        backend = connect_operational(context)
        source = tables.operational_tables(backend)
    else:
        backend = connect_duckdb()
        source = tables.load_into(backend, tables.read_operational(context.engine))
    try:
        yield source
    finally:
        backend.disconnect()
