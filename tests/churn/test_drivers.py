"""Per-account drivers: the fast path (one preparation, column blocks) must equal the
definition (re-predict with the feature at its baseline), for every candidate family."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tenure.churn.artifact import ChurnArtifact
from tenure.churn.candidates import CANDIDATES


def _frame(rows: int = 600, seed: int = 5) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    usage = rng.gamma(2.0, 10.0, size=rows)
    usage[rng.random(rows) < 0.1] = np.nan
    frame = pd.DataFrame({
        "usage": usage,
        "tickets": rng.poisson(2, size=rows).astype(float),
        "plan": rng.choice(["basic", "pro", "enterprise", None], size=rows),
    })  # fmt: skip
    logit = -1 - 0.05 * np.nan_to_num(usage, nan=20) + 0.4 * frame["tickets"] + (frame["plan"] == "basic")
    return frame, (rng.random(rows) < 1 / (1 + np.exp(-logit))).astype(int)


@pytest.mark.parametrize("candidate", CANDIDATES, ids=lambda c: c.name)
def test_fast_effects_equal_the_definition(candidate, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    X, y = _frame()
    pipeline = candidate.build(["usage", "tickets"], ["plan"]).fit(X, y)
    artifact = ChurnArtifact.fit_baseline(pipeline, X, ["usage", "tickets"], ["plan"], candidate.name)
    artifact.save(tmp_path / "m.joblib")
    artifact = ChurnArtifact.load(tmp_path / "m.joblib")
    p, effects = artifact.effects(X)
    for name in artifact.features:
        at_baseline = X.copy()
        at_baseline[name] = artifact.baseline[name]
        expected = p - pipeline.predict_proba(at_baseline)[:, 1]
        assert np.allclose(effects[name].to_numpy(), expected, atol=1e-9), name
    probabilities, texts = artifact.drivers(X.iloc[:50], top=2)
    assert np.allclose(probabilities, p[:50])
    first = json.loads(texts[0])
    assert len(first) <= 2 and all(set(d) == {"feature", "value", "effect"} for d in first)
    strongest = effects.iloc[0].abs().idxmax()
    if effects.iloc[0].abs().max() > 0:
        assert first[0]["feature"] == strongest
        assert first[0]["effect"] == pytest.approx(effects.iloc[0][strongest], abs=1e-6)
