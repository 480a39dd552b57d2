"""Acknowledged means stored: `kill -9` a real `tenure serve` right after its 200s."""

from __future__ import annotations

import base64
import json
import signal
import subprocess
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tenure.kit.context import AppContext
from tests.api.test_serve import _free_port, _start, _wait_ready
from tests.cli_runner import run_tenure
from tests.tracking.conftest import stored


def _batches(count: int, size: int) -> list[bytes]:
    return [
        json.dumps({"batch": [
            {"type": "track", "event": "Feature Used", "userId": f"u{i % 7}",
             "messageId": f"b{b}-m{i}", "timestamp": "2025-03-01T10:00:00Z",
             "properties": {"i": i}}
            for i in range(size)
        ]}).encode()
        for b in range(count)
    ]


def _post_all(base: str, key: str, bodies: list[bytes]) -> list[int]:
    auth = "Basic " + base64.b64encode(f"{key}:".encode()).decode()
    with httpx.Client(headers={"Authorization": auth}, timeout=30) as client:
        def post(body: bytes) -> int:
            return client.post(f"{base}/v1/batch", content=body).status_code

        with ThreadPoolExecutor(8) as pool:
            return list(pool.map(post, bodies))


def _stored_ids(context: AppContext) -> list[str]:
    return [row["message_id"] for row in stored(context)]


@pytest.mark.slow
def test_acknowledged_events_survive_kill_9_exactly_once(
    context: AppContext, env_for: dict[str, str]
) -> None:
    created = run_tenure("sources", "create", "--name", "app", "--json", env=env_for)
    assert created.returncode == 0, created.stderr
    key = json.loads(created.stdout)["write_key"]
    bodies = _batches(40, 100)
    port = _free_port()
    process = _start(env_for, port, "--no-jobs")
    try:
        _wait_ready(f"http://127.0.0.1:{port}", process)
        statuses = _post_all(f"http://127.0.0.1:{port}", key, bodies)
        process.send_signal(signal.SIGKILL)  # no shutdown, no checkpoint, no flush
        process.wait(10)
    finally:
        process.kill()
        process.wait()
    assert statuses == [200] * len(bodies)
    acknowledged = sorted(f"b{b}-m{i}" for b in range(40) for i in range(100))
    assert sorted(_stored_ids(context)) == acknowledged

    # restart and replay everything: still each message exactly once
    process = _start(env_for, port, "--no-jobs")
    try:
        _wait_ready(f"http://127.0.0.1:{port}", process)
        assert _post_all(f"http://127.0.0.1:{port}", key, bodies) == [200] * len(bodies)
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    finally:
        process.kill()
        process.wait()
    assert sorted(_stored_ids(context)) == acknowledged
    listed = run_tenure("sources", "list", "--json", env=env_for)
    (source,) = json.loads(listed.stdout)["sources"]
    assert (source["events"], source["unattributed"]) == (4000, 4000)
