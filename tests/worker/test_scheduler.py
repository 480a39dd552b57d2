"""The scheduler on the real database: due slots run once, failures retry, dead runs."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from tenure.kit.context import AppContext
from tenure.kit.db import unit_of_work
from tenure.models.jobs import JobRun
from tenure.worker import service
from tenure.worker.registry import JobRegistry, JobSpec, job
from tenure.worker.scheduler import BackgroundScheduler, Scheduler

from .conftest import Clock


def _runs(context: AppContext, name: str) -> list[JobRun]:
    with unit_of_work(context.sessions) as session:
        query = select(JobRun).where(JobRun.job_name == name).order_by(JobRun.id)
        return list(session.scalars(query))


def test_slots_are_the_schedule_floor() -> None:
    hourly = JobSpec("h", lambda c, s: None, every=timedelta(hours=1))
    moment = datetime(2025, 3, 10, 10, 59, 59, tzinfo=UTC)
    assert hourly.slot_for(moment) == datetime(2025, 3, 10, 10, tzinfo=UTC)
    daily = JobSpec("d", lambda c, s: None, every=timedelta(days=1), offset=timedelta(hours=3))
    assert daily.slot_for(moment) == datetime(2025, 3, 10, 3, tzinfo=UTC)
    early = datetime(2025, 3, 10, 2, 0, tzinfo=UTC)
    assert daily.slot_for(early) == datetime(2025, 3, 9, 3, tzinfo=UTC)


def test_a_due_job_runs_once_per_slot(context: AppContext, registry: JobRegistry, clock: Clock) -> None:
    seen: list[tuple[AppContext, datetime]] = []

    @job("hourly", every=timedelta(hours=1), registry=registry)
    def hourly(ctx: AppContext, scheduled_for: datetime) -> None:
        seen.append((ctx, scheduled_for))

    scheduler = Scheduler(context, registry, clock=clock)
    assert [r.status for r in scheduler.run_due()] == ["succeeded"]
    assert scheduler.run_due() == []
    clock.advance(minutes=54)  # 10:59, still the 10:00 slot
    assert scheduler.run_due() == []
    clock.advance(minutes=1)  # 11:00, the next slot
    assert len(scheduler.run_due()) == 1

    assert [slot.hour for _, slot in seen] == [10, 11]
    assert all(ctx is context for ctx, _ in seen)
    runs = _runs(context, "hourly")
    assert [(service.as_utc(r.scheduled_for).hour, r.attempt, r.status) for r in runs] == [
        (10, 1, "succeeded"),
        (11, 1, "succeeded"),
    ]
    assert all(r.finished_at is not None and r.worker == scheduler.worker_id for r in runs)


def test_failure_is_recorded_and_retried_with_backoff(
    context: AppContext, registry: JobRegistry, clock: Clock
) -> None:
    calls: list[int] = []

    @job("flaky", every=timedelta(hours=1), max_attempts=3,
         retry_backoff=timedelta(minutes=1), registry=registry)
    def flaky(ctx: AppContext, scheduled_for: datetime) -> None:
        calls.append(1)
        if len(calls) < 3:
            raise RuntimeError(f"boom number {len(calls)}")

    scheduler = Scheduler(context, registry, clock=clock)
    assert [r.status for r in scheduler.run_due()] == ["failed"]
    clock.advance(seconds=30)
    assert scheduler.run_due() == []  # backoff after attempt 1: 1 minute
    clock.advance(seconds=31)
    assert [(r.attempt, r.status) for r in scheduler.run_due()] == [(2, "failed")]
    clock.advance(seconds=90)
    assert scheduler.run_due() == []  # backoff after attempt 2: 2 minutes
    clock.advance(seconds=31)
    assert [(r.attempt, r.status) for r in scheduler.run_due()] == [(3, "succeeded")]
    clock.advance(minutes=10)
    assert scheduler.run_due() == []

    runs = _runs(context, "flaky")
    assert [(r.attempt, r.status) for r in runs] == [(1, "failed"), (2, "failed"), (3, "succeeded")]
    assert "RuntimeError: boom number 1" in runs[0].error
    assert "RuntimeError: boom number 2" in runs[1].error
    assert runs[2].error is None
    assert len({service.as_utc(r.scheduled_for) for r in runs}) == 1


def test_attempts_stop_at_max_and_the_next_slot_starts_over(
    context: AppContext, registry: JobRegistry, clock: Clock
) -> None:
    @job("broken", every=timedelta(hours=1), max_attempts=2,
         retry_backoff=timedelta(seconds=1), registry=registry)
    def broken(ctx: AppContext, scheduled_for: datetime) -> None:
        raise ValueError("always")

    scheduler = Scheduler(context, registry, clock=clock)
    for _ in range(5):
        scheduler.run_due()
        clock.advance(minutes=1)
    assert [(r.attempt, r.status) for r in _runs(context, "broken")] == [
        (1, "failed"), (2, "failed"),
    ]
    with unit_of_work(context.sessions) as session:
        spec = registry.get("broken")
        assert service.next_due(session, spec, clock()) == datetime(2025, 3, 10, 11, tzinfo=UTC)
    clock.now = datetime(2025, 3, 10, 11, 0, tzinfo=UTC)
    assert [(r.attempt, r.status) for r in scheduler.run_due()] == [(1, "failed")]


def test_a_run_stuck_past_its_timeout_is_abandoned_and_retried(
    context: AppContext, registry: JobRegistry, clock: Clock
) -> None:
    @job("slow", every=timedelta(hours=1), timeout=timedelta(minutes=5), registry=registry)
    def slow(ctx: AppContext, scheduled_for: datetime) -> None:
        pass

    # A process claimed the slot, then died before recording anything.
    with unit_of_work(context.sessions) as session:
        claim = service.claim_if_due(session, registry.get("slow"), clock(), "dead-host:1:x")
    assert claim is not None and claim.attempt == 1

    scheduler = Scheduler(context, registry, clock=clock)
    clock.advance(minutes=4)
    assert scheduler.run_due() == []  # still within its timeout: presumed alive
    clock.advance(minutes=2)
    assert [(r.attempt, r.status) for r in scheduler.run_due()] == [(2, "succeeded")]

    first, second = _runs(context, "slow")
    assert first.status == "failed" and "abandoned" in first.error and "dead-host" in first.error
    assert second.worker == scheduler.worker_id


def test_two_schedulers_in_threads_claim_a_slot_once(
    context: AppContext, registry: JobRegistry, clock: Clock
) -> None:
    ran: list[str] = []

    @job("shared", every=timedelta(hours=1), registry=registry)
    def shared(ctx: AppContext, scheduled_for: datetime) -> None:
        ran.append(threading.current_thread().name)
        time.sleep(0.05)

    barrier = threading.Barrier(4)
    schedulers = [Scheduler(context, registry, clock=clock) for _ in range(4)]

    def poll(scheduler: Scheduler) -> None:
        barrier.wait()
        for _ in range(3):
            scheduler.run_due()

    threads = [threading.Thread(target=poll, args=(s,)) for s in schedulers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(ran) == 1
    assert [(r.attempt, r.status) for r in _runs(context, "shared")] == [(1, "succeeded")]


def test_run_now_is_recorded_off_schedule(
    context: AppContext, registry: JobRegistry, clock: Clock
) -> None:
    @job("manual", every=timedelta(days=1), registry=registry)
    def manual(ctx: AppContext, scheduled_for: datetime) -> None:
        raise RuntimeError("manual failure")

    record = Scheduler(context, registry, clock=clock).run_now("manual")
    assert record.status == "failed" and "manual failure" in record.error
    assert record.scheduled_for == clock()
    with unit_of_work(context.sessions) as session:
        history = service.run_history(session, "manual", 10)
    assert [h.id for h in history] == [record.id]


def test_background_scheduler_runs_due_jobs_and_stops_promptly(
    context: AppContext, registry: JobRegistry
) -> None:
    ran = threading.Event()

    @job("background", every=timedelta(hours=1), registry=registry)
    def background(ctx: AppContext, scheduled_for: datetime) -> None:
        ran.set()

    scheduler = BackgroundScheduler(context, registry, poll_seconds=60)
    scheduler.start()
    try:
        assert ran.wait(10)
        time.sleep(0.2)  # let it record the outcome and go back to sleep
    finally:
        started = time.monotonic()
        assert scheduler.stop(timeout=5)
        assert time.monotonic() - started < 2
    assert not scheduler.is_running
    assert [r.status for r in _runs(context, "background")] == ["succeeded"]


def test_vacuum_keeps_recent_runs_and_the_last_n_per_job(context: AppContext) -> None:
    now = datetime(2025, 6, 1, tzinfo=UTC)
    old = now - timedelta(days=200)
    with unit_of_work(context.sessions) as session:
        for job_name, count in (("a", 5), ("b", 2)):
            for i in range(count):
                started = old + timedelta(hours=i)
                session.add(JobRun(job_name=job_name, scheduled_for=started, attempt=1,
                                   status="succeeded", started_at=started, finished_at=started))
        recent = now - timedelta(days=1)
        session.add(JobRun(job_name="a", scheduled_for=recent, attempt=1,
                           status="succeeded", started_at=recent, finished_at=recent))
    with unit_of_work(context.sessions) as session:
        removed = service.vacuum_history(session, now, older_than=timedelta(days=90), keep_last=3)
    assert removed == 3  # "a" keeps its recent run and its two newest old ones; "b" keeps both
    with unit_of_work(context.sessions) as session:
        counts = dict(session.execute(
            select(JobRun.job_name, func.count()).group_by(JobRun.job_name)
        ).all())
    assert counts == {"a": 3, "b": 2}


def test_registry_refuses_duplicates_and_bad_specs(registry: JobRegistry) -> None:
    registry.add(JobSpec("x", lambda c, s: None, every=timedelta(minutes=5)))
    with pytest.raises(ValueError):
        registry.add(JobSpec("x", lambda c, s: None, every=timedelta(minutes=5)))
    with pytest.raises(ValueError):
        JobSpec("y", lambda c, s: None, every=timedelta(0))
    with pytest.raises(ValueError):
        JobSpec("z", lambda c, s: None, every=timedelta(hours=1), max_attempts=0)


def test_the_real_registry_has_the_vacuum_job() -> None:
    from tenure.worker.registry import load_registry

    spec = load_registry().get("vacuum-job-history")
    assert spec.every == timedelta(days=1)
