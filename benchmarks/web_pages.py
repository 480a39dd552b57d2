"""Benchmark: server time of the portfolio and account 360 pages against the JSON API.

Against an existing demo company (make one with `tenure demo --accounts 20000
--no-serve`, then `tenure health score` and `tenure usage rollup`), signed in as the
demo CSM, requests go through the real ASGI app in-process (Starlette's TestClient: no
network, so the time is the server's plus a small client overhead), side by side with
a baseline in the same run:

1. portfolio    `/portfolio` with a rotation of filters and sorts (50 rows a page)
                vs `/api/v1/accounts?limit=50` (the same number of accounts as JSON,
                with their MRR and ARR, no health, churn, renewal or trend)
2. account 360  `/accounts/{id}` for a sample of accounts (everything but the usage
                panel, which the page loads over HTMX once shown)
                vs `/api/v1/accounts/{id}` (the account with MRR, ARR and counts)
3. usage panel  `/accounts/{id}/usage` (three event-store reads, charts)
                vs `/api/v1/accounts/{id}/usage` (the same reads as JSON)

Prints p50 and p95 of each and the ratios of the p50s.

    .venv/bin/python benchmarks/web_pages.py --home /tmp/bench20k [--requests 200]
        [--email csm@demo.tenure.dev] [--password demo-csm]
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from tenure.api.app import create_app
from tenure.config import Settings
from tenure.kit.context import AppContext
from tenure.kit.db import unit_of_work
from tenure.models import Account

PORTFOLIO_QUERIES = [
    "", "sort=-arr", "grade=red", "renewal=90&sort=renewal", "owner=me", "segment=enterprise",
    "sort=-churn", "page=20", "stage=renewal&grade=yellow", "q=co",
]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def timed(client: TestClient, paths: list[str], count: int) -> list[float]:
    seconds = []
    for index in range(count):
        path = paths[index % len(paths)]
        started = time.perf_counter()
        response = client.get(path)
        seconds.append(time.perf_counter() - started)
        assert response.status_code == 200, (path, response.status_code, response.text[:300])
    return seconds


def sign_in(client: TestClient, email: str, password: str) -> None:
    form = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
    response = client.post("/login", data={"email": email, "password": password,
                                           "csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303, "sign-in failed: is this a demo company?"


def sample_accounts(context: AppContext, count: int) -> list[str]:
    with unit_of_work(context.sessions) as session:
        ids = list(session.scalars(select(Account.external_id)))
    print(f"{len(ids):,} accounts")
    return random.Random(7).sample(ids, min(count, len(ids)))


def report(name: str, page: list[float], base: list[float]) -> None:
    def ms(values: list[float], share: float) -> float:
        return 1000 * percentile(values, share)

    print(f"{name:12} page p50 {ms(page, .5):7.1f} ms  p95 {ms(page, .95):7.1f} ms | "
          f"baseline p50 {ms(base, .5):6.1f} ms  p95 {ms(base, .95):6.1f} ms | "
          f"ratio p50 {statistics.median(page) / statistics.median(base):4.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--home", type=Path, required=True)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--email", default="csm@demo.tenure.dev")
    parser.add_argument("--password", default="demo-csm")
    args = parser.parse_args()
    context = AppContext(Settings(home=args.home, run_jobs_in_serve=False))
    accounts = sample_accounts(context, 50)
    app = create_app(context, run_jobs=False)
    with TestClient(app) as client:
        sign_in(client, args.email, args.password)
        runs: list[tuple[str, list[str], list[str]]] = [
            ("portfolio", [f"/portfolio?{q}" for q in PORTFOLIO_QUERIES],
             ["/api/v1/accounts?limit=50&offset=" + str(50 * i) for i in range(10)]),
            ("account 360", [f"/accounts/{a}" for a in accounts],
             [f"/api/v1/accounts/{a}" for a in accounts]),
            ("usage panel", [f"/accounts/{a}/usage" for a in accounts],
             [f"/api/v1/accounts/{a}/usage" for a in accounts]),
        ]
        for name, pages, baseline in runs:
            timed(client, pages[:10], 10), timed(client, baseline[:10], 10)  # warm up
            count = min(args.requests, 40) if name == "usage panel" else args.requests
            page_times = timed(client, pages, count)
            base_times = timed(client, baseline, count)
            report(name, page_times, base_times)
    context.close()


if __name__ == "__main__":
    main()
