"""`tenure metrics retention|renewals|economics|cmrr` through the real console script,
and the matching API routes with TestClient."""

from __future__ import annotations

import json
from datetime import date

from fastapi.testclient import TestClient

from tenure.api.app import create_app
from tenure.kit.context import AppContext
from tests.conftest import authorized_client
from tests.cli_runner import run_tenure
from tests.metrics.ledger import Term, label_accounts, write_ledger

RETENTION_KEYS = {"from", "to", "start_customers", "start_mrr", "end_mrr", "nrr", "grr",
                  "churned_customers", "logo_churn_rate"}  # fmt: skip
RENEWAL_KEYS = {"due_customers", "renewed_customers", "pending_customers", "churned_customers",
                "logo_renewal_rate", "due_arr", "renewed_arr", "arr_renewal_rate",
                "gross_arr_renewal_rate", "accounts"}  # fmt: skip
ACCOUNT_KEYS = {"external_id", "status", "due_arr", "renewed_arr", "released_to_pool_on"}
LEDGER = [
    Term("acme", date(2024, 1, 1), date(2025, 1, 1), "1200", 12),
    Term("acme", date(2025, 1, 1), None, "150"),  # renewed, 100 -> 150
    Term("beta", date(2024, 3, 1), date(2025, 2, 1), "1200", 12),  # churns, released 03-03
    Term("gamma", date(2025, 2, 1), None, "50", signed_at=date(2025, 1, 20)),
]


def check_retention(document: dict) -> None:
    assert RETENTION_KEYS <= set(document)
    assert (document["from"], document["to"], document["start_customers"]) == ("2025-01", "2025-03", 2)
    assert (document["start_mrr"], document["end_mrr"], document["nrr"], document["grr"]) == (
        200.0, 150.0, 0.75, 0.5)  # fmt: skip
    assert (document["churned_customers"], document["logo_churn_rate"]) == (1, 0.5)
    assert {a["external_id"]: a["movement"] for a in document["accounts"]} == {
        "acme": "expanded", "beta": "churned"}  # fmt: skip


def check_renewals(document: dict) -> None:
    assert RENEWAL_KEYS <= set(document)
    assert all(ACCOUNT_KEYS <= set(a) for a in document["accounts"])
    accounts = {a["external_id"]: a for a in document["accounts"]}
    assert accounts["acme"]["status"] == "renewed" and accounts["acme"]["renewed_arr"] == 1800.0
    assert (accounts["beta"]["status"], accounts["beta"]["released_to_pool_on"]) == ("churned", "2025-03-03")
    assert accounts["acme"]["released_to_pool_on"] is None
    assert (document["logo_renewal_rate"], document["arr_renewal_rate"]) == (0.5, 0.75)
    assert document["pool"] == [{"external_id": "beta", "released_to_pool_on": "2025-03-03", "last_arr": 1200.0}]


def test_cli_commands_print_the_contract_json(context: AppContext, env_for: dict[str, str]) -> None:
    write_ledger(context, LEDGER)
    label_accounts(context, {"acme": {"segment": "smb"}})
    retention = run_tenure("metrics", "retention", "--from", "2025-01", "--to", "2025-03", "--json", env=env_for)
    assert retention.returncode == 0, retention.stderr
    check_retention(json.loads(retention.stdout))
    renewals = run_tenure("metrics", "renewals", "--from", "2025-01-01", "--to", "2025-03-31",
                          "--as-of", "2025-06-30", "--json", env=env_for)  # fmt: skip
    assert renewals.returncode == 0, renewals.stderr
    check_renewals(json.loads(renewals.stdout))
    grouped = run_tenure("metrics", "retention", "--from", "2025-01", "--to", "2025-03", "--by",
                         "segment", "--json", env=env_for)  # fmt: skip
    groups = {g["group"]: g["nrr"] for g in json.loads(grouped.stdout)["groups"]}
    assert groups == {"smb": 1.5, "(none)": 0.0}
    cmrr = run_tenure("metrics", "cmrr", "--as-of", "2025-01-25", "--json", env=env_for)
    document = json.loads(cmrr.stdout)
    assert (document["mrr"], document["future_mrr"], document["cmrr"]) == (250.0, 50.0, 300.0)
    economics = run_tenure("metrics", "economics", "--from", "2025-01", "--to", "2025-03", "--json", env=env_for)
    assert economics.returncode == 0, economics.stderr
    assert json.loads(economics.stdout)["arpa"] == 100.0


def test_cli_tables_and_one_line_errors(context: AppContext, env_for: dict[str, str]) -> None:
    write_ledger(context, LEDGER)
    for args in (("retention", "--from", "2025-01", "--to", "2025-03"),
                 ("renewals", "--from", "2025-01-01", "--to", "2025-03-31"),
                 ("economics", "--from", "2025-01", "--to", "2025-03"), ("cmrr",)):  # fmt: skip
        result = run_tenure("metrics", *args, env=env_for)
        assert result.returncode == 0 and "all" in result.stdout, result.stderr
    for args, reason in [
        (("renewals", "--from", "2025-13-01", "--to", "2025-03-31"), "from: expected a date as YYYY-MM-DD"),
        (("renewals", "--from", "2025-04-01", "--to", "2025-03-31"), "from (2025-04-01) is after to"),
        (("retention", "--from", "2025-01", "--to", "2025-03", "--by", "color"), "by: expected one of"),
        (("cmrr", "--as-of", "yesterday"), "as-of: expected a date"),
    ]:
        result = run_tenure("metrics", *args, "--json", env=env_for)
        lines = result.stderr.strip().splitlines()
        assert result.returncode == 1 and result.stdout == "", result.stderr
        assert len(lines) == 1 and lines[0].startswith(f"error: {reason}"), result.stderr


def test_api_routes(context: AppContext) -> None:
    write_ledger(context, LEDGER)
    with authorized_client(create_app(context, run_jobs=False), context) as client:
        response = client.get("/api/v1/metrics/retention", params={"from": "2025-01", "to": "2025-03"})
        assert response.status_code == 200, response.text
        check_retention(response.json())
        response = client.get("/api/v1/metrics/renewals", params={
            "from": "2025-01-01", "to": "2025-03-31", "as_of": "2025-06-30"})  # fmt: skip
        assert response.status_code == 200, response.text
        check_renewals(response.json())
        cmrr = client.get("/api/v1/metrics/cmrr", params={"as_of": "2025-01-25", "by": "plan"}).json()
        assert cmrr["cmrr"] == 300.0 and cmrr["groups"][0]["group"] == "(none)"
        economics = client.get("/api/v1/metrics/economics", params={"from": "2025-01", "to": "2025-03"})
        assert economics.status_code == 200 and economics.json()["customers"] == 2
        bad = client.get("/api/v1/metrics/renewals", params={"from": "2025-03-01", "to": "x"})
        assert bad.status_code == 422 and "to: expected a date" in bad.json()["message"]
        paths = client.get("/openapi.json").json()["paths"]
        assert {f"/api/v1/metrics/{n}" for n in ("retention", "renewals", "economics", "cmrr")} <= set(paths)
