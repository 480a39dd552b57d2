"""Running jobs: one poll (`Scheduler`), a polling thread for `tenure serve`
(`BackgroundScheduler`) and the blocking loop of `tenure worker` (`run_worker`).

Each poll looks at every registered job, claims the current slot's next attempt when it
is due (see `service.claim_if_due` for the locking), commits the claim, runs the job in
this thread and records the outcome. Jobs run one after another; a long job delays the
others' start but never makes them run twice.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import traceback
import uuid
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.exc import IntegrityError, OperationalError

from tenure.kit.context import AppContext
from tenure.kit.db import unit_of_work
from tenure.kit.timeutil import utcnow
from tenure.worker import service
from tenure.worker.registry import JobRegistry, JobSpec, load_registry
from tenure.worker.schemas import Claim, RunRecord

log = logging.getLogger("tenure.worker")

Clock = Callable[[], datetime]


def make_worker_id() -> str:
    """host:pid:random, so history shows which process ran what (and which one died)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def _lost_race(error: OperationalError) -> bool:
    # SQLite refuses to upgrade a read transaction whose snapshot another writer made
    # stale ("database is locked") instead of raising IntegrityError; same meaning here.
    return "locked" in str(error.orig).lower() or "busy" in str(error.orig).lower()


class Scheduler:
    """Claims and runs due jobs in the calling thread."""

    def __init__(
        self,
        context: AppContext,
        registry: JobRegistry | None = None,
        *,
        worker_id: str | None = None,
        clock: Clock = utcnow,
    ) -> None:
        self.context = context
        self.registry = registry if registry is not None else load_registry()
        self.worker_id = worker_id or make_worker_id()
        self.clock = clock

    def run_due(self, stop: threading.Event | None = None) -> list[RunRecord]:
        """Run every job whose slot is due now; returns the attempts this process ran."""
        ran: list[RunRecord] = []
        for spec in self.registry:
            if stop is not None and stop.is_set():
                break
            claim = self._claim(spec)
            if claim is not None:
                ran.append(self._execute(spec, claim))
        return ran

    def run_now(self, name: str) -> RunRecord:
        """Run one job immediately, off schedule, recorded in the history."""
        spec = self.registry.get(name)
        with unit_of_work(self.context.sessions) as session:
            claim = service.claim_manual(session, spec, self.clock(), self.worker_id)
        return self._execute(spec, claim)

    def _claim(self, spec: JobSpec) -> Claim | None:
        try:
            with unit_of_work(self.context.sessions) as session:
                return service.claim_if_due(session, spec, self.clock(), self.worker_id)
        except IntegrityError:
            log.debug("%s: another process claimed this slot", spec.name)
        except OperationalError as error:
            if not _lost_race(error):
                raise
            log.debug("%s: claim collided with another writer; next poll decides", spec.name)
        return None

    def _execute(self, spec: JobSpec, claim: Claim) -> RunRecord:
        log.info("%s: starting (slot %s, attempt %d)", spec.name, claim.scheduled_for, claim.attempt)
        error: str | None = None
        try:
            spec.function(self.context, claim.scheduled_for)
        except Exception:  # a job's failure is data for the history, not a crash
            error = traceback.format_exc()
        with unit_of_work(self.context.sessions) as session:
            record = service.record_outcome(session, claim, error, self.clock())
        _log_outcome(record, spec)
        return record


def _log_outcome(record: RunRecord, spec: JobSpec) -> None:
    seconds = record.duration_seconds or 0.0
    if record.error is None:
        log.info("%s: succeeded in %.2fs (attempt %d)", record.job, seconds, record.attempt)
        return
    last_line = record.error.strip().splitlines()[-1] if record.error.strip() else "error"
    retry = "will retry" if record.attempt < spec.max_attempts else "no attempts left"
    log.warning(
        "%s: failed in %.2fs (attempt %d/%d, %s): %s",
        record.job, seconds, record.attempt, spec.max_attempts, retry, last_line,
    )


class BackgroundScheduler:
    """Polls for due jobs in a daemon thread; `stop()` returns within a job's length."""

    def __init__(
        self,
        context: AppContext,
        registry: JobRegistry | None = None,
        *,
        poll_seconds: float | None = None,
        worker_id: str | None = None,
        clock: Clock = utcnow,
    ) -> None:
        self.scheduler = Scheduler(context, registry, worker_id=worker_id, clock=clock)
        self.poll_seconds = (
            context.settings.worker_poll_seconds if poll_seconds is None else poll_seconds
        )
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def is_running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if self.is_running:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="tenure-jobs", daemon=True)
        self._thread.start()
        log.info("job scheduler started (worker %s)", self.scheduler.worker_id)

    def stop(self, timeout: float | None = 10.0) -> bool:
        """Stop polling and wait for a running job; False if it is still running."""
        self._stop.set()
        thread = self._thread
        if thread is None:
            return True
        thread.join(timeout)
        if thread.is_alive():
            # A daemon thread: it dies with the process, and its run row is taken for
            # dead after the job's timeout, then retried by whoever polls next.
            log.warning("job scheduler stopped while a job was still running")
            return False
        self._thread = None
        log.info("job scheduler stopped")
        return True

    def join(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.scheduler.run_due(self._stop)
            except Exception:  # the database may be briefly away; keep polling
                log.exception("job poll failed; trying again in %ss", self.poll_seconds)
            self._stop.wait(self.poll_seconds)


def run_worker(context: AppContext, registry: JobRegistry | None = None) -> None:
    """Poll and run due jobs until Ctrl-C or SIGTERM (`tenure worker`).

    The first signal stops polling and waits for the running job to finish; a second
    Ctrl-C quits at once (the interrupted run is then retried after its timeout).
    """
    background = BackgroundScheduler(context, registry)
    previous = _raise_interrupt_on_sigterm()
    background.start()
    try:
        while background.is_running:
            background.join(0.5)
    except KeyboardInterrupt:
        log.info("stopping after the current job (Ctrl-C again to quit now)")
    finally:
        try:
            background.stop(timeout=None)
        finally:
            if previous is not None:
                signal.signal(signal.SIGTERM, previous)


def _raise_interrupt_on_sigterm() -> signal.Handlers | Callable[..., object] | int | None:
    """Treat SIGTERM (systemd, docker stop) like Ctrl-C; only possible on the main thread."""
    if threading.current_thread() is not threading.main_thread():
        return None

    def interrupt(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    return signal.signal(signal.SIGTERM, interrupt)
