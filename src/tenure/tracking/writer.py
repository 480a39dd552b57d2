"""The ingest writer: group commit of tracking calls, durable before the answer.

Request handlers parse and validate their messages, then `submit` them here and wait.
One thread takes everything queued (after waiting a few milliseconds for more when the
queue is short), applies the calls' effects on the operational database in one
transaction, stores all the resulting events with ONE `EventStore.append` (one
transaction) and only then releases the waiting requests, which answer 200. A failed
commit fails every request in it with a 503 (retried by the SDKs; ids make the retry
harmless). When more than `tracking_queue_events` events are waiting, `submit` refuses
with a 429 and `Retry-After`. After a successful commit the writer adds the commit's
rejected messages to the store's per-source, per-reason counts, before the 200s.

DuckDB: while calls arrive, the writer keeps one connection to the event file open, so
the per-append connection of the store reuses the open database instead of opening the
file and checkpointing it each time. The file lock is therefore held while ingestion is
busy and released after IDLE_RELEASE_SECONDS without calls; a `tenure import events` in
another process waits (up to 30 s) for such a pause.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter, deque
from collections.abc import Iterator
from concurrent.futures import Future
from contextlib import AbstractContextManager, ExitStack, contextmanager, nullcontext
from dataclasses import dataclass

from fastapi import FastAPI

from tenure.errors import TenureError, Unavailable
from tenure.kit.context import AppContext
from tenure.kit.db import unit_of_work
from tenure.tracking import service
from tenure.tracking.service import AttributionCache, Batch
from tenure.usage.store import EventStore

log = logging.getLogger("tenure.tracking")

RETRY_AFTER_SECONDS = 1
IDLE_RELEASE_SECONDS = 1.0
GATHER_BELOW_EVENTS = 5_000  # a shorter queue waits max_wait_ms for more calls
MAX_COMMIT_EVENTS = 100_000


class Overloaded(TenureError):
    status = 429
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}


@dataclass
class _Pending:
    batch: Batch
    size: int
    done: Future[None]


def _pin(store: EventStore) -> AbstractContextManager[object]:
    """Keep the event store's file open (DuckDB); other stores need nothing."""
    from tenure.usage.duckdb_store import DuckDBEventStore

    return store.connect() if isinstance(store, DuckDBEventStore) else nullcontext()


class IngestWriter:
    def __init__(self, context: AppContext) -> None:
        self.context = context
        self.max_queued = context.settings.tracking_queue_events
        self.max_wait = context.settings.tracking_max_wait_ms / 1000
        self.rejected: Counter[str] = Counter()
        self._queue: deque[_Pending] = deque()
        self._queued_events = 0
        self._ready = threading.Condition()
        self._stopping = False
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="tenure-ingest", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30) -> None:
        """Finish what is queued, then end the thread."""
        with self._ready:
            self._stopping = True
            self._ready.notify_all()
        if self._thread is not None:
            self._thread.join(timeout)

    def submit(self, batch: Batch) -> Future[None]:
        """Queue one request's messages; the future ends once they are stored."""
        size = max(batch.events(), 1)
        pending = _Pending(batch=batch, size=size, done=Future())
        with self._ready:
            if self._stopping or self._thread is None:
                raise Unavailable("the server is stopping; retry")
            if self._queued_events + size > self.max_queued and self._queue:
                raise Overloaded("too many events waiting to be stored; retry later")
            self._queue.append(pending)
            self._queued_events += size
            self._ready.notify()
        return pending.done

    def note_rejected(self, source: str, count: int) -> None:
        """Count rejections since start (in memory; the writer also persists them)."""
        if count:
            with self._ready:
                self.rejected[source] += count

    def _run(self) -> None:
        pinned: ExitStack | None = None
        try:
            while True:
                taken = self._take(pinned is not None)
                if taken is None:
                    return
                if not taken:  # idle: let other processes open the event file
                    if pinned is not None:
                        pinned.close()
                        pinned = None
                    continue
                if pinned is None:
                    pinned = self._pinned(taken)
                    if pinned is None:
                        continue  # the file stayed busy: those requests got a 503
                self._commit(taken)
        finally:
            if pinned is not None:
                pinned.close()

    def _take(self, pinned: bool) -> list[_Pending] | None:
        """The next calls to commit; [] after an idle pause while pinned; None to stop."""
        with self._ready:
            while not self._queue:
                if self._stopping:
                    return None
                if not self._ready.wait(IDLE_RELEASE_SECONDS) and not self._queue and pinned:
                    return []
            short = self._queued_events < GATHER_BELOW_EVENTS
        if short and self.max_wait > 0:
            time.sleep(self.max_wait)
        with self._ready:
            taken: list[_Pending] = []
            events = 0
            while self._queue and (not taken or events + self._queue[0].size <= MAX_COMMIT_EVENTS):
                pending = self._queue.popleft()
                taken.append(pending)
                events += pending.size
            self._queued_events -= events
        return taken

    def _pinned(self, taken: list[_Pending]) -> ExitStack | None:
        """The event file held open, or None after failing `taken` (the thread must live
        on: a dead writer would leave every later request waiting forever)."""
        pinned = ExitStack()
        try:
            pinned.enter_context(_pin(self.context.events))
        except Exception as error:  # noqa: BLE001
            _fail(taken, error)
            return None
        return pinned

    def _commit(self, taken: list[_Pending]) -> None:
        try:
            batches = [p.batch for p in taken]
            with unit_of_work(self.context.sessions) as session:
                table = service.apply_batches(session, batches, AttributionCache())
            if table.num_rows:
                self.context.events.append(table)
        except Exception as error:  # noqa: BLE001 - every waiting request must hear of it
            _fail(taken, error)
            return
        _record_rejections(self.context.events, batches)
        for pending in taken:
            pending.done.set_result(None)


def _fail(taken: list[_Pending], error: Exception) -> None:
    """Answer every request of a failed commit (503 unless the error says otherwise)."""
    log.exception("storing %d tracking calls failed", len(taken), exc_info=error)
    failure = error if isinstance(error, TenureError) else Unavailable(
        f"storing the events failed ({type(error).__name__}); retry"
    )
    for pending in taken:
        pending.done.set_exception(failure)


def _record_rejections(store: EventStore, batches: list[Batch]) -> None:
    """Add the commit's rejected messages to the store's per-source, per-reason counts.
    Diagnostic counts: a failure is logged, not turned into a failed (retried) request."""
    counts: Counter[tuple[str, str]] = Counter()
    for batch in batches:
        for reason, count in batch.rejected.items():
            counts[(batch.source.name, reason)] += count
    if not counts:
        return
    try:
        store.record_rejections(counts)
    except Exception:  # noqa: BLE001
        log.exception("recording %d rejected messages failed", sum(counts.values()))


@contextmanager
def lifespan(app: FastAPI) -> Iterator[None]:
    """Lifespan participant (see tenure.api.app): the writer runs while the app serves."""
    from tenure.tracking.intake import SourceKeys

    writer = IngestWriter(app.state.context)
    writer.start()
    app.state.ingest_writer = writer
    app.state.source_keys = SourceKeys(app.state.context)
    try:
        yield
    finally:
        writer.stop()
