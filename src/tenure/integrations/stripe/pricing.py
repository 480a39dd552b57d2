"""Stripe amounts (integers in the currency's minor unit) to Tenure money, and recurring
prices to an amount per billing period (METRICS.md section 1)."""

from __future__ import annotations

from decimal import Decimal

from tenure.integrations.stripe.schemas import Price

# https://docs.stripe.com/currencies#zero-decimal and #three-decimal
ZERO_DECIMAL = frozenset(
    "BIF CLP DJF GNF JPY KMF KRW MGA PYG RWF UGX VND VUV XAF XOF XPF".split()
)
THREE_DECIMAL = frozenset("BHD JOD KWD OMR TND".split())
FOUR_PLACES = Decimal("0.0001")

# Months per interval. Weeks and days do not divide into whole months: their prices are
# converted to a monthly amount (52 weeks or 365 days a year) with a 1-month period.
MONTHS_PER_INTERVAL: dict[str, int] = {"month": 1, "year": 12}
PER_MONTH: dict[str, Decimal] = {"week": Decimal(52) / 12, "day": Decimal(365) / 12}


def major_units(minor: Decimal | int, currency: str) -> Decimal:
    code = currency.upper()
    places = 0 if code in ZERO_DECIMAL else 3 if code in THREE_DECIMAL else 2
    return (Decimal(minor) / (10**places)).quantize(FOUR_PLACES)


def period_amount(price: Price, quantity: int | None) -> tuple[Decimal, int]:
    """(amount per billing period in major units, billing_period_months).

    Metered and tiered prices have no fixed unit amount: they count as 0 (documented)."""
    recurring = price.recurring
    interval = recurring.interval if recurring else "month"
    count = max(recurring.interval_count if recurring else 1, 1)
    metered = recurring is not None and recurring.usage_type == "metered"
    minor = Decimal(0) if metered or price.minor_units is None else price.minor_units
    total = major_units(minor * (1 if quantity is None else quantity), price.currency)
    if interval in PER_MONTH:
        return (total * PER_MONTH[interval] / count).quantize(FOUR_PLACES), 1
    return total, MONTHS_PER_INTERVAL.get(interval, 1) * count
