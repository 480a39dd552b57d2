"""The sBG model against Fader & Hardie's published "regular" segment, and its identities."""

from __future__ import annotations

import math

import pytest

from tenure.analytics import sbg
from tenure.errors import Invalid
from tenure.retention import service
from tenure.retention.schemas import SbgOut

REGULAR = (1000, 631, 468, 382, 326, 289, 262, 241)
# Fader & Hardie (2007), projected survival for years 8-12 in percent.
PROJECTED = (22.0, 20.4, 19.1, 18.0, 17.0)


@pytest.fixture(scope="module")
def regular() -> sbg.SbgProjection:
    return service.sbg_from_survivors(REGULAR, horizon=5, discount=0.10)


def test_fit_reproduces_the_published_parameters(regular: sbg.SbgProjection) -> None:
    assert round(regular.fit.gamma, 3) == 0.704
    assert round(regular.fit.delta, 3) == 1.182
    assert regular.fit.periods == 7 and regular.fit.warning is None


def test_projection_reproduces_the_published_survival(regular: sbg.SbgProjection) -> None:
    assert len(regular.survival) == 13 and len(regular.retention) == 12
    assert regular.survival[0] == 1.0
    assert tuple(round(100 * s, 1) for s in regular.survival[8:13]) == PROJECTED


def test_derl_reproduces_the_published_values(regular: sbg.SbgProjection) -> None:
    assert set(regular.derl) == {0, 7}
    assert round(regular.derl[0], 3) == 2.964
    assert round(regular.derl[7], 3) == 6.842


def test_derl_is_the_discounted_sum_of_survival() -> None:
    """DERL(k) = sum over t >= 0 of S(k+t+1)/S(k) / (1+r)^t (2010 paper, equation 6)."""
    gamma, delta, r = 0.704, 1.182, 0.10
    for k in (0, 3, 7):
        series = sbg.survival(gamma, delta, k + 2000)
        direct = sum(series[k + t + 1] / series[k] / (1 + r) ** t for t in range(1999))
        assert sbg.derl(gamma, delta, k, r) == pytest.approx(direct, rel=1e-9)


def test_survival_is_the_product_of_retention_rates(regular: sbg.SbgProjection) -> None:
    product = 1.0
    for t, rate in enumerate(regular.retention, start=1):
        product *= rate
        assert regular.survival[t] == pytest.approx(product, rel=1e-12)
        assert regular.survival[t] / regular.survival[t - 1] == pytest.approx(rate, rel=1e-12)
    assert list(regular.retention) == sorted(regular.retention)  # retention rises with tenure


def test_churn_probabilities_sum_with_survival_to_one() -> None:
    from scipy.special import beta

    gamma, delta = 0.704, 1.182
    survival = sbg.survival(gamma, delta, 10)
    churned = [beta(gamma + 1, delta + t - 1) / beta(gamma, delta) for t in range(1, 11)]
    for t in range(1, 11):
        assert survival[t - 1] - survival[t] == pytest.approx(churned[t - 1], rel=1e-10)
    assert sum(churned) + survival[10] == pytest.approx(1.0, rel=1e-12)


def test_log_likelihood_is_maximal_at_the_fit(regular: sbg.SbgProjection) -> None:
    fit = regular.fit
    assert fit.log_likelihood == pytest.approx(-1680.2652, abs=1e-3)
    assert sbg.log_likelihood(fit.gamma, fit.delta, REGULAR) == pytest.approx(fit.log_likelihood)
    for dg, dd in ((0.01, 0), (-0.01, 0), (0, 0.01), (0, -0.01), (0.01, 0.01)):
        assert sbg.log_likelihood(fit.gamma + dg, fit.delta + dd, REGULAR) < fit.log_likelihood


def test_log_likelihood_by_hand() -> None:
    """Survivors 10, 6, 5 at gamma = delta = 1: P(T=1) = 1/2, P(T=2) = 1/6, S(2) = 1/3."""
    expected = 4 * math.log(1 / 2) + 1 * math.log(1 / 6) + 5 * math.log(1 / 3)
    assert sbg.log_likelihood(1.0, 1.0, (10, 6, 5)) == pytest.approx(expected, rel=1e-12)


def test_edge_of_the_parameter_space_is_flagged() -> None:
    geometric = service.sbg_from_survivors((1000, 500, 250), horizon=2)
    assert geometric.fit.warning is not None
    assert geometric.survival[3] == pytest.approx(0.125, rel=1e-3)


def test_contract_document_keys(regular: sbg.SbgProjection) -> None:
    document = SbgOut.from_result(regular, 120.0).model_dump(mode="json")
    assert {"gamma", "delta", "log_likelihood", "survival", "retention", "derl"} <= set(document)
    assert set(document["derl"]) == {"0", "7", "n"}
    assert document["derl"]["n"] == document["derl"]["7"]
    assert document["lifetime_value"]["0"] == pytest.approx(120 * document["derl"]["0"])


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("1000", "survivors: need at least 3 counts"),
        ("1000,600", "survivors: need at least 3 counts"),
        ("1000,600,700", "survivors: must not increase, but S(2) = 700 > S(1) = 600"),
        ("1000,0,0", "survivors: S(1) must be a positive integer, got 0"),
        ("1000,6.5,3", "survivors: S(1) must be a positive integer, got '6.5'"),
        ("1000,,3", "survivors: S(1) must be a positive integer, got ''"),
        ("-5,-6,-7", "survivors: S(0) must be a positive integer, got '-5'"),
    ],
)
def test_invalid_survivors_are_refused(text: str, reason: str) -> None:
    with pytest.raises(Invalid) as error:
        service.parse_survivors(text)
    assert error.value.message.startswith(reason)
    assert "\n" not in error.value.message


@pytest.mark.parametrize(
    ("horizon", "discount", "reason"),
    [
        (-1, 0.1, "horizon: must be 0..1000"),
        (5, -1.0, "discount: must be a finite rate greater than -1"),
        (5, float("nan"), "discount: must be a finite rate greater than -1"),
        (5, -0.5, "discount: DERL diverges"),
    ],
)
def test_invalid_horizon_and_discount(horizon: int, discount: float, reason: str) -> None:
    with pytest.raises(Invalid) as error:
        service.sbg_from_survivors(REGULAR, horizon, discount)
    assert error.value.message.startswith(reason)


def test_zero_discount_is_the_expected_lifetime_when_finite() -> None:
    """At r = 0, DERL(0) is the expected number of further periods, sum of S(t) over t >= 1
    (finite when gamma > 1)."""
    gamma, delta = 2.0, 3.0
    series = sbg.survival(gamma, delta, 20000)
    assert sbg.derl(gamma, delta, 0, 0.0) == pytest.approx(sum(series[1:]), rel=1e-3)
