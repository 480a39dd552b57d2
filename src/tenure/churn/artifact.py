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

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline

TOP_DRIVERS = 5
MAX_CATEGORIES = 500  # categories remembered per feature to map prepared columns


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
        probes: dict[str, list[float]] = {}
        for name in numeric:
            median = X[name].median()
            baseline[name] = None if pd.isna(median) else float(median)
            spread = X[name].dropna().quantile(np.linspace(0, 1, 41)).unique()
            probes[name] = [float(v) for v in spread]
        categories: dict[str, list[Any]] = {}
        for name in categorical:
            counts = X[name].dropna().value_counts()
            baseline[name] = None if counts.empty else counts.index[0]
            categories[name] = list(counts.index[:MAX_CATEGORIES])
        extra = {"categories": categories, "probes": probes}
        artifact = cls(pipeline, list(numeric), list(categorical), baseline, model, extra)
        artifact._columns_of()  # once, at fit time; stored with the artifact
        return artifact

    def frame(self, X: pd.DataFrame) -> pd.DataFrame:
        """`X` with exactly the model's columns (missing ones all NaN)."""
        return X.reindex(columns=self.features)

    def predict(self, X: pd.DataFrame) -> np.ndarray:
        return self.pipeline.predict_proba(self.frame(X))[:, 1]

    def _columns_of(self) -> list[np.ndarray]:
        """For each raw feature, the columns of the prepared matrix that depend on it.

        Every preparation step works column by column (imputer, splines, scaler, one-hot,
        ordinal codes), so changing one feature of the baseline row changes only its own
        prepared columns. Setting it to missing, to extremes, to 41 quantiles of its
        training values (splines are local) or to each known category finds them all;
        all probe rows go through the preparation in one batch."""
        if "columns_of" in self.extra:
            return self.extra["columns_of"]  # type: ignore[no-any-return]
        base = self._baseline_frame()
        rows, owner = [base], [-1]
        for j, name in enumerate(self.features):
            if name in self.categorical:
                others = [None, *self.extra.get("categories", {}).get(name, [])]
            else:
                others = [np.nan, -1e12, 1e12, *self.extra.get("probes", {}).get(name, [])]
            probe = pd.concat([base] * len(others), ignore_index=True)
            probe[name] = pd.Series(others, dtype=object if name in self.categorical else float)
            rows.append(probe)
            owner.extend([j] * len(others))
        prepared = np.asarray(self.pipeline[:-1].transform(pd.concat(rows, ignore_index=True)),
                              dtype=float)  # fmt: skip
        moved = ~np.isclose(prepared[1:], prepared[0], equal_nan=True)
        owners = np.asarray(owner[1:])
        found = [np.flatnonzero(moved[owners == j].any(axis=0)) for j in range(len(self.features))]
        self.extra["columns_of"] = found
        return found

    def _baseline_frame(self) -> pd.DataFrame:
        row = {name: [self.baseline.get(name)] for name in self.features}
        frame = pd.DataFrame(row).astype({name: float for name in self.numeric})
        return frame.astype({name: object for name in self.categorical})

    def effects(self, X: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame]:
        """(probabilities, per row and feature: probability minus probability with that
        feature at its baseline value). Features without a baseline have effect 0."""
        X = self.frame(X)
        prepare, model = self.pipeline[:-1], self.pipeline[-1]
        T = np.asarray(prepare.transform(X), dtype=float)
        Tb = np.asarray(prepare.transform(self._baseline_frame()), dtype=float)[0]
        p = model.predict_proba(T)[:, 1]
        out = np.zeros((len(X), len(self.features)))
        linear = hasattr(model, "coef_")
        z = T @ model.coef_[0] + model.intercept_[0] if linear else None
        for j, cols in enumerate(self._columns_of()):
            if self.baseline.get(self.features[j]) is None or len(cols) == 0:
                continue
            diff = T[:, cols] - Tb[cols]
            rows = np.flatnonzero(np.any(np.abs(diff) > 0, axis=1) | np.isnan(diff).any(axis=1))
            if not len(rows):
                continue
            if linear:
                delta = np.nan_to_num(diff[rows]) @ model.coef_[0][cols]
                out[rows, j] = p[rows] - 1.0 / (1.0 + np.exp(-(z[rows] - delta)))
            else:
                changed = T[rows].copy()
                changed[:, cols] = Tb[cols]
                out[rows, j] = p[rows] - model.predict_proba(changed)[:, 1]
        return p, pd.DataFrame(out, index=X.index, columns=self.features)

    def drivers(self, X: pd.DataFrame, top: int = TOP_DRIVERS) -> tuple[np.ndarray, list[str]]:
        """(probabilities, per row a JSON list of the `top` features with the largest
        |effect|: [{"feature", "value", "effect"}], effects of 0 left out)."""
        X = self.frame(X)
        p, frame = self.effects(X)
        effects = frame.to_numpy()
        order = np.argsort(-np.abs(effects), axis=1, kind="stable")[:, :top]
        picked = np.take_along_axis(effects, order, axis=1).round(6)
        heads = [f'{{"feature": {json.dumps(name)}, "value": ' for name in self.features]
        texts = self._value_texts(X)
        out = []
        for i in range(len(X)):
            parts = [
                f'{heads[j]}{texts[j][i]}, "effect": {float(e)!r}}}'
                for j, e in zip(order[i].tolist(), picked[i].tolist(), strict=True)
                if e != 0.0
            ]
            out.append("[" + ", ".join(parts) + "]")
        return p, out

    def _value_texts(self, X: pd.DataFrame) -> list[list[str]]:
        """Each feature's values as JSON text (numbers as floats, missing as null)."""
        texts = []
        for name in self.features:
            column = X[name]
            if name in self.numeric:
                values = column.astype(float).tolist()
                texts.append(["null" if v != v else repr(float(v)) for v in values])
            else:
                texts.append(["null" if v is None or v != v else json.dumps(str(v))
                              for v in column.tolist()])  # fmt: skip
        return texts

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        joblib.dump(self, path, compress=3)

    @staticmethod
    def load(path: Path) -> ChurnArtifact:
        artifact = joblib.load(path)
        if not isinstance(artifact, ChurnArtifact):
            raise TypeError(f"{path} is not a churn model artifact")
        return artifact
