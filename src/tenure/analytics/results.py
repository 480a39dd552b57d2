"""Analytics results that cross domain boundaries: frozen dataclasses, exact Decimals."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

CENT = Decimal("0.01")
RATIO = Decimal("0.0001")


def cents_to_money(cents: int) -> Decimal:
    """Integer cents -> an exact Decimal with two decimals (12345 -> Decimal('123.45')).
    `scaleb` only moves the exponent of an integer: always exactly two decimals."""
    return Decimal(int(cents)).scaleb(-2)


@dataclass(frozen=True)
class RevenueMonth:
    """One month of the MRR series (METRICS.md section 2); money in exact Decimals."""

    month: date  # first day of the month; the snapshot is taken on its last day
    mrr: Decimal
    customers: int
    new_mrr: Decimal
    expansion_mrr: Decimal
    contraction_mrr: Decimal
    churned_mrr: Decimal
    reactivation_mrr: Decimal
    new_customers: int
    churned_customers: int
    reactivated_customers: int
    expanded_customers: int
    contracted_customers: int

    @property
    def arr(self) -> Decimal:
        return self.mrr * 12

    @property
    def net_new_mrr(self) -> Decimal:
        """new + reactivation + expansion - contraction - churn = MRR(m) - MRR(m-1)."""
        return (
            self.new_mrr
            + self.reactivation_mrr
            + self.expansion_mrr
            - self.contraction_mrr
            - self.churned_mrr
        )

    @property
    def quick_ratio(self) -> Decimal | None:
        """(new + reactivation + expansion) / (contraction + churn); None when nothing was lost."""
        lost = self.contraction_mrr + self.churned_mrr
        if lost == 0:
            return None
        gained = self.new_mrr + self.reactivation_mrr + self.expansion_mrr
        return (gained / lost).quantize(RATIO)


@dataclass(frozen=True)
class RevenueSeries:
    """Month-end MRR snapshots and movements for the months start..end (inclusive).

    `opening_mrr` and `opening_customers` are the snapshot of the month before `start`,
    so the identity can be checked on the first month too.
    """

    start: date
    end: date
    opening_mrr: Decimal
    opening_customers: int
    months: tuple[RevenueMonth, ...]
    by: str | None = None  # the breakdown dimension of `groups`
    groups: tuple[RevenueGroup, ...] = ()


@dataclass(frozen=True)
class RevenueGroup:
    """The series of the accounts of one group of a breakdown (`--by`)."""

    group: str
    series: RevenueSeries
