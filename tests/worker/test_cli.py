"""`tenure jobs list | run | history` through the real console script."""

from __future__ import annotations

import json

from tests.cli_runner import run_tenure


def test_list_run_and_history(env_for: dict[str, str]) -> None:
    listed = run_tenure("jobs", "list", "--json", env=env_for)
    assert listed.returncode == 0, listed.stderr
    jobs = {job["name"]: job for job in json.loads(listed.stdout)["jobs"]}
    vacuum = jobs["vacuum-job-history"]
    assert vacuum["schedule"] == "every 1 day"
    assert vacuum["last_run"] is None and vacuum["next_due"]

    ran = run_tenure("jobs", "run", "vacuum-job-history", env=env_for)
    assert ran.returncode == 0, ran.stderr
    assert "succeeded" in ran.stderr and ran.stdout == ""

    ran_json = run_tenure("jobs", "run", "vacuum-job-history", "--json", env=env_for)
    record = json.loads(ran_json.stdout)
    assert record["status"] == "succeeded" and record["attempt"] == 1

    history = run_tenure("jobs", "history", "--job", "vacuum-job-history", "--json", env=env_for)
    runs = json.loads(history.stdout)["runs"]
    assert [run["status"] for run in runs] == ["succeeded", "succeeded"]
    assert runs[0]["id"] == record["id"]  # newest first
    assert set(runs[0]) >= {"job", "scheduled_for", "attempt", "started_at", "finished_at",
                            "duration_seconds", "error", "worker"}

    limited = run_tenure("jobs", "history", "--limit", "1", "--json", env=env_for)
    assert len(json.loads(limited.stdout)["runs"]) == 1

    relisted = json.loads(run_tenure("jobs", "list", "--json", env=env_for).stdout)["jobs"]
    last = {job["name"]: job for job in relisted}["vacuum-job-history"]["last_run"]
    assert last["id"] == record["id"]

    table = run_tenure("jobs", "list", env=env_for)
    assert table.returncode == 0 and "vacuum-job-history" in table.stderr


def test_unknown_job_fails_with_one_line(env_for: dict[str, str]) -> None:
    for args in (("jobs", "run", "nope"), ("jobs", "history", "--job", "nope")):
        result = run_tenure(*args, env=env_for)
        assert result.returncode == 1
        (line,) = result.stderr.strip().splitlines()
        # Other domains register jobs too: the message lists every one.
        assert line.startswith("error: no job named 'nope' (known jobs: vacuum-job-history")
