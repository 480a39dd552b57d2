"""Independent, named random streams for each phase of the demo, all from one seed.

Each phase draws from its own `numpy.random.Generator(PCG64)`, so changing how one phase
draws never shifts what another phase generates.
"""

from __future__ import annotations

import numpy as np

STREAMS: tuple[str, ...] = (
    "customers",
    "health",
    "contracts",
    "billing",
    "contacts",
    "tickets",
    "surveys",
    "activities",
    "tasks",
    "usage",
    # Added later: appended so the streams above draw exactly as before.
    "sentiment",
    "onboarding",
)


def streams(seed: int) -> dict[str, np.random.Generator]:
    children = np.random.SeedSequence(seed).spawn(len(STREAMS))
    return {
        name: np.random.Generator(np.random.PCG64(child))
        for name, child in zip(STREAMS, children, strict=True)
    }


def sigmoid(x: np.ndarray | float) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float)))


def logit(p: np.ndarray | float) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=float), 1e-9, 1 - 1e-9)
    return np.log(p / (1 - p))
