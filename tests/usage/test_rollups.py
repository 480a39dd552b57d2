"""Daily usage rollups on DuckDB and PostgreSQL: correctness, late events, re-runs,
full rebuilds, and the per-account reads built on them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from tests.usage.rollup_helpers import (
    at,
    event,
    expected,
    pending_pairs,
    sql_group_by,
    stored,
    table,
)
from tenure.usage.store import DailyUsage, EventStore, EventUsage


def test_first_refresh_rebuilds_and_groups_by_utc_day(store: EventStore) -> None:
    events = [
        event("a", at(0, 23, 59), user="u1"),
        event("b", at(1, 0, 0), user="u2"),  # midnight belongs to the new day
        event("c", at(1, 0, 1), user="u2", name="export"),
        event("d", at(1, 0, 2), user=None),  # counted as an event, not as a user
        event("e", at(1, 0, 3), account=None),  # unattributed: in no rollup
        event("f", at(1, 1, 0), account="acc-2", user="u1"),
    ]
    store.append(table(events))
    report = store.refresh_rollups()
    assert report.full  # no rollup has run on this store yet
    assert stored(store) == expected(events) == sql_group_by(store)
    _, accounts = stored(store)
    assert accounts[("acc-1", date(2025, 3, 2))] == (3, 1)
    assert accounts[("acc-1", date(2025, 3, 1))] == (1, 1)
    assert pending_pairs(store) == 0


def test_incremental_run_only_recomputes_touched_days(store: EventStore) -> None:
    first = [event(f"m{i}", at(i % 5), user=f"u{i % 3}") for i in range(50)]
    store.append(table(first))
    store.refresh_rollups()
    more = [event("n1", at(2, 8), user="u9"), event("n2", at(2, 9), user="u0", name="view")]
    store.append(table(more))
    report = store.refresh_rollups()
    assert not report.full and report.account_days == 1
    assert stored(store) == expected(first + more)


def test_late_events_reopen_old_days(store: EventStore) -> None:
    now = datetime(2025, 6, 1, tzinfo=UTC)
    recent = [event(f"r{i}", at(80 + i), user="u1", received_at=now) for i in range(3)]
    store.append(table(recent))
    store.refresh_rollups()
    # Arrives later but happened 80 days earlier, and is stamped with an OLDER
    # received_at than what was already rolled up: a received_at watermark would miss it.
    late = [event("late", at(1), user="u7", received_at=now - timedelta(days=1))]
    store.append(table(late))
    report = store.refresh_rollups()
    assert report.account_days == 1
    assert stored(store) == expected(recent + late)
    assert store.daily_usage("acc-1", date(2025, 3, 2), date(2025, 3, 2)) == [
        DailyUsage(day=date(2025, 3, 2), events=1, active_users=1)
    ]


def test_distinct_users_are_recomputed_not_summed(store: EventStore) -> None:
    store.append(table([event("a", at(0, 9), user="u1"), event("b", at(0, 10), user="u2")]))
    store.refresh_rollups()
    # The same two users again the same day: still 2 active users, now 4 events.
    store.append(table([event("c", at(0, 11), user="u1"), event("d", at(0, 12), user="u2")]))
    store.refresh_rollups()
    _, accounts = stored(store)
    assert accounts == {("acc-1", date(2025, 3, 1)): (4, 2)}


def test_re_runs_are_idempotent_and_cheap(store: EventStore) -> None:
    events = [event(f"m{i}", at(i % 7, i % 24), user=f"u{i % 4}") for i in range(100)]
    store.append(table(events))
    store.refresh_rollups()
    before = stored(store)
    for _ in range(3):
        report = store.refresh_rollups()
        assert (report.full, report.account_days) == (False, 0)
        assert stored(store) == before
    assert store.refresh_rollups(full=True).full
    assert stored(store) == before == expected(events)


def test_duplicates_do_not_change_the_rollups(store: EventStore) -> None:
    events = [event("a", at(0)), event("b", at(0), user="u2")]
    store.append(table(events))
    store.refresh_rollups()
    assert store.append(table(events)) == 0  # a resend: nothing stored
    report = store.refresh_rollups()
    assert report.account_days == 1  # the pair was marked, recomputing it changes nothing
    assert stored(store) == expected(events)


def test_events_stored_before_any_rollup_are_covered_by_the_first_run(store: EventStore) -> None:
    events = [event(f"m{i}", at(i)) for i in range(3)]
    store.append(table(events), deduplicate=False)
    store.append(table([event("x", at(9))]), deduplicate=False)
    assert store.refresh_rollups().full
    assert stored(store) == expected([*events, event("x", at(9))])


def test_full_rebuild_replaces_everything(store: EventStore) -> None:
    events = [event(f"m{i}", at(i % 3), user=f"u{i}") for i in range(10)]
    store.append(table(events))
    store.refresh_rollups()
    more = [event("late", at(-30))]
    store.append(table(more))
    report = store.refresh_rollups(full=True)
    assert report.full and report.account_days == 4
    assert stored(store) == expected(events + more)
    assert pending_pairs(store) == 0


def test_daily_usage_top_events_and_activity(store: EventStore) -> None:
    end = date(2025, 3, 31)
    events = [
        event("a", at(30, 9), user="u1"),  # 2025-03-31
        event("b", at(30, 10), user="u2", name="export"),
        event("c", at(30, 11), user="u2", name="export"),
        event("d", at(24, 11), user="u3"),  # 03-25, first day of the 7-day window
        event("e", at(23, 11), user="u4"),  # 03-24: only in the 30-day window
        event("f", at(0, 11), user="u5"),  # 2025-03-01: 31 days before, in neither
        event("g", at(31, 1), user="u6"),  # after the end: in no window
        event("h", at(30, 12), account="acc-2", user="u9"),
    ]
    store.append(table(events))
    store.refresh_rollups()
    assert store.daily_usage("acc-1", date(2025, 3, 24), end) == [
        DailyUsage(day=date(2025, 3, 24), events=1, active_users=1),
        DailyUsage(day=date(2025, 3, 25), events=1, active_users=1),
        DailyUsage(day=date(2025, 3, 31), events=3, active_users=2),
    ]
    assert store.top_events("acc-1", date(2025, 3, 25), end, limit=10) == [
        EventUsage(name="export", count=2, distinct_users=1),
        EventUsage(name="login", count=2, distinct_users=2),
    ]
    assert store.top_events("acc-1", date(2025, 3, 25), end, limit=1) == [
        EventUsage(name="export", count=2, distinct_users=1)
    ]
    activity = store.activity("acc-1", end, (7, 30))
    assert activity.active_users == {7: 3, 30: 4}
    assert activity.last_seen == at(31, 1)
    assert activity.rollups_refreshed_at is not None
    unknown = store.activity("nobody", end, (7, 30))
    assert unknown.active_users == {7: 0, 30: 0} and unknown.last_seen is None
    assert store.daily_usage("nobody", date(2025, 3, 1), end) == []
