"""Run by test_processes.py in several processes at once: poll a 1-second job for a while.

Usage: python race_helper.py DATABASE_URL HOME OUT_FILE START_AT SECONDS
Each execution of the job appends "SLOT PID" to OUT_FILE, so the test can see whether
any slot ran twice.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path

from tenure.config import Settings
from tenure.kit.context import AppContext
from tenure.worker.registry import JobRegistry, job
from tenure.worker.scheduler import BackgroundScheduler


def main() -> None:
    url, home, out, start_at, seconds = sys.argv[1:6]
    registry = JobRegistry()
    out_path = Path(out)

    @job("tick", every=timedelta(seconds=1), registry=registry)
    def tick(context: AppContext, scheduled_for: datetime) -> None:
        with out_path.open("a") as handle:  # O_APPEND: lines from processes never mix
            handle.write(f"{scheduled_for.isoformat()} {os.getpid()}\n")
        time.sleep(0.05)  # widen the window in which a second runner could sneak in

    context = AppContext(Settings(home=Path(home), database_url=url))
    scheduler = BackgroundScheduler(context, registry, poll_seconds=0.01)
    time.sleep(max(0.0, float(start_at) - time.time()))
    scheduler.start()
    time.sleep(float(seconds))
    assert scheduler.stop(timeout=10)
    context.close()


if __name__ == "__main__":
    main()
