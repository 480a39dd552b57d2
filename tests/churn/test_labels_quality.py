"""Churn days and snapshot labels from hand-made terms; point-in-time term ends; the
quality figures on hand-computed cases."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from tenure.churn import backtest, features, labels
from tenure.churn.quality import calibration, lift_top_decile, quality


def _terms(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["account_id", "start_date", "end_date", "amount",
                                       "billing_period_months", "canceled_at"])  # fmt: skip


TERMS = _terms([
    (1, date(2024, 1, 1), date(2025, 1, 1), 1200, 12, None),  # renewed 20 days late
    (1, date(2025, 1, 21), date(2026, 1, 21), 1200, 12, None),
    (2, date(2024, 1, 1), None, 100, 1, None),  # evergreen
    (3, date(2024, 1, 1), date(2024, 3, 1), 100, 1, date(2024, 2, 10)),  # churns 2024-03-01
    (3, date(2024, 6, 1), date(2025, 1, 1), 100, 1, None),  # comes back, churns again
    (4, date(2024, 1, 1), date(2024, 4, 1), 0, 1, None),  # a trial only: never paying
    (5, date(2024, 1, 1), date(2024, 5, 1), 100, 1, None),  # 45-day gap: churn
    (5, date(2024, 6, 15), None, 100, 1, None),
])  # fmt: skip


def test_churn_days_bridge_short_gaps_only() -> None:
    cover = labels.coverage(TERMS)
    got = labels.snapshot_labels(cover, [date(2024, 2, 1), date(2024, 12, 1)], labels.LabelRule())
    rows = {(r.as_of.date(), r.account_id): (r.churn_day, r.label) for r in got.itertuples()}
    assert set(rows) == {(date(2024, 2, 1), a) for a in (1, 2, 3, 5)} | {
        (date(2024, 12, 1), a) for a in (1, 2, 3, 5)}
    assert rows[(date(2024, 2, 1), 3)] == (pd.Timestamp("2024-03-01"), 1)
    assert rows[(date(2024, 2, 1), 5)] == (pd.Timestamp("2024-05-01"), 1)  # day 90: inside
    assert rows[(date(2024, 12, 1), 1)] == (pd.Timestamp("2026-01-21"), 0)  # late renewal bridged
    assert pd.isna(rows[(date(2024, 12, 1), 2)][0])
    assert rows[(date(2024, 12, 1), 3)] == (pd.Timestamp("2025-01-01"), 1)
    assert labels.LabelRule().observed_by(date(2026, 1, 1)) == date(2025, 9, 3)  # 90 + 30 days


def test_monthly_term_end_is_unknown_until_notice() -> None:
    terms = TERMS.assign(quantity=1, plan="p")
    ends = features.known_end(terms, pd.Timestamp("2024-02-01"))
    assert ends.iloc[0] == pd.Timestamp("2025-01-01")  # annual contract: known at signing
    assert pd.isna(ends.iloc[6])  # monthly, no notice: looked evergreen
    after_notice = features.known_end(terms, pd.Timestamp("2024-02-15"))
    assert after_notice.iloc[3] == pd.Timestamp("2024-03-01")
    frame = features.term_features(terms, pd.Timestamp("2024-02-15"))
    assert frame.loc[3, "cancellation_notice"] == 1.0 and frame.loc[3, "days_to_term_end"] == 15
    assert np.isnan(frame.loc[5, "days_to_term_end"]) and 4 not in frame.index


def test_quality_on_a_hand_case() -> None:
    y = np.array([1, 0, 1, 0, 0, 0, 0, 0, 0, 0] * 2)
    p = np.array([0.9, 0.8, 0.7, 0.3, 0.2, 0.2, 0.1, 0.1, 0.1, 0.1] * 2)
    q = quality(y, p)
    assert (q.rows, q.positives) == (20, 4)
    assert q.auc == pytest.approx(1 - 4 / 64)  # 4 of 64 positive-negative pairs misordered
    assert lift_top_decile(y, p) == pytest.approx(1.0 / 0.2)  # top 2 rows: both churned
    assert q.brier == pytest.approx(np.mean((p - y) ** 2))
    bins = calibration(y, p)
    assert [(b.low, b.count) for b in bins][:2] == [(0.1, 8), (0.2, 4)]
    assert bins[-1].observed == 1.0 and sum(b.count for b in bins) == 20
    assert quality(np.zeros(5), np.full(5, 0.1)).auc is None


def test_flags_and_lead_time() -> None:
    meta = pd.DataFrame({
        "as_of": pd.to_datetime(["2025-01-01"] * 10 + ["2025-02-01"] * 10),
        "account_id": list(range(10)) * 2,
        "churn_day": pd.to_datetime(["2025-03-01"] + [None] * 9 + ["2025-03-01"] + [None] * 9),
        "label": [1] + [0] * 9 + [1] + [0] * 9,
    })  # fmt: skip
    p = np.array([0.2, 0.9] + [0.1] * 8 + [0.95] + [0.1] * 9)
    flags = backtest.flagged(meta, p)
    assert flags.sum() == 2 and flags[1] and flags[10]  # top 10% per day: one row each
    lead = backtest.lead_time(meta, flags)
    assert (lead.churned, lead.flagged, lead.median_days) == (1, 1, 28.0)
