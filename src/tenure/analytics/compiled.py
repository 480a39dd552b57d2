"""Compile once, run many: a metric's SQL is built and compiled once per process for each
(query, breakdown, engine, input tables) and then run with integer parameter values.

Compiling an Ibis expression costs 50-150 ms (docs/benchmarks.md); the data-dependent
values of a figure (months, day numbers, the MRR denominator L) are `ibis.param("int64")`
placeholders instead of literals. To get SQL with real bind parameters the expression is
compiled once with a unique sentinel integer per parameter, and each sentinel literal in
the sqlglot tree becomes a typed placeholder (`CAST($p AS BIGINT)` on DuckDB, `:p` on
SQLite, `%(p)s` on PostgreSQL). Engines without an executor below (PySpark) run the same
expression through Ibis with the values substituted, compiling each time.

Rules for queries: parameters are int64 (dates travel as day or month numbers); no
`ibis.memtable` inside (its rows would be baked into the cached SQL); output columns are
integers, floats or strings.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import ibis
import ibis.expr.operations as ops
import ibis.expr.types as ir
import pyarrow as pa
import sqlglot.expressions as sge
from ibis.backends import BaseBackend

Params = Mapping[str, ir.IntegerScalar]
Build = Callable[[Any, Params, str | None], ir.Table]  # (source, params, by) -> rows
SENTINEL = 8_111_111_111_111_100_000  # + the parameter's position: never a real value


@dataclass(frozen=True)
class Compiled:
    sql: str
    schema: pa.Schema
    used: tuple[str, ...]  # placeholder names (p0, p1, ...) the SQL binds


class Executor(Protocol):
    """How one engine renders and runs a compiled query."""

    placeholder_type: bool  # wrap placeholders in CAST(... AS BIGINT)

    def render(self, tree: sge.Expression, backend: BaseBackend) -> str: ...

    def fetch(self, backend: BaseBackend, compiled: Compiled, values: dict[str, int]) -> pa.Table: ...


class DuckDBExecutor:
    placeholder_type = True

    def render(self, tree: sge.Expression, backend: BaseBackend) -> str:
        return tree.sql(dialect=backend.compiler.dialect)

    def fetch(self, backend: BaseBackend, compiled: Compiled, values: dict[str, int]) -> pa.Table:
        table = backend.con.sql(compiled.sql, params=values).to_arrow_table()
        return table.rename_columns(compiled.schema.names).cast(compiled.schema)


class SQLiteExecutor:
    placeholder_type = False  # SQLite is dynamically typed: a bound int is an INTEGER

    def render(self, tree: sge.Expression, backend: BaseBackend) -> str:
        return tree.sql(dialect=backend.compiler.dialect)

    def fetch(self, backend: BaseBackend, compiled: Compiled, values: dict[str, int]) -> pa.Table:
        return _from_rows(backend.con.execute(compiled.sql, values).fetchall(), compiled.schema)


class PostgresExecutor:
    placeholder_type = True

    def render(self, tree: sge.Expression, backend: BaseBackend) -> str:
        sql = tree.sql(dialect=backend.compiler.dialect)
        return re.sub(r"%(?!\(p\d+\)s)", "%%", sql)  # psycopg: a literal % is %%

    def fetch(self, backend: BaseBackend, compiled: Compiled, values: dict[str, int]) -> pa.Table:
        with backend.con.cursor() as cursor:
            cursor.execute(compiled.sql, values)
            return _from_rows(cursor.fetchall(), compiled.schema)


EXECUTORS: dict[str, Executor] = {
    "duckdb": DuckDBExecutor(),
    "sqlite": SQLiteExecutor(),
    "postgres": PostgresExecutor(),
}
_CACHE: dict[tuple[Any, ...], Compiled] = {}
_SNAPSHOTS: weakref.WeakKeyDictionary[BaseBackend, dict[Any, Any]] = weakref.WeakKeyDictionary()


def mark_snapshot(backend: BaseBackend) -> None:
    """`backend` holds a loaded copy of the inputs that nothing changes afterwards (an
    in-memory DuckDB filled by `load_into`): values derived from its tables, such as the
    MRR scale, may be remembered for its lifetime. A new load starts afresh."""
    _SNAPSHOTS[backend] = {}


def snapshot_memo(backend: BaseBackend) -> dict[Any, Any] | None:
    """The memo of a snapshot backend, None for a live database."""
    return _SNAPSHOTS.get(backend)


@dataclass(frozen=True)
class Query:
    """A named query over some input tables with int64 parameters `params`."""

    name: str
    params: tuple[str, ...]
    build: Build

    def run(self, backend: BaseBackend, source: Any, values: Mapping[str, int],
            by: str | None = None) -> pa.Table:  # fmt: skip
        """The rows of the query on `backend` (the engine `source`'s tables are bound to)."""
        missing = set(self.params) - set(values)
        assert not missing, f"{self.name}: no value for {sorted(missing)}"
        bound = {f"p{i}": int(values[name]) for i, name in enumerate(self.params)}
        executor = EXECUTORS.get(backend.name)
        if executor is None:
            placeholders = self._placeholders()
            expr = self.build(source, placeholders, by)
            params = {placeholders[name]: int(values[name]) for name in self.params}
            return expr.to_pyarrow(params=params)
        key = (self.name, by, backend.name, table_signature(source))
        compiled = _CACHE.get(key)
        if compiled is None:
            compiled = _CACHE[key] = self._compile(backend, executor, source, by)
        return executor.fetch(backend, compiled, {name: bound[name] for name in compiled.used})

    def _placeholders(self) -> dict[str, ir.IntegerScalar]:
        return {name: ibis.param("int64") for name in self.params}

    def _compile(self, backend: BaseBackend, executor: Executor, source: Any, by: str | None) -> Compiled:
        placeholders = self._placeholders()
        expr = self.build(source, placeholders, by)
        if expr.op().find(ops.InMemoryTable):
            raise AssertionError(f"{self.name}: a cached query cannot hold an ibis.memtable")
        present = set(expr.op().find(ops.ScalarParameter))
        sentinels = {str(SENTINEL + i): f"p{i}" for i, name in enumerate(self.params)
                     if placeholders[name].op() in present}  # fmt: skip
        tree = backend.compiler.to_sqlglot(
            expr, params={placeholders[name]: SENTINEL + i for i, name in enumerate(self.params)}
        )
        found: set[str] = set()

        def swap(node: sge.Expression) -> sge.Expression:
            if isinstance(node, sge.Literal) and not node.is_string and node.this in sentinels:
                found.add(node.this)
                holder = sge.Placeholder(this=sentinels[node.this])
                return sge.cast(holder, "BIGINT") if executor.placeholder_type else holder
            return node

        tree = tree.transform(swap)
        unused = set(sentinels) - found
        if unused:  # a parameter folded into something else: the SQL would be wrong
            raise AssertionError(f"{self.name}: parameters {sorted(unused)} not found in the SQL")
        used = tuple(sorted(sentinels[value] for value in found))
        return Compiled(executor.render(tree, backend), expr.schema().to_pyarrow(), used)


def table_signature(source: Any) -> tuple[Any, ...]:
    """What the compiled SQL depends on besides the query: the input table expressions
    with their backend unbound (table names, namespaces, schemas and anything applied to
    them, e.g. the web's filter to a segment's accounts with its literal values)."""
    tables = [source] if isinstance(source, ir.Table) else [
        getattr(source, name) for name in ("terms", "term_details", "labels", "accounts")
    ]  # fmt: skip
    return tuple(_unbound(table) for table in tables)


_UNBOUND: weakref.WeakKeyDictionary[ops.Node, ops.Node] = weakref.WeakKeyDictionary()


def _unbound(table: ir.Table) -> ops.Node:
    """`table.unbind().op()`, remembered while the table lives (0.5 ms each time)."""
    node = table.op()
    unbound = _UNBOUND.get(node)
    if unbound is None:
        unbound = _UNBOUND[node] = table.unbind().op()
    return unbound


def _from_rows(rows: list[tuple], schema: pa.Schema) -> pa.Table:
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in schema]
    arrays = [pa.array(values, type=field.type) for values, field in zip(columns, schema, strict=True)]
    return pa.Table.from_arrays(arrays, schema=schema)


def cache_size() -> int:
    return len(_CACHE)
