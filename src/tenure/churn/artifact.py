"""A fitted churn model with what scoring needs: its feature columns, the baseline value
of each feature, and per-account drivers.

**Drivers** work for any model: the effect of a feature on an account's prediction is the
account's probability minus its probability with that one feature set to the baseline
(the training median of a number, the most common category). Positive effects push churn
risk up. Rows already at the baseline have effect 0 and are not re-predicted. The batch
is prepared once; logistic models then need one matrix product per feature, boosted
trees one table lookup per tree that splits on the feature (`tenure.churn.trees`), and
any other model one batch prediction per feature over the rows that differ.

Artifacts are joblib files under TENURE_HOME/models/ (written and read by Tenure only:
joblib runs pickle, so never load an artifact from an untrusted source).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline

from tenure.churn import trees

log = logging.getLogger(__name__)
TOP_DRIVERS = 5
MAX_CATEGORIES = 500  # categories remembered per feature to map prepared columns


@dataclass
class Batch:
    """A prepared batch: rows `T`, the baseline row `base`, each feature's prepared
    columns and the rows whose columns differ from the baseline."""

    T: np.ndarray
    base: np.ndarray
    model: Any
    columns: list[np.ndarray] = field(default_factory=list)
    rows_of: list[np.ndarray] = field(default_factory=list)

    def differ(self, cols: np.ndarray) -> np.ndarray:
        if not len(cols):
            return np.empty(0, dtype=int)
        diff = self.T[:, cols] - self.base[cols]
        return np.flatnonzero(np.any(np.abs(diff) > 0, axis=1) | np.isnan(diff).any(axis=1))

    def predict(self, T: np.ndarray) -> np.ndarray:
        return self.model.predict_proba(T)[:, 1]  # type: ignore[no-any-return]


Effects = tuple[np.ndarray, np.ndarray]  # (probabilities, rows x features)
CHECKED_ROWS = 1024  # rows of each batch the tree walk is checked on against predict_proba


def linear_effects(batch: Batch) -> Effects | None:
    """Logistic regression: removing a feature's columns moves the log-odds by their
    coefficients times their differences from the baseline."""
    model = batch.model
    if not hasattr(model, "coef_"):
        return None
    p, coef = batch.predict(batch.T), model.coef_[0]  # predict_proba refuses NaN
    weights = np.zeros((len(coef), len(batch.columns)))  # feature j: coef on its columns
    for j, cols in enumerate(batch.columns):
        weights[cols, j] = coef[cols]
    deltas = batch.T @ weights - batch.base @ weights  # one pass over the batch
    z = batch.T @ coef + model.intercept_[0]
    out = np.zeros((len(batch.T), len(batch.columns)))
    for j, rows in enumerate(batch.rows_of):
        if len(rows):
            out[rows, j] = p[rows] - 1.0 / (1.0 + np.exp(-(z[rows] - deltas[rows, j])))
    return p, out


def tree_effects(batch: Batch) -> Effects | None:
    """Boosted trees: re-walk only the trees that split on the feature. Checked against
    predict_proba on up to CHECKED_ROWS rows spread over the batch (a different sklearn
    could change the private arrays); on any difference the reference method runs."""
    forest = trees.walk(batch.model)
    if forest is None:
        return None
    p, out = forest.effects(batch.T, batch.base, batch.columns, batch.rows_of)
    sample = np.unique(np.linspace(0, len(p) - 1, min(len(p), CHECKED_ROWS)).astype(int))
    checked = batch.predict(batch.T[sample]) if len(sample) else p[sample]
    if not np.allclose(p[sample], checked, rtol=0, atol=1e-12):
        log.warning("churn drivers: tree walk and predict_proba disagree; using the reference")
        return None
    return p, out


def reference_effects(batch: Batch) -> Effects:
    """Any model: one prediction per feature of the rows that differ, with that
    feature's columns at the baseline."""
    p = batch.predict(batch.T)
    out = np.zeros((len(batch.T), len(batch.columns)))
    for j, (cols, rows) in enumerate(zip(batch.columns, batch.rows_of, strict=True)):
        if len(rows):
            changed = batch.T[rows].copy()
            changed[:, cols] = batch.base[cols]
            out[rows, j] = p[rows] - batch.predict(changed)
    return p, out


EFFECTS: tuple[Callable[[Batch], Effects | None], ...] = (
    linear_effects, tree_effects, reference_effects,
)


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

    def batch(self, X: pd.DataFrame) -> Batch:
        """`X` prepared once, with each feature's columns and the rows that differ."""
        prepare, model = self.pipeline[:-1], self.pipeline[-1]
        X = self.frame(X)
        batch = Batch(
            T=np.asarray(prepare.transform(X), dtype=float),
            base=np.asarray(prepare.transform(self._baseline_frame()), dtype=float)[0],
            model=model,
        )
        batch.columns = self._columns_of()
        batch.rows_of = [
            batch.differ(cols) if self.baseline.get(name) is not None else np.empty(0, int)
            for name, cols in zip(self.features, batch.columns, strict=True)
        ]
        return batch

    def effects(self, X: pd.DataFrame) -> tuple[np.ndarray, pd.DataFrame]:
        """(probabilities, per row and feature: probability minus probability with that
        feature at its baseline value). Features without a baseline have effect 0.

        One preparation of the batch; then the first of `EFFECTS` that can handle the
        model: the exact logistic shortcut, the tree walk of `tenure.churn.trees`, or the
        reference (one prediction per feature over the rows that differ)."""
        X = self.frame(X)
        batch = self.batch(X)
        for method in EFFECTS:
            found = method(batch)
            if found is not None:
                return found[0], pd.DataFrame(found[1], index=X.index, columns=self.features)
        raise AssertionError("the reference method handles every model")

    def drivers(self, X: pd.DataFrame, top: int = TOP_DRIVERS) -> tuple[np.ndarray, list[str]]:
        """(probabilities, per row a JSON list of the `top` features with the largest
        |effect|: [{"feature", "value", "effect"}], effects of 0 left out). Values are
        written only for the features shown (top 5 of 34 per row)."""
        X = self.frame(X)
        p, frame = self.effects(X)
        effects = frame.to_numpy()
        order = np.argsort(-np.abs(effects), axis=1, kind="stable")[:, :top]
        picked = np.take_along_axis(effects, order, axis=1).round(6)
        parts = np.full(order.shape, "", dtype=object)
        shown = picked != 0.0
        for j, name in enumerate(self.features):
            rows, slots = np.nonzero((order == j) & shown)
            if not len(rows):
                continue
            head = f'{{"feature": {json.dumps(name)}, "value": '
            values = self._value_texts(name, X[name].to_numpy()[rows])
            shown_effects = picked[rows, slots].tolist()
            parts[rows, slots] = [f'{head}{v}, "effect": {e!r}}}'
                                  for v, e in zip(values, shown_effects, strict=True)]  # fmt: skip
        return p, ["[" + ", ".join(filter(None, row)) + "]" for row in parts.tolist()]

    def _value_texts(self, name: str, values: np.ndarray) -> list[str]:
        """A feature's values as JSON text (numbers as floats, missing as null)."""
        if name in self.numeric:
            return ["null" if v != v else repr(v) for v in values.astype(float).tolist()]
        return ["null" if v is None or v != v else json.dumps(str(v)) for v in values.tolist()]

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        joblib.dump(self, path, compress=3)

    @staticmethod
    def load(path: Path) -> ChurnArtifact:
        artifact = joblib.load(path)
        if not isinstance(artifact, ChurnArtifact):
            raise TypeError(f"{path} is not a churn model artifact")
        return artifact
