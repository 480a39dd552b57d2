"""The demo company's parameters: tiers, contract kinds, health, churn and usage.

Every number that shapes the demo lives here, named and explained, as frozen dataclasses.
`DEFAULT_PROFILE` is what `tenure demo` uses; tests may build variants with
`dataclasses.replace`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np

from tenure.models.types import Segment

DAYS_PER_MONTH = 30.4375


@dataclass(frozen=True)
class ContractKind:
    """How a customer buys: term length (None = evergreen monthly) and billing period."""

    name: str
    term_months: int | None
    billing_months: int
    plan_suffix: str


# Registry of contract kinds, looked up by name from the tier mixes.
CONTRACT_KINDS: dict[str, ContractKind] = {
    kind.name: kind
    for kind in (
        ContractKind("monthly", None, 1, "Monthly"),
        ContractKind("annual", 12, 12, "Annual"),
        ContractKind("annual_quarterly", 12, 3, "Annual (billed quarterly)"),
        ContractKind("two_year", 24, 24, "2-year"),
        ContractKind("three_year", 36, 36, "3-year"),
    )
}


@dataclass(frozen=True)
class TierProfile:
    """One customer segment: size, price, contract mix, churn heterogeneity, CS coverage."""

    segment: Segment
    share: float  # share of all accounts acquired
    plan: str  # plan name shown on terms
    arr_median: float  # median starting ARR (lognormal)
    arr_sigma: float  # lognormal sigma of starting ARR
    arr_bounds: tuple[float, float]  # starting ARR clipped to this range
    price_per_seat: float  # list price per seat per year; seats = ARR / price
    contract_mix: tuple[tuple[str, float], ...]  # (contract kind name, weight)
    # sBG-style heterogeneity: each account's churn probability per renewal decision
    # (per month for monthly contracts) is drawn from Beta(a, b).
    churn_beta_annual: tuple[float, float]
    churn_beta_monthly: tuple[float, float]
    trial_share: float  # share starting with a zero-amount trial term
    trial_days: int
    high_touch: bool  # named CSM (True) or the tech-touch pool (False)
    contacts: tuple[int, int]  # contacts per account, inclusive range
    employees: tuple[int, int]  # company size range (log-uniform)
    tickets_per_month: float  # base ticket rate at average health
    activities_per_month: float  # CSM timeline touches at average health
    active_rate_logit: float  # logit of a seat's daily activity at average health


@dataclass(frozen=True)
class HealthProfile:
    """Latent customer health: h = base + drift + decline before churn + false-alarm dips."""

    drift_sd: float = 0.18  # monthly random-walk step of the drift
    drift_reversion: float = 0.92  # AR(1) factor per month: drift slowly returns to 0
    churn_tilt: float = 0.9  # logit(churn prob) falls by this per unit of health
    decline_share: float = 0.8  # churners whose health visibly declines first
    decline_days: tuple[int, int] = (60, 120)  # decline starts this long before churn
    decline_depth: tuple[float, float] = (1.4, 2.6)  # how far health falls by churn day
    dip_share: float = 0.15  # non-churners with a temporary dip (false alarms)
    dip_depth: tuple[float, float] = (0.8, 1.8)
    dip_half_width_days: tuple[int, int] = (30, 75)
    onboarding_ramp_days: float = 30.0  # usage ramps up over the first weeks


@dataclass(frozen=True)
class RenewalProfile:
    """What happens at a renewal or, for monthly plans, at each month."""

    late_share: float = 0.15  # renewals starting 1-30 days late (within grace)
    very_late_share: float = 0.02  # renewals starting after the grace (reactivation)
    winback_share: float = 0.08  # churned customers who come back later
    winback_days: tuple[int, int] = (90, 420)
    expansion_logit: tuple[float, float] = (-1.3, 0.9)  # (intercept, health slope) at renewal
    contraction_logit: tuple[float, float] = (-2.3, -0.9)
    expansion_factor: tuple[float, float] = (1.1, 1.6)  # seats multiplied by U(a, b)
    contraction_factor: tuple[float, float] = (0.6, 0.9)
    price_uplift: tuple[float, float] = (0.0, 0.06)  # yearly list price change at renewal
    monthly_change_rate: float = 0.025  # monthly plans: seat changes per month
    addon_rate_per_year: float = 0.2  # mid-term add-on lines on fixed terms (healthy)
    notice_share: float = 0.6  # churners who send a cancellation notice
    notice_days: tuple[int, int] = (10, 60)  # notice received this long before the end
    early_signing_share: float = 0.5  # renewals within 60 days signed before today
    lookahead_days: int = 150  # decisions simulated past as-of (declines already visible)


@dataclass(frozen=True)
class BillingProfile:
    """Invoices: payment delays and failures, more likely for unhealthy accounts."""

    net_days: int = 30
    problem_logit: tuple[float, float] = (-3.2, -1.1)  # (intercept, health slope)
    failed_share_of_problems: float = 0.5  # problems on monthly cards show as failed
    cac_ratio: float = 1.1  # spend per dollar of new ARR (CAC payback about 13 months)
    spend_noise_sd: float = 0.15
    base_spend_share: float = 0.25  # brand/overhead spend share not tied to new logos


@dataclass(frozen=True)
class UsageProfile:
    """Product usage: active users per account-day and events per active user."""

    health_slope: float = 0.9  # logit of activity per unit of health
    weekend_factor: float = 0.25
    events_per_active_user: float = 1.0  # Poisson mean of events after the login
    events_health_slope: float = 0.25  # log of the mean per unit of health
    breadth_logit: tuple[float, float, float] = (-0.6, 1.0, 0.5)  # (intercept, health, log-tenure-years)
    power_user_skew: float = 2.0  # user index = seats * reach * U**skew: a few do most
    # Reach: the share of licensed seats that ever sign in, sigmoid(a + b * health + an
    # account's own offset in [-0.6, 0.6]): about 0.65 on average, 0.9+ for ~7% (the
    # seat-utilisation expansion signal), low for unhealthy accounts.
    reach_logit: tuple[float, float] = (0.6, 0.9)
    mean_hour_utc: float = 14.0
    hour_sd: float = 3.0
    max_events: int = 20_000_000  # larger demos sample user-days to stay near this
    window_days: int = 28  # days generated per vectorised window
    # Event appends are at least this big (or TENURE_IMPORT_BATCH_ROWS if larger): each
    # append opens the event store and commits, so fewer, larger appends are much faster.
    min_event_batch_rows: int = 500_000


# Product events. The first three are core: every account uses them from day one.
# Weights fall with rank (Zipf-like); each account adopts the rest in its own order.
EVENT_CATALOG: tuple[str, ...] = (
    "report_viewed",
    "dashboard_viewed",
    "search_performed",
    "record_updated",
    "comment_added",
    "dashboard_created",
    "report_scheduled",
    "export_csv",
    "invite_sent",
    "integration_connected",
    "workflow_created",
    "api_key_created",
    "alert_configured",
    "file_uploaded",
    "settings_changed",
)
CORE_EVENTS = 3
EVENT_RANK_EXPONENT = 0.9


@dataclass(frozen=True)
class DemoProfile:
    tiers: tuple[TierProfile, ...]
    history_years: int = 3  # usage events and CS activity cover this many years
    prehistory_years: int = 2  # customers acquired before that still have terms
    yearly_growth: float = 0.45  # new customers per month grow this much a year
    accounts_per_csm: int = 50  # book size of a high-touch CSM
    tech_touch_pool: int = 3  # pooled CSMs for the SMB tech-touch segment
    parent_share: float = 0.15  # enterprise accounts that are subsidiaries of another
    health: HealthProfile = field(default_factory=HealthProfile)
    renewal: RenewalProfile = field(default_factory=RenewalProfile)
    billing: BillingProfile = field(default_factory=BillingProfile)
    usage: UsageProfile = field(default_factory=UsageProfile)

    def tier_shares(self) -> np.ndarray:
        shares = np.array([tier.share for tier in self.tiers])
        return shares / shares.sum()


DEFAULT_TIERS: tuple[TierProfile, ...] = (
    TierProfile(
        segment=Segment.enterprise, share=0.12, plan="Enterprise",
        arr_median=220_000, arr_sigma=0.7, arr_bounds=(100_000, 1_000_000),
        price_per_seat=1_200,
        contract_mix=(("annual", 0.7), ("two_year", 0.15), ("three_year", 0.15)),
        churn_beta_annual=(0.7, 7.0), churn_beta_monthly=(0.5, 30.0),
        trial_share=0.0, trial_days=30, high_touch=True, contacts=(8, 14),
        employees=(1_000, 50_000), tickets_per_month=2.5, activities_per_month=3.0,
        active_rate_logit=-2.6,
    ),
    TierProfile(
        segment=Segment.mid_market, share=0.33, plan="Growth",
        arr_median=40_000, arr_sigma=0.45, arr_bounds=(20_000, 80_000),
        price_per_seat=900,
        contract_mix=(("annual", 0.72), ("annual_quarterly", 0.13), ("monthly", 0.15)),
        churn_beta_annual=(0.9, 5.0), churn_beta_monthly=(0.6, 22.0),
        trial_share=0.15, trial_days=30, high_touch=True, contacts=(4, 8),
        employees=(100, 2_000), tickets_per_month=1.0, activities_per_month=1.5,
        active_rate_logit=-2.3,
    ),
    TierProfile(
        segment=Segment.smb, share=0.55, plan="Starter",
        arr_median=6_500, arr_sigma=0.45, arr_bounds=(3_000, 15_000),
        price_per_seat=600,
        contract_mix=(("monthly", 0.8), ("annual", 0.2)),
        churn_beta_annual=(1.0, 3.5), churn_beta_monthly=(0.7, 18.0),
        trial_share=0.3, trial_days=14, high_touch=False, contacts=(2, 4),
        employees=(5, 200), tickets_per_month=0.35, activities_per_month=0.3,
        active_rate_logit=-1.9,
    ),
)

DEFAULT_PROFILE = DemoProfile(tiers=DEFAULT_TIERS)


@dataclass(frozen=True)
class DemoOptions:
    """What the user chose on the command line."""

    accounts: int = 500
    seed: int = 42
    as_of: date = date(2026, 1, 1)

    @property
    def today(self) -> int:
        return self.as_of.toordinal()
