"""Tree-model drivers by walking sklearn's trees (`tenure.churn.trees`) equal the
reference method (one predict_proba per feature) to 1e-9: numbers with missing values,
categories with missing and unseen values, more than 32 categories (several bitset words),
models without categories; trees too big for a table fall back to the reference. These
tests also guard the private sklearn arrays the walk reads (pyproject admits < 1.9)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression

from tenure.churn import trees
from tenure.churn.artifact import ChurnArtifact, reference_effects, tree_effects
from tenure.churn.candidates import GradientBoosting

NUMERIC = ["usage", "tickets", "seats"]
CATEGORICAL = ["plan", "industry"]


def _frame(rows: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    usage = rng.gamma(2.0, 10.0, size=rows)
    usage[rng.random(rows) < 0.15] = np.nan
    seats = rng.integers(1, 50, size=rows).astype(float)
    seats[rng.random(rows) < 0.05] = np.nan
    industry = rng.choice([f"industry {k}" for k in range(45)], size=rows).astype(object)
    industry[rng.random(rows) < 0.05] = None
    frame = pd.DataFrame({
        "usage": usage, "tickets": rng.poisson(2, size=rows).astype(float), "seats": seats,
        "plan": rng.choice(["basic", "pro", "enterprise", None], size=rows), "industry": industry,
    })  # fmt: skip
    odd = frame["industry"].isin([f"industry {k}" for k in range(0, 45, 3)])
    logit = (-1 - 0.05 * np.nan_to_num(usage, nan=20) + 0.4 * frame["tickets"]
             + (frame["plan"] == "basic") + 0.8 * odd - 0.02 * np.nan_to_num(seats))  # fmt: skip
    return frame, (rng.random(rows) < 1 / (1 + np.exp(-logit))).astype(int)


def _artifact(pipeline, X: pd.DataFrame, y: np.ndarray, categorical: list[str]) -> ChurnArtifact:  # type: ignore[no-untyped-def]
    pipeline.fit(X, y)
    return ChurnArtifact.fit_baseline(pipeline, X, NUMERIC, categorical, "test")


def _scoring_frame() -> pd.DataFrame:
    X, _ = _frame(3000, seed=9)
    X.loc[:40, "plan"] = "a plan never seen"  # unknown category: missing for the trees
    X.loc[41:80, "industry"] = "industry 99"
    X.loc[81:120, ["usage", "seats"]] = np.nan
    X.loc[121:160, "usage"] = [1e9, -1e9] * 20  # beyond every threshold
    return X


def _assert_walk_equals_reference(artifact: ChurnArtifact, X: pd.DataFrame) -> None:
    batch = artifact.batch(X)
    walked = tree_effects(batch)
    assert walked is not None, "the tree walk refused a model it should handle"
    p, fast = walked
    p_ref, reference = reference_effects(batch)
    assert np.abs(p - p_ref).max() < 1e-12
    assert np.abs(fast - reference).max() < 1e-9
    assert (np.abs(reference) > 1e-6).sum() > len(X)  # effects are not all zero
    p_public, frame = artifact.effects(X)
    assert np.array_equal(frame.to_numpy(), fast) and np.array_equal(p_public, p)


def test_walk_equals_reference_with_categories_and_missing_values() -> None:
    X, y = _frame(4000, seed=1)
    pipeline = GradientBoosting(learning_rate=0.1, leaves=8).build(NUMERIC, CATEGORICAL)
    artifact = _artifact(pipeline, X, y, CATEGORICAL)
    model = pipeline[-1]
    nodes = np.concatenate([p[0].nodes for p in model._predictors])
    categorical_splits = nodes[(nodes["is_leaf"] == 0) & (nodes["is_categorical"] == 1)]
    assert len(categorical_splits) > 0  # the model does split on categories
    assert (nodes["missing_go_to_left"][nodes["is_leaf"] == 0] == 1).any()
    _assert_walk_equals_reference(artifact, _scoring_frame())


def test_walk_equals_reference_without_categories() -> None:
    X, y = _frame(3000, seed=2)
    pipeline = GradientBoosting(learning_rate=0.1, leaves=12).build(NUMERIC, [])
    artifact = _artifact(pipeline, X[NUMERIC], y, [])
    assert trees.walk(pipeline[-1]) is not None and pipeline[-1]._preprocessor is None
    _assert_walk_equals_reference(artifact, _scoring_frame()[NUMERIC])


def test_trees_too_big_for_a_table_use_the_reference() -> None:
    X, y = _frame(3000, seed=3)
    pipeline = GradientBoosting(learning_rate=0.1, leaves=8).build(NUMERIC, CATEGORICAL)
    pipeline.steps[-1] = ("model", HistGradientBoostingClassifier(
        max_leaf_nodes=31, max_iter=20, min_samples_leaf=5,
        categorical_features=[False] * 3 + [True] * 2, random_state=0))  # fmt: skip
    artifact = _artifact(pipeline, X, y, CATEGORICAL)
    assert max((p[0].nodes["is_leaf"] == 0).sum() for p in pipeline[-1]._predictors) > trees.MAX_TABLE_BITS
    assert trees.walk(pipeline[-1]) is None
    scoring = _scoring_frame().iloc[:300]
    batch = artifact.batch(scoring)
    p, effects = artifact.effects(scoring)
    assert np.array_equal(effects.to_numpy(), reference_effects(batch)[1])


def test_walk_refuses_other_models() -> None:
    X, y = _frame(500, seed=4)
    model = LogisticRegression().fit(np.nan_to_num(X[NUMERIC].to_numpy()), y)
    assert trees.walk(model) is None


@pytest.mark.parametrize("rows", [1, 7])
def test_small_batches_match_the_large_one(rows: int) -> None:
    """A one-account score (the API, the benchmark's loop) gives the batch's drivers."""
    X, y = _frame(3000, seed=5)
    pipeline = GradientBoosting(learning_rate=0.1, leaves=8).build(NUMERIC, CATEGORICAL)
    artifact = _artifact(pipeline, X, y, CATEGORICAL)
    scoring = _scoring_frame()
    p, drivers = artifact.drivers(scoring)
    for start in (0, 45, 130):
        p_small, drivers_small = artifact.drivers(scoring.iloc[start : start + rows])
        assert drivers_small == drivers[start : start + rows]
        assert np.abs(p_small - p[start : start + rows]).max() < 1e-15


def test_decisions_follow_sklearn_on_odd_category_codes() -> None:
    """At the model's own input (after its re-encoding), codes it never saw, negative
    and fractional codes go where sklearn's tree walk sends them. (Codes >= 256 cannot
    come out of the model's encoder, at most 255 categories; sklearn's uint8 cast of them
    is undefined in C, the walk treats them as missing.)"""
    X, y = _frame(4000, seed=6)
    pipeline = GradientBoosting(learning_rate=0.1, leaves=8).build(NUMERIC, CATEGORICAL)
    model = pipeline.fit(X, y)[-1]
    forest = trees.walk(model)
    assert forest is not None
    inputs = forest.prepare(np.asarray(pipeline[:-1].transform(_scoring_frame()), dtype=float))
    rng = np.random.default_rng(0)
    for column in forest.position[3:]:  # the categorical columns
        odd = rng.random(len(inputs)) < 0.5
        inputs[odd, column] = rng.choice([-1.0, 2.5, 44.0, 60.0, 255.0, np.nan], size=odd.sum())
    known, f_idx_map = model._bin_mapper.make_known_categories_bitsets()
    expected = model._baseline_prediction.ravel()[0] + sum(
        p[0].predict(inputs, known, f_idx_map, 1) for p in model._predictors
    )
    _, raw = forest.codes(inputs)
    assert np.abs(raw - expected).max() < 1e-12
