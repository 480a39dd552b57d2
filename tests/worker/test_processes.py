"""Several real processes polling the same database never run one slot twice."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from tenure.kit.context import AppContext
from tenure.kit.db import unit_of_work
from tenure.models.jobs import JobRun
from tests.cli_runner import tenure_executable

HELPER = Path(__file__).with_name("race_helper.py")


@pytest.mark.slow
def test_three_processes_run_each_slot_exactly_once(
    context: AppContext, database_url: str, tmp_path: Path
) -> None:
    out = tmp_path / "ticks.txt"
    start_at = time.time() + 1.5  # all three start polling at the same instant
    processes = [
        subprocess.Popen(
            [sys.executable, str(HELPER), database_url, str(tmp_path / "home"), str(out),
             str(start_at), "3.5"],
            stderr=subprocess.PIPE, text=True,
        )
        for _ in range(3)
    ]
    try:
        for process in processes:
            _, stderr = process.communicate(timeout=60)
            assert process.returncode == 0, stderr
    finally:
        for process in processes:
            process.kill()

    slots = Counter(line.split()[0] for line in out.read_text().splitlines())
    assert len(slots) >= 3
    assert [slot for slot, count in slots.items() if count > 1] == []
    with unit_of_work(context.sessions) as session:
        runs = list(session.scalars(select(JobRun).where(JobRun.job_name == "tick")))
    assert len(runs) == len(slots)
    assert {(run.attempt, run.status) for run in runs} == {(1, "succeeded")}


@pytest.mark.slow
def test_two_tenure_workers_run_the_vacuum_slot_once_and_stop_on_ctrl_c(
    context: AppContext, env_for: dict[str, str]
) -> None:
    env = {**env_for, "TENURE_WORKER_POLL_SECONDS": "0.1"}
    workers = [
        subprocess.Popen([tenure_executable(), "worker"], env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    try:
        _wait_for_runs(context, "vacuum-job-history", timeout=30)
        time.sleep(1.5)  # both keep polling the same, already claimed slot
        for worker in workers:
            worker.send_signal(signal.SIGINT)
        outputs = [worker.communicate(timeout=20) for worker in workers]
    finally:
        for worker in workers:
            worker.kill()

    assert [worker.returncode for worker in workers] == [0, 0], outputs
    logs = "".join(stderr for _, stderr in outputs)
    assert logs.count("vacuum-job-history: succeeded") == 1, logs
    assert all(stdout == "" for stdout, _ in outputs)
    assert all("job scheduler stopped" in stderr for _, stderr in outputs), logs
    runs = _wait_for_runs(context, "vacuum-job-history", timeout=1)
    assert [(run.attempt, run.status) for run in runs] == [(1, "succeeded")]


def _wait_for_runs(context: AppContext, name: str, timeout: float) -> list[JobRun]:
    deadline = time.monotonic() + timeout
    while True:
        with unit_of_work(context.sessions) as session:
            query = select(JobRun).where(JobRun.job_name == name, JobRun.status != "running")
            runs = list(session.scalars(query))
        if runs or time.monotonic() > deadline:
            return runs
        time.sleep(0.1)
