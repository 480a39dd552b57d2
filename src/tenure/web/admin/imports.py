"""CSV imports started from the admin page: run in a background thread of the server
with `tenure.imports.service.import_file`, progress kept in memory for the page to poll.

Each run is its own unit of work (all or nothing per file, as on the command line); a
dry run validates and writes nothing. Problems are reported as `file:row:column: reason`
with the uploaded file's name. Runs are kept in memory (the latest RUNS_KEPT) and are
lost when the server restarts (kept per application context, so two apps in one
process, e.g. in tests, do not see each other's runs); the uploaded copy is deleted when
the run ends.
"""

from __future__ import annotations

import threading
import uuid
import weakref
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from tenure.errors import InputRejected, Invalid, TenureError
from tenure.imports.base import ImportReport
from tenure.kit.context import AppContext
from tenure.kit.db import unit_of_work

RUNS_KEPT = 50
MAX_PROBLEMS_SHOWN = 500
SAFE_SUFFIXES = (".csv", ".parquet", ".jsonl", ".ndjson", ".json", ".gz", ".zst")


@dataclass
class ImportRun:
    id: str
    kind: str
    file_name: str
    dry_run: bool
    user: str
    state: Literal["running", "done", "rejected", "failed"] = "running"
    done: int = 0
    total: int | None = None
    report: ImportReport | None = None
    problems: list[str] = field(default_factory=list)
    problem_count: int = 0
    error: str | None = None

    @property
    def percent(self) -> int | None:
        if self.state != "running":
            return 100
        return None if not self.total else min(100, int(100 * self.done / self.total))


_RUNS: weakref.WeakKeyDictionary[AppContext, OrderedDict[str, ImportRun]] = weakref.WeakKeyDictionary()
_LOCK = threading.Lock()


def _runs(context: AppContext) -> OrderedDict[str, ImportRun]:
    return _RUNS.setdefault(context, OrderedDict())


def get_run(context: AppContext, run_id: str) -> ImportRun:
    from tenure.errors import NotFound

    with _LOCK:
        run = _runs(context).get(run_id)
    if run is None:
        raise NotFound(f"no import {run_id!r} (imports are forgotten when the server restarts)")
    return run


def recent_runs(context: AppContext) -> list[ImportRun]:
    with _LOCK:
        return list(reversed(_runs(context).values()))


def upload_path(context: AppContext, file_name: str) -> Path:
    suffixes = "".join(s for s in Path(file_name).suffixes if s.lower() in SAFE_SUFFIXES) or ".csv"
    folder = context.settings.ensure_home() / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{uuid.uuid4().hex}{suffixes.lower()}"


def start_import(context: AppContext, kind: str, path: Path, file_name: str,
                 dry_run: bool, user: str, wait: bool = False) -> ImportRun:  # fmt: skip
    """Start importing `path` (an uploaded copy, deleted afterwards) as `kind`."""
    from tenure.imports.base import get_kind

    try:
        get_kind(kind)
    except Invalid:
        path.unlink(missing_ok=True)
        raise
    run = ImportRun(uuid.uuid4().hex[:12], kind, file_name, dry_run, user)
    with _LOCK:
        runs = _runs(context)
        runs[run.id] = run
        while len(runs) > RUNS_KEPT:
            runs.popitem(last=False)
    worker = threading.Thread(target=_run, args=(context, run, path), daemon=True, name=f"import-{run.id}")
    worker.start()
    if wait:
        worker.join()
    return run


def _run(context: AppContext, run: ImportRun, path: Path) -> None:
    from tenure.imports.service import import_file

    def progress(done: int, total: int | None) -> None:
        run.done, run.total = done, total

    try:
        with unit_of_work(context.sessions) as session:
            run.report = import_file(run.kind, path, session=session, settings=context.settings,
                                     events=context.events, dry_run=run.dry_run, progress=progress)  # fmt: skip
        run.state = "done"
    except InputRejected as rejected:
        run.problems = [_located(str(p), str(path), run.file_name) for p in rejected.problems[:MAX_PROBLEMS_SHOWN]]
        run.problem_count = rejected.total or len(rejected.problems)
        run.state = "rejected"
    except TenureError as error:
        run.error, run.state = _located(error.message, str(path), run.file_name), "failed"
    except Exception as error:  # noqa: BLE001 - the page must say the run failed, not spin
        run.error, run.state = f"{run.file_name}: the import failed unexpectedly ({type(error).__name__})", "failed"
    finally:
        path.unlink(missing_ok=True)


def _located(message: str, stored: str, shown: str) -> str:
    """Problems name the uploaded file, not the server's temporary copy."""
    return message.replace(stored, shown).replace(Path(stored).name, shown)
