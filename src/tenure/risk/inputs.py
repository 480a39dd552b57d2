"""What the rules read, loaded once for all accounts (and, for a backtest, once for all
as-of dates): plain pandas frames, so the rules are pure functions of them.

Every rule filters these frames to what was known on its `as_of` (point in time).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import pandas as pd
from sqlalchemy.orm import Session

from tenure.kit.context import AppContext
from tenure.risk import repository

HealthSource = Callable[[date], pd.DataFrame | None]
UsersSource = Callable[[date, int], pd.Series]  # (as_of, days) -> account_id: distinct users


@dataclass
class RiskData:
    accounts: pd.DataFrame  # account_id, external_id, owner_id
    terms: pd.DataFrame
    champions: pd.DataFrame
    invoices: pd.DataFrame
    nps: pd.DataFrame
    usage: pd.DataFrame  # account_id, day (datetime64), events, active_users
    health: HealthSource = lambda _day: None  # noqa: E731 - a default that knows nothing
    # index account_id; score, grade, score_30d_ago, scored_on (see risk.health_source)
    users: UsersSource = lambda _day, _days: pd.Series(dtype="float64")  # noqa: E731
    _health_cache: dict[date, pd.DataFrame | None] = field(default_factory=dict)

    def active_users(self, as_of: date, days: int) -> pd.Series:
        """account_id -> distinct users with an event in the `days` days ending on as_of."""
        return self.users(as_of, days)

    def health_on(self, day: date) -> pd.DataFrame | None:
        """Health on `day` (None: the health service is unavailable)."""
        if day not in self._health_cache:
            self._health_cache[day] = self.health(day)
        return self._health_cache[day]

    def paying_terms(self, as_of: date) -> pd.DataFrame:
        """Terms with amount > 0 active on `as_of` (start <= d < end)."""
        t = self.terms
        day = pd.Timestamp(as_of)
        active = (t["start_date"] <= day) & (t["end_date"].isna() | (t["end_date"] > day))
        return t[active & (t["amount"] > 0)]

    def seats(self, as_of: date) -> pd.Series:
        """account_id -> licensed seats (sum of quantities of paying terms active on as_of)."""
        active = self.paying_terms(as_of)
        seats = active.groupby("account_id")["quantity"].sum(min_count=1)
        return seats[seats > 0]

    def paying(self, as_of: date) -> pd.Index:
        return pd.Index(self.paying_terms(as_of)["account_id"].unique(), name="account_id")


def _dates(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    for column in columns:
        frame[column] = pd.to_datetime(frame[column])
    return frame


def _utc_naive(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    for column in columns:
        frame[column] = pd.to_datetime(frame[column], utc=True).dt.tz_localize(None)
    return frame


def load_usage(context: AppContext, accounts: pd.DataFrame, start: date, end: date) -> pd.DataFrame:
    """Daily rollup rows from `start` to `end` (inclusive), keyed by account id."""
    from tenure.analytics.usage import daily_active_users, usage_tables
    from tenure.usage import service as usage

    usage.refresh_rollups(context.events)  # a no-op when the rollups are current
    with usage_tables(context) as tables:
        rows = daily_active_users(tables, start, end).execute()
    ids = pd.Series(accounts["account_id"].to_numpy(), index=accounts["external_id"].to_numpy())
    rows = rows.assign(account_id=rows["account_external_id"].map(ids)).dropna(subset=["account_id"])
    return pd.DataFrame({
        "account_id": rows["account_id"].astype("int64"),
        "day": pd.to_datetime(rows["day"]),
        "events": rows["events"].astype("float64"),
        "active_users": rows["active_users"].astype("float64"),
    })


def users_source(context: AppContext, accounts: pd.DataFrame) -> UsersSource:
    """Distinct active users per account over a window, counted from the raw events (the
    rollups cannot add distinct users across days)."""
    from tenure.analytics.usage import usage_tables

    ids = pd.Series(accounts["account_id"].to_numpy(), index=accounts["external_id"].to_numpy())

    def count(as_of: date, days: int) -> pd.Series:
        start = pd.Timestamp(as_of - timedelta(days=days - 1), tz="UTC")
        end = pd.Timestamp(as_of + timedelta(days=1), tz="UTC")
        with usage_tables(context) as tables:
            e = tables.backend.table("events")
            window = e.filter((e.event_time >= start) & (e.event_time < end) & e.user_id.notnull())
            grouped = window.group_by("account_external_id")
            rows = grouped.aggregate(users=window.user_id.nunique()).execute()
        keyed = rows.assign(account_id=rows["account_external_id"].map(ids)).dropna(subset=["account_id"])
        return pd.Series(keyed["users"].astype("float64").to_numpy(),
                         index=pd.Index(keyed["account_id"].astype("int64"), name="account_id"))  # fmt: skip

    return count


def load_data(
    context: AppContext, session: Session, usage_from: date, usage_to: date,
    health: HealthSource | None = None,
) -> RiskData:
    accounts = repository.accounts_frame(session)
    terms = _dates(repository.terms_frame(session), "start_date", "end_date", "signed_at",
                   "canceled_at")  # fmt: skip
    terms["amount"] = terms["amount"].astype("float64")
    terms["quantity"] = terms["quantity"].astype("float64")
    data = RiskData(
        accounts=accounts,
        terms=terms,
        champions=_utc_naive(repository.champions_frame(session), "left_at"),
        invoices=_dates(repository.invoices_frame(session), "issued_on", "due_on", "paid_on"),
        nps=_utc_naive(repository.nps_frame(session), "responded_at"),
        usage=load_usage(context, accounts, usage_from, usage_to),
    )
    data.users = users_source(context, accounts)
    if health is not None:
        data.health = health
    return data


def usage_window(as_of: date, months: int) -> tuple[date, date]:
    """Usage days the rules need for one as_of: `months` complete months and 30 days."""
    first = as_of.replace(day=1)
    for _ in range(months):
        first = (first - timedelta(days=1)).replace(day=1)
    return min(first, as_of - timedelta(days=31)), as_of
