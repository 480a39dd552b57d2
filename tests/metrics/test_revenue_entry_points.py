"""`tenure metrics revenue` through the real console script, and the API route."""

from __future__ import annotations

import json
from datetime import date


from tenure.api.app import create_app
from tenure.kit.context import AppContext
from tests.conftest import authorized_client
from tests.cli_runner import run_tenure
from tests.metrics.ledger import Term, write_ledger

CONTRACT_KEYS = {
    "month", "mrr", "arr", "customers", "new_mrr", "expansion_mrr", "contraction_mrr",
    "churned_mrr", "reactivation_mrr", "new_customers", "churned_customers",
    "reactivated_customers",
}  # fmt: skip
LEDGER = [
    Term("acme", date(2024, 12, 1), date(2025, 2, 1), "1000", 12),
    Term("acme", date(2025, 3, 1), None, "1200", 12),
    Term("beta", date(2025, 1, 1), None, "99.99", 1),
]


def check_document(document: dict) -> None:
    months = document["months"]
    assert [m["month"] for m in months] == ["2025-01", "2025-02", "2025-03"]
    assert all(CONTRACT_KEYS <= set(m) for m in months)
    jan, feb, mar = months
    assert (jan["mrr"], jan["arr"], jan["customers"]) == (183.32, 2199.84, 2)
    assert (jan["new_mrr"], jan["new_customers"]) == (99.99, 1)
    assert (feb["churned_mrr"], feb["churned_customers"], feb["quick_ratio"]) == (83.33, 1, 0.0)
    assert (mar["reactivation_mrr"], mar["reactivated_customers"], mar["mrr"]) == (100.0, 1, 199.99)
    assert jan["quick_ratio"] is None
    assert isinstance(jan["mrr"], float) and isinstance(jan["customers"], int)


def test_cli_prints_the_contract_json(context: AppContext, env_for: dict[str, str]) -> None:
    write_ledger(context, LEDGER)
    result = run_tenure(
        "metrics", "revenue", "--from", "2025-01", "--to", "2025-03", "--json", env=env_for
    )
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    check_document(document)
    assert (document["from"], document["to"], document["opening_mrr"]) == ("2025-01", "2025-03", 83.33)
    table = run_tenure("metrics", "revenue", "--from", "2025-01", "--to", "2025-03", env=env_for)
    assert table.returncode == 0 and "2025-03" in table.stdout, table.stderr


def test_cli_rejects_bad_months_in_one_line(context: AppContext, env_for: dict[str, str]) -> None:
    for args, reason in [
        (("--from", "2025-13", "--to", "2025-12"), "from: expected a month as YYYY-MM"),
        (("--from", "2025-1", "--to", "2025-12"), "from: expected a month as YYYY-MM"),
        (("--from", "2025-06", "--to", "2025-01"), "from (2025-06) is after to (2025-01)"),
    ]:
        result = run_tenure("metrics", "revenue", *args, "--json", env=env_for)
        assert result.returncode == 1 and result.stdout == ""
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"error: {reason}"), result.stderr


def test_api_route_serves_the_same_document(context: AppContext) -> None:
    write_ledger(context, LEDGER)
    app = create_app(context, run_jobs=False)
    with authorized_client(app, context) as client:
        response = client.get("/api/v1/metrics/revenue", params={"from": "2025-01", "to": "2025-03"})
        assert response.status_code == 200, response.text
        check_document(response.json())
        bad = client.get("/api/v1/metrics/revenue", params={"from": "2025-03", "to": "2025-01"})
        assert bad.status_code == 422 and "after" in bad.json()["message"]
        schema = client.get("/openapi.json").json()
        assert "/api/v1/metrics/revenue" in schema["paths"]
