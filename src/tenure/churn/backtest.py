"""Snapshots for training and a time-based backtest without leakage.

A **snapshot** is (day s, account paying on s): its features on s and its label (churn
within the horizon after s; `tenure.churn.labels`). Snapshot days run every
`every_days` back from the last day whose label is fully observed.

The **backtest** at cutoff T trains on snapshots whose whole label window ended by T
(`s + horizon + grace <= T`: everything the model learns from was known on T) and tests
on snapshots taken on or after T. The health score is measured on the same test
snapshots, so the two AUCs are comparable.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from tenure.churn import features, labels
from tenure.churn.artifact import ChurnArtifact
from tenure.churn.quality import CalibrationBin, Quality, calibration, quality
from tenure.churn.selection import Step, fits_needed, select_and_fit
from tenure.errors import Invalid
from tenure.kit.context import AppContext

Progress = Callable[[str, int], Step]  # (phase, total) -> step callback
FLAG_SHARE = 0.10  # the top 10% of each day's scores are flagged high risk


@dataclass
class Snapshots:
    X: pd.DataFrame  # features, one row per snapshot
    meta: pd.DataFrame  # as_of, account_id, churn_day, label (same row order)

    def select(self, mask: np.ndarray) -> Snapshots:
        return Snapshots(self.X[mask].reset_index(drop=True),
                         self.meta[mask].reset_index(drop=True))  # fmt: skip


@dataclass
class LeadTime:
    churned: int
    flagged: int
    median_days: float | None
    mean_days: float | None


@dataclass
class BacktestResult:
    cutoff: date
    rule: labels.LabelRule
    every_days: int
    train_rows: int
    test: Snapshots
    probabilities: np.ndarray
    artifact: ChurnArtifact
    model_quality: Quality
    health_quality: Quality | None
    calibration: list[CalibrationBin]
    lead_time: LeadTime


def build_snapshots(context: AppContext, days: list[date], rule: labels.LabelRule,
                    step: Step | None = None, with_health: bool = True) -> Snapshots:  # fmt: skip
    if not days:
        raise Invalid("no snapshot days: the history is shorter than the label window")
    inputs = features.load_inputs(context, days[0], days[-1], with_health)
    cover = labels.coverage(inputs.terms, rule.grace_days)
    meta = labels.snapshot_labels(cover, days, rule)
    frames = []
    for day in days:
        ids = meta.loc[meta["as_of"] == pd.Timestamp(day), "account_id"].to_numpy()
        frames.append(features.features_on(inputs, day, pd.Index(ids, name="account_id")))
        if step:
            step(day.isoformat())
    X = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return Snapshots(X, meta)


def history_days(context: AppContext, end: date, rule: labels.LabelRule, every_days: int) -> list[date]:
    """Snapshot days from the first paid term (+ every_days) to the last observed label."""
    with context.sessions() as session:
        from tenure.churn import repository

        terms = repository.terms_frame(session)
    paid = terms[terms["amount"].astype(float) > 0]
    if paid.empty:
        raise Invalid("no paid subscription terms: nothing to learn churn from")
    first = pd.to_datetime(paid["start_date"]).min().date() + timedelta(days=every_days)
    return labels.snapshot_days(first, rule.observed_by(end), every_days)


def fit(snapshots: Snapshots, step: Step | None = None) -> ChurnArtifact:
    y = snapshots.meta["label"].to_numpy(dtype=int)
    if y.sum() < 5 or y.sum() == len(y):
        raise Invalid(f"too few churned snapshots to train on ({int(y.sum())} of {len(y)})")
    X = snapshots.X.dropna(axis=1, how="all")
    numeric, categorical = features.split_columns(X)
    groups = snapshots.meta["account_id"].to_numpy()
    chosen = select_and_fit(X, y, numeric, categorical, step=step, groups=groups)
    artifact = ChurnArtifact.fit_baseline(chosen.pipeline, X, numeric, categorical, chosen.name)
    artifact.extra["inner_auc"] = chosen.inner_auc
    artifact.extra["algorithm"] = chosen.algorithm
    return artifact


def flagged(meta: pd.DataFrame, p: np.ndarray, share: float = FLAG_SHARE) -> np.ndarray:
    """True for the rows in the top `share` of their day's probabilities."""
    rank = pd.Series(p).groupby(meta["as_of"].to_numpy()).rank(ascending=False, method="first")
    size = meta.groupby("as_of")["as_of"].transform("size").to_numpy()
    return (rank.to_numpy() <= np.ceil(share * size))


def lead_time(meta: pd.DataFrame, flags: np.ndarray) -> LeadTime:
    """Days from the first flag inside the horizon before churn to the churn day."""
    positive = meta["label"].to_numpy() == 1
    churned = meta.loc[positive, "account_id"].nunique()
    hits = meta[positive & flags]
    if hits.empty:
        return LeadTime(churned, 0, None, None)
    lead = (hits["churn_day"] - hits["as_of"]).dt.days
    first = lead.groupby(hits["account_id"]).max()  # earliest flag = longest lead
    return LeadTime(churned, len(first), float(first.median()), float(first.mean()))


def health_quality(context: AppContext, test: Snapshots) -> Quality | None:
    """The health score's own power on the test snapshots: risk = 100 - score."""
    try:
        from tenure.health.service import score_accounts
    except ImportError:
        return None
    risk = np.full(len(test.meta), np.nan)
    for day, rows in test.meta.groupby("as_of").groups.items():
        scores = score_accounts(context, pd.Timestamp(day).date()).accounts["score"]
        ids = test.meta.loc[rows, "account_id"]
        risk[np.asarray(rows)] = 100.0 - scores.reindex(ids).astype(float).to_numpy()
    keep = ~np.isnan(risk)
    y = test.meta["label"].to_numpy()
    return quality(y[keep], risk[keep] / 100.0) if keep.any() else None


def default_cutoff(end: date, rule: labels.LabelRule) -> date:
    """A year before the last observed label: the last year of snapshots is the test."""
    return rule.observed_by(end) - timedelta(days=365)


def split_days(days: list[date], cutoff: date, rule: labels.LabelRule) -> tuple[list[date], list[date]]:
    train = [d for d in days if d <= rule.observed_by(cutoff)]
    test = [d for d in days if d >= cutoff]
    if not train or not test:
        raise Invalid(f"cutoff {cutoff}: no snapshot days to train on before it or to test "
                      f"after it (snapshots {days[0] if days else '-'} to {days[-1] if days else '-'})")
    return train, test


def evaluate_split(context: AppContext, snaps: Snapshots, cutoff: date, rule: labels.LabelRule,
                   every_days: int, step: Step | None = None) -> BacktestResult:  # fmt: skip
    """Train on snapshots labelled by `cutoff`, test on those from `cutoff` on."""
    as_of = snaps.meta["as_of"]
    train = snaps.select((as_of <= pd.Timestamp(rule.observed_by(cutoff))).to_numpy())
    test = snaps.select((as_of >= pd.Timestamp(cutoff)).to_numpy())
    artifact = fit(train, step)
    p = artifact.predict(test.X)
    y = test.meta["label"].to_numpy()
    return BacktestResult(
        cutoff=cutoff, rule=rule, every_days=every_days, train_rows=len(train.meta), test=test,
        probabilities=p, artifact=artifact, model_quality=quality(y, p),
        health_quality=health_quality(context, test), calibration=calibration(y, p),
        lead_time=lead_time(test.meta, flagged(test.meta, p)),
    )  # fmt: skip


def run_backtest(context: AppContext, end: date, cutoff: date | None, rule: labels.LabelRule,
                 every_days: int, progress: Progress | None = None) -> BacktestResult:  # fmt: skip
    days = history_days(context, end, rule, every_days)
    cutoff = cutoff or default_cutoff(end, rule)
    train_days, test_days = split_days(days, cutoff, rule)
    chosen = train_days + test_days
    snaps = build_snapshots(context, chosen, rule,
                            progress("features", len(chosen)) if progress else None)  # fmt: skip
    models = progress("models", fits_needed()) if progress else None
    return evaluate_split(context, snaps, cutoff, rule, every_days, models)
