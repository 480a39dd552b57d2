"""Benchmark: the tracking API (`POST /v1/batch`) against the event store's raw append.

Starts a real `tenure serve` (SQLite operational DB, DuckDB event store in a temp folder),
creates a source, then PROCS client processes each keep CONNS keep-alive connections busy
with batches of 100 track events (pre-built JSON, distinct messageIds and timestamps,
context.groupId set). Every 200 means the events were committed (group commit). Reports
events/s over the whole run, p50/p99 batch latency and the server process's CPU time per
event (user + system, DuckDB's threads included: far less sensitive to the neighbours'
load than events/s). Runs RUNS times and prints the medians; then appends the same events
to a fresh DuckDB store in one `append` (the raw bulk write) and prints the ratio
HTTP/raw. Checks that every event was stored exactly once.

`--baseline-src DIR` serves the same runs alternately from another source tree as well
(e.g. `git archive fbfeba4 src | tar -x -C /tmp/base`, then `--baseline-src
/tmp/base/src`), so old and new code are compared under the same load.

    .venv/bin/python benchmarks/ingest_http.py [--events 400000] [--procs 4] [--conns 16]
        [--runs 3] [--baseline-src DIR]
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
from dataclasses import dataclass
from pathlib import Path

import httpx
import pyarrow as pa

BATCH = 100


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def timestamp(proc: int, batch: int, i: int) -> str:
    """A distinct millisecond per message, as an SDK's batch has."""
    ms = (proc * 1_000_003 + batch * 100 + i) * 7
    return f"2025-03-01T{ms // 3_600_000 % 24:02d}:{ms // 60_000 % 60:02d}:" \
        f"{ms // 1000 % 60:02d}.{ms % 1000:03d}Z"


def message(proc: int, batch: int, i: int) -> dict[str, object]:
    return {
        "type": "track", "event": f"feature_{i % 25}", "userId": f"user-{(batch * 7 + i) % 5000}",
        "messageId": f"p{proc}-b{batch}-m{i}", "timestamp": timestamp(proc, batch, i),
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


@dataclass
class Run:
    """One timed run against one server."""

    code: str  # "this tree" or the baseline's source folder
    rate: float  # events/s
    p50_ms: float
    p99_ms: float
    cpu_us: float  # server CPU per event
    load: float  # 1-minute load average before the run
    failures: int
    stored: int
    distinct: int
    sent: int


def _start_server(home: Path, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str, str]:
    """`tenure init`, a source, and a running `tenure serve`: (process, base URL, key)."""
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
    deadline = time.monotonic() + 180  # the app imports a lot; the machine may be busy
    while True:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return server, base, key
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline or server.poll() is not None:
            server.kill()
            raise SystemExit("tenure serve did not start")
        time.sleep(0.1)


def run_http(home: Path, args: argparse.Namespace, source: str | None) -> Run:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TENURE_")}
    if source:
        env["PYTHONPATH"] = source
    load = os.getloadavg()[0]
    server, base, key = _start_server(home, env)
    try:
        batches = args.events // BATCH // args.procs
        barrier = mp.Barrier(args.procs + 1)
        out: mp.Queue = mp.Queue()  # type: ignore[type-arg]
        target = raw_client_process if args.client == "raw" else client_process
        workers = [mp.Process(target=target,
                              args=(p, batches, args.conns, base, key, barrier, out))
                   for p in range(args.procs)]
        for worker in workers:
            worker.start()
        barrier.wait()
        cpu_before = cpu_seconds(server.pid)
        started = time.perf_counter()
        results = [out.get() for _ in workers]
        elapsed = time.perf_counter() - started
        cpu = cpu_seconds(server.pid) - cpu_before
        for worker in workers:
            worker.join()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(60)
    latencies = [lat for lats, _ in results for lat in lats]
    cuts = statistics.quantiles(latencies, n=100)
    sent = len(latencies) * BATCH
    return Run(source or "this tree", sent / elapsed, cuts[49] * 1000, cuts[98] * 1000,
               cpu / sent * 1e6, load, sum(f for _, f in results), *stored_count(home), sent)


def event_table(total: int, procs: int) -> pa.Table:
    from datetime import UTC, datetime

    from tenure.usage.store import EVENT_SCHEMA

    now = datetime.now(UTC)
    rows: dict[str, list[object]] = {name: [] for name in EVENT_SCHEMA.names}
    for p in range(procs):
        for b in range(total // BATCH // procs):
            for i in range(BATCH):
                m = message(p, b, i)
                rows["message_id"].append(m["messageId"])
                rows["source"].append("bench")
                rows["event_time"].append(datetime.fromisoformat(str(m["timestamp"])))
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


def report(runs: list[Run], args: argparse.Namespace) -> None:
    print(f"HTTP /v1/batch: {runs[0].sent} events a run in batches of {BATCH}, {args.procs} "
          f"{args.client} client processes x {args.conns} connections")
    for run in runs:
        print(f"  {run.code:>16}: {run.rate:>7,.0f} events/s, p50 {run.p50_ms:6.1f} ms, "
              f"p99 {run.p99_ms:7.1f} ms, server CPU {run.cpu_us:5.1f} us/event, load "
              f"{run.load:5.2f}; {run.failures} non-200, stored {run.stored} rows, "
              f"{run.distinct} distinct messageIds")
    for code in dict.fromkeys(run.code for run in runs):
        mine = [run for run in runs if run.code == code]
        rate = statistics.median(run.rate for run in mine)
        cpu = statistics.median(run.cpu_us for run in mine)
        print(f"median of {len(mine)}, {code}: {rate:,.0f} events/s, server CPU {cpu:.1f} "
              f"us/event ({1e6 / cpu:,.0f} events per server CPU-second), p50 "
              f"{statistics.median(r.p50_ms for r in mine):.1f} ms, p99 "
              f"{statistics.median(r.p99_ms for r in mine):.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=400_000)
    parser.add_argument("--procs", type=int, default=4)
    parser.add_argument("--conns", type=int, default=16, help="connections per process")
    parser.add_argument("--runs", type=int, default=3, help="timed runs (medians printed)")
    parser.add_argument("--baseline-src", default=None, metavar="DIR",
                        help="also serve every run from this source tree (PYTHONPATH)")
    parser.add_argument("--client", choices=("raw", "httpx"), default="raw",
                        help="raw: pre-built requests on asyncio streams (lean); httpx: "
                        "an httpx.Client per process with a thread per connection")
    args = parser.parse_args()
    sources = [None] + ([args.baseline_src] if args.baseline_src else [])
    runs: list[Run] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for number in range(args.runs):
            for source in sources:
                runs.append(run_http(folder / f"home-{number}-{len(runs)}", args, source))
        raw = run_raw(folder, event_table(args.events, args.procs))
    report(runs, args)
    mine = statistics.median(run.rate for run in runs if run.code == "this tree")
    print(f"raw DuckDB append of the same events (one batch): {raw:,.0f} events/s")
    print(f"ratio HTTP (median, this tree) / raw append: {mine / raw:.3f}")
    print(f"target 50,000 events/s: {'met' if mine >= 50_000 else 'NOT met'} "
          f"(median {mine:,.0f})")


if __name__ == "__main__":
    main()
