"""Loading an events file into DuckDB as a `source` table, one reader per format.

Each reader keeps the file's own column names and row order (the table's rowid is the
record's position), so problems can name the file's row and header.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pyarrow as pa

from tenure.errors import InputRejected, Problem


@dataclass(frozen=True)
class LoadedSource:
    columns: list[str]  # the file's column names (JSON Lines: every key seen)
    expression: Callable[[str, str], str]  # (file column, canonical name) -> text SQL
    first_row: int  # file row number of the first record (CSV: 2, after the header)


Reader = Callable[[duckdb.DuckDBPyConnection, Path], LoadedSource]
FORMAT_READERS: dict[str, Reader] = {}
SUFFIXES = {
    ".csv": "csv",
    ".txt": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
}


def reader(name: str) -> Callable[[Reader], Reader]:
    def decorate(function: Reader) -> Reader:
        FORMAT_READERS[name] = function
        return function

    return decorate


def detect_format(path: Path, formats: tuple[str, ...]) -> str:
    """The file's format from its suffix (a trailing .gz/.zst compression is skipped)."""
    suffixes = [s.lower() for s in path.suffixes if s.lower() not in (".gz", ".zst")]
    found = SUFFIXES.get(suffixes[-1]) if suffixes else None
    if found is None or found not in formats:
        reason = "unknown file format; name it .csv, .parquet or .jsonl"
        raise InputRejected(problems=[Problem(str(path), None, None, reason)])
    return found


def fetch_arrow(
    connection: duckdb.DuckDBPyConnection, sql: str, params: list[object]
) -> pa.Table:
    """A query's result as an Arrow table, without the extra copy of a DB-API result.

    DuckDB 2 renamed the relation's fetch_arrow_table to to_arrow_table."""
    relation = connection.sql(sql, params=params)
    fetch = getattr(relation, "to_arrow_table", None) or relation.fetch_arrow_table
    return fetch()


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _load(connection: duckdb.DuckDBPyConnection, path: Path, sql: str) -> None:
    try:
        connection.execute(f"CREATE TEMP TABLE source AS {sql}", [str(path)])
    except duckdb.Error as error:
        reason = f"cannot read the file: {str(error).splitlines()[0]}"
        raise InputRejected(problems=[Problem(str(path), None, None, reason)]) from error


def _columns(connection: duckdb.DuckDBPyConnection) -> dict[str, str]:
    rows = connection.execute("DESCRIBE source").fetchall()
    return {row[0]: row[1] for row in rows}


@reader("csv")
def read_csv(connection: duckdb.DuckDBPyConnection, path: Path) -> LoadedSource:
    # All text: parsing and its error messages are ours, per row and column.
    _load(connection, path, "SELECT * FROM read_csv(?, header = true, all_varchar = true)")
    return LoadedSource(list(_columns(connection)), lambda col, _name: quote(col), 2)


@reader("parquet")
def read_parquet(connection: duckdb.DuckDBPyConnection, path: Path) -> LoadedSource:
    _load(connection, path, "SELECT * FROM read_parquet(?)")
    types = _columns(connection)

    def expression(column: str, name: str) -> str:
        # A struct or map of properties becomes its JSON text; everything else its text.
        if name == "properties" and types[column] not in ("VARCHAR", "JSON"):
            return f"to_json({quote(column)})::VARCHAR"
        return f"{quote(column)}::VARCHAR"

    return LoadedSource(list(types), expression, 1)


@reader("jsonl")
def read_jsonl(connection: duckdb.DuckDBPyConnection, path: Path) -> LoadedSource:
    # One JSON value per line, kept whole; keys vary per line, so take every key seen.
    _load(connection, path, "SELECT json FROM read_ndjson_objects(?)")
    keys = connection.execute(
        "SELECT DISTINCT unnest(json_keys(json)) FROM source WHERE json_type(json) = 'OBJECT'"
    ).fetchall()

    def expression(key: str, name: str) -> str:
        path_sql = "'$.\"" + key.replace("\\", "\\\\").replace('"', '\\"').replace("'", "''") + "\"'"
        if name == "properties":
            return f"NULLIF(json_extract(json, {path_sql})::VARCHAR, 'null')"
        return f"json_extract_string(json, {path_sql})"

    return LoadedSource(sorted(key for (key,) in keys), expression, 1)
