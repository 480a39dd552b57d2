"""`tenure serve` for real: the console script on a free port, polled until ready."""

from __future__ import annotations

import signal
import socket
import subprocess
import time

import httpx
import pytest
from sqlalchemy import select

from tenure.kit import migrate
from tenure.kit.context import AppContext
from tenure.kit.db import unit_of_work
from tenure.models.jobs import JobRun
from tests.cli_runner import tenure_executable


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_ready(base: str, process: subprocess.Popen[str], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"tenure serve exited early: {process.communicate()}")
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError("tenure serve did not become ready")


def _vacuum_runs(context: AppContext) -> list[JobRun]:
    with unit_of_work(context.sessions) as session:
        return list(session.scalars(
            select(JobRun).where(JobRun.job_name == "vacuum-job-history")
        ))


def _start(env: dict[str, str], port: int, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [tenure_executable(), "serve", "--host", "127.0.0.1", "--port", str(port), *extra],
        env={**env, "TENURE_WORKER_POLL_SECONDS": "0.1"},
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


@pytest.mark.slow
@pytest.mark.parametrize("jobs", [True, False], ids=["with-jobs", "no-jobs"])
def test_serve_answers_and_stops_cleanly(
    context: AppContext, env_for: dict[str, str], jobs: bool
) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    process = _start(env_for, port, *([] if jobs else ["--no-jobs"]))
    try:
        _wait_ready(base, process)
        assert httpx.get(f"{base}/healthz").json()["status"] == "ok"
        spec = httpx.get(f"{base}/openapi.json").json()
        assert spec["info"]["title"] == "Tenure" and "/healthz" in spec["paths"]
        deadline = time.monotonic() + (15 if jobs else 1.0)
        while not _vacuum_runs(context) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(_vacuum_runs(context)) == (1 if jobs else 0)
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=20)
        assert process.returncode == 0, stderr
    finally:
        process.kill()
        process.wait()
    if jobs:
        assert "job scheduler stopped" in stderr


@pytest.mark.slow
def test_serve_upgrades_sqlite_and_refuses_a_stale_server_database(
    context: AppContext, env_for: dict[str, str]
) -> None:
    migrate.downgrade(context.engine, "base")
    context.engine.dispose()
    port = _free_port()
    process = _start(env_for, port, "--no-jobs")
    try:
        if context.engine.url.get_backend_name() == "sqlite":
            _wait_ready(f"http://127.0.0.1:{port}", process)
            assert migrate.current_revision(context.engine) == migrate.head_revision()
        else:
            _, stderr = process.communicate(timeout=30)
            assert process.returncode == 1
            assert "run `tenure init` first" in stderr.strip().splitlines()[-1]
    finally:
        process.kill()
        process.wait()
