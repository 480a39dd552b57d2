"""End to end: an event sent to a running `tenure serve` (in-process job scheduler, default
settings) shows in the usage API's rollups within 60 s (issue 4's freshness goal)."""

from __future__ import annotations

import json
import subprocess
import time
import uuid

import httpx
import pytest

from tenure.kit.context import AppContext
from tenure.kit.db import unit_of_work
from tenure.kit.timeutil import utcnow
from tenure.tracking.traits import upsert_account
from tests.api.test_serve import _free_port, _wait_ready
from tests.cli_runner import run_tenure, tenure_executable
from tests.conftest import api_headers
from tests.tracking.test_api import auth

FRESHNESS_SECONDS = 60


def _get(url: str, headers: dict[str, str]) -> dict[str, object]:
    """The answer's JSON; a timeout (start-up jobs on a busy machine) reads as no answer."""
    try:
        return httpx.get(url, headers=headers, timeout=30).json()  # type: ignore[no-any-return]
    except httpx.TimeoutException:
        return {}


@pytest.mark.slow
def test_a_tracked_event_reaches_the_rollups_within_60_s(
    context: AppContext, env_for: dict[str, str]
) -> None:
    created = run_tenure("sources", "create", "--name", "app", "--json", env=env_for)
    # The account exists before the server starts (as after a group call), so the event
    # waits only for the rollup job, not for the start-up runs of other jobs.
    with unit_of_work(context.sessions) as session:
        upsert_account(session, "acme", {"name": "Acme"})
    key = json.loads(created.stdout)["write_key"]
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [tenure_executable(), "serve", "--jobs", "--host", "127.0.0.1", "--port", str(port)],
        env=env_for, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        _wait_ready(base, server)
        usage = f"{base}/api/v1/accounts/acme/usage"
        viewer = api_headers(context, "viewer")
        # Steady state: the job's first run (due at start) is over, so the event waits for
        # a scheduled run rather than riding on the start-up one.
        deadline = time.monotonic() + FRESHNESS_SECONDS
        while (before := _get(usage, viewer)).get("rollups_refreshed_at") is None:
            assert time.monotonic() < deadline, before
            time.sleep(0.5)
        assert before["events"] == 0
        now = utcnow()
        event = {"userId": "u1", "event": "Report Viewed", "messageId": str(uuid.uuid4()),
                 "timestamp": now.isoformat(), "context": {"groupId": "acme"}}
        sent = time.monotonic()
        # a generous timeout: other jobs' start-up runs share two busy cores
        answer = httpx.post(f"{base}/v1/track", json=event, headers=auth(key), timeout=60)
        assert answer.status_code == 200
        while True:
            found = _get(usage, viewer)
            if found.get("events") == 1:
                break
            assert time.monotonic() - sent < FRESHNESS_SECONDS, found
            time.sleep(0.5)
        waited = time.monotonic() - sent
    finally:
        server.terminate()
        try:
            server.wait(60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    day = next(d for d in found["days"] if d["events"])
    assert (day["date"], day["active_users"]) == (now.date().isoformat(), 1)
    assert found["top_events"] == [{"name": "Report Viewed", "count": 1, "distinct_users": 1}]
    print(f"event in the rollups after {waited:.1f} s")
