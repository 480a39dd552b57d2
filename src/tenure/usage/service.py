"""Rules of the usage domain: per-account usage read from the event store's rollups."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from tenure.accounts import service as accounts
from tenure.errors import Invalid, NotFound
from tenure.usage.schemas import AccountUsageOut, RollupReportOut, TopEvent, UsageDay
from tenure.usage.store import EventStore

DEFAULT_WINDOW_DAYS = 30
MAX_WINDOW_DAYS = 3_660
TOP_EVENTS = 10
ACTIVE_WINDOWS = (7, 30)


def usage_window(start: date | None, end: date | None, today: date) -> tuple[date, date]:
    """`to` defaults to today, `from` to 29 days before `to` (30 days in all)."""
    end = end or today
    start = start or end - timedelta(days=DEFAULT_WINDOW_DAYS - 1)
    if start > end:
        raise Invalid(f"from ({start}) is after to ({end})")
    if (end - start).days >= MAX_WINDOW_DAYS:
        raise Invalid(f"the window is longer than {MAX_WINDOW_DAYS} days")
    return start, end


def account_usage(
    session: Session, events: EventStore, external_id: str, start: date, end: date
) -> AccountUsageOut:
    """Daily series, top events, 7/30-day active users and last seen of one account."""
    if external_id not in accounts.account_ids(session, [external_id]):
        raise NotFound(f"no account with external_id {external_id!r}")
    stored = {d.day: d for d in events.daily_usage(external_id, start, end)}
    days = [
        UsageDay(
            date=day,
            events=stored[day].events if day in stored else 0,
            active_users=stored[day].active_users if day in stored else 0,
        )
        for day in (start + timedelta(days=n) for n in range((end - start).days + 1))
    ]
    top = events.top_events(external_id, start, end, TOP_EVENTS)
    activity = events.activity(external_id, end, ACTIVE_WINDOWS)
    return AccountUsageOut(
        account=external_id,
        from_=start,
        to=end,
        events=sum(day.events for day in days),
        days=days,
        top_events=[TopEvent(name=e.name, count=e.count, distinct_users=e.distinct_users)
                    for e in top],  # fmt: skip
        active_users_7d=activity.active_users[7],
        active_users_30d=activity.active_users[30],
        last_seen=activity.last_seen,
        rollups_refreshed_at=activity.rollups_refreshed_at,
    )


def refresh_rollups(events: EventStore, *, full: bool = False) -> RollupReportOut:
    """Bring the daily rollups up to date (docs/usage.md); `full` recomputes all."""
    report = events.refresh_rollups(full=full)
    return RollupReportOut(full=report.full, account_days=report.account_days,
                           seconds=round(report.seconds, 4))  # fmt: skip
