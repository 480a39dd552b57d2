"""Usage through its entry points: the job registry, the API, the console script, and
the Ibis tables of the analytics layer (operational DB on SQLite and PostgreSQL; the
event store is DuckDB here, PostgreSQL in test_rollups)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import insert

from tests.conftest import authorized_client
from tests.cli_runner import run_tenure
from tests.usage.rollup_helpers import at, event, table
from tenure.api.app import create_app
from tenure.api.deps import get_today
from tenure.kit.context import AppContext
from tenure.kit.db import unit_of_work
from tenure.models import Account
from tenure.worker.registry import load_registry

EVENTS = [
    event("a", at(30, 9), user="u1"),  # 2025-03-31
    event("b", at(30, 10), user="u2", name="export"),
    event("c", at(29, 10), user="u2", name="export"),  # 2025-03-30
    event("d", at(0, 10), user="u3"),  # 2025-03-01
    event("z", at(30, 10), account="other", user="u9"),
]


@pytest.fixture
def seeded(context: AppContext) -> AppContext:
    with unit_of_work(context.sessions) as session:
        session.execute(
            insert(Account),
            [{"external_id": "acc-1", "name": "Acme"}, {"external_id": "other", "name": "O"}],
        )
    context.events.append(table(EVENTS))
    return context


def test_the_job_refreshes_the_rollups_through_the_registry(seeded: AppContext) -> None:
    spec = load_registry().get("refresh-usage-rollups")
    assert spec.every.total_seconds() == 30
    spec.function(seeded, datetime.now(UTC))
    days = seeded.events.daily_usage("acc-1", date(2025, 3, 30), date(2025, 3, 31))
    assert [(d.day, d.events, d.active_users) for d in days] == [
        (date(2025, 3, 30), 1, 1),
        (date(2025, 3, 31), 2, 2),
    ]


def test_api_usage_of_an_account(seeded: AppContext) -> None:
    seeded.events.refresh_rollups()
    app = create_app(seeded, run_jobs=False)
    app.dependency_overrides[get_today] = lambda: date(2025, 3, 31)
    with authorized_client(app, seeded) as client:
        body = client.get("/api/v1/accounts/acc-1/usage?from=2025-03-29").json()
        assert body["from"] == "2025-03-29" and body["to"] == "2025-03-31"
        assert body["days"] == [
            {"date": "2025-03-29", "events": 0, "active_users": 0},
            {"date": "2025-03-30", "events": 1, "active_users": 1},
            {"date": "2025-03-31", "events": 2, "active_users": 2},
        ]
        assert body["events"] == 3
        assert body["top_events"] == [
            {"name": "export", "count": 2, "distinct_users": 1},
            {"name": "login", "count": 1, "distinct_users": 1},
        ]
        assert (body["active_users_7d"], body["active_users_30d"]) == (2, 2)
        assert body["last_seen"].startswith("2025-03-31T10:00:00")
        assert body["rollups_refreshed_at"] is not None
        default = client.get("/api/v1/accounts/acc-1/usage").json()
        assert (default["from"], len(default["days"])) == ("2025-03-02", 30)
        missing = client.get("/api/v1/accounts/nobody/usage")
        assert missing.status_code == 404 and "nobody" in missing.json()["message"]
        reversed_ = client.get("/api/v1/accounts/acc-1/usage?from=2025-04-01&to=2025-03-01")
        assert reversed_.status_code == 422
        assert client.get("/api/v1/accounts/acc-1/usage?from=March").status_code == 422
        assert "/api/v1/accounts/{external_id}/usage" in client.get("/openapi.json").json()["paths"]


def test_cli_rollup_and_show(seeded: AppContext, env_for: dict[str, str]) -> None:
    seeded.close()  # release the DuckDB file for the other process
    full = run_tenure("usage", "rollup", "--full", "--json", env=env_for)
    assert full.returncode == 0, full.stderr
    assert json.loads(full.stdout)["full"] is True
    again = run_tenure("usage", "rollup", "--json", env=env_for)
    assert json.loads(again.stdout) | {"seconds": 0} == {
        "full": False, "account_days": 0, "seconds": 0
    }
    shown = run_tenure(
        "usage", "show", "acc-1", "--from", "2025-03-30", "--to", "2025-03-31", "--json",
        env=env_for,
    )
    assert shown.returncode == 0, shown.stderr
    document = json.loads(shown.stdout)
    assert [d["events"] for d in document["days"]] == [1, 2]
    assert document["top_events"][0] == {"name": "export", "count": 2, "distinct_users": 1}
    human = run_tenure("usage", "show", "acc-1", "--from", "2025-03-30", "--to", "2025-03-31",
                       env=env_for)  # fmt: skip
    assert human.returncode == 0 and "export" in human.stdout
    unknown = run_tenure("usage", "show", "nobody", env=env_for)
    assert unknown.returncode == 1 and "no account with external_id 'nobody'" in unknown.stderr
    bad = run_tenure("usage", "show", "acc-1", "--from", "yesterday", env=env_for)
    assert bad.returncode == 1 and "--from" in bad.stderr
    stats = run_tenure("events", "stats", "--json", env=env_for)
    assert json.loads(stats.stdout)["events"] == len(EVENTS)


def test_ibis_reads_the_rollups(seeded: AppContext) -> None:
    from tenure.analytics.usage import daily_active_users, event_totals, usage_tables

    seeded.events.refresh_rollups()
    with usage_tables(seeded) as tables:
        dau = daily_active_users(tables, date(2025, 3, 30), date(2025, 3, 31)).to_pyarrow()
        totals = event_totals(tables, date(2025, 3, 1), date(2025, 3, 31)).to_pyarrow()
    rows = sorted(zip(*dau.to_pydict().values(), strict=True))
    assert rows == [
        ("acc-1", date(2025, 3, 30), 1, 1),
        ("acc-1", date(2025, 3, 31), 2, 2),
        ("other", date(2025, 3, 31), 1, 1),
    ]
    by_key = {(r["account_external_id"], r["event"]): r for r in totals.to_pylist()}
    assert by_key[("acc-1", "login")]["events"] == 2
    assert by_key[("acc-1", "export")]["peak_daily_users"] == 1


def test_ibis_reads_the_rollups_on_either_event_store(events_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tenure.analytics.usage import daily_active_users, usage_tables
    from tenure.config import Settings

    context = AppContext(Settings(home=tmp_path / "home", events_url=events_url))
    try:
        context.events.append(table(EVENTS))
        context.events.refresh_rollups()
        with usage_tables(context) as tables:
            dau = daily_active_users(tables, date(2025, 3, 31), date(2025, 3, 31))
            rows = sorted(zip(*dau.to_pyarrow().to_pydict().values(), strict=True))
    finally:
        context.close()
    assert rows == [("acc-1", date(2025, 3, 31), 2, 2), ("other", date(2025, 3, 31), 1, 1)]
