"""How good churn probabilities are: ROC AUC, PR AUC, Brier, top-decile lift, calibration."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score


@dataclass(frozen=True)
class CalibrationBin:
    """Predictions in one band: how many, the mean predicted and the observed churn rate."""

    low: float
    high: float
    count: int
    predicted: float
    observed: float


@dataclass(frozen=True)
class Quality:
    rows: int
    positives: int
    auc: float | None  # None when only one class is present
    pr_auc: float | None
    brier: float
    lift_top_decile: float | None


def lift_top_decile(y: np.ndarray, p: np.ndarray) -> float | None:
    """Churn rate among the 10% highest probabilities over the overall churn rate.

    Ties at the cut are broken by order of appearance after a stable sort, so the top
    decile is always ceil(n / 10) rows."""
    base = float(np.mean(y)) if len(y) else 0.0
    if base == 0.0:
        return None
    top = max(1, int(np.ceil(len(y) / 10)))
    order = np.argsort(-p, kind="stable")[:top]
    return float(np.mean(y[order]) / base)


def quality(y: np.ndarray, p: np.ndarray) -> Quality:
    y = np.asarray(y, dtype=int)
    p = np.asarray(p, dtype=float)
    both = 0 < y.sum() < len(y)
    return Quality(
        rows=len(y),
        positives=int(y.sum()),
        auc=float(roc_auc_score(y, p)) if both else None,
        pr_auc=float(average_precision_score(y, p)) if both else None,
        brier=float(brier_score_loss(y, p, pos_label=1)) if len(y) else float("nan"),
        lift_top_decile=lift_top_decile(y, p),
    )


def calibration(y: np.ndarray, p: np.ndarray, bins: int = 10) -> list[CalibrationBin]:
    """Equal-width probability bands 0-0.1, ..., 0.9-1; empty bands are left out."""
    y = np.asarray(y, dtype=float)
    p = np.asarray(p, dtype=float)
    edges = np.arange(bins + 1) / bins  # exact tenths: 0.3 falls in 0.3-0.4
    index = np.clip(np.digitize(p, edges[1:-1], right=False), 0, bins - 1)
    out = []
    for b in range(bins):
        mask = index == b
        if mask.any():
            out.append(
                CalibrationBin(
                    low=float(edges[b]),
                    high=float(edges[b + 1]),
                    count=int(mask.sum()),
                    predicted=float(p[mask].mean()),
                    observed=float(y[mask].mean()),
                )
            )
    return out
