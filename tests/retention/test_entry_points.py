"""`tenure retention ...` through the real console script, and the API routes."""

from __future__ import annotations

import json

import pytest

from tenure.api.app import create_app
from tenure.kit.context import AppContext
from tests.conftest import authorized_client
from tests.cli_runner import run_tenure
from tests.retention.ledgers import ANNUAL, ANNUAL_SEGMENTS, MONTHLY, MONTHLY_SEGMENTS, write

REGULAR = "1000,631,468,382,326,289,262,241"
CONTRACT_KEYS = {"gamma", "delta", "log_likelihood", "survival", "retention", "derl"}


def check_regular(document: dict) -> None:
    assert CONTRACT_KEYS <= set(document)
    assert (round(document["gamma"], 3), round(document["delta"], 3)) == (0.704, 1.182)
    assert [round(100 * s, 1) for s in document["survival"][8:]] == [22.0, 20.4, 19.1, 18.0, 17.0]
    assert len(document["survival"]) == 13 and len(document["retention"]) == 12
    assert document["survival"][0] == 1.0
    assert round(document["derl"]["0"], 3) == 2.964
    assert round(document["derl"]["n"], 3) == round(document["derl"]["7"], 3) == 6.842


def test_sbg_cli_prints_the_contract_json(env_for: dict[str, str]) -> None:
    result = run_tenure("retention", "sbg", "--survivors", REGULAR, "--json", env=env_for)
    assert result.returncode == 0, result.stderr
    check_regular(json.loads(result.stdout))
    shorter = run_tenure("retention", "sbg", "--survivors", REGULAR, "--horizon", "2",
                         "--discount", "0.2", "--json", env=env_for)  # fmt: skip
    document = json.loads(shorter.stdout)
    assert len(document["survival"]) == 10 and document["discount"] == 0.2
    assert document["derl"]["0"] < 2.964
    table = run_tenure("retention", "sbg", "--survivors", REGULAR, env=env_for)
    assert table.returncode == 0 and "22.0%" in table.stdout and "6.842" in table.stdout


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (("--survivors", "1000,1200,900"), "error: survivors: must not increase"),
        (("--survivors", "1000,abc,3"), "error: survivors: S(1) must be a positive integer"),
        (("--survivors", "1000,600"), "error: survivors: need at least 3 counts"),
        (("--survivors", REGULAR, "--discount", "-1"), "error: discount: must be a finite rate"),
        (("--survivors", REGULAR, "--horizon", "-2"), "error: horizon: must be 0..1000"),
        ((), "error: sbg: give exactly one of --survivors"),
    ],
)
def test_sbg_cli_rejects_bad_input_in_one_line(
    env_for: dict[str, str], args: tuple[str, ...], reason: str
) -> None:
    result = run_tenure("retention", "sbg", *args, "--json", env=env_for)
    assert result.returncode == 1 and result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(reason), result.stderr


def test_cohorts_and_survival_cli(context: AppContext, env_for: dict[str, str]) -> None:
    write(context, MONTHLY, MONTHLY_SEGMENTS)
    result = run_tenure("retention", "cohorts", "--from", "2025-01", "--to", "2025-04",
                        "--json", env=env_for)  # fmt: skip
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert (document["from"], document["to"], document["by"]) == ("2025-01", "2025-04", None)
    january = document["cohorts"][0]
    assert (january["cohort"], january["customers"], january["start_mrr"]) == ("2025-01", 3, 250.0)
    assert [a["revenue_retention"] for a in january["ages"]] == [1.0, 0.6, 0.4, 0.44]
    table = run_tenure("retention", "cohorts", "--from", "2025-01", "--to", "2025-04",
                       "--by", "segment", "--engine", "database", env=env_for)  # fmt: skip
    assert table.returncode == 0 and "150.0%" in table.stdout, table.stderr
    survival = run_tenure("retention", "survival", "--as-of", "2025-06", "--json", env=env_for)
    curve = json.loads(survival.stdout)["curves"][0]
    assert (curve["customers"], curve["churned"], curve["median_months"]) == (6, 3, 3.0)
    people = run_tenure("retention", "survival", "--as-of", "2025-06", "--by", "segment", env=env_for)
    assert people.returncode == 0 and "Kaplan-Meier, smb" in people.stdout, people.stderr


def test_sbg_cohort_cli(context: AppContext, env_for: dict[str, str]) -> None:
    write(context, ANNUAL, ANNUAL_SEGMENTS)
    result = run_tenure("retention", "sbg", "--cohort", "2021", "--by", "segment",
                        "--as-of", "2024-12", "--json", env=env_for)  # fmt: skip
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    groups = {g["group"]: g for g in document["groups"]}
    assert groups["smb"]["survivors"] == [6, 4, 2, 1]
    assert CONTRACT_KEYS <= set(groups["smb"]["model"])
    bad = run_tenure("retention", "sbg", "--survivors", REGULAR, "--cohort", "2021", env=env_for)
    assert bad.returncode == 1 and "exactly one of" in bad.stderr


def test_api_routes(context: AppContext) -> None:
    write(context, MONTHLY, MONTHLY_SEGMENTS)
    app = create_app(context, run_jobs=False)
    with authorized_client(app, context) as client:
        sbg = client.get("/api/v1/retention/sbg", params={"survivors": REGULAR})
        assert sbg.status_code == 200, sbg.text
        check_regular(sbg.json())
        bad = client.get("/api/v1/retention/sbg", params={"survivors": "5,6,1"})
        assert bad.status_code == 422 and "must not increase" in bad.json()["message"]
        cohorts = client.get("/api/v1/retention/cohorts",
                             params={"from": "2025-01", "to": "2025-04", "by": "segment"})  # fmt: skip
        assert cohorts.status_code == 200, cohorts.text
        assert {c["group"] for c in cohorts.json()["cohorts"]} == {"smb", "ent", "(none)"}
        survival = client.get("/api/v1/retention/survival", params={"as_of": "2025-06"})
        assert survival.json()["curves"][0]["median_months"] == 3.0
        too_early = client.get("/api/v1/retention/sbg/cohort", params={"cohort": 2025})
        assert too_early.status_code == 422
        paths = client.get("/openapi.json").json()["paths"]
        assert {"/api/v1/retention/sbg", "/api/v1/retention/sbg/cohort",
                "/api/v1/retention/cohorts", "/api/v1/retention/survival"} <= set(paths)  # fmt: skip
