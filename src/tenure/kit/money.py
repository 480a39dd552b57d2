"""Money helpers. Amounts are Decimal in the currency's major unit, never floats."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def to_cents(value: Decimal) -> Decimal:
    """Round half-up to cents: the one rounding Tenure applies to an account's MRR
    (docs/metrics.md), so every place shows the same figure."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def term_mrr(amount: Decimal, billing_period_months: int) -> Decimal:
    """METRICS.md section 1: amount per billing period spread over its months, unrounded."""
    return Decimal(amount) / billing_period_months
