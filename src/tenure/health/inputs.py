"""Everything the measures read, loaded once per scoring run for all accounts.

`MeasureInputs` holds plain pandas frames, so measures are pure functions of it (and a
benchmark or test can build one from synthetic frames without any database).
Usage comes from the rollups (`tenure.analytics.usage.usage_tables`): 60 days of
per-account daily rows, distinct events of the last 30 days and the last day seen.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta

import pandas as pd
from sqlalchemy.orm import Session

from tenure.health import repository
from tenure.kit.context import AppContext

log = logging.getLogger(__name__)

TOUCH_KINDS = ("call", "meeting", "email", "note")
USAGE_DAYS = 60


@dataclass(frozen=True)
class MeasureInputs:
    as_of: date
    accounts: pd.DataFrame  # account_id, external_id, segment, lifecycle_stage, ...
    terms: pd.DataFrame
    tickets: pd.DataFrame
    surveys: pd.DataFrame
    invoices: pd.DataFrame
    champions: pd.DataFrame
    touches: pd.DataFrame
    usage_days: pd.DataFrame  # account_id, day, events, active_users (last 60 days)
    features_30d: pd.Series  # account_id -> distinct events used in the last 30 days
    last_seen: pd.Series  # account_id -> last day with an event (on or before as_of)
    milestones: pd.DataFrame | None = None  # lifecycle.milestone_statuses, when available
    # accounts with any invoice issued by as_of (None: every account in `invoices`), so
    # `invoices` may hold only the unpaid ones
    invoiced: pd.Series | None = None
    sentiment_stale_days: int = 90

    @property
    def index(self) -> pd.Index:
        return pd.Index(self.accounts["account_id"].astype("int64"), name="account_id")

    @property
    def cutoff(self) -> pd.Timestamp:
        """First instant after `as_of` (UTC): rows stamped before it were known on as_of."""
        return pd.Timestamp(self.as_of + timedelta(days=1), tz="UTC")


def utc(values: pd.Series) -> pd.Series:
    """Timestamps as aware UTC (SQLite gives naive values, PostgreSQL aware ones)."""
    return pd.to_datetime(values, utc=True)


def days(values: pd.Series) -> pd.Series:
    """Dates (or None) as datetime64 midnights, NaT for missing."""
    return pd.to_datetime(values)


# Columns converted once per run (`prepare`): timestamps to aware UTC, dates to datetime64.
TIMESTAMP_COLUMNS = {
    "accounts": ("customer_since", "csm_sentiment_at"), "tickets": ("opened_at", "closed_at"),
    "surveys": ("responded_at",), "champions": ("left_at",), "touches": ("occurred_at",),
}  # fmt: skip
DATE_COLUMNS = {"terms": ("start_date", "end_date", "canceled_at"),
                "invoices": ("issued_on", "due_on", "paid_on")}  # fmt: skip


def prepare(data: MeasureInputs) -> MeasureInputs:
    """The inputs with typed datetime columns, so no measure converts Python objects
    again (idempotent: typed columns pass through cheaply)."""
    changes: dict[str, pd.DataFrame] = {}
    for converter, spec in ((utc, TIMESTAMP_COLUMNS), (days, DATE_COLUMNS)):
        for name, columns in spec.items():
            frame = changes.get(name, getattr(data, name))
            changes[name] = frame.assign(**{c: converter(frame[c]) for c in columns})
    return replace(data, **changes)


def load_inputs(context: AppContext, session: Session, as_of: date) -> MeasureInputs:
    """What the measures need on `as_of`; the queries keep only rows that can matter on
    that day (known by then, and recent or still open), so the frames stay small."""
    accounts = repository.accounts_frame(session)
    usage_days, features, last_seen = load_usage(context, accounts, as_of)
    cutoff = datetime.combine(as_of + timedelta(days=1), time(0), tzinfo=UTC)
    return prepare(MeasureInputs(
        as_of=as_of,
        accounts=accounts,
        terms=repository.terms_frame(session),
        tickets=repository.tickets_frame(session, cutoff, cutoff - timedelta(days=90)),
        surveys=repository.surveys_frame(session, cutoff),
        invoices=repository.unpaid_invoices_frame(session, as_of),
        invoiced=repository.invoiced_accounts(session, as_of),
        champions=repository.champions_frame(session),
        touches=repository.last_touches_frame(session, TOUCH_KINDS, cutoff),
        usage_days=usage_days,
        features_30d=features,
        last_seen=last_seen,
        milestones=load_milestones(session, as_of),
        sentiment_stale_days=context.settings.health_sentiment_stale_days,
    ))


def load_milestones(session: Session, as_of: date) -> pd.DataFrame | None:
    """Onboarding milestone statuses from the lifecycle domain, or None when that service
    is not installed (the measure is then missing for everyone)."""
    try:
        from tenure.lifecycle.service import milestone_statuses
    except ImportError:
        log.info("lifecycle.milestone_statuses unavailable: onboarding measure skipped")
        return None
    return milestone_statuses(session, as_of)


def load_usage(
    context: AppContext, accounts: pd.DataFrame, as_of: date
) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    from tenure.analytics.usage import usage_tables

    start = as_of - timedelta(days=USAGE_DAYS - 1)
    with usage_tables(context) as tables:
        daily = tables.daily_accounts
        window = daily.filter((daily.day >= start) & (daily.day <= as_of))
        usage = window.select("account_external_id", "day", "events", "active_users").execute()
        events = tables.daily_events
        recent = events.filter((events.day > as_of - timedelta(days=30)) & (events.day <= as_of))
        features = (
            recent.group_by("account_external_id")
            .aggregate(features=recent.event.nunique())
            .execute()
        )
        past = daily.filter(daily.day <= as_of)
        seen = past.group_by("account_external_id").aggregate(last_day=past.day.max()).execute()
    return to_account_ids(accounts, usage, features, seen)


def to_account_ids(
    accounts: pd.DataFrame, usage: pd.DataFrame, features: pd.DataFrame, seen: pd.DataFrame
) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """Re-key the rollup frames (by external id) to account ids; unknown accounts drop."""
    ids = pd.Series(accounts["account_id"].to_numpy(), index=accounts["external_id"].to_numpy())

    def keyed(frame: pd.DataFrame) -> pd.DataFrame:
        frame = frame.assign(account_id=frame["account_external_id"].map(ids))
        return frame.dropna(subset=["account_id"]).astype({"account_id": "int64"})

    usage = keyed(usage)[["account_id", "day", "events", "active_users"]]
    usage = usage.assign(day=pd.to_datetime(usage["day"]))
    features_by_id = keyed(features).set_index("account_id")["features"].astype("float64")
    seen = keyed(seen)
    last_seen = pd.Series(pd.to_datetime(seen["last_day"]).to_numpy(), index=seen["account_id"])
    return usage.reset_index(drop=True), features_by_id, last_seen
