"""The accounts behind the revenue series (`tenure metrics movements`, the API route):
hand-computed ledgers on both engines, every movement adding up to the series' figure,
and the entry points."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from tenure.analytics.movements import RevenueMovements
from tenure.api.app import create_app
from tenure.errors import Invalid
from tenure.kit.context import AppContext
from tenure.metrics.service import revenue_movements, revenue_series
from tests.cli_runner import run_tenure
from tests.conftest import authorized_client
from tests.metrics.ledger import Term, assert_adds_up, label_accounts, write_ledger

D = Decimal
LEDGER = [
    Term("acme", date(2025, 1, 1), date(2025, 2, 1), "100"),  # new Jan, churn Feb
    Term("acme", date(2025, 4, 1), None, "150"),  # back in Apr
    Term("beta", date(2024, 12, 1), date(2025, 3, 1), "300", 3),  # 100 a month
    Term("beta", date(2025, 3, 1), None, "80"),  # contraction Mar
    Term("core", date(2024, 11, 1), date(2025, 2, 1), "50"),
    Term("core", date(2025, 2, 1), None, "75"),  # expansion Feb
    Term("core", date(2025, 3, 10), date(2025, 3, 20), "999"),  # inside March: no month end
    Term("trial", date(2025, 1, 1), date(2025, 3, 1), "0"),  # never a customer
]
EXPECTED = [
    ("2025-01", "acme", "new", D("0"), D("100")),
    ("2025-02", "acme", "churn", D("100"), D("0")),
    ("2025-02", "core", "expansion", D("50"), D("75")),
    ("2025-03", "beta", "contraction", D("100"), D("80")),
    ("2025-04", "acme", "reactivation", D("0"), D("150")),
]


def listed(result: RevenueMovements) -> list[tuple[str, str, str, Decimal, Decimal]]:
    return [(f"{a.month:%Y-%m}", a.external_id, a.movement, a.mrr_before, a.mrr_after)
            for a in result.accounts]  # fmt: skip


@pytest.mark.parametrize("engine", ["duckdb", "database"])
def test_every_movement_of_a_hand_ledger(context: AppContext, engine: str) -> None:
    write_ledger(context, LEDGER)
    every = revenue_movements(context, date(2025, 1, 1), date(2025, 4, 1), engine=engine)  # type: ignore[arg-type]
    assert listed(every) == EXPECTED
    churn = revenue_movements(context, date(2025, 1, 1), date(2025, 4, 1), movement="churn",
                              engine=engine)  # type: ignore[arg-type]  # fmt: skip
    assert listed(churn) == [EXPECTED[1]]
    march = revenue_movements(context, date(2025, 3, 1), date(2025, 3, 1), engine=engine)  # type: ignore[arg-type]
    assert listed(march) == [EXPECTED[3]]
    assert_adds_up(every, revenue_series(context, date(2025, 1, 1), date(2025, 4, 1), engine=engine))  # type: ignore[arg-type]


def test_groups_and_a_bad_movement(context: AppContext) -> None:
    write_ledger(context, LEDGER)
    label_accounts(context, {"acme": {"segment": "smb"}, "core": {"segment": "ent"}})
    result = revenue_movements(context, date(2025, 1, 1), date(2025, 4, 1), by="segment")
    assert {(a.external_id, a.group) for a in result.accounts} == {
        ("acme", "smb"), ("core", "ent"), ("beta", "(none)")
    }
    with pytest.raises(Invalid, match="movement: expected one of new, reactivation"):
        revenue_movements(context, date(2025, 1, 1), date(2025, 4, 1), movement="lost")


def test_cli_json_and_table(context: AppContext, env_for: dict[str, str]) -> None:
    write_ledger(context, LEDGER)
    args = ("metrics", "movements", "--from", "2025-01", "--to", "2025-04")
    result = run_tenure(*args, "--movement", "expansion", "--json", env=env_for)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "from": "2025-01", "to": "2025-04", "movement": "expansion", "by": None,
        "accounts": [{"month": "2025-02", "external_id": "core", "group": None,
                      "movement": "expansion", "mrr_before": 50.0, "mrr_after": 75.0,
                      "change": 25.0}],
    }  # fmt: skip
    table = run_tenure(*args, env=env_for)
    assert table.returncode == 0 and "reactivation" in table.stdout, table.stderr
    bad = run_tenure(*args, "--movement", "lost", env=env_for)
    assert bad.returncode == 1 and bad.stderr.startswith("error: movement: expected one of")


def test_api_route(context: AppContext) -> None:
    write_ledger(context, LEDGER)
    app = create_app(context, run_jobs=False)
    with authorized_client(app, context) as client:
        response = client.get("/api/v1/metrics/revenue/accounts",
                              params={"from": "2025-01", "to": "2025-04", "movement": "churn"})  # fmt: skip
        assert response.status_code == 200, response.text
        assert [(a["external_id"], a["mrr_before"]) for a in response.json()["accounts"]] == [
            ("acme", 100.0)
        ]
        bad = client.get("/api/v1/metrics/revenue/accounts",
                         params={"from": "2025-01", "to": "2025-04", "movement": "lost"})  # fmt: skip
        assert bad.status_code == 422 and "movement" in bad.json()["message"]
