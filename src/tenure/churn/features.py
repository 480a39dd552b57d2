"""Point-in-time features of every account on a day, from Tenure's own data.

Every feature of day s reads only what was known on s: terms active on s (never a later
renewal), tickets opened and surveys answered before the end of s, usage rollups up to s,
and the health measures of s (`tenure.health.measures.measure_table`, prefixed
`health_`). The feature list and formulas are in docs/churn.md.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from tenure.churn import repository
from tenure.kit.context import AppContext

log = logging.getLogger(__name__)

USAGE_LOOKBACK_DAYS = 180
CATEGORICAL = ("plan", "segment", "industry")
# Health measures left out: days_to_renewal reads every active term's end date, including
# the end of a monthly term no one knew yet on the day (see `known_end`).
LEAKY_HEALTH = ("days_to_renewal",)
HealthTable = Callable[[date], pd.DataFrame | None]


@dataclass(frozen=True)
class FeatureInputs:
    """Everything the features read, loaded once for any number of snapshot days."""

    accounts: pd.DataFrame
    terms: pd.DataFrame
    tickets: pd.DataFrame
    surveys: pd.DataFrame
    usage: pd.DataFrame  # account_id, day (datetime64), events, active_users
    health: HealthTable  # day -> measure table (index account id) or None


def _utc(values: pd.Series) -> pd.Series:
    return pd.to_datetime(values, utc=True)


def _window(usage: pd.DataFrame, day: pd.Timestamp, first: int, last: int) -> pd.DataFrame:
    """Rows from `last - 1` days before `day` up to `first` days before it (inclusive)."""
    lo, hi = day - pd.Timedelta(days=last - 1), day - pd.Timedelta(days=first)
    return usage[(usage["day"] >= lo) & (usage["day"] <= hi)]


def usage_features(usage: pd.DataFrame, day: pd.Timestamp) -> pd.DataFrame:
    events = {
        name: _window(usage, day, a, b).groupby("account_id")["events"].sum()
        for name, (a, b) in {"e30": (0, 30), "e60": (30, 60), "e90": (0, 90),
                             "e180": (90, 180)}.items()  # fmt: skip
    }
    recent = _window(usage, day, 0, 30)
    out = pd.DataFrame(
        {
            "events_30d": events["e30"],
            "events_90d": events["e90"],
            "peak_users_30d": recent.groupby("account_id")["active_users"].max(),
            "active_days_30d": recent[recent["events"] > 0].groupby("account_id").size(),
        }
    ).fillna(0.0)
    ratio_30 = np.log1p(events["e30"].reindex(out.index).fillna(0)) - np.log1p(
        events["e60"].reindex(out.index).fillna(0)
    )
    ratio_90 = np.log1p(events["e90"].reindex(out.index).fillna(0)) - np.log1p(
        events["e180"].reindex(out.index).fillna(0)
    )
    return out.assign(usage_trend_30d=ratio_30, usage_trend_90d=ratio_90)


def known_end(terms: pd.DataFrame, day: pd.Timestamp) -> pd.Series:
    """Term end dates as they were known on `day`. A contract (billed for 3 months or
    more) is signed with its end; a monthly term's end is only known once notice was
    given (`canceled_at`), else it looked evergreen on `day`: reading its end earlier
    would tell the model the future."""
    end = pd.to_datetime(terms["end_date"])
    notice = pd.to_datetime(terms["canceled_at"])
    known = (terms["billing_period_months"].astype(float) > 1) | (notice <= day)
    return end.where(known)


def term_features(terms: pd.DataFrame, day: pd.Timestamp) -> pd.DataFrame:
    start, end = pd.to_datetime(terms["start_date"]), pd.to_datetime(terms["end_date"])
    active = terms[(start <= day) & (end.isna() | (end > day)) & (terms["amount"].astype(float) > 0)]
    mrr = active["amount"].astype(float) / active["billing_period_months"].astype(float)
    notice = pd.to_datetime(active["canceled_at"])
    frame = active.assign(mrr=mrr, end=known_end(active, day), notice=(notice <= day).astype(float))
    grouped = frame.sort_values("mrr").groupby("account_id")
    out = pd.DataFrame(
        {
            "arr": grouped["mrr"].sum() * 12,
            "seats": grouped["quantity"].sum(min_count=1).astype(float),
            "billing_period_months": grouped["billing_period_months"].max().astype(float),
            "days_to_term_end": (grouped["end"].min() - day).dt.days.astype(float),
            "cancellation_notice": grouped["notice"].max(),
            "plan": grouped["plan"].last(),
        }
    )
    out["log_arr"] = np.log1p(out.pop("arr"))
    return out


def support_features(inputs: FeatureInputs, day: pd.Timestamp) -> pd.DataFrame:
    cutoff = (day + pd.Timedelta(days=1)).tz_localize("UTC")
    t = inputs.tickets
    opened = _utc(t["opened_at"])
    recent = t[(opened < cutoff) & (opened >= cutoff - pd.Timedelta(days=90))]
    urgent = recent[recent["priority"].isin(["high", "urgent"])]
    s = inputs.surveys
    answered = _utc(s["responded_at"])
    nps = s[(s["kind"] == "nps") & (answered < cutoff) & (answered >= cutoff - pd.Timedelta(days=365))]
    return pd.DataFrame(
        {
            "tickets_90d": recent.groupby("account_id").size(),
            "urgent_tickets_90d": urgent.groupby("account_id").size(),
            "nps_mean_365d": nps.groupby("account_id")["score"].mean(),
        }
    ).astype(float).fillna({"tickets_90d": 0.0, "urgent_tickets_90d": 0.0})


def account_features(accounts: pd.DataFrame, day: pd.Timestamp) -> pd.DataFrame:
    a = accounts.set_index("account_id")
    since = _utc(a["customer_since"]).dt.tz_localize(None)
    tenure = (day - since).dt.days.astype(float)
    return pd.DataFrame(
        {
            "tenure_days": tenure.where(tenure >= 0),
            "employees": pd.to_numeric(a["employees"], errors="coerce").astype(float),
            "segment": a["segment"].astype(object),
            "industry": a["industry"].astype(object),
        }
    )


def features_on(inputs: FeatureInputs, day: date, accounts: pd.Index) -> pd.DataFrame:
    """One row per account in `accounts` (ids), one column per feature, NaN missing."""
    stamp = pd.Timestamp(day)
    parts = [
        account_features(inputs.accounts, stamp),
        term_features(inputs.terms, stamp),
        usage_features(inputs.usage, stamp),
        support_features(inputs, stamp),
    ]
    frame = pd.concat([p.reindex(accounts) for p in parts], axis=1)
    for name in ("events_30d", "events_90d", "peak_users_30d", "active_days_30d",
                 "usage_trend_30d", "usage_trend_90d", "tickets_90d", "urgent_tickets_90d"):
        frame[name] = frame[name].fillna(0.0)  # fmt: skip
    health = inputs.health(day)
    if health is not None and not health.empty:
        health = health.drop(columns=[c for c in LEAKY_HEALTH if c in health.columns])
        frame = frame.join(health.add_prefix("health_").reindex(accounts))
    frame.index.name = "account_id"
    return frame


def split_columns(frame: pd.DataFrame) -> tuple[list[str], list[str]]:
    """(numeric, categorical) column names of a features frame."""
    categorical = [c for c in frame.columns if c in CATEGORICAL]
    numeric = [c for c in frame.columns if c not in CATEGORICAL]
    return numeric, categorical


def health_table(context: AppContext) -> HealthTable:
    """The health measures of a day, or None when the health domain cannot provide them."""
    try:
        from tenure.health.measures import measure_table
    except ImportError:
        log.info("tenure.health.measures unavailable: no health_ features")
        return lambda day: None
    return lambda day: measure_table(context, day)


def load_usage(context: AppContext, accounts: pd.DataFrame, first: date, last: date) -> pd.DataFrame:
    from tenure.analytics.usage import usage_tables

    with usage_tables(context) as tables:
        daily = tables.daily_accounts
        window = daily.filter((daily.day >= first) & (daily.day <= last))
        rows = window.select("account_external_id", "day", "events", "active_users").execute()
    ids = pd.Series(accounts["account_id"].to_numpy(), index=accounts["external_id"].to_numpy())
    rows = rows.assign(account_id=rows["account_external_id"].map(ids)).dropna(subset=["account_id"])
    return pd.DataFrame(
        {
            "account_id": rows["account_id"].astype("int64").to_numpy(),
            "day": pd.to_datetime(rows["day"]).to_numpy(),
            "events": rows["events"].astype(float).to_numpy(),
            "active_users": rows["active_users"].astype(float).to_numpy(),
        }
    )


def load_inputs(context: AppContext, first: date, last: date, with_health: bool = True) -> FeatureInputs:
    """Inputs for snapshot days from `first` to `last`."""
    with context.sessions() as session:
        accounts = repository.accounts_frame(session)
        terms = repository.terms_frame(session)
        tickets = repository.tickets_frame(session)
        surveys = repository.surveys_frame(session)
    usage = load_usage(context, accounts, first - timedelta(days=USAGE_LOOKBACK_DAYS), last)
    health = health_table(context) if with_health else (lambda day: None)
    return FeatureInputs(accounts, terms, tickets, surveys, usage, health)
