"""`events` import kind: CSV, Parquet and JSON Lines into the real event store."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tests.cli_runner import run_tenure
from tests.conftest import drop_postgres_database, fresh_postgres_database
from tenure.errors import InputRejected
from tenure.imports.base import ImportReport, ImportRequest
from tenure.imports.kinds.events import MAX_LISTED_PROBLEMS, EventsKind
from tenure.kit.context import AppContext
from tenure.kit.db import unit_of_work
from tenure.models.accounts import Account
from tenure.usage.store import EventStore, open_event_store

GOOD_CSV = """timestamp,event,account_external_id,message_id,user_id,properties
2025-03-01T10:00:00Z,login,acc-1,m-1,u-1,"{""plan"": ""pro"", ""seats"": 3}"
2025-03-01 13:00:00+02:00,report_viewed,acc-2,,u-2,
2025-03-02,export,acc-2,,,"{}"
2025-03-02,export,acc-2,,,"{}"
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def accounts(context: AppContext) -> list[str]:
    ids = ["acc-1", "acc-2", "acc-3"]
    with unit_of_work(context.sessions) as session:
        session.add_all(Account(external_id=i, name=f"Account {i}") for i in ids)
    return ids


def run(
    context: AppContext, path: Path, store: EventStore | None = None, **options: Any
) -> ImportReport:
    progress: list[tuple[int, int | None]] = []
    with unit_of_work(context.sessions) as session:
        request = ImportRequest(
            path=path,
            session=session,
            events=store or context.events,
            settings=context.settings,
            progress=lambda done, total: progress.append((done, total)),
            **options,
        )
        report = EventsKind().run(request)
    assert progress[-1] == (report.rows, report.rows)
    return report


def problems(context: AppContext, path: Path, **options: Any) -> list[str]:
    with pytest.raises(InputRejected) as caught:
        run(context, path, **options)
    assert context.events.stats().events == 0, "a rejected file stored events"
    return [str(problem).replace(f"{path.parent}/", "") for problem in caught.value.problems]


def stored(store: EventStore) -> list[dict[str, Any]]:
    """Every stored event (test helper reading the DuckDB file directly)."""
    with store.connect() as connection:  # type: ignore[attr-defined]
        cursor = connection.execute(
            "SELECT message_id, source, event_time, account_external_id, user_id, event, "
            "properties::VARCHAR AS properties FROM events ORDER BY event_time, message_id"
        )
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def test_good_csv_is_stored(context: AppContext, accounts: list[str], tmp_path: Path) -> None:
    report = run(context, write(tmp_path, "events.csv", GOOD_CSV))
    assert (report.kind, report.rows, report.inserted, report.unchanged) == ("events", 4, 4, 0)
    rows = stored(context.events)
    assert rows[0]["message_id"] == "m-1" and rows[0]["source"] == "import"
    assert json.loads(rows[0]["properties"]) == {"plan": "pro", "seats": 3}
    # "+02:00" is honoured: 13:00 at +02:00 is 11:00 UTC.
    assert rows[1]["event_time"] == datetime(2025, 3, 1, 11, tzinfo=UTC)
    assert rows[1]["event"] == "report_viewed" and rows[1]["properties"] is None
    # Identical rows without message_id are two events with different generated ids.
    assert rows[2]["message_id"] != rows[3]["message_id"]
    stats = context.events.stats()
    assert (stats.events, stats.accounts) == (4, 2)


def test_importing_the_same_file_again_stores_nothing(
    context: AppContext, accounts: list[str], tmp_path: Path
) -> None:
    path = write(tmp_path, "events.csv", GOOD_CSV)
    run(context, path)
    ids = [row["message_id"] for row in stored(context.events)]
    again = run(context, path)
    assert (again.inserted, again.unchanged) == (0, 4)
    assert [row["message_id"] for row in stored(context.events)] == ids


def test_bad_csv_lists_every_problem_and_stores_nothing(
    context: AppContext, accounts: list[str], tmp_path: Path
) -> None:
    text = (
        "Timestamp,Event Name,groupId,messageId,properties\n"
        '2025-03-01T10:00:00Z,login,acc-1,m-1,"{""a"": 1}"\n'
        "yesterday,,acc-9,m-1,[1]\n"
        ",view,,m-2,{broken\n"
        '2025-03-01,view,acc-1,m-3,"""text"""\n'
    )
    assert problems(context, write(tmp_path, "bad.csv", text)) == [
        "bad.csv:3:groupId: unknown account acc-9 (import it into accounts first)",
        "bad.csv:3:Event Name: is required (an event name)",
        "bad.csv:3:messageId: duplicate message_id m-1 (first on row 2)",
        "bad.csv:3:properties: is not a JSON object",
        "bad.csv:3:Timestamp: cannot parse yesterday as a timestamp (ISO 8601)",
        "bad.csv:4:groupId: is required",
        "bad.csv:4:properties: is not a JSON object",
        "bad.csv:4:Timestamp: is required",
        "bad.csv:5:properties: is not a JSON object",
    ]


def test_missing_required_columns_are_named(context: AppContext, tmp_path: Path) -> None:
    path = write(tmp_path, "events.csv", "when,user_id\n2025-01-01,u\n")
    assert problems(context, path) == [
        "events.csv:timestamp: required column is missing",
        "events.csv:event: required column is missing",
        "events.csv:account_external_id: required column is missing",
    ]


def test_map_renames_columns(context: AppContext, accounts: list[str], tmp_path: Path) -> None:
    path = write(tmp_path, "events.csv", "when,what,customer,noise\n2025-01-01,x,acc-1,1\n")
    mapping = {"when": "timestamp", "What": "event", "customer": "account_external_id"}
    report = run(context, path, mapping=mapping)
    assert report.inserted == 1 and report.ignored_columns == ("noise",)


def test_map_of_a_missing_column_is_a_problem(context: AppContext, tmp_path: Path) -> None:
    path = write(tmp_path, "events.csv", "timestamp,event,account_external_id\n")
    assert problems(context, path, mapping={"nope": "event"}) == [
        "events.csv:nope: --map: no such column in the file"
    ]


def test_problem_list_is_capped_but_counts_everything(
    context: AppContext, accounts: list[str], tmp_path: Path
) -> None:
    lines = [f"2025-01-01,e,acc-unknown-{i}\n" for i in range(250)]
    path = write(tmp_path, "many.csv", "timestamp,event,account_external_id\n" + "".join(lines))
    with pytest.raises(InputRejected) as caught:
        run(context, path)
    listed = caught.value.problems
    assert len(listed) == MAX_LISTED_PROBLEMS + 1
    assert str(listed[0]).endswith("many.csv:2:account_external_id: unknown account "
                                   "acc-unknown-0 (import it into accounts first)")
    assert str(listed[-1]).endswith("many.csv: 150 more problems not listed")
    assert caught.value.message.endswith("(and 249 more problems)")


def test_dry_run_validates_only(context: AppContext, accounts: list[str], tmp_path: Path) -> None:
    report = run(context, write(tmp_path, "events.csv", GOOD_CSV), dry_run=True)
    assert (report.rows, report.inserted, report.dry_run) == (4, 4, True)
    assert context.events.stats().events == 0
    bad = write(tmp_path, "bad.csv", "timestamp,event,account_external_id\nnever,e,acc-1\n")
    assert problems(context, bad, dry_run=True) == [
        "bad.csv:2:timestamp: cannot parse never as a timestamp (ISO 8601)"
    ]


def test_jsonl_with_object_properties(
    context: AppContext, accounts: list[str], tmp_path: Path
) -> None:
    lines = [
        {"timestamp": "2025-03-02T00:00:00Z", "event": "x", "account_external_id": "acc-3",
         "properties": {"tags": [1, 2], "ok": True}, "messageId": "j-1"},
        {"timestamp": "2025-03-03T00:00:00Z", "event": "y", "account_external_id": "acc-3",
         "properties": None, "userId": "u-9", "context": {"ip": "1.2.3.4"}},
    ]
    path = write(tmp_path, "events.jsonl", "".join(json.dumps(line) + "\n" for line in lines))
    report = run(context, path)
    assert report.inserted == 2 and report.ignored_columns == ("context",)
    rows = stored(context.events)
    assert rows[0]["message_id"] == "j-1"
    assert json.loads(rows[0]["properties"]) == {"tags": [1, 2], "ok": True}
    assert rows[1]["user_id"] == "u-9" and rows[1]["properties"] is None
    assert run(context, path).inserted == 0


def test_bad_jsonl(context: AppContext, accounts: list[str], tmp_path: Path) -> None:
    lines = [
        {"timestamp": "2025-03-02T00:00:00Z", "event": "x", "account_external_id": "acc-3",
         "properties": "not an object"},
        {"event": "", "account_external_id": "nobody", "timestamp": 1700000000},
    ]
    path = write(tmp_path, "bad.jsonl", "".join(json.dumps(line) + "\n" for line in lines))
    assert problems(context, path) == [
        "bad.jsonl:1:properties: is not a JSON object",
        "bad.jsonl:2:account_external_id: unknown account nobody (import it into accounts first)",
        "bad.jsonl:2:event: is required (an event name)",
        "bad.jsonl:2:timestamp: cannot parse 1700000000 as a timestamp (ISO 8601)",
    ]


def test_parquet_with_typed_columns(
    context: AppContext, accounts: list[str], tmp_path: Path
) -> None:
    path = tmp_path / "events.parquet"
    table = pa.table(
        {
            "timestamp": [datetime(2025, 1, 1, 8, tzinfo=UTC), datetime(2025, 1, 2, 8, tzinfo=UTC)],
            "event": ["a", "b"],
            "account_external_id": ["acc-1", "acc-2"],
            "properties": [{"k": 1}, {"k": 2}],  # a struct column becomes JSON text
        }
    )
    pq.write_table(table, path)
    assert run(context, path).inserted == 2
    rows = stored(context.events)
    assert rows[0]["event_time"] == datetime(2025, 1, 1, 8, tzinfo=UTC)
    assert json.loads(rows[1]["properties"]) == {"k": 2}
    assert run(context, path).inserted == 0


def test_bad_parquet_is_rejected(context: AppContext, accounts: list[str], tmp_path: Path) -> None:
    path = tmp_path / "bad.parquet"
    pq.write_table(pa.table({"timestamp": ["soon"], "event": ["a"], "account_external_id": ["x"]}), path)
    assert problems(context, path) == [
        "bad.parquet:1:account_external_id: unknown account x (import it into accounts first)",
        "bad.parquet:1:timestamp: cannot parse soon as a timestamp (ISO 8601)",
    ]


def test_unreadable_and_unknown_files(context: AppContext, tmp_path: Path) -> None:
    assert problems(context, write(tmp_path, "events.xlsx", "x")) == [
        "events.xlsx: unknown file format; name it .csv, .parquet or .jsonl"
    ]
    broken = problems(context, write(tmp_path, "broken.parquet", "not parquet"))
    assert broken[0].startswith("broken.parquet: cannot read the file")


def test_row_numbers_follow_the_file_in_large_files(
    context: AppContext, accounts: list[str], tmp_path: Path
) -> None:
    lines = ["2025-01-01T00:00:00Z,e,acc-1\n"] * 300_000
    lines[123_456] = "2025-01-01T00:00:00Z,,acc-1\n"
    path = write(tmp_path, "big.csv", "timestamp,event,account_external_id\n" + "".join(lines))
    assert problems(context, path) == ["big.csv:123458:event: is required (an event name)"]


@pytest.fixture
def postgres_events(request: pytest.FixtureRequest) -> Iterator[EventStore]:
    template = request.getfixturevalue("postgres_template")  # skips without PostgreSQL
    name, url = fresh_postgres_database(template)
    store = open_event_store(url)
    yield store
    store.close()
    drop_postgres_database(name)


def test_import_into_the_postgresql_event_store(
    context: AppContext, accounts: list[str], tmp_path: Path, postgres_events: EventStore
) -> None:
    path = write(tmp_path, "events.csv", GOOD_CSV)
    assert run(context, path, store=postgres_events).inserted == 4
    assert run(context, path, store=postgres_events).inserted == 0
    stats = postgres_events.stats()
    assert (stats.events, stats.accounts) == (4, 2)
    assert stats.first == datetime(2025, 3, 1, 10, tzinfo=UTC)


def test_cli_events_stats(
    context: AppContext, accounts: list[str], tmp_path: Path, env_for: dict[str, str]
) -> None:
    empty = run_tenure("events", "stats", "--json", env=env_for)
    assert empty.returncode == 0, empty.stderr
    assert json.loads(empty.stdout) == {"events": 0, "accounts": 0, "first": None, "last": None}
    run(context, write(tmp_path, "events.csv", GOOD_CSV))
    result = run_tenure("events", "stats", "--json", env=env_for)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "events": 4,
        "accounts": 2,
        "first": "2025-03-01T10:00:00+00:00",
        "last": "2025-03-02T00:00:00+00:00",
    }
    table = run_tenure("events", "stats", env=env_for)
    assert table.returncode == 0 and "accounts" in table.stdout


def test_cli_import_events(
    context: AppContext, accounts: list[str], tmp_path: Path, env_for: dict[str, str]
) -> None:
    path = write(tmp_path, "events.csv", GOOD_CSV)
    dry = run_tenure("import", "events", str(path), "--dry-run", env=env_for)
    assert dry.returncode == 0, dry.stderr
    done = run_tenure("import", "events", str(path), env=env_for)
    assert done.returncode == 0, done.stderr
    stats = json.loads(run_tenure("events", "stats", "--json", env=env_for).stdout)
    assert stats["events"] == 4
    bad = write(tmp_path, "bad.csv", "timestamp,event,account_external_id\nnever,e,acc-1\n")
    failed = run_tenure("import", "events", str(bad), env=env_for)
    assert failed.returncode != 0
    assert f"{bad}:2:timestamp: cannot parse never" in failed.stderr
