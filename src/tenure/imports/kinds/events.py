"""`tenure import events FILE`: usage events from CSV, Parquet or JSON Lines.

Millions of rows per file, so nothing here loops over rows in Python: the file is loaded
into an in-memory DuckDB as text columns, every check is one SQL pass, and the clean batch
leaves as one Arrow table for `EventStore.append` (one atomic, deduplicated write). The
same validation runs whichever engine stores the events.
"""

from __future__ import annotations

import re
from typing import ClassVar

import duckdb
import pyarrow as pa
from sqlalchemy import select
from sqlalchemy.orm import Session

from tenure.errors import InputRejected, Problem
from tenure.imports.base import ImportKind, ImportReport, ImportRequest, register_kind
from tenure.imports.kinds.events_read import FORMAT_READERS, detect_format, fetch_arrow
from tenure.models.accounts import Account
from tenure.usage.store import EVENT_SCHEMA

SOURCE = "import"  # the `source` of imported events; message ids are unique per source
MAX_LISTED_PROBLEMS = 100

REQUIRED = ("timestamp", "event", "account_external_id")
OPTIONAL = ("message_id", "user_id", "properties")

# Every row's parsed values; `input_row` is the row number people see in their file.
CHECKED = """
CREATE TEMP TABLE checked AS
SELECT
    input_row,
    timestamp AS raw_timestamp,
    TRY_CAST(timestamp AS TIMESTAMPTZ) AS event_time,
    NULLIF(trim(event), '') AS event,
    NULLIF(trim(account_external_id), '') AS account_external_id,
    NULLIF(message_id, '') AS message_id,
    NULLIF(user_id, '') AS user_id,
    NULLIF(properties, '') AS properties,
    json_valid(NULLIF(properties, '')) AS properties_valid
FROM raw
"""

PROBLEMS = """
WITH problems AS (
    SELECT input_row, 'timestamp' AS col,
           CASE WHEN raw_timestamp IS NULL OR trim(raw_timestamp) = '' THEN 'is required'
                ELSE 'cannot parse ' || raw_timestamp || ' as a timestamp (ISO 8601)' END AS reason
    FROM checked WHERE event_time IS NULL
    UNION ALL
    SELECT input_row, 'event', 'is required (an event name)' FROM checked WHERE event IS NULL
    UNION ALL
    SELECT input_row, 'account_external_id', 'is required' FROM checked
    WHERE account_external_id IS NULL
    UNION ALL
    SELECT input_row, 'account_external_id',
           'unknown account ' || account_external_id || ' (import it into accounts first)'
    FROM checked ANTI JOIN known_accounts AS k ON checked.account_external_id = k.external_id
    WHERE account_external_id IS NOT NULL
    UNION ALL
    SELECT input_row, 'properties', 'is not a JSON object' FROM checked
    WHERE properties IS NOT NULL
      AND CASE WHEN properties_valid THEN json_type(properties) <> 'OBJECT' ELSE TRUE END
    UNION ALL
    SELECT input_row, 'message_id',
           'duplicate message_id ' || message_id || ' (first on row ' || first_row || ')'
    FROM (
        SELECT input_row, message_id,
               min(input_row) OVER (PARTITION BY message_id) AS first_row
        FROM checked WHERE message_id IS NOT NULL
    ) WHERE input_row > first_row
)
SELECT input_row, col, reason, count(*) OVER () AS total
FROM problems
ORDER BY input_row, col
LIMIT ?
"""

# The clean batch in EVENT_SCHEMA order. A row without message_id gets the md5 of its
# content, plus its occurrence number when identical rows repeat, so importing the same
# file again yields the same ids (stored nothing twice) yet identical rows both count.
BATCH = """
WITH normalised AS (
    SELECT *, CASE WHEN properties IS NULL THEN NULL
                   ELSE json(properties)::VARCHAR END AS props
    FROM checked
), hashed AS (
    SELECT *, md5(concat_ws(chr(31), epoch_us(event_time)::VARCHAR, event,
                            account_external_id, coalesce(user_id, ''),
                            coalesce(props, ''))) AS content_id
    FROM normalised
), numbered AS (
    SELECT *, CASE WHEN message_id IS NOT NULL THEN 1 ELSE
              row_number() OVER (PARTITION BY message_id IS NULL, content_id
                                 ORDER BY input_row) END AS occurrence
    FROM hashed
)
SELECT
    coalesce(message_id, CASE WHEN occurrence = 1 THEN content_id
                              ELSE md5(content_id || ':' || occurrence) END) AS message_id,
    ? AS source,
    event_time,
    now() AS received_at,
    account_external_id,
    user_id,
    event,
    props AS properties
FROM numbered
ORDER BY input_row
"""

def known_account_ids(session: Session) -> pa.Table:
    """Every account's external id, as the table the unknown-account anti-join reads.

    A local query until the accounts domain offers one (its files belong to other work)."""
    ids = list(session.scalars(select(Account.external_id)))
    return pa.table({"external_id": pa.array(ids, pa.string())})


_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def header_key(text: str) -> str:
    """Header cells compare ignoring case, spaces and punctuation ("Message ID")."""
    return _NOT_ALNUM.sub("", text.lower())


@register_kind
class EventsKind(ImportKind):
    name = "events"
    required = REQUIRED
    optional = OPTIONAL
    aliases: ClassVar[dict[str, str]] = {
        "messageId": "message_id",
        "userId": "user_id",
        "event_name": "event",
        "event_time": "timestamp",
        "occurred_at": "timestamp",
        "time": "timestamp",
        "account_id": "account_external_id",
        "groupId": "account_external_id",
        "group_id": "account_external_id",
        "company_id": "account_external_id",
    }
    formats = ("csv", "parquet", "jsonl")

    def run(self, request: ImportRequest) -> ImportReport:
        file = str(request.path)
        request.progress(0, None)
        connection = duckdb.connect()
        try:
            connection.execute("SET TimeZone = 'UTC'")
            total, labels, ignored = self._load(connection, request)
            request.progress(0, total)
            self._check(connection, request, labels)
            if request.dry_run:
                # "Would insert" every row: the store is not asked which are already there.
                request.progress(total, total)
                return ImportReport(
                    self.name, file, total, total, 0, dry_run=True, ignored_columns=ignored
                )
            batch = fetch_arrow(connection, BATCH, [SOURCE]).cast(EVENT_SCHEMA)
        finally:
            connection.close()
        inserted = request.events.append(batch, deduplicate=True)
        request.progress(total, total)
        return ImportReport(
            self.name, file, total, inserted, 0, total - inserted, ignored_columns=ignored
        )

    def _load(
        self, connection: duckdb.DuckDBPyConnection, request: ImportRequest
    ) -> tuple[int, dict[str, str], tuple[str, ...]]:
        """Fill the `raw` view (canonical text columns); return the row count, the file's
        label of each canonical column and the file's columns that were ignored."""
        file = str(request.path)
        reader = FORMAT_READERS[detect_format(request.path, self.formats)]
        source = reader(connection, request.path)
        labels, problems = self._resolve_columns(file, source.columns, request.mapping)
        if problems:
            raise InputRejected(problems=problems)
        selects = [f"{source.expression(labels[name], name)} AS {name}" for name in labels]
        selects += [f"NULL::VARCHAR AS {name}" for name in OPTIONAL if name not in labels]
        selects.append(f"rowid + {source.first_row} AS input_row")
        connection.execute(f"CREATE TEMP VIEW raw AS SELECT {', '.join(selects)} FROM source")
        ((total,),) = connection.execute("SELECT count(*) FROM source").fetchall()
        ignored = tuple(column for column in source.columns if column not in labels.values())
        return int(total), labels, ignored

    def _resolve_columns(
        self, file: str, columns: list[str], mapping: dict[str, str]
    ) -> tuple[dict[str, str], list[Problem]]:
        """Canonical column -> the file's column, after `--map` renames and aliases."""
        lookup = {header_key(alias): target for alias, target in self.aliases.items()}
        lookup.update({header_key(name): name for name in (*REQUIRED, *OPTIONAL)})
        renamed = {header_key(source): target for source, target in mapping.items()}
        labels: dict[str, str] = {}
        problems: list[Problem] = []
        for column in columns:
            target = lookup.get(header_key(renamed.get(header_key(column), column)))
            if target is None:
                continue  # extra columns are ignored
            if target in labels:
                reason = f"repeats column {labels[target]!r} (both mean {target})"
                problems.append(Problem(file, 1, column, reason))
                continue
            labels[target] = column
        present = {header_key(column) for column in columns}
        for source in mapping:
            if header_key(source) not in present:
                problems.append(Problem(file, None, source, "--map: no such column in the file"))
        for name in REQUIRED:
            if name not in labels:
                problems.append(Problem(file, None, name, "required column is missing"))
        return labels, problems

    def _check(
        self,
        connection: duckdb.DuckDBPyConnection,
        request: ImportRequest,
        labels: dict[str, str],
    ) -> None:
        """Raise InputRejected listing the first problems (in file order) and the total."""
        connection.register("known_accounts", known_account_ids(request.session))
        connection.execute(CHECKED)
        rows = connection.execute(PROBLEMS, [MAX_LISTED_PROBLEMS]).fetchall()
        if not rows:
            return
        file = str(request.path)
        problems = [Problem(file, row, labels.get(col, col), reason) for row, col, reason, _ in rows]
        raise _rejected(file, problems, total=int(rows[0][3]))


def _rejected(file: str, listed: list[Problem], *, total: int) -> InputRejected:
    """InputRejected whose one-line message counts every problem, not just those listed."""
    if total > len(listed):
        more = total - len(listed)
        listed = [*listed, Problem(file, None, None, f"{more} more problems not listed")]
    return InputRejected(problems=listed, total=total)
