"""Model selection without leakage.

`select_and_fit` picks the candidate with the best mean ROC AUC over an inner stratified
k-fold of the rows it is given, then refits it on all of them. `cross_validate` wraps
that in an outer stratified 5-fold with a fixed seed: each outer test fold is scored by a
model chosen and fitted on the other four folds only, so the reported figures never saw
their own rows, not even during the choice of model.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold
from sklearn.pipeline import Pipeline

from tenure.churn.candidates import CANDIDATES, SEED, Candidate
from tenure.churn.quality import Quality, quality

Step = Callable[[str], None]  # progress: called once per fitted model with a label


@dataclass
class Selected:
    pipeline: Pipeline
    name: str
    algorithm: str
    inner_auc: dict[str, float]


@dataclass
class CrossValidation:
    folds: list[Quality]  # one per outer test fold
    pooled: Quality  # all out-of-fold predictions together
    fold_models: list[str]
    model: str  # the candidate chosen most often across outer folds
    probabilities: np.ndarray = field(repr=False)

    def mean(self, name: str) -> float | None:
        """The mean over outer folds of one figure (auc, pr_auc, brier, lift_top_decile):
        the usual way a "5-fold cross-validated AUC" is reported."""
        values = [getattr(fold, name) for fold in self.folds]
        return None if any(v is None for v in values) else float(np.mean(values))


def fits_needed(outer: int = 1, inner: int = 3, candidates: int = len(CANDIDATES)) -> int:
    """Models fitted by `outer` selections (progress bars count these)."""
    return outer * (inner * candidates + 1)


def _splits(X: pd.DataFrame, y: np.ndarray, folds: int,
            groups: np.ndarray | None) -> list[tuple[np.ndarray, np.ndarray]]:  # fmt: skip
    """Stratified folds; with `groups` (e.g. account ids of snapshots) a group's rows stay
    in one fold, so a model is never validated on an account it was trained on."""
    if groups is None:
        splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=SEED)
        return list(splitter.split(X, y))
    grouped = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=SEED)
    return list(grouped.split(X, y, groups))


def _inner_auc(candidate: Candidate, X: pd.DataFrame, y: np.ndarray, numeric: Sequence[str],
               categorical: Sequence[str], splits: list[tuple[np.ndarray, np.ndarray]],
               step: Step | None) -> float:  # fmt: skip
    scores = []
    for train, test in splits:
        if 0 < y[test].sum() < len(test) and 0 < y[train].sum() < len(train):
            pipeline = candidate.build(numeric, categorical)
            pipeline.fit(X.iloc[train], y[train])
            scores.append(roc_auc_score(y[test], pipeline.predict_proba(X.iloc[test])[:, 1]))
        if step:
            step(candidate.name)
    return float(np.mean(scores)) if scores else 0.5


def select_and_fit(
    X: pd.DataFrame,
    y: np.ndarray,
    numeric: Sequence[str],
    categorical: Sequence[str],
    *,
    inner_folds: int = 3,
    candidates: Sequence[Candidate] = CANDIDATES,
    step: Step | None = None,
    groups: np.ndarray | None = None,
) -> Selected:
    """The best candidate by inner CV on (X, y), refitted on all of (X, y)."""
    folds = max(2, min(inner_folds, int(np.bincount(y, minlength=2).min())))
    splits = _splits(X, y, folds, groups)
    scores = {
        c.name: _inner_auc(c, X, y, numeric, categorical, splits, step) for c in candidates
    }
    best = max(candidates, key=lambda c: scores[c.name])  # first wins ties
    pipeline = best.build(numeric, categorical)
    pipeline.fit(X, y)
    if step:
        step(best.name)
    return Selected(pipeline, best.name, best.algorithm, scores)


def cross_validate(
    X: pd.DataFrame,
    y: np.ndarray,
    numeric: Sequence[str],
    categorical: Sequence[str],
    *,
    folds: int = 5,
    inner_folds: int = 3,
    candidates: Sequence[Candidate] = CANDIDATES,
    step: Step | None = None,
) -> CrossValidation:
    """Stratified `folds`-fold CV (seed 0) of the whole selection procedure."""
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=SEED)
    probabilities = np.zeros(len(y), dtype=float)
    fold_quality, fold_models = [], []
    for train, test in splitter.split(X, y):
        chosen = select_and_fit(
            X.iloc[train], y[train], numeric, categorical,
            inner_folds=inner_folds, candidates=candidates, step=step,
        )  # fmt: skip
        probabilities[test] = chosen.pipeline.predict_proba(X.iloc[test])[:, 1]
        fold_quality.append(quality(y[test], probabilities[test]))
        fold_models.append(chosen.name)
    names, counts = np.unique(fold_models, return_counts=True)
    model = str(names[np.argmax(counts)])
    pooled = quality(y, probabilities)
    return CrossValidation(fold_quality, pooled, fold_models, model, probabilities)
