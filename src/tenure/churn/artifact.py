"""A fitted churn model with what scoring needs: its feature columns, the baseline value
of each feature, and per-account drivers.

**Drivers** work for any model: the effect of a feature on an account's prediction is the
account's probability minus its probability with that one feature set to the baseline
(the training median of a number, the most common category). Positive effects push churn
risk up. Rows already at the baseline have effect 0 and are not re-predicted, so the
cost is one batch prediction per feature over the rows that differ.

Artifacts are joblib files under TENURE_HOME/models/ (written and read by Tenure only:
joblib runs pickle, so never load an artifact from an untrusted source).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline

TOP_DRIVERS = 5


@dataclass
class ChurnArtifact:
    pipeline: Pipeline
    numeric: list[str]
    categorical: list[str]
    baseline: dict[str, Any]
    model: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def features(self) -> list[str]:
        return [*self.numeric, *self.categorical]

    @classmethod
    def fit_baseline(cls, pipeline: Pipeline, X: pd.DataFrame, numeric: list[str],
                     categorical: list[str], model: str) -> ChurnArtifact:  # fmt: skip
        baseline: dict[str, Any] = {}
        for name in numeric:
            median = X[name].median()
            baseline[name] = None if pd.isna(median) else float(median)
        for name in categorical:
            mode = X[name].dropna().mode()
            baseline[name] = None if mode.empty else mode.iloc[0]
        return cls(pipeline, list(numeric), list(categorical), baseline, model)

    def frame(self, X: pd.DataFrame) -> pd.DataFrame:
        """`X` with exactly the model's columns (missing ones all NaN)."""
        return X.reindex(columns=self.features)

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return self.pipeline.predict_proba(self.frame(X))[:, 1]

    def effects(self, X: pd.DataFrame, p: np.ndarray | None = None) -> pd.DataFrame:
        """Per row and feature: probability minus probability at the baseline value."""
        X = self.frame(X)
        p = self.predict(X) if p is None else p
        out = np.zeros((len(X), len(self.features)))
        for j, name in enumerate(self.features):
            base = self.baseline.get(name)
            column = X[name]
            differs = column.isna().to_numpy() if base is None else (column != base).to_numpy()
            if base is None or not differs.any():
                continue
            rows = np.flatnonzero(differs)
            changed = X.iloc[rows].copy()
            changed[name] = base
            out[rows, j] = p[rows] - self.pipeline.predict_proba(changed)[:, 1]
        return pd.DataFrame(out, index=X.index, columns=self.features)

    def drivers(self, X: pd.DataFrame, top: int = TOP_DRIVERS) -> tuple[np.ndarray, list[list[dict[str, Any]]]]:
        """(probabilities, per row the `top` features with the largest |effect|)."""
        X = self.frame(X)
        p = self.predict(X)
        effects = self.effects(X, p).to_numpy()
        order = np.argsort(-np.abs(effects), axis=1, kind="stable")[:, :top]
        names = np.asarray(self.features, dtype=object)
        values = X.to_numpy(dtype=object)
        out: list[list[dict[str, Any]]] = []
        for i in range(len(X)):
            row = []
            for j in order[i]:
                if effects[i, j] == 0.0:
                    break
                row.append({"feature": names[j], "value": _plain(values[i, j]),
                            "effect": round(float(effects[i, j]), 6)})  # fmt: skip
            out.append(row)
        return p, out

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        joblib.dump(self, path, compress=3)

    @staticmethod
    def load(path: Path) -> ChurnArtifact:
        artifact = joblib.load(path)
        if not isinstance(artifact, ChurnArtifact):
            raise TypeError(f"{path} is not a churn model artifact")
        return artifact


def _plain(value: Any) -> float | str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    return str(value)
