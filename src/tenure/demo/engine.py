"""After the demo company is written: run the engine's daily work so the served company
has usage rollups, health scores with history, early-warning alerts with tasks, and a
trained churn model with scores.

A registry of small steps, run in order. Each step looks up the service or job it needs
at run time and is skipped, with a one-line note, when that is not there (the engine is
built by several people at once) or when an earlier step it needs did not finish. A step
that fails is reported and the next steps still run: the demo data is already committed.

Days are the demo's as-of date: health is scored through its service with explicit
dates; jobs run through the worker's `Scheduler.run_now` with a clock set to the as-of
date (jobs take their day from the slot they run for), and are recorded in the job
history like any manual run.
"""

from __future__ import annotations

import importlib
import inspect
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time as day_time, timedelta
from typing import Any, Protocol

from tenure.kit.context import AppContext
from tenure.kit.db import unit_of_work

# Health history: daily for the last two weeks, then weekly, plus the days 7 and 30
# before as-of that score changes compare against; fewer days for large demos.
DAILY_DAYS = 14
HISTORY_BUDGET = 300_000  # account-days of history scored at most


class Progress(Protocol):
    def phase(self, name: str, total: int) -> None: ...

    def advance(self, steps: int = 1) -> None: ...


@dataclass(frozen=True)
class StepOutcome:
    name: str
    status: str  # "done", "skipped" or "failed"
    note: str
    seconds: float


class Skip(Exception):
    """The step cannot run here (its service or job does not exist yet)."""


@dataclass
class EngineRun:
    context: AppContext
    as_of: date
    accounts: int
    progress: Progress
    done: set[str]
    started: float = field(default_factory=time.perf_counter)

    def clock(self) -> datetime:
        """The moment jobs run at: now when as-of is today, else 23:00 UTC on as-of plus
        the time since the engine started (so job history shows real durations)."""
        now = datetime.now(UTC)
        if now.date() == self.as_of:
            return now
        elapsed = timedelta(seconds=time.perf_counter() - self.started)
        return datetime.combine(self.as_of, day_time(23, 0), tzinfo=UTC) + elapsed


def _lookup(module: str, name: str) -> Callable[..., Any]:
    try:
        found = getattr(importlib.import_module(module), name, None)
    except ImportError as error:
        raise Skip(f"{module} cannot be imported ({error})") from error
    if not callable(found):
        raise Skip(f"{module}.{name} does not exist yet")
    return found  # type: ignore[no-any-return]


def history_days(as_of: date, accounts: int) -> list[date]:
    """The days health is scored for, oldest first: as-of, the days 7 and 30 before it
    (what score changes compare against), weekly back to 13 weeks (sparklines), then the
    last DAILY_DAYS daily; cut to HISTORY_BUDGET account-days in that order of priority."""
    wanted = [0, 7, 30, *range(14, 92, 7), *range(1, DAILY_DAYS)]
    keep = max(1, HISTORY_BUDGET // max(accounts, 1))
    chosen: list[int] = []
    for back in wanted:
        if back not in chosen and len(chosen) < keep:
            chosen.append(back)
    return sorted(as_of - timedelta(days=back) for back in chosen)


def day_runs(days: list[date]) -> list[tuple[date, date]]:
    """Sorted days as (first, last) runs of consecutive days."""
    runs: list[tuple[date, date]] = []
    for day in days:
        if runs and day - runs[-1][1] == timedelta(days=1):
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


class Step:
    name = ""
    needs: tuple[str, ...] = ()

    def total(self, run: EngineRun) -> int:
        return 1

    def check(self, run: EngineRun) -> None:
        """Raise Skip when the step cannot run here (before its progress bar appears)."""

    def run(self, run: EngineRun) -> str:
        raise NotImplementedError


class RefreshRollups(Step):
    name = "usage rollups"

    def run(self, run: EngineRun) -> str:
        refresh = _lookup("tenure.usage.service", "refresh_rollups")
        report = refresh(run.context.events)
        run.progress.advance()
        return f"{report.account_days:,} account-days"


class HealthHistory(Step):
    name = "health scores"
    needs = ("usage rollups",)

    def total(self, run: EngineRun) -> int:
        return len(history_days(run.as_of, run.accounts))

    def check(self, run: EngineRun) -> None:
        rescore = _lookup("tenure.health.service", "rescore")
        if "progress" not in inspect.signature(rescore).parameters:
            raise Skip("tenure.health.service.rescore takes no progress callback")

    def run(self, run: EngineRun) -> str:
        rescore = _lookup("tenure.health.service", "rescore")
        days = history_days(run.as_of, run.accounts)
        snapshots = 0
        # One call and transaction per run of consecutive days (rescore reads the
        # operational tables once per call, usage once per day).
        for first, last in day_runs(days):
            with unit_of_work(run.context.sessions) as session:
                result = rescore(run.context, session, first, last,
                                 progress=lambda _day: run.progress.advance())
            snapshots += int(getattr(result, "snapshots", 0))
        return f"{snapshots:,} snapshots over {len(days)} days ({days[0]} to {days[-1]})"


class JobStep(Step):
    job = ""
    max_accounts: int | None = None  # above this, skip with a note (too slow for a demo)

    def check(self, run: EngineRun) -> None:
        if self.max_accounts is not None and run.accounts > self.max_accounts:
            raise Skip(f"skipped above {self.max_accounts:,} accounts (slow); run "
                       f"`tenure jobs run {self.job}` when you want it")
        self._registry()

    def _registry(self) -> Any:
        load_registry = _lookup("tenure.worker.registry", "load_registry")
        try:
            registry = load_registry()
        except Exception as error:  # a colleague's job module does not import yet
            raise Skip(f"the job registry does not load ({error})") from error
        if self.job not in registry.names():
            raise Skip(f"job {self.job} does not exist yet")
        return registry

    def run(self, run: EngineRun) -> str:
        registry = self._registry()
        scheduler_class = _lookup("tenure.worker.scheduler", "Scheduler")
        record = scheduler_class(run.context, registry, clock=run.clock).run_now(self.job)
        run.progress.advance()
        if record.error:
            lines = record.error.strip().splitlines() or ["error"]
            raise RuntimeError(f"job {self.job} failed: {lines[-1]}")
        return f"job {self.job} ran for {run.as_of}"


class EarlyWarnings(JobStep):
    name = "early warnings"
    job = "evaluate-early-warnings"
    needs = ("health scores",)


# Training backtests on monthly snapshots of the whole history: 19 s on the 500-account
# demo on a quiet machine, growing with the accounts (not measured above that).
CHURN_MAX_ACCOUNTS = 2_000


class TrainChurn(JobStep):
    name = "churn model"
    job = "train-churn-model"
    needs = ("usage rollups",)
    max_accounts = CHURN_MAX_ACCOUNTS


class ScoreChurn(JobStep):
    name = "churn scores"
    job = "score-churn"
    needs = ("churn model",)


STEPS: tuple[Step, ...] = (RefreshRollups(), HealthHistory(), EarlyWarnings(), TrainChurn(),
                           ScoreChurn())


def run_engine(context: AppContext, as_of: date, accounts: int, progress: Progress,
               steps: tuple[Step, ...] = STEPS) -> list[StepOutcome]:
    """Run each step; never raises for a step's failure (it is in the outcome)."""
    run = EngineRun(context, as_of, accounts, progress, set())
    outcomes = []
    for step in steps:
        outcomes.append(_run_one(step, run))
    return outcomes


def _run_one(step: Step, run: EngineRun) -> StepOutcome:
    missing = [name for name in step.needs if name not in run.done]
    if missing:
        return StepOutcome(step.name, "skipped", f"needs {', '.join(missing)}", 0.0)
    started = time.perf_counter()
    try:
        step.check(run)
        run.progress.phase(step.name, step.total(run))
        note = step.run(run)
    except Skip as reason:
        return StepOutcome(step.name, "skipped", str(reason), time.perf_counter() - started)
    except Exception as error:  # reported, and the remaining steps still run
        message = str(error).strip().splitlines()[-1] if str(error).strip() else repr(error)
        return StepOutcome(step.name, "failed", message, time.perf_counter() - started)
    run.done.add(step.name)
    return StepOutcome(step.name, "done", note, time.perf_counter() - started)
