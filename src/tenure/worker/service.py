"""Rules of the job machinery: when a slot is due, who may run it, what is recorded.

Locking: the row that records an attempt is also its lock. Claiming inserts
(job_name, scheduled_for, attempt) with status "running"; the unique constraint on those
three columns lets exactly one process insert it, whichever database and however many
`tenure serve` / `tenure worker` processes are up. A loser sees IntegrityError (or, on
SQLite, "database is locked" when its read snapshot went stale) and simply moves on.

Nothing here commits: the scheduler commits the claim before running the job, so other
processes see it, and records the outcome in a transaction of its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from tenure.models.jobs import JobRun
from tenure.models.types import JobStatus
from tenure.worker import repository
from tenure.worker.registry import JobRegistry, JobSpec
from tenure.worker.schemas import Claim, JobOverview, RunRecord

# Tracebacks are kept for people to read, not whole logs.
MAX_ERROR_CHARS = 20_000
HISTORY_DAYS = 90
HISTORY_KEEP_LAST = 100


def as_utc(moment: datetime) -> datetime:
    """Aware UTC; SQLite hands back naive datetimes, which Tenure always writes in UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


@dataclass(frozen=True)
class Plan:
    """What may happen next in a slot: which attempt, from when, closing which dead run."""

    attempt: int
    due_at: datetime
    abandons: JobRun | None = None


def plan_next(spec: JobSpec, slot: datetime, latest: JobRun | None) -> Plan | None:
    """The next attempt of `slot` given its latest recorded attempt, or None if done."""
    if latest is None:
        return Plan(attempt=1, due_at=slot)
    if latest.status == JobStatus.succeeded:
        return None
    if latest.status == JobStatus.failed:
        if latest.attempt >= spec.max_attempts:
            return None
        failed_at = as_utc(latest.finished_at or latest.started_at)
        return Plan(latest.attempt + 1, failed_at + spec.backoff_after(latest.attempt))
    # Still "running": alive until its timeout, then presumed dead (its process died).
    dead_at = as_utc(latest.started_at) + spec.timeout
    return Plan(latest.attempt + 1, dead_at, abandons=latest)


def claim_if_due(session: Session, spec: JobSpec, now: datetime, worker: str) -> Claim | None:
    """Claim the next attempt of the current slot if it is due; None when nothing is."""
    slot = spec.slot_for(now)
    plan = plan_next(spec, slot, repository.latest_attempt(session, spec.name, slot))
    if plan is None or plan.due_at > now:
        return None
    if plan.abandons is not None:
        _close_abandoned(plan.abandons, spec, now)
    if plan.attempt > spec.max_attempts:
        return None
    run = repository.insert_claim(
        session,
        job_name=spec.name,
        scheduled_for=slot,
        attempt=plan.attempt,
        worker=worker,
        now=now,
    )
    return Claim(run.id, spec.name, slot, plan.attempt)


def claim_manual(session: Session, spec: JobSpec, now: datetime, worker: str) -> Claim:
    """Claim an off-schedule run (`tenure jobs run`): its slot is the moment asked for.

    Manual runs are recorded like any other but never retried and do not count for the
    scheduled slot.
    """
    run = repository.insert_claim(
        session, job_name=spec.name, scheduled_for=now, attempt=1, worker=worker, now=now
    )
    return Claim(run.id, spec.name, now, 1)


def _close_abandoned(run: JobRun, spec: JobSpec, now: datetime) -> None:
    run.status = JobStatus.failed.value
    run.finished_at = now
    run.error = (
        f"abandoned: still running after {spec.timeout} (worker {run.worker} presumably died)"
    )


def record_outcome(session: Session, claim: Claim, error: str | None, now: datetime) -> RunRecord:
    """Close a claimed attempt as succeeded (error is None) or failed."""
    run = repository.get_run(session, claim.run_id)
    if run is None:  # vacuumed or deleted by hand while running; nothing left to update
        raise LookupError(f"job run {claim.run_id} disappeared while running")
    run.status = (JobStatus.succeeded if error is None else JobStatus.failed).value
    run.finished_at = now
    run.error = None if error is None else error[-MAX_ERROR_CHARS:]
    session.flush()
    return to_record(run)


def to_record(run: JobRun) -> RunRecord:
    started = as_utc(run.started_at)
    finished = as_utc(run.finished_at) if run.finished_at else None
    return RunRecord(
        id=run.id,
        job=run.job_name,
        scheduled_for=as_utc(run.scheduled_for),
        attempt=run.attempt,
        status=run.status,
        started_at=started,
        finished_at=finished,
        duration_seconds=(finished - started).total_seconds() if finished else None,
        error=run.error,
        worker=run.worker,
    )


def next_due(session: Session, spec: JobSpec, now: datetime) -> datetime:
    """When the scheduler will next start this job (a past moment means "due now")."""
    slot = spec.slot_for(now)
    following = slot + spec.every
    plan = plan_next(spec, slot, repository.latest_attempt(session, spec.name, slot))
    if plan is None or plan.attempt > spec.max_attempts:
        return following
    return min(plan.due_at, following)


def overview(session: Session, registry: JobRegistry, now: datetime) -> list[JobOverview]:
    last = repository.last_runs(session)
    return [
        JobOverview(
            name=spec.name,
            schedule=spec.describe_schedule(),
            every_seconds=spec.every.total_seconds(),
            max_attempts=spec.max_attempts,
            timeout_seconds=spec.timeout.total_seconds(),
            description=spec.description,
            last_run=to_record(last[spec.name]) if spec.name in last else None,
            next_due=next_due(session, spec, now),
        )
        for spec in registry
    ]


def run_history(session: Session, job_name: str | None, limit: int) -> list[RunRecord]:
    return [to_record(run) for run in repository.history(session, job_name, limit)]


def vacuum_history(
    session: Session,
    now: datetime,
    older_than: timedelta = timedelta(days=HISTORY_DAYS),
    keep_last: int = HISTORY_KEEP_LAST,
) -> int:
    """Forget runs older than `older_than`, keeping each job's newest `keep_last` runs."""
    return repository.delete_old_runs(
        session, started_before=now - older_than, keep_last=keep_last
    )
