"""Queries on the `job_runs` history. Only flushes; the caller owns the transaction."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from tenure.models.jobs import JobRun
from tenure.models.types import JobStatus


def latest_attempt(session: Session, job_name: str, scheduled_for: datetime) -> JobRun | None:
    """The highest attempt recorded for one slot of one job."""
    query = (
        select(JobRun)
        .where(JobRun.job_name == job_name, JobRun.scheduled_for == scheduled_for)
        .order_by(JobRun.attempt.desc())
        .limit(1)
    )
    return session.scalars(query).first()


def insert_claim(
    session: Session,
    *,
    job_name: str,
    scheduled_for: datetime,
    attempt: int,
    worker: str,
    now: datetime,
) -> JobRun:
    """Insert the "running" row that claims a slot's attempt.

    The flush raises IntegrityError when another process already inserted the same
    (job_name, scheduled_for, attempt): the unique constraint is the lock.
    """
    run = JobRun(
        job_name=job_name,
        scheduled_for=scheduled_for,
        attempt=attempt,
        status=JobStatus.running.value,
        started_at=now,
        worker=worker,
    )
    session.add(run)
    session.flush()
    return run


def get_run(session: Session, run_id: int) -> JobRun | None:
    return session.get(JobRun, run_id)


def last_runs(session: Session) -> dict[str, JobRun]:
    """The most recently started run of every job that ever ran."""
    newest = (
        select(JobRun.job_name, func.max(JobRun.id).label("id"))
        .group_by(JobRun.job_name)
        .subquery()
    )
    query = select(JobRun).join(newest, JobRun.id == newest.c.id)
    return {run.job_name: run for run in session.scalars(query)}


def history(session: Session, job_name: str | None, limit: int) -> list[JobRun]:
    """Runs newest first (by start, then id), optionally of one job."""
    query = select(JobRun).order_by(JobRun.started_at.desc(), JobRun.id.desc()).limit(limit)
    if job_name is not None:
        query = query.where(JobRun.job_name == job_name)
    return list(session.scalars(query))


def delete_old_runs(session: Session, *, started_before: datetime, keep_last: int) -> int:
    """Delete runs started before a cutoff, except the newest `keep_last` of each job."""
    rank = (
        func.row_number()
        .over(partition_by=JobRun.job_name, order_by=(JobRun.started_at.desc(), JobRun.id.desc()))
        .label("rank")
    )
    ranked = select(JobRun.id, JobRun.started_at, rank).subquery()
    doomed = select(ranked.c.id).where(
        ranked.c.rank > keep_last, ranked.c.started_at < started_before
    )
    result = session.execute(
        delete(JobRun).where(JobRun.id.in_(doomed)).execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)
