"""The shifted-beta-geometric (sBG) retention model (METRICS.md section 6).

Fader & Hardie, "How to Project Customer Retention", Journal of Interactive Marketing
21(1), 2007; DERL from Fader & Hardie, "Customer-Base Valuation in a Contractual
Setting", Marketing Science 29(1), 2010.

Each customer churns at the end of a period with a constant probability theta; theta is
Beta(gamma, delta) distributed over customers. Then, for t = 1, 2, ...:

    P(T = t) = B(g + 1, d + t - 1) / B(g, d)        churn in period t
    S(t)     = B(g, d + t) / B(g, d)                 still a customer after t periods
    r_t      = (d + t - 1) / (g + d + t - 1)         = S(t) / S(t - 1)

gamma and delta are fitted by maximum likelihood to the survivors S(0..n) of a cohort:
S(t-1) - S(t) customers churned in period t, and the S(n) still there are right-censored.
All arithmetic uses log-beta functions, so large cohorts and parameters stay finite.
SciPy is imported inside the functions that need it (CLI start time).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from tenure.errors import Invalid

DEFAULT_HORIZON = 5
DEFAULT_DISCOUNT = 0.10
MAX_HORIZON = 1000


@dataclass(frozen=True)
class SbgFit:
    """Maximum-likelihood gamma and delta for survivors S(0..n)."""

    gamma: float
    delta: float
    log_likelihood: float
    survivors: tuple[int, ...]  # the input counts S(0..n)

    @property
    def periods(self) -> int:
        """n: the number of observed periods (survivors has n + 1 counts)."""
        return len(self.survivors) - 1


@dataclass(frozen=True)
class SbgProjection:
    """A fitted model projected over n + horizon periods, with DERL at one discount rate."""

    fit: SbgFit
    horizon: int
    discount: float
    survival: tuple[float, ...]  # S(0)..S(n + horizon) as fractions, S(0) = 1
    retention: tuple[float, ...]  # r_1..r_(n + horizon)
    derl: dict[int, float]  # renewals made k -> DERL, for k = 0 and k = n

    @property
    def observed_survival(self) -> tuple[float, ...]:
        first = self.fit.survivors[0]
        return tuple(count / first for count in self.fit.survivors)


def validate_survivors(survivors: Sequence[int]) -> tuple[int, ...]:
    """Positive, non-increasing integers over at least two periods (S(0) and S(1))."""
    counts = tuple(survivors)
    if len(counts) < 2:
        raise Invalid("survivors: need at least 2 counts S(0), S(1), ...")
    for index, count in enumerate(counts):
        if isinstance(count, bool) or not isinstance(count, int) or count <= 0:
            raise Invalid(f"survivors: S({index}) must be a positive integer, got {count!r}")
    for index in range(1, len(counts)):
        if counts[index] > counts[index - 1]:
            raise Invalid(
                f"survivors: must not increase, but S({index}) = {counts[index]} > "
                f"S({index - 1}) = {counts[index - 1]}"
            )
    return counts


def validate_discount(discount: float) -> float:
    if not math.isfinite(discount) or discount <= -1:
        raise Invalid(f"discount: must be a finite rate greater than -1, got {discount!r}")
    return float(discount)


def validate_horizon(horizon: int) -> int:
    if not 0 <= horizon <= MAX_HORIZON:
        raise Invalid(f"horizon: must be 0..{MAX_HORIZON} periods, got {horizon!r}")
    return int(horizon)


def log_likelihood(gamma: float, delta: float, survivors: Sequence[int]) -> float:
    """The sBG log-likelihood of survivors S(0..n), S(n) right-censored."""
    from scipy.special import betaln

    base = betaln(gamma, delta)
    total = 0.0
    for t in range(1, len(survivors)):
        churned = survivors[t - 1] - survivors[t]
        if churned:
            total += churned * (betaln(gamma + 1, delta + t - 1) - base)
    last = len(survivors) - 1
    return float(total + survivors[last] * (betaln(gamma, delta + last) - base))


def fit_sbg(survivors: Sequence[int]) -> SbgFit:
    """Maximise the log-likelihood over log(gamma), log(delta) (both stay positive)."""
    import numpy as np
    from scipy.optimize import minimize

    counts = validate_survivors(survivors)

    def objective(point: np.ndarray) -> float:
        gamma, delta = np.exp(np.clip(point, -30, 30))
        return -log_likelihood(float(gamma), float(delta), counts)

    best = None
    for start in ((0.0, 0.0), (-2.0, 1.0), (2.0, 2.0)):
        result = minimize(objective, np.array(start), method="Nelder-Mead",
                          options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 20_000})  # fmt: skip
        if best is None or result.fun < best.fun:
            best = result
    assert best is not None
    gamma, delta = (float(v) for v in np.exp(np.clip(best.x, -30, 30)))
    if not all(math.isfinite(v) for v in (gamma, delta, best.fun)):
        raise Invalid("survivors: the sBG likelihood has no finite maximum for these counts")
    return SbgFit(gamma, delta, -float(best.fun), counts)


def survival(gamma: float, delta: float, periods: int) -> tuple[float, ...]:
    """S(0)..S(periods) = B(g, d + t) / B(g, d)."""
    from scipy.special import betaln

    base = betaln(gamma, delta)
    return tuple(float(math.exp(betaln(gamma, delta + t) - base)) for t in range(periods + 1))


def retention(gamma: float, delta: float, periods: int) -> tuple[float, ...]:
    """r_1..r_periods, r_t = (d + t - 1) / (g + d + t - 1)."""
    return tuple((delta + t - 1) / (gamma + delta + t - 1) for t in range(1, periods + 1))


def derl(gamma: float, delta: float, renewals: int, discount: float) -> float:
    """Discounted expected residual lifetime of a customer who has made `renewals`
    renewals, in periods, at discount rate `discount` per period:
    B(g, d+k+1) / B(g, d+k) x 2F1(1, d+k+1; g+d+k+1; 1/(1+r))."""
    from scipy.special import betaln, hyp2f1

    k = renewals
    ratio = math.exp(betaln(gamma, delta + k + 1) - betaln(gamma, delta + k))
    value = float(ratio * hyp2f1(1, delta + k + 1, gamma + delta + k + 1, 1 / (1 + discount)))
    if not math.isfinite(value):
        raise Invalid(f"discount: DERL diverges at a discount rate of {discount!r}")
    return value


def project(fit: SbgFit, horizon: int = DEFAULT_HORIZON,
            discount: float = DEFAULT_DISCOUNT) -> SbgProjection:  # fmt: skip
    """S(t) and r_t over the observed periods plus `horizon`, and DERL for k = 0 and n."""
    horizon, discount = validate_horizon(horizon), validate_discount(discount)
    periods = fit.periods + horizon
    values = {k: derl(fit.gamma, fit.delta, k, discount) for k in sorted({0, fit.periods})}
    return SbgProjection(
        fit=fit,
        horizon=horizon,
        discount=discount,
        survival=survival(fit.gamma, fit.delta, periods),
        retention=retention(fit.gamma, fit.delta, periods),
        derl=values,
    )
