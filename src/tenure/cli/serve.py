"""`tenure serve` (web UI, REST API, ingestion; runs due jobs in-process) and `tenure worker`.

Both check the operational database schema first (see `tenure.cli.schema`).
"""

from __future__ import annotations

import gc
import logging
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import typer

from tenure.cli.common import app_context
from tenure.cli.schema import ensure_schema
from tenure.config import Settings
from tenure.kit.context import AppContext


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.command("worker")(worker)


def serve(
    host: str | None = typer.Option(None, "--host", help="Address to listen on [TENURE_HOST]."),
    port: int | None = typer.Option(None, "--port", help="Port to listen on [TENURE_PORT]."),
    jobs: bool | None = typer.Option(
        None,
        "--jobs/--no-jobs",
        help="Run due background jobs in this process [TENURE_RUN_JOBS_IN_SERVE].",
    ),
) -> None:
    """Serve the web UI, REST API and ingestion endpoints until Ctrl-C."""
    run_server(Settings(), host=host, port=port, run_jobs=jobs)


def worker() -> None:
    """Run due background jobs until Ctrl-C; logs each run to stderr."""
    from tenure.worker.scheduler import run_worker

    _configure_logging()
    with app_context() as context:
        ensure_schema(context)
        run_worker(context)


def run_server(
    settings: Settings,
    host: str | None = None,
    port: int | None = None,
    run_jobs: bool | None = None,
) -> None:
    """Serve Tenure on host:port (default the settings') until interrupted."""
    import uvicorn

    from tenure.api.app import create_app

    context = AppContext(settings)
    try:
        ensure_schema(context)
        _configure_logging()
        app = create_app(context, run_jobs=run_jobs)
        _freeze_startup_objects()
        with _stop_signals_end_quietly():
            uvicorn.run(
                app,
                host=host or settings.host,
                port=settings.port if port is None else port,
                log_level="info",
            )
    finally:
        context.close()


def _freeze_startup_objects() -> None:
    """Leave the objects made while starting (modules, the app: some 10^5) out of every
    later garbage collection: the tracking API allocates fast, and each full collection
    would walk them all again (measured: a quarter of the writer thread's time)."""
    gc.collect()
    gc.freeze()


class _Stopped(Exception):
    pass


@contextmanager
def _stop_signals_end_quietly() -> Iterator[None]:
    """Exit 0 after uvicorn's graceful shutdown on Ctrl-C or SIGTERM.

    uvicorn shuts down (stopping the job scheduler through the app's lifespan), then
    re-raises the signal it caught with the handlers that were there before; ours turn
    that into a normal return instead of "Aborted!" or a death by signal.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stopped(_signum: int, _frame: object) -> None:
        raise _Stopped

    previous = {sig: signal.signal(sig, stopped) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    except (_Stopped, KeyboardInterrupt):
        pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _configure_logging() -> None:
    """Tenure's own log lines (job runs) to stderr, beside uvicorn's."""
    logger = logging.getLogger("tenure")
    if any(getattr(handler, "_tenure", False) for handler in logger.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler._tenure = True  # type: ignore[attr-defined]
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
