"""Results of METRICS.md sections 3-5 (retention, renewals, unit economics, CMRR) as
frozen dataclasses with exact Decimals; `results.py` holds the revenue series."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from tenure.analytics.results import RATIO


def ratio(numerator: Decimal | int, denominator: Decimal | int) -> Decimal | None:
    """numerator / denominator rounded to 4 decimals; None (never 0) when undefined."""
    if denominator == 0:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(RATIO)


@dataclass(frozen=True)
class RetentionFigures:
    """Section 3 over a start cohort C (all of it, or one group of it)."""

    start_customers: int
    start_mrr: Decimal  # sum over C of MRR(a, s-1)
    end_mrr: Decimal  # sum over C of MRR(a, e)
    retained_mrr: Decimal  # sum over C of min(MRR(a, e), MRR(a, s-1))
    expansion_mrr: Decimal
    contraction_mrr: Decimal
    churned_mrr: Decimal
    churned_customers: int
    contracted_customers: int
    expanded_customers: int

    @property
    def nrr(self) -> Decimal | None:
        return ratio(self.end_mrr, self.start_mrr) if self.start_customers else None

    @property
    def grr(self) -> Decimal | None:
        return ratio(self.retained_mrr, self.start_mrr) if self.start_customers else None

    @property
    def logo_churn_rate(self) -> Decimal | None:
        return ratio(self.churned_customers, self.start_customers)

    @property
    def gross_mrr_churn_rate(self) -> Decimal | None:
        """1 - GRR = (contraction + churn) / start MRR."""
        lost = self.start_mrr - self.retained_mrr
        return ratio(lost, self.start_mrr) if self.start_customers else None


@dataclass(frozen=True)
class RetentionAccount:
    external_id: str
    group: str
    start_mrr: Decimal
    end_mrr: Decimal
    movement: str  # churned, contracted, expanded or unchanged


@dataclass(frozen=True)
class RetentionGroup:
    group: str
    figures: RetentionFigures


@dataclass(frozen=True)
class PeriodRetention:
    """Retention from the first day of month `start` to the last day of month `end`."""

    start: date
    end: date
    by: str | None
    figures: RetentionFigures
    groups: tuple[RetentionGroup, ...]
    accounts: Sequence[RetentionAccount]  # every account of C, by external_id (LazyRows)


@dataclass(frozen=True)
class RenewalFigures:
    """Section 4 over the due accounts (all, or one group)."""

    due_customers: int
    renewed_customers: int
    pending_customers: int
    churned_customers: int
    due_arr: Decimal
    renewed_arr: Decimal
    gross_renewed_arr: Decimal  # sum over due accounts of min(renewed ARR, due ARR)

    @property
    def logo_renewal_rate(self) -> Decimal | None:
        return ratio(self.renewed_customers, self.due_customers)

    @property
    def arr_renewal_rate(self) -> Decimal | None:
        return ratio(self.renewed_arr, self.due_arr) if self.due_customers else None

    @property
    def gross_arr_renewal_rate(self) -> Decimal | None:
        return ratio(self.gross_renewed_arr, self.due_arr) if self.due_customers else None


@dataclass(frozen=True)
class RenewalAccount:
    external_id: str
    group: str
    status: str  # renewed, pending or churned
    due_arr: Decimal
    renewed_arr: Decimal
    due_terms: int
    window_closes_on: date  # latest E + grace_days over the account's due terms
    released_to_pool_on: date | None  # churned accounts only


@dataclass(frozen=True)
class RenewalGroup:
    group: str
    figures: RenewalFigures


@dataclass(frozen=True)
class Renewals:
    """Terms ending from `start` to `end` (inclusive days), outcomes as of `as_of`."""

    start: date
    end: date
    as_of: date
    grace_days: int
    by: str | None
    figures: RenewalFigures
    groups: tuple[RenewalGroup, ...]
    accounts: Sequence[RenewalAccount]  # by external_id (LazyRows: built on first read)

    @property
    def pool(self) -> tuple[RenewalAccount, ...]:
        """Churned accounts released to the sales pool, by release date."""
        churned = [a for a in self.accounts if a.released_to_pool_on is not None]
        return tuple(sorted(churned, key=lambda a: (a.released_to_pool_on, a.external_id)))


@dataclass(frozen=True)
class EconomicsFigures:
    """Section 5 over the months start..end (all accounts, or one group)."""

    mrr: Decimal  # MRR of the last month
    customers: int  # paying customers of the last month
    monthly_churn_rate: Decimal | None  # c: mean of the trailing 12 monthly logo churn rates
    churn_months: int  # months in that mean (those with paying customers the month before)
    new_customers: int  # new customers in the period
    new_mrr: Decimal  # their starting MRR
    spend: Decimal | None  # sales and marketing spend in the period; None by group
    gross_margin: Decimal

    @property
    def arpa(self) -> Decimal | None:
        return ratio(self.mrr, self.customers)

    @property
    def ltv(self) -> Decimal | None:
        arpa, churn = self.arpa, self.monthly_churn_rate
        if arpa is None or not churn:
            return None
        return (arpa * self.gross_margin / churn).quantize(Decimal("0.01"))

    @property
    def cac(self) -> Decimal | None:
        if self.spend is None or self.new_customers == 0:
            return None
        return (self.spend / self.new_customers).quantize(Decimal("0.01"))

    @property
    def ltv_to_cac(self) -> Decimal | None:
        ltv, cac = self.ltv, self.cac
        return None if ltv is None or not cac else ratio(ltv, cac)

    @property
    def cac_payback_months(self) -> Decimal | None:
        """CAC / (average starting MRR of the new customers x gross margin)."""
        cac = self.cac
        if cac is None:
            return None
        monthly = self.new_mrr * self.gross_margin / self.new_customers
        return ratio(cac, monthly) if monthly else None


@dataclass(frozen=True)
class EconomicsGroup:
    group: str
    figures: EconomicsFigures


@dataclass(frozen=True)
class UnitEconomics:
    start: date
    end: date
    by: str | None
    figures: EconomicsFigures
    groups: tuple[EconomicsGroup, ...]


@dataclass(frozen=True)
class CmrrFigures:
    """CMRR = MRR + future MRR - replaced MRR - canceled MRR, each rounded per account."""

    mrr: Decimal  # MRR on the day
    future_mrr: Decimal  # signed terms that start after the day
    replaced_mrr: Decimal  # active terms those future terms replace
    canceled_mrr: Decimal  # active terms with a cancellation notice
    customers: int

    @property
    def cmrr(self) -> Decimal:
        return self.mrr + self.future_mrr - self.replaced_mrr - self.canceled_mrr


@dataclass(frozen=True)
class CmrrAccount:
    external_id: str
    group: str
    figures: CmrrFigures


@dataclass(frozen=True)
class CmrrGroup:
    group: str
    figures: CmrrFigures


@dataclass(frozen=True)
class Cmrr:
    as_of: date
    by: str | None
    figures: CmrrFigures
    groups: tuple[CmrrGroup, ...]
    accounts: Sequence[CmrrAccount]  # accounts whose CMRR differs from their MRR (LazyRows)
