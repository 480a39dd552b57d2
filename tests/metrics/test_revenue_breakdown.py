"""`--by segment|plan|owner|industry` on the revenue series: hand-computed group series,
groups that add up to the total every month, the CLI and the API."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from tenure.api.app import create_app
from tenure.analytics.results import RevenueSeries
from tenure.errors import Invalid
from tenure.kit.context import AppContext
from tenure.metrics.service import revenue_series
from tests.conftest import authorized_client
from tests.cli_runner import run_tenure
from tests.metrics.ledger import Term, label_accounts, write_ledger

D = Decimal
LEDGER = [
    Term("acme", date(2024, 12, 1), date(2025, 2, 1), "1200", 12, plan="pro"),  # churns Feb
    Term("acme", date(2025, 3, 1), None, "2400", 12, plan="enterprise"),  # back in March
    Term("beta", date(2025, 1, 1), None, "100", plan="basic"),  # new in January
    Term("beta", date(2025, 2, 1), None, "50", plan="pro"),  # expands in February
    Term("gamma", date(2024, 11, 1), date(2025, 3, 1), "300", plan="basic"),  # churns March
]
LABELS = {
    "acme": {"segment": "enterprise", "owner": "ana@example.com", "industry": "retail"},
    "beta": {"segment": "smb", "owner": "ana@example.com"},
    "gamma": {"segment": "smb", "industry": "retail"},
}


def series(context: AppContext, by: str | None) -> RevenueSeries:
    write_ledger(context, LEDGER)
    label_accounts(context, LABELS)
    return revenue_series(context, date(2025, 1, 1), date(2025, 3, 1), by=by)


def mrr_by_month(result: RevenueSeries) -> dict[str, list[Decimal]]:
    return {g.group: [m.mrr for m in g.series.months] for g in result.groups}


@pytest.mark.parametrize("by", ["segment", "plan", "owner", "industry"])
def test_groups_add_up_to_the_total_every_month(context: AppContext, by: str) -> None:
    result = series(context, by)
    assert result.by == by and result.groups
    for index, total in enumerate(result.months):
        parts = [g.series.months[index] for g in result.groups]
        for name in ("mrr", "customers", "new_mrr", "expansion_mrr", "contraction_mrr",
                     "churned_mrr", "reactivation_mrr", "churned_customers"):  # fmt: skip
            assert sum(getattr(p, name) for p in parts) == getattr(total, name), (by, index, name)
    assert sum(g.series.opening_mrr for g in result.groups) == result.opening_mrr


def test_segment_series_by_hand(context: AppContext) -> None:
    result = series(context, "segment")
    # enterprise: acme 100 (Jan), 0 (Feb: churn 100), 200 (Mar: reactivation)
    # smb: gamma 300 + beta 100 (Jan, beta new), beta 150 (Feb, +50), gamma churns in March
    assert mrr_by_month(result) == {"enterprise": [D(100), D(0), D(200)],
                                    "smb": [D(400), D(450), D(150)]}  # fmt: skip
    smb = {g.group: g.series for g in result.groups}["smb"]
    assert (smb.opening_mrr, smb.months[0].new_mrr, smb.months[1].expansion_mrr) == (D(300), D(100), D(50))
    assert (smb.months[2].churned_mrr, smb.months[2].churned_customers) == (D(300), 1)


def test_plan_is_the_one_paid_for_at_the_end_of_the_range(context: AppContext) -> None:
    # As of 31 March the latest-starting paying terms: acme enterprise, beta pro, gamma
    # basic (ended, still its last plan); an account's whole history counts in its group.
    result = series(context, "plan")
    assert mrr_by_month(result) == {"basic": [D(300), D(300), D(0)], "enterprise": [D(100), D(0), D(200)],
                                    "pro": [D(100), D(150), D(150)]}  # fmt: skip


def test_owner_groups_accounts_without_one_as_none(context: AppContext) -> None:
    result = series(context, "owner")
    assert mrr_by_month(result) == {"(none)": [D(300), D(300), D(0)],
                                    "ana@example.com": [D(200), D(150), D(350)]}  # fmt: skip


def test_unknown_dimension_is_refused(context: AppContext) -> None:
    with pytest.raises(Invalid, match="by: expected one of segment"):
        revenue_series(context, date(2025, 1, 1), date(2025, 3, 1), by="colour")


def test_cli_and_api_carry_the_groups(context: AppContext, env_for: dict[str, str]) -> None:
    write_ledger(context, LEDGER)
    label_accounts(context, LABELS)
    args = ("metrics", "revenue", "--from", "2025-01", "--to", "2025-03", "--by", "industry")
    result = run_tenure(*args, "--json", env=env_for)
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["by"] == "industry" and len(document["months"]) == 3
    groups = {g["group"]: [m["mrr"] for m in g["months"]] for g in document["groups"]}
    assert groups == {"(none)": [100.0, 150.0, 150.0], "retail": [400.0, 300.0, 200.0]}
    table = run_tenure(*args, env=env_for)
    assert table.returncode == 0 and "MRR by industry" in table.stdout, table.stderr
    with authorized_client(create_app(context, run_jobs=False), context) as client:
        response = client.get("/api/v1/metrics/revenue",
                              params={"from": "2025-01", "to": "2025-03", "by": "industry"})  # fmt: skip
        assert response.status_code == 200, response.text
        assert response.json()["groups"] == document["groups"]
        bad = client.get("/api/v1/metrics/revenue", params={"from": "2025-01", "to": "2025-03", "by": "x"})
        assert bad.status_code == 422 and "by: expected one of" in bad.json()["message"]
