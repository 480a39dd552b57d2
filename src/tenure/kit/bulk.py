"""Bulk upsert helpers for repositories: look rows up by a natural key in chunks, split
incoming records into inserts, updates and unchanged, and write them with bulk statements
(Core executemany inserts; `update(Model)` by primary key with lists of dicts).

No ORM objects are built: an import of 100,000 rows is a few executemany round trips.
Nothing here commits; the entry point owns the transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Date, func, insert, select, text, update
from sqlalchemy.orm import Session

T = TypeVar("T")
Record = dict[str, Any]

# Bound parameters per IN list: below SQLite's and PostgreSQL's limits, large enough to
# keep round trips few (100 queries for 100,000 keys).
LOOKUP_CHUNK = 1000
# From this many keys on, compare with the table's size and maybe read it whole instead.
SCAN_THRESHOLD = 10 * LOOKUP_CHUNK


def chunked(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def fetch_by_keys(
    session: Session, model: type[Any], key: str, keys: Collection[Any], columns: Sequence[str]
) -> dict[Any, Record]:
    """Existing rows whose `key` is in `keys`: key -> {"id", key, *columns}."""
    key_column = getattr(model, key)
    selected = [model.id, key_column, *(getattr(model, c) for c in columns if c != key)]
    wanted = set(keys)
    found: dict[Any, Record] = {}
    if _scan_is_cheaper(session, model, len(wanted)):
        for row in session.execute(select(*selected)).mappings():
            if row[key] in wanted:
                found[row[key]] = dict(row)
        return found
    for chunk in chunked(sorted(wanted), LOOKUP_CHUNK):
        result = session.execute(select(*selected).where(key_column.in_(chunk)))
        for row in result.mappings():
            found[row[key]] = dict(row)
    return found


def _scan_is_cheaper(session: Session, model: type[Any], wanted: int) -> bool:
    """One pass over the table beats many IN lists when the keys are a large share of it
    (a first import into an empty table, a re-import of a whole export)."""
    if wanted < SCAN_THRESHOLD:
        return False
    stored = session.execute(select(func.count()).select_from(model)).scalar_one()
    return stored <= 2 * wanted


def ids_by_keys(
    session: Session, model: type[Any], key: str, keys: Collection[Any]
) -> dict[Any, int]:
    return {k: row["id"] for k, row in fetch_by_keys(session, model, key, keys, ()).items()}


def _as_utc(value: datetime) -> datetime:
    # SQLite hands back naive datetimes for DateTime(timezone=True); they were stored as UTC.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def same_value(new: Any, old: Any) -> bool:
    if isinstance(new, datetime) and isinstance(old, datetime):
        return _as_utc(new) == _as_utc(old)
    return bool(new == old)


@dataclass
class UpsertPlan:
    """What an upsert will do. `existing` holds the current rows of the keys it touches."""

    key: str
    inserts: list[Record] = field(default_factory=list)
    updates: list[Record] = field(default_factory=list)  # each carries the row's "id"
    unchanged: int = 0
    existing: dict[Any, Record] = field(default_factory=dict)

    @property
    def updated_keys(self) -> set[Any]:
        return {row[self.key] for row in self.updates}


def plan_upsert(records: Sequence[Record], existing: dict[Any, Record], key: str) -> UpsertPlan:
    """Split records by whether their key exists and whether any given value differs."""
    plan = UpsertPlan(key=key, existing=existing)
    for record in records:
        current = existing.get(record[key])
        if current is None:
            plan.inserts.append(record)
        elif all(same_value(value, current.get(name)) for name, value in record.items()):
            plan.unchanged += 1
        else:
            plan.updates.append({**record, "id": current["id"]})
    return plan


def insert_rows(session: Session, model: type[Any], rows: Sequence[Record], batch: int) -> None:
    """Core executemany on the session's connection: 1.7x faster than the ORM's bulk
    insert for the same rows (measured, SQLite). Every dict must carry the same keys."""
    statement = model.__table__.insert()
    for chunk in chunked(rows, batch):
        session.connection().execute(statement, list(chunk))


def update_rows(session: Session, model: type[Any], rows: Sequence[Record], batch: int) -> None:
    """Bulk UPDATE by primary key: every dict carries "id" plus the columns to set."""
    for chunk in chunked(rows, batch):
        session.execute(update(model), list(chunk))


def apply_plan(session: Session, model: type[Any], plan: UpsertPlan, batch: int) -> None:
    insert_rows(session, model, plan.inserts, batch)
    update_rows(session, model, plan.updates, batch)
    session.flush()


def plan_against_table(
    session: Session, model: type[Any], key: str, records: Sequence[Record]
) -> UpsertPlan:
    """Look up the records' keys in `model`'s table (one chunked query) and plan."""
    columns = list(records[0]) if records else []
    existing = fetch_by_keys(session, model, key, [r[key] for r in records], columns)
    return plan_upsert(records, existing, key)


# --- fast appends of new rows ----------------------------------------------------------
#
# `append_columns` writes rows given column-wise (lists or numpy arrays) straight to the
# driver, skipping SQLAlchemy's per-row work: SQLite gets the raw DBAPI `executemany`
# with one prepared statement, PostgreSQL (psycopg 3) gets `COPY ... FROM STDIN`.
# Values are converted the way SQLAlchemy would bind them (its own bind processors), and
# numpy datetime64 columns are formatted in bulk. Like everything here it runs on the
# session's connection, inside its transaction, and never commits.

Columns = Mapping[str, Any]


def append_columns(
    session: Session,
    model: type[Any],
    columns: Columns,
    chunk_rows: int = 100_000,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Insert len(any column) new rows; returns the row count. Every column has the same
    length; numpy datetime64 values are UTC (NaT is NULL). Giving "id" explicitly is fine
    on an empty table: call `reset_id_sequence` afterwards for PostgreSQL."""
    table = model.__table__
    columns = {**_scalar_defaults(table, columns), **columns}
    names = list(columns)
    count = len(columns[names[0]]) if names else 0
    connection = session.connection()
    dialect = connection.dialect
    for start in range(0, count, chunk_rows):
        converted: dict[int, list[Any]] = {}  # created_at and updated_at: convert once
        values = []
        for name in names:
            key = id(columns[name])
            if key not in converted:
                part = columns[name][start : start + chunk_rows]
                converted[key] = _bind_values(table.c[name], part, dialect)
            values.append(converted[key])
        rows = list(zip(*values, strict=True))
        _WRITERS.get(dialect.name, _write_core)(connection, table, names, rows)
        if progress is not None:
            progress(len(rows))
    return count


def _scalar_defaults(table: Any, columns: Columns) -> dict[str, Any]:
    """Python-side scalar defaults (`default="open"`) of the columns not given, which the
    raw driver paths would otherwise leave NULL. Callable defaults are refused."""
    given = next(iter(columns.values()), [])
    filled: dict[str, Any] = {}
    for column in table.c:
        if column.name in columns or column.default is None:
            continue
        if not column.default.is_scalar:
            raise ValueError(f"{table.name}.{column.name}: give a value (callable default)")
        filled[column.name] = [column.default.arg] * len(given)
    return filled


def _bind_values(column: Any, values: Any, dialect: Any) -> list[Any]:
    kind = getattr(getattr(values, "dtype", None), "kind", None)  # numpy, imported lazily
    if kind == "M":
        return _format_times(values, column.type, dialect.name)
    plain = values.tolist() if kind is not None else list(values)
    if dialect.name == "postgresql":
        return plain  # psycopg adapts Python values itself
    processor = column.type._cached_bind_processor(dialect)
    return plain if processor is None else [processor(v) for v in plain]


def _format_times(values: Any, type_: Any, dialect: str) -> list[str | None]:
    """Timestamps as the text SQLAlchemy would write (SQLite) or PostgreSQL parses, built
    from lookup tables of distinct days and times of day (fast on millions of rows)."""
    import numpy as np

    us = values.astype("datetime64[us]")
    missing = np.isnat(us)
    keys, index = np.unique(np.where(missing, 0, us.view(np.int64)), return_inverse=True)
    days, micros = np.divmod(keys, 86_400_000_000)
    day_text = np.datetime_as_string(days.astype("datetime64[D]")).tolist()
    if isinstance(type_, Date):
        text = day_text
    else:
        zone = "+00:00" if dialect == "postgresql" else ""
        times, which = np.unique(micros, return_inverse=True)
        if (times % 1_000_000 == 0).all():  # whole seconds: one table for every day
            time_text = _second_texts(zone)[times // 1_000_000].tolist()
        else:
            time_text = [_time_text(t, zone) for t in times.tolist()]
        text = [d + time_text[t] for d, t in zip(day_text, which.tolist(), strict=True)]
    result = np.asarray(text, dtype=object)[index]
    result[missing] = None
    return result.tolist()  # type: ignore[no-any-return]


def _time_text(micros: int, zone: str) -> str:
    return (f" {micros // 3_600_000_000:02d}:{micros // 60_000_000 % 60:02d}:"
            f"{micros // 1_000_000 % 60:02d}.{micros % 1_000_000:06d}{zone}")


@cache
def _second_texts(zone: str) -> Any:
    import numpy as np

    return np.asarray([_time_text(s * 1_000_000, zone) for s in range(86_400)], dtype=object)


def _write_sqlite(connection: Any, table: Any, names: list[str], rows: list[tuple]) -> None:
    marks = ", ".join("?" * len(names))
    quoted = ", ".join(f'"{n}"' for n in names)
    cursor = connection.connection.dbapi_connection.cursor()
    try:
        cursor.executemany(f'INSERT INTO "{table.name}" ({quoted}) VALUES ({marks})', rows)
    finally:
        cursor.close()


def _write_postgresql(connection: Any, table: Any, names: list[str], rows: list[tuple]
                      ) -> None:
    raw = connection.connection.dbapi_connection
    if not hasattr(raw, "pgconn"):  # not psycopg 3
        _write_core(connection, table, names, rows)
        return
    quoted = ", ".join(f'"{n}"' for n in names)
    with raw.cursor() as cursor, cursor.copy(
            f'COPY "{table.name}" ({quoted}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(row)


def _write_core(connection: Any, table: Any, names: list[str], rows: list[tuple]) -> None:
    connection.execute(table.insert(), [dict(zip(names, row, strict=True)) for row in rows])


_WRITERS: dict[str, Callable[[Any, Any, list[str], list[tuple]], None]] = {
    "sqlite": _write_sqlite,
    "postgresql": _write_postgresql,
}


def reset_id_sequence(session: Session, model: type[Any]) -> None:
    """After explicit ids on PostgreSQL, move the id sequence past the largest id."""
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        return
    name = model.__table__.name
    connection.execute(text(
        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
        f"coalesce((SELECT max(id) FROM \"{name}\"), 0) + 1, false)"))


@contextmanager
def sqlite_bulk_load(session: Session, cache_mib: int = 256) -> Iterator[None]:
    """A larger page cache and in-memory temporary storage while loading many rows into
    SQLite (restored afterwards, the connection goes back to the pool); no-op elsewhere."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        yield
        return
    before = {name: connection.exec_driver_sql(f"PRAGMA {name}").scalar_one()
              for name in ("cache_size", "temp_store")}
    # (synchronous cannot change inside the caller's transaction; WAL + NORMAL already
    # skips the fsync per commit.)
    connection.exec_driver_sql(f"PRAGMA cache_size=-{cache_mib * 1024}")
    connection.exec_driver_sql("PRAGMA temp_store=MEMORY")
    try:
        yield
    finally:
        for name, value in before.items():
            connection.exec_driver_sql(f"PRAGMA {name}={value}")
