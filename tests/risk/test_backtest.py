"""The rules' backtest on a hand-built book whose precision, recall and lead time are
worked out by hand."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd

from tenure.kit.db import unit_of_work
from tenure.risk.backtest import churn_events, run_backtest
from tests.cli_runner import run_tenure
from tests.risk import factories as f

TODAY = date(2025, 12, 31)


def seed(context) -> None:
    with unit_of_work(context.sessions) as s:
        churner = f.account(s, "churner")
        f.term(s, churner, date(2024, 1, 1), date(2025, 6, 15))  # churns 2025-06-15
        f.nps(s, churner, 2, date(2025, 4, 20))  # fires on 05-01 and 06-01
        loyal = f.account(s, "loyal")
        f.term(s, loyal, date(2024, 1, 1))
        f.nps(s, loyal, 5, date(2025, 2, 10))  # fires on 03-01, 04-01, 05-01
        renewed = f.account(s, "renewed")
        f.term(s, renewed, date(2024, 4, 1), date(2025, 3, 31))
        f.term(s, renewed, date(2025, 4, 10), date(2026, 4, 10))  # inside the grace: no churn
        silent = f.account(s, "silent")
        f.term(s, silent, date(2024, 1, 1), date(2025, 8, 20))  # churns unflagged


def test_churn_events() -> None:
    terms = pd.DataFrame({
        "account_id": [1, 2, 2, 3, 4],
        "start_date": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-12-20", "2024-01-01", "2024-01-01"]),
        "end_date": pd.to_datetime(["2024-12-01", "2024-12-31", "2025-06-01", "2025-12-15", None]),
        "amount": [1.0, 1.0, 1.0, 1.0, 1.0],
    })
    events = churn_events(terms, 30, date(2025, 12, 31))
    # 1 churns; 2 renews early then churns 2025-06-01; 3 is not observed through its grace
    assert list(zip(events["account_id"], events["churn_on"].dt.date)) == [
        (1, date(2024, 12, 1)), (2, date(2025, 6, 1))
    ]


def test_backtest_figures(context) -> None:
    seed(context)
    with unit_of_work(context.sessions) as s:
        result = run_backtest(context, s, date(2025, 1, 1), date(2025, 12, 1), TODAY)
    assert (result.start, result.end, result.points) == (date(2025, 1, 1), date(2025, 9, 1), 9)
    nps = {r.rule: r for r in result.rules}["nps_detractor"]
    assert (nps.fired, nps.true_positives, nps.precision) == (5, 2, 0.4)
    assert (nps.churners, nps.churners_flagged, nps.recall) == (2, 1, 0.5)
    assert nps.median_lead_days == 45  # 2025-05-01 to 2025-06-15
    assert result.churners == 2
    # 31 paying (account, point) pairs (churner 6, loyal 9, renewed 8: not on 04-01,
    # silent 8); followed by churn within 90 days: churner on 04-01, 05-01, 06-01 and
    # silent on 06-01, 07-01, 08-01
    assert result.base_rate == round(6 / 31, 4)


def test_backtest_cli(context, env_for) -> None:
    seed(context)
    out = run_tenure("risk", "backtest", "--from", "2025-01-01", "--as-of", str(TODAY), "--json", env=env_for)
    assert out.returncode == 0, out.stderr
    document = json.loads(out.stdout)
    assert {r["rule"] for r in document["rules"]} >= {"nps_detractor", "any_risk_rule"}
    early = run_tenure("risk", "backtest", "--from", "2025-11-01", "--to", "2025-12-01",
                       "--as-of", str(TODAY), env=env_for)  # fmt: skip
    assert early.returncode != 0 and "no as-of point" in early.stderr


def test_backtest_of_an_empty_book_has_null_rates(context) -> None:
    with unit_of_work(context.sessions) as s:
        result = run_backtest(context, s, date(2025, 1, 1), date(2025, 6, 1), TODAY)
    assert result.base_rate is None and result.churners == 0
    assert all(r.precision is None and r.recall is None and r.fired == 0 for r in result.rules)
