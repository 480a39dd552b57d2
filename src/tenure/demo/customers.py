"""Who the customers are: accounts (tier, size, price, contract kind, churn propensity)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tenure.demo import names
from tenure.demo.profile import CONTRACT_KINDS, DemoOptions, DemoProfile

KIND_NAMES: tuple[str, ...] = tuple(CONTRACT_KINDS)


@dataclass
class AccountPlan:
    """Column arrays, one entry per account, ordered by acquisition date."""

    external_id: list[str]
    name: list[str]
    domain: list[str]
    industry: list[str]
    country: list[str]
    employees: np.ndarray
    tier: np.ndarray  # index into profile.tiers
    acquired: np.ndarray  # ordinal day the first (trial or paid) term starts
    arr: np.ndarray  # starting ARR
    price: np.ndarray  # price per seat per year for this account
    kind: np.ndarray  # index into KIND_NAMES
    churn_theta: np.ndarray  # churn probability per decision (sBG heterogeneity)
    trial: np.ndarray  # starts with a zero-amount trial
    parent: np.ndarray  # index of the parent account, -1 when none

    @property
    def n(self) -> int:
        return len(self.external_id)


def history_start(profile: DemoProfile, options: DemoOptions) -> int:
    return options.today - int(round(365.25 * profile.history_years))


def first_day(profile: DemoProfile, options: DemoOptions) -> int:
    years = profile.history_years + profile.prehistory_years
    return options.today - int(round(365.25 * years))


def acquisition_days(n: int, profile: DemoProfile, options: DemoOptions,
                     rng: np.random.Generator) -> np.ndarray:
    """Acquisition days with a density growing exponentially (a growing company)."""
    start = first_day(profile, options)
    length = options.today - 7 - start
    rate = np.log1p(profile.yearly_growth) / 365.25
    u = rng.random(n)
    offsets = np.log1p(u * np.expm1(rate * length)) / rate
    return np.sort(start + offsets.astype(np.int64))


def _choice(rng: np.random.Generator, table: tuple[tuple[str, float], ...], n: int) -> list[str]:
    labels = [label for label, _ in table]
    weights = np.array([weight for _, weight in table])
    picks = rng.choice(len(labels), size=n, p=weights / weights.sum())
    return [labels[i] for i in picks]


def _company_names(n: int, rng: np.random.Generator) -> list[str]:
    prefix = rng.integers(0, len(names.COMPANY_PREFIXES), n)
    core = rng.integers(0, len(names.COMPANY_CORES), n)
    suffix = rng.integers(0, len(names.COMPANY_SUFFIXES), n)
    seen: dict[str, int] = {}
    result = []
    for a, b, c in zip(prefix.tolist(), core.tolist(), suffix.tolist(), strict=True):
        base = f"{names.COMPANY_PREFIXES[a]} {names.COMPANY_CORES[b]}"
        count = seen.get(base, 0)
        seen[base] = count + 1
        label = base if count == 0 else f"{base} {count + 1}"
        result.append(f"{label} {names.COMPANY_SUFFIXES[c]}")
    return result


def _domain(name: str) -> str:
    words = name.lower().replace("ü", "u").split()[:-1]
    return "".join(ch for ch in "-".join(words) if ch.isalnum() or ch == "-") + ".example"


def _per_tier(values: list[tuple[float, ...]] | np.ndarray, tier: np.ndarray) -> np.ndarray:
    return np.asarray(values)[tier]


def _contract_kinds(profile: DemoProfile, tier: np.ndarray, rng: np.random.Generator
                    ) -> np.ndarray:
    kind = np.zeros(tier.shape[0], dtype=np.int64)
    for t, tp in enumerate(profile.tiers):
        members = np.flatnonzero(tier == t)
        labels = [KIND_NAMES.index(name) for name, _ in tp.contract_mix]
        weights = np.array([w for _, w in tp.contract_mix])
        kind[members] = rng.choice(labels, size=members.size, p=weights / weights.sum())
    return kind


def _churn_theta(profile: DemoProfile, tier: np.ndarray, kind: np.ndarray,
                 rng: np.random.Generator) -> np.ndarray:
    """Per-account churn probability per decision, Beta-distributed as in the sBG model."""
    monthly = np.array([CONTRACT_KINDS[KIND_NAMES[k]].term_months is None for k in kind])
    annual_ab = _per_tier([tp.churn_beta_annual for tp in profile.tiers], tier)
    monthly_ab = _per_tier([tp.churn_beta_monthly for tp in profile.tiers], tier)
    ab = np.where(monthly[:, None], monthly_ab, annual_ab)
    return rng.beta(ab[:, 0], ab[:, 1])


def _parents(tier: np.ndarray, profile: DemoProfile, rng: np.random.Generator) -> np.ndarray:
    parent = np.full(tier.shape[0], -1, dtype=np.int64)
    enterprise = np.flatnonzero(tier == 0)
    for position, index in enumerate(enterprise.tolist()):
        if position >= 3 and rng.random() < profile.parent_share:
            parent[index] = int(enterprise[rng.integers(0, position)])
    return parent


def build_accounts(profile: DemoProfile, options: DemoOptions, rng: np.random.Generator
                   ) -> AccountPlan:
    n = options.accounts
    tier = rng.choice(len(profile.tiers), size=n, p=profile.tier_shares())
    acquired = acquisition_days(n, profile, options, rng)
    median = _per_tier([tp.arr_median for tp in profile.tiers], tier)
    sigma = _per_tier([tp.arr_sigma for tp in profile.tiers], tier)
    bounds = _per_tier([tp.arr_bounds for tp in profile.tiers], tier)
    arr = np.clip(median * np.exp(sigma * rng.standard_normal(n)), bounds[:, 0], bounds[:, 1])
    price = _per_tier([tp.price_per_seat for tp in profile.tiers], tier) * rng.uniform(
        0.85, 1.15, n)
    kind = _contract_kinds(profile, tier, rng)
    trial = rng.random(n) < _per_tier([tp.trial_share for tp in profile.tiers], tier)
    emp = _per_tier([tp.employees for tp in profile.tiers], tier)
    employees = np.exp(rng.uniform(np.log(emp[:, 0]), np.log(emp[:, 1]))).astype(np.int64)
    company = _company_names(n, rng)
    parent = _parents(tier, profile, rng)
    country = _choice(rng, names.COUNTRIES, n)
    for i in np.flatnonzero(parent >= 0).tolist():
        company[i] = f"{company[parent[i]].rsplit(' ', 1)[0]} {country[i]} {i}"
    return AccountPlan(
        external_id=[f"ACC-{i + 1:06d}" for i in range(n)],
        name=company,
        domain=[_domain(label) for label in company],
        industry=_choice(rng, names.INDUSTRIES, n),
        country=country,
        employees=employees,
        tier=tier,
        acquired=acquired,
        arr=arr,
        price=price,
        kind=kind,
        churn_theta=_churn_theta(profile, tier, kind, rng),
        trial=trial,
        parent=parent,
    )
