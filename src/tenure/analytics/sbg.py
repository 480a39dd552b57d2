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
from datetime import date

from tenure.errors import Invalid

DEFAULT_HORIZON = 5
DEFAULT_DISCOUNT = 0.10
MAX_HORIZON = 1000
MIN_COUNTS = 3  # S(0..2): with one period only gamma / (gamma + delta) is identified
PLAUSIBLE = (1e-4, 1e4)  # gamma and delta outside this range sit on a likelihood ridge


@dataclass(frozen=True)
class SbgFit:
    """Maximum-likelihood gamma and delta for survivors S(0..n)."""

    gamma: float
    delta: float
    log_likelihood: float
    survivors: tuple[int, ...]  # the input counts S(0..n)

    @property
    def warning(self) -> str | None:
        """Set when the maximum lies on the edge of the parameter space: churn that does
        not fall over time (no heterogeneity to find) or no churn at all."""
        low, high = PLAUSIBLE
        if all(low <= value <= high for value in (self.gamma, self.delta)):
            return None
        return (
            "gamma and delta are not identified by these counts (the likelihood peaks at "
            "the edge: retention does not rise over time, or nobody churned); the fitted "
            "survival and retention hold, the parameters themselves do not"
        )

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


@dataclass(frozen=True)
class SbgGroup:
    """The model of one group of a data-driven fit; `error` says why there is none."""

    group: str
    survivors: tuple[int, ...]
    projection: SbgProjection | None
    error: str | None


@dataclass(frozen=True)
class SbgCohort:
    """sBG fitted per group to the survivors of the customers who started in one year."""

    cohort_year: int
    as_of: date  # first day of the last month observed
    by: str | None
    period_months: int
    groups: tuple[SbgGroup, ...]


def validate_survivors(survivors: Sequence[int]) -> tuple[int, ...]:
    """Positive, non-increasing integers over at least two periods (S(0), S(1), S(2))."""
    counts = tuple(survivors)
    if len(counts) < MIN_COUNTS:
        raise Invalid(
            f"survivors: need at least {MIN_COUNTS} counts S(0), S(1), S(2), ... "
            f"(2 periods), got {len(counts)}"
        )
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


def fit_groups(
    survivors: dict[str, tuple[int, ...]], horizon: int, discount: float
) -> tuple[SbgGroup, ...]:
    """Fit and project each group; a group whose counts cannot be fitted keeps its
    reason instead of failing the others."""
    groups = []
    for name, counts in sorted(survivors.items()):
        try:
            projection = project(fit_sbg(counts), horizon, discount)
        except Invalid as error:
            groups.append(SbgGroup(name, counts, None, error.message))
        else:
            groups.append(SbgGroup(name, counts, projection, None))
    return tuple(groups)
