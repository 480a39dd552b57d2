"""Benchmark: the tracking API (`POST /v1/batch`) against the event store's raw append.

Starts a real `tenure serve` (SQLite operational DB, DuckDB event store in a temp folder),
creates a source, then PROCS client processes each keep CONNS keep-alive httpx
connections busy with batches of 100 track events (pre-built JSON, distinct messageIds,
context.groupId set). Every 200 means the events were committed (group commit). Reports
events/s over the whole run and p50/p99 batch latency, then in the same run appends the
same events to a fresh DuckDB store in one `append` (the raw bulk write) and prints the
ratio HTTP/raw. Finally checks that every event was stored exactly once.

    .venv/bin/python benchmarks/ingest_http.py [--events 400000] [--procs 4] [--conns 16]
"""

from __future__ import annotations

import argparse
import base64
import json
import multiprocessing as mp
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import pyarrow as pa

BATCH = 100


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def message(proc: int, batch: int, i: int) -> dict[str, object]:
    return {
        "type": "track", "event": f"feature_{i % 25}", "userId": f"user-{(batch * 7 + i) % 5000}",
        "messageId": f"p{proc}-b{batch}-m{i}", "timestamp": "2025-03-01T10:00:00.000Z",
        "context": {"groupId": f"acc-{(batch + i) % 500}",
                    "library": {"name": "analytics-python", "version": "2.3.4"}},
        "properties": {"plan": "pro", "seconds": i * 3, "path": "/reports/churn"},
    }


def bodies(proc: int, batches: int) -> list[bytes]:
    return [json.dumps({"batch": [message(proc, b, i) for i in range(BATCH)]}).encode()
            for b in range(batches)]


async def _raw_connection(host: str, port: int, requests: list[bytes],
                          latencies: list[float]) -> int:
    """Send pre-built HTTP/1.1 requests one after another on one keep-alive connection;
    the number of non-200 answers."""
    import asyncio

    reader, writer = await asyncio.open_connection(host, port)
    failures = 0
    try:
        for request in requests:
            started = time.perf_counter()
            writer.write(request)
            status = int((await reader.readline()).split()[1])
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            failures += status != 200
    finally:
        writer.close()
    return failures


def raw_client_process(proc: int, batches: int, conns: int, base: str, key: str,
                       barrier: mp.Barrier, out: mp.Queue) -> None:  # type: ignore[type-arg]
    """A lean client (asyncio streams, requests serialised before the clock starts), so
    that the client processes leave the 2 cores to the server as far as possible."""
    import asyncio

    host, port = base.removeprefix("http://").split(":")
    auth = base64.b64encode(f"{key}:".encode()).decode()
    requests = [
        (f"POST /v1/batch HTTP/1.1\r\nHost: {host}\r\nAuthorization: Basic {auth}\r\n"
         f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode()
        + body
        for body in bodies(proc, batches)
    ]
    latencies: list[float] = []

    async def run() -> int:
        found = await asyncio.gather(*(
            _raw_connection(host, int(port), requests[c::conns], latencies) for c in range(conns)
        ))
        return sum(found)

    barrier.wait()
    failures = asyncio.run(run())
    out.put((latencies, failures))


def client_process(proc: int, batches: int, conns: int, base: str, key: str,
                   barrier: mp.Barrier, out: mp.Queue) -> None:  # type: ignore[type-arg]
    todo = bodies(proc, batches)
    auth = "Basic " + base64.b64encode(f"{key}:".encode()).decode()
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    limits = httpx.Limits(max_connections=conns, max_keepalive_connections=conns)
    with httpx.Client(headers={"Authorization": auth, "Content-Type": "application/json"},
                      timeout=60, limits=limits) as client:
        def worker(slice_: list[bytes]) -> None:
            mine = []
            for body in slice_:
                started = time.perf_counter()
                status = client.post(f"{base}/v1/batch", content=body).status_code
                mine.append(time.perf_counter() - started)
                if status != 200:
                    with lock:
                        failures[0] += 1
            with lock:
                latencies.extend(mine)

        threads = [threading.Thread(target=worker, args=(todo[c::conns],)) for c in range(conns)]
        barrier.wait()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    out.put((latencies, failures[0]))


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


SERVER_CPU: list[float] = []
LOAD: list[float] = []  # CPU seconds the server spent during the timed run


def run_http(home: Path, total: int, procs: int, conns: int,
             client: str) -> tuple[float, list[float], int]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TENURE_")}
    env["TENURE_HOME"] = str(home)
    tenure = str(Path(sys.executable).parent / "tenure")
    subprocess.run([tenure, "init"], env=env, check=True, capture_output=True)
    created = subprocess.run([tenure, "sources", "create", "--name", "bench", "--json"],
                             env=env, check=True, capture_output=True, text=True)
    key = json.loads(created.stdout)["write_key"]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([tenure, "serve", "--no-jobs", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("tenure serve did not start")
            time.sleep(0.1)
        batches = total // BATCH // procs
        barrier = mp.Barrier(procs + 1)
        out: mp.Queue = mp.Queue()  # type: ignore[type-arg]
        target = raw_client_process if client == "raw" else client_process
        workers = [mp.Process(target=target,
                              args=(p, batches, conns, base, key, barrier, out))
                   for p in range(procs)]
        for worker in workers:
            worker.start()
        barrier.wait()
        cpu_before = cpu_seconds(server.pid)
        started = time.perf_counter()
        results = [out.get() for _ in workers]
        elapsed = time.perf_counter() - started
        SERVER_CPU.append(cpu_seconds(server.pid) - cpu_before)
        for worker in workers:
            worker.join()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(60)
    latencies = [lat for lats, _ in results for lat in lats]
    failures = sum(f for _, f in results)
    return batches * procs * BATCH / elapsed, latencies, failures


def event_table(total: int, procs: int) -> pa.Table:
    from datetime import UTC, datetime

    from tenure.usage.store import EVENT_SCHEMA

    now = datetime.now(UTC)
    when = datetime(2025, 3, 1, 10, tzinfo=UTC)
    rows: dict[str, list[object]] = {name: [] for name in EVENT_SCHEMA.names}
    for p in range(procs):
        for b in range(total // BATCH // procs):
            for i in range(BATCH):
                m = message(p, b, i)
                rows["message_id"].append(m["messageId"])
                rows["source"].append("bench")
                rows["event_time"].append(when)
                rows["received_at"].append(now)
                rows["account_external_id"].append(m["context"]["groupId"])  # type: ignore[index]
                rows["user_id"].append(m["userId"])
                rows["event"].append(m["event"])
                rows["properties"].append(json.dumps(m["properties"]))
    return pa.table(rows, schema=EVENT_SCHEMA)


def run_raw(folder: Path, table: pa.Table) -> float:
    from tenure.usage.store import open_event_store

    store = open_event_store(f"duckdb:///{folder / 'raw.duckdb'}")
    store.ensure_schema()
    started = time.perf_counter()
    store.append(table)
    return table.num_rows / (time.perf_counter() - started)


def stored_count(home: Path) -> tuple[int, int]:
    import duckdb

    with duckdb.connect(str(home / "events.duckdb"), read_only=True) as connection:
        ((count, distinct),) = connection.execute(
            "SELECT count(*), count(DISTINCT message_id) FROM events").fetchall()
    return int(count), int(distinct)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=400_000)
    parser.add_argument("--procs", type=int, default=4)
    parser.add_argument("--conns", type=int, default=16, help="connections per process")
    parser.add_argument("--client", choices=("raw", "httpx"), default="raw",
                        help="raw: pre-built requests on asyncio streams (lean); httpx: "
                        "an httpx.Client per process with a thread per connection")
    args = parser.parse_args()
    LOAD.append(os.getloadavg()[0])
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        rate, latencies, failures = run_http(folder / "home", args.events, args.procs,
                                             args.conns, args.client)
        stored, distinct = stored_count(folder / "home")
        cuts = statistics.quantiles(latencies, n=100)
        raw = run_raw(folder, event_table(args.events, args.procs))
    sent = len(latencies) * BATCH
    print(f"HTTP /v1/batch: {sent} events in batches of {BATCH}, {args.procs} {args.client} "
          f"client processes x {args.conns} connections, {failures} non-200")
    print(f"  {rate:,.0f} events/s; batch latency p50 {cuts[49] * 1000:.1f} ms, "
          f"p99 {cuts[98] * 1000:.1f} ms")
    print(f"  server CPU {SERVER_CPU[0]:.2f} s = {SERVER_CPU[0] / sent * 1e6:.1f} us per event "
          f"({sent / SERVER_CPU[0]:,.0f} events per server CPU-second); load average "
          f"before the run {LOAD[0]:.2f}")
    print(f"  stored {stored} rows, {distinct} distinct messageIds (sent {sent})")
    print(f"raw DuckDB append of the same events (one batch): {raw:,.0f} events/s")
    print(f"ratio HTTP / raw append: {rate / raw:.3f}")


if __name__ == "__main__":
    main()
