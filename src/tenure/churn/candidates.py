"""The candidate models, a registry of small classes: each builds an unfitted sklearn
pipeline from raw feature columns (numeric floats with NaN, categorical text with None).

Model selection (`tenure.churn.selection`) tries every registered candidate by inner
cross-validation and keeps the best; adding a candidate is adding a class here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, SplineTransformer, StandardScaler

SEED = 0


class Candidate:
    name: ClassVar[str]
    algorithm: ClassVar[str]

    def build(self, numeric: Sequence[str], categorical: Sequence[str]) -> Pipeline:
        raise NotImplementedError


class Logistic(Candidate):
    """L2-regularised logistic regression on median-imputed (with missing-value
    indicators), standardised numbers and one-hot categories. With `splines`, each
    number is expanded into a cubic B-spline basis with knots at its quantiles, so the
    model can bend (e.g. churn falling fast in the first months of tenure, then slowly)."""

    algorithm = "logistic_regression"

    def __init__(self, c: float, splines: bool = False) -> None:
        self.c = c
        self.splines = splines
        shape = "splines," if splines else ""
        self.name = f"logistic_regression({shape}C={c:g})"  # type: ignore[misc]

    def build(self, numeric: Sequence[str], categorical: Sequence[str]) -> Pipeline:
        steps: list[object] = [
            SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True)
        ]
        if self.splines:
            steps.append(SplineTransformer(n_knots=5, degree=3, knots="quantile"))
        numbers = make_pipeline(*steps, StandardScaler())
        categories = make_pipeline(
            SimpleImputer(strategy="constant", fill_value="(missing)"),
            OneHotEncoder(handle_unknown="infrequent_if_exist", min_frequency=5,
                          sparse_output=False),
        )  # fmt: skip
        prepare = ColumnTransformer(
            [("num", numbers, list(numeric)), ("cat", categories, list(categorical))]
        )
        model = LogisticRegression(C=self.c, max_iter=5000)
        return Pipeline([("prepare", prepare), ("model", model)])


class GradientBoosting(Candidate):
    """sklearn's histogram gradient boosting with native categories and missing values,
    shallow trees, early stopping on an internal validation split."""

    algorithm = "hist_gradient_boosting"

    def __init__(self, learning_rate: float, leaves: int) -> None:
        self.learning_rate = learning_rate
        self.leaves = leaves
        self.name = f"hist_gradient_boosting(lr={learning_rate:g},leaves={leaves})"  # type: ignore[misc]

    def build(self, numeric: Sequence[str], categorical: Sequence[str]) -> Pipeline:
        categories = OrdinalEncoder(
            handle_unknown="use_encoded_value", unknown_value=np.nan,
            encoded_missing_value=np.nan, max_categories=200,
        )  # fmt: skip
        prepare = ColumnTransformer(
            [("num", "passthrough", list(numeric)), ("cat", categories, list(categorical))]
        )
        is_category = [False] * len(numeric) + [True] * len(categorical)
        model = HistGradientBoostingClassifier(
            learning_rate=self.learning_rate,
            max_leaf_nodes=self.leaves,
            min_samples_leaf=40,
            l2_regularization=1.0,
            max_iter=400,
            early_stopping=True,
            validation_fraction=0.15,
            n_iter_no_change=20,
            categorical_features=is_category if categorical else None,
            random_state=SEED,
        )
        return Pipeline([("prepare", prepare), ("model", model)])


CANDIDATES: tuple[Candidate, ...] = (
    Logistic(c=1.0),
    Logistic(c=0.1, splines=True),
    GradientBoosting(learning_rate=0.05, leaves=8),
)


def by_name(name: str) -> Candidate:
    for candidate in CANDIDATES:
        if candidate.name == name:
            return candidate
    raise KeyError(name)
