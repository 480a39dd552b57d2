"""The registry of health measures: each a small class computing one raw value for every
account at once on a date (point in time: only rows known on `as_of`), vectorised.

`measure_table(context, as_of)` is the public interface (the churn model uses it as
features): a frame indexed by account id, one float column per measure, NaN = missing.
Formulas are documented in docs/health.md.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import ClassVar

import numpy as np
import pandas as pd

from tenure.health.inputs import MeasureInputs, days, utc
from tenure.kit.context import AppContext

MEASURES: dict[str, type[Measure]] = {}


def measure(cls: type[Measure]) -> type[Measure]:
    """Class decorator: register a measure under its `name`."""
    if cls.name in MEASURES:
        raise ValueError(f"measure {cls.name!r} registered twice")
    MEASURES[cls.name] = cls
    return cls


class Measure:
    name: ClassVar[str]
    label: ClassVar[str]
    unit: ClassVar[str] = ""

    def compute(self, data: MeasureInputs) -> pd.Series:
        """Raw values indexed by account id (any subset; the rest count as missing)."""
        raise NotImplementedError


def _per_account(data: MeasureInputs, values: pd.Series, fill: float | None = None) -> pd.Series:
    out = values.astype("float64").reindex(data.index)
    return out if fill is None else out.fillna(fill)


def _days_before(data: MeasureInputs, stamps: pd.Series) -> pd.Series:
    """Whole days from each (date-like) value to as_of."""
    return (pd.Timestamp(data.as_of) - stamps).dt.days.astype("float64")


def _usage_window(data: MeasureInputs, first: int, last: int) -> pd.DataFrame:
    """Usage rows from as_of - last + 1 .. as_of - first (days back, inclusive)."""
    u = data.usage_days
    end = pd.Timestamp(data.as_of - timedelta(days=first))
    start = pd.Timestamp(data.as_of - timedelta(days=last - 1))
    return u[(u["day"] >= start) & (u["day"] <= end)]


def _has_usage(data: MeasureInputs) -> pd.Index:
    return data.last_seen.index


def active_terms(data: MeasureInputs, on: date) -> pd.DataFrame:
    t = data.terms
    stamp = pd.Timestamp(on)
    start, end = days(t["start_date"]), days(t["end_date"])
    return t[(start <= stamp) & (end.isna() | (end > stamp))]


def mrr_on(data: MeasureInputs, on: date) -> pd.Series:
    t = active_terms(data, on)
    mrr = t["amount"].astype("float64") / t["billing_period_months"].astype("float64")
    return mrr.groupby(t["account_id"]).sum()


def seats(data: MeasureInputs) -> pd.Series:
    t = active_terms(data, data.as_of)
    return t["quantity"].astype("float64").groupby(t["account_id"]).sum(min_count=1)


@measure
class SeatUtilisation(Measure):
    name = "seat_utilisation"
    label = "Active users / licensed seats"

    def compute(self, data: MeasureInputs) -> pd.Series:
        peak = _usage_window(data, 0, 30).groupby("account_id")["active_users"].max()
        licensed = seats(data)
        licensed = licensed[licensed > 0]
        return (peak.reindex(licensed.index).fillna(0) / licensed).astype("float64")


@measure
class LoginDays(Measure):
    name = "login_days"
    label = "Days active in the last 30"
    unit = "days"

    def compute(self, data: MeasureInputs) -> pd.Series:
        window = _usage_window(data, 0, 30)
        active = window[window["events"] > 0].groupby("account_id")["day"].nunique()
        return active.reindex(_has_usage(data)).fillna(0)


@measure
class UsageTrend(Measure):
    name = "usage_trend"
    label = "Events last 30 days vs the 30 before (change)"

    def compute(self, data: MeasureInputs) -> pd.Series:
        recent = _usage_window(data, 0, 30).groupby("account_id")["events"].sum()
        before = _usage_window(data, 30, 60).groupby("account_id")["events"].sum()
        before = before[before > 0]
        return recent.reindex(before.index).fillna(0) / before - 1.0


@measure
class FeatureBreadth(Measure):
    name = "feature_breadth"
    label = "Distinct events used in 30 days"

    def compute(self, data: MeasureInputs) -> pd.Series:
        return data.features_30d.reindex(_has_usage(data)).fillna(0)


@measure
class DaysSinceLastSeen(Measure):
    name = "days_since_last_seen"
    label = "Days since last seen"
    unit = "days"

    def compute(self, data: MeasureInputs) -> pd.Series:
        return _days_before(data, pd.to_datetime(data.last_seen))


def _tickets_open(data: MeasureInputs) -> pd.DataFrame:
    t = data.tickets
    opened, closed = utc(t["opened_at"]), utc(t["closed_at"])
    return t[(opened < data.cutoff) & (closed.isna() | (closed >= data.cutoff))]


@measure
class OpenTickets(Measure):
    name = "open_tickets"
    label = "Open tickets"

    def compute(self, data: MeasureInputs) -> pd.Series:
        return _tickets_open(data).groupby("account_id").size().reindex(data.index).fillna(0)


@measure
class OpenUrgentTickets(Measure):
    name = "open_urgent_tickets"
    label = "Open high or urgent tickets"

    def compute(self, data: MeasureInputs) -> pd.Series:
        t = _tickets_open(data)
        urgent = t[t["priority"].isin(["high", "urgent"])]
        return urgent.groupby("account_id").size().reindex(data.index).fillna(0)


@measure
class TimeToResolve(Measure):
    name = "time_to_resolve"
    label = "Median days to resolve (tickets closed in 90 days)"
    unit = "days"

    def compute(self, data: MeasureInputs) -> pd.Series:
        t = data.tickets
        opened, closed = utc(t["opened_at"]), utc(t["closed_at"])
        since = data.cutoff - pd.Timedelta(days=90)
        keep = closed.notna() & (closed < data.cutoff) & (closed >= since)
        hours = (closed[keep] - opened[keep]).dt.total_seconds() / 86400.0
        return hours.groupby(t.loc[keep, "account_id"]).median()


def _latest_survey(data: MeasureInputs, kind: str) -> pd.Series:
    s = data.surveys
    at = utc(s["responded_at"])
    known = s[(s["kind"] == kind) & (at < data.cutoff)].assign(at=at)
    latest = known.sort_values("at").groupby("account_id").tail(1)
    return latest.set_index("account_id")["score"].astype("float64")


@measure
class LatestNps(Measure):
    name = "nps"
    label = "Latest NPS answer (0-10)"

    def compute(self, data: MeasureInputs) -> pd.Series:
        return _latest_survey(data, "nps")


@measure
class LatestCsat(Measure):
    name = "csat"
    label = "Latest CSAT answer (1-5)"

    def compute(self, data: MeasureInputs) -> pd.Series:
        return _latest_survey(data, "csat")


SENTIMENT_VALUES = {"red": 0.0, "yellow": 50.0, "green": 100.0}


@measure
class CsmSentiment(Measure):
    name = "csm_sentiment"
    label = "CSM sentiment (red 0, yellow 50, green 100)"

    def compute(self, data: MeasureInputs) -> pd.Series:
        a = data.accounts
        at = utc(a["csm_sentiment_at"])
        fresh_from = data.cutoff - pd.Timedelta(days=data.sentiment_stale_days + 1)
        known = at.notna() & (at < data.cutoff) & (at >= fresh_from)
        values = a.loc[known, "csm_sentiment"].map(SENTIMENT_VALUES)
        return pd.Series(values.to_numpy(), index=a.loc[known, "account_id"]).dropna()


@measure
class PaymentIssues(Measure):
    name = "payment_issues"
    label = "Overdue or failed invoices"

    def compute(self, data: MeasureInputs) -> pd.Series:
        i = data.invoices
        stamp = pd.Timestamp(data.as_of)
        issued, due, paid = days(i["issued_on"]), days(i["due_on"]), days(i["paid_on"])
        status = i["status"]
        not_paid = (paid > stamp) | (paid.isna() & (status != "paid"))
        unpaid = (issued <= stamp) & not_paid & ~status.isin(["void", "draft"])
        overdue = unpaid & due.notna() & (due < stamp)
        failed = unpaid & status.isin(["failed", "uncollectible"])
        counts = i[overdue | failed].groupby("account_id").size()
        billed = (i.loc[issued <= stamp, "account_id"] if data.invoiced is None
                  else data.invoiced).unique()  # fmt: skip
        return counts.reindex(billed).fillna(0)


@measure
class RecentDowngrade(Measure):
    name = "recent_downgrade"
    label = "MRR contraction in the last 90 days (1 yes, 0 no)"

    def compute(self, data: MeasureInputs) -> pd.Series:
        now = mrr_on(data, data.as_of)
        checkpoints = [mrr_on(data, data.as_of - timedelta(days=d)) for d in (30, 60, 90)]
        earlier = pd.concat(checkpoints, axis=1).max(axis=1)
        accounts = now.index.union(earlier.index)
        now, earlier = now.reindex(accounts).fillna(0), earlier.reindex(accounts).fillna(0)
        return ((now > 0) & (now < earlier - 0.005)).astype("float64")


@measure
class ChampionPresent(Measure):
    name = "champion_present"
    label = "A champion contact who has not left (1 yes, 0 no)"

    def compute(self, data: MeasureInputs) -> pd.Series:
        c = data.champions
        left = utc(c["left_at"])
        present = c[left.isna() | (left >= data.cutoff)]["account_id"].unique()
        return pd.Series(np.isin(data.index, present).astype("float64"), index=data.index)


@measure
class DaysSinceTouch(Measure):
    name = "days_since_csm_touch"
    label = "Days since the last call, meeting, email or note"
    unit = "days"

    def compute(self, data: MeasureInputs) -> pd.Series:
        t = data.touches
        at = utc(t["occurred_at"])
        known = t[at < data.cutoff].assign(at=at)
        last = known.groupby("account_id")["at"].max()
        day = last.dt.tz_convert("UTC").dt.tz_localize(None).dt.normalize()
        return _days_before(data, day)


MILESTONE_VALUES = {"on_track": 0.0, "behind": 1.0, "stuck": 2.0}


@measure
class OnboardingMilestones(Measure):
    name = "onboarding_milestones"
    label = "Onboarding milestones (0 on track, 1 behind, 2 stuck)"

    def compute(self, data: MeasureInputs) -> pd.Series:
        if data.milestones is None or "status" not in data.milestones:
            return pd.Series(dtype="float64")
        return data.milestones["status"].map(MILESTONE_VALUES).dropna().astype("float64")


@measure
class DaysToRenewal(Measure):
    name = "days_to_renewal"
    label = "Days to the next known end of an active term"
    unit = "days"

    def compute(self, data: MeasureInputs) -> pd.Series:
        t = active_terms(data, data.as_of)
        # A contract (billed for 3 months or more) is signed with its end; a monthly
        # term's end is known only once notice was given. Reading it earlier would leak
        # the future into history and backtests.
        known = (t["billing_period_months"].astype("float64") > 1) | (
            days(t["canceled_at"]) <= pd.Timestamp(data.as_of)
        )
        ends = days(t["end_date"]).where(known).groupby(t["account_id"]).min().dropna()
        return -_days_before(data, ends)


def compute_measures(
    data: MeasureInputs, names: list[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> pd.DataFrame:  # fmt: skip
    """One float column per measure (all registered ones unless `names`), NaN missing."""
    columns: dict[str, pd.Series] = {}
    for name in names or list(MEASURES):
        columns[name] = _per_account(data, MEASURES[name]().compute(data))
        if progress:
            progress(name)
    return pd.DataFrame(columns, index=data.index)


def measure_table(context: AppContext, as_of: date) -> pd.DataFrame:
    """Every measure for every account on `as_of` (index account id, float columns)."""
    from tenure.health.inputs import load_inputs

    with context.sessions() as session:
        data = load_inputs(context, session, as_of)
    return compute_measures(data)
