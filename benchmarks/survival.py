"""Customer lifetimes, Kaplan-Meier and sBG survivors on a generated book: ours (one
compiled-once query over term boundaries, Arrow columns read as numpy) against the
previous version (month-end snapshots on a month grid joined with the terms, one
`Lifetime` object per customer, lifelines on one row per customer, survivors counted in
Python; kept below as the baseline), in one run, with every lifetime, every curve and
the survivors checked equal.

Generates N accounts (default 100,000) with the generator of
`benchmarks/metrics_retention.py` into a temporary SQLite database, reads the input
tables once as Arrow and loads them into an in-memory DuckDB. Then, alternately --runs
times each (medians printed): compute_lifetimes overall and by segment, and the same
followed by kaplan_meier and by period_survivors (the sBG inputs of one yearly cohort).
The first run in the process compiles the query; lifelines is imported before timing.
Usage:
.venv/bin/python benchmarks/survival.py [--accounts N] [--runs R]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import ibis
from sqlalchemy import insert

sys.path.insert(0, str(Path(__file__).resolve().parent))

from metrics_retention import generate  # noqa: E402

from tenure.analytics import survival  # noqa: E402
from tenure.analytics import dimensions  # noqa: E402
from tenure.analytics.engines import connect_duckdb  # noqa: E402
from tenure.analytics.inputs import LedgerTables, load_ledger, read_ledger  # noqa: E402
from tenure.analytics.months import month_index, month_of_index  # noqa: E402
from tenure.analytics.revenue import Scale, measure_scale, term_coverage, units_to_cents  # noqa: E402
from tenure.kit import migrate  # noqa: E402
from tenure.kit.db import make_engine  # noqa: E402
from tenure.kit.timeutil import month_end  # noqa: E402
from tenure.models.accounts import Account  # noqa: E402
from tenure.models.billing import SubscriptionTerm  # noqa: E402

AS_OF = date(2025, 12, 1)
COHORT = 2022  # sBG survivors of the customers who started in 2022, yearly periods


def grid_snapshots(terms: Any, scale: Scale, last_month: int) -> Any:
    """The previous month-end snapshots: MRR(a, m) in cents (> 0 only) for every account
    and month up to last_month, terms joined with a month grid."""
    assert scale.first_month is not None
    grid = ibis.memtable({"month_idx": list(range(scale.first_month, last_month + 1))},
                         schema=ibis.schema({"month_idx": "int64"}))  # fmt: skip
    covered = term_coverage(terms, scale)
    joined = covered.join(grid, [grid.month_idx >= covered.lo, grid.month_idx <= covered.hi])
    summed = joined.group_by("account_id", "month_idx").aggregate(units=joined.units.sum())
    rounded = summed.select("account_id", "month_idx", cents=units_to_cents(summed.units, scale))
    return rounded.filter(rounded.cents > 0)


def previous_lifetimes(source: LedgerTables, as_of: date, by: str | None) -> tuple[survival.Lifetime, ...]:
    """The previous compute_lifetimes: snapshots on an accounts x months grid, the last
    paid month before a gap by an anti-join, one dataclass per customer."""
    as_of_idx = month_index(as_of)
    snapshots = grid_snapshots(source.terms, measure_scale(source.terms), as_of_idx)
    following = snapshots.select("account_id", month_idx=snapshots.month_idx - 1)
    last_paid = snapshots.anti_join(following, ["account_id", "month_idx"])
    last_paid = last_paid.filter(last_paid.month_idx < as_of_idx)
    churns = last_paid.group_by("account_id").aggregate(churn_idx=(last_paid.month_idx + 1).min())
    starts = snapshots.group_by("account_id").aggregate(first_idx=snapshots.month_idx.min())
    joined = starts.left_join(churns, starts.account_id == churns.account_id)
    table = joined.select(starts.account_id, starts.first_idx, churns.churn_idx)
    reference = month_end(month_of_index(as_of_idx))
    table = (table.mutate(grp=ibis.literal("all", type="string")) if by is None else
             dimensions.with_group(table, source, by, reference).rename(grp="group"))  # fmt: skip
    rows = table.order_by("account_id").to_pyarrow().to_pylist()
    return tuple(
        survival.Lifetime(int(row["account_id"]), str(row["grp"]), int(row["first_idx"]),
                          None if row["churn_idx"] is None else int(row["churn_idx"]))
        for row in rows
    )  # fmt: skip


def previous_kaplan_meier(lifetimes: tuple[survival.Lifetime, ...], as_of: date, by: str | None) -> Any:
    """The previous kaplan_meier: lifelines on one row per customer, points by iterrows."""
    from lifelines import KaplanMeierFitter

    as_of_idx = month_index(as_of)
    groups: dict[str, list[survival.Lifetime]] = defaultdict(list)
    for lifetime in lifetimes:
        groups[lifetime.group].append(lifetime)
    curves = []
    for name in sorted(groups):
        members = groups[name]
        durations = [lifetime.duration(as_of_idx) for lifetime in members]
        observed = [lifetime.churn_idx is not None for lifetime in members]
        fitter = KaplanMeierFitter().fit(durations, event_observed=observed)
        bounds = fitter.confidence_interval_survival_function_
        points = [
            survival.SurvivalPoint(
                int(months), int(row["at_risk"]), int(row["observed"]), int(row["censored"]),
                float(fitter.survival_function_.loc[months].iloc[0]),
                survival._finite(bounds.loc[months].iloc[0]), survival._finite(bounds.loc[months].iloc[1]),
            )
            for months, row in fitter.event_table.iterrows()
        ]  # fmt: skip
        curves.append(survival.SurvivalCurve(name, len(members), sum(observed), len(members) - sum(observed),
                                             survival._median(points), tuple(points)))  # fmt: skip
    return survival.SurvivalResult(month_of_index(as_of_idx), by, tuple(curves))


def previous_period_survivors(lifetimes: tuple[survival.Lifetime, ...], first_idx: int, last_idx: int,
                              as_of: date, period: int = 12) -> dict[str, tuple[int, ...]]:  # fmt: skip
    """The previous period_survivors: a Python loop over the Lifetime objects."""
    periods = (month_index(as_of) - last_idx) // period
    groups: dict[str, list[survival.Lifetime]] = defaultdict(list)
    for lifetime in lifetimes:
        if first_idx <= lifetime.first_idx <= last_idx:
            groups[lifetime.group].append(lifetime)
    return {
        name: tuple(
            sum(1 for m in members if m.churn_idx is None or m.churn_idx - m.first_idx > t * period)
            for t in range(max(periods, 0) + 1)
        )
        for name, members in sorted(groups.items())
    }


def ours(source: LedgerTables, by: str | None) -> Any:
    return survival.compute_lifetimes(source, AS_OF, by)


def previous(source: LedgerTables, by: str | None) -> Any:
    return previous_lifetimes(source, AS_OF, by)


Compute = Callable[[LedgerTables, str | None], Any]


def with_km(compute: Compute, fit: Callable[..., Any] = survival.kaplan_meier) -> Compute:
    return lambda source, by: fit(compute(source, by), AS_OF, by)


def with_sbg(compute: Compute, count: Callable[..., Any] = survival.period_survivors) -> Compute:
    first, last = COHORT * 12, COHORT * 12 + 11
    return lambda source, by: count(compute(source, by), first, last, AS_OF)


def alternate(work: dict[str, Callable[[], Any]], runs: int) -> dict[str, tuple[float, float]]:
    """Median wall and process CPU time (all threads) of each piece of work, run
    alternately `runs` times."""
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in work}
    for _ in range(runs):
        for name, call in work.items():
            began, began_cpu = time.perf_counter(), time.process_time()
            call()
            times[name].append((time.perf_counter() - began, time.process_time() - began_cpu))
    return {name: (statistics.median(v[0] for v in values), statistics.median(v[1] for v in values))
            for name, values in times.items()}  # fmt: skip


def load(accounts: int) -> LedgerTables:
    folder = Path(tempfile.mkdtemp())
    engine = make_engine(f"sqlite:///{folder / 'bench.db'}")
    migrate.upgrade(engine)
    account_rows, term_rows = generate(accounts)
    with engine.begin() as connection:
        connection.execute(insert(Account), account_rows)
        connection.execute(insert(SubscriptionTerm), term_rows)
    print(f"{len(account_rows):,} accounts, {len(term_rows):,} terms")
    return load_ledger(connect_duckdb(), read_ledger(engine))


def check_equal(source: LedgerTables) -> None:
    """Every lifetime, every curve and the survivors: ours == previous."""
    for by in (None, "segment"):
        new, old = ours(source, by), previous(source, by)
        assert len(new) == len(old) and tuple(new) == old, by
        assert survival.kaplan_meier(new, AS_OF, by) == previous_kaplan_meier(old, AS_OF, by), by
        assert with_sbg(ours)(source, by) == with_sbg(previous, previous_period_survivors)(source, by), by
    print(f"every lifetime equal ({len(new):,} customers), curves and survivors equal: checked")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    source = load(args.accounts)
    import lifelines  # noqa: F401  (imported once per process, ~0.8 s: not timed)

    began = time.perf_counter()
    ours(source, None)
    print(f"{'ours, first call (compiles the query)':<50} {time.perf_counter() - began:7.3f} s")
    check_equal(source)
    print(f"{f'medians of {args.runs} alternating runs':<50} {'ours':>9} {'previous':>9} {'ratio':>6}"
          "   (CPU: ours, previous, ratio)")  # fmt: skip
    for label, mine, theirs in (
        ("compute_lifetimes", ours, previous),
        ("compute_lifetimes + kaplan_meier", with_km(ours), with_km(previous, previous_kaplan_meier)),
        ("compute_lifetimes + period_survivors", with_sbg(ours),
         with_sbg(previous, previous_period_survivors)),
    ):
        for by in (None, "segment"):
            medians = alternate({"ours": lambda: mine(source, by), "previous": lambda: theirs(source, by)},
                                args.runs)  # fmt: skip
            name = label + (" by segment" if by else "")
            (wall, cpu), (wall_before, cpu_before) = medians["ours"], medians["previous"]
            print(f"{name:<50} {wall:7.3f} s {wall_before:7.3f} s {wall_before / wall:5.1f}x   "
                  f"({cpu:.3f} s, {cpu_before:.3f} s, {cpu_before / cpu:.1f}x)")  # fmt: skip
    print(f"load average {' '.join(f'{v:.1f}' for v in os.getloadavg())} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
