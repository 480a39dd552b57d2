"""Train, score, list and explain through the console script, the jobs and the API, on
SQLite and PostgreSQL, with a synthetic company whose churners open urgent tickets first."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import func, select

from tenure.api.app import create_app
from tenure.kit.context import AppContext
from tenure.models import ChurnModel, ChurnScore
from tenure.worker.registry import load_registry
from tests.conftest import authorized_client
from tests.churn.company import END, write_company
from tests.cli_runner import run_tenure

AS_OF = ("--as-of", END.isoformat())


def test_train_score_show_and_api(context: AppContext, env_for: dict[str, str]) -> None:
    company = write_company(context, accounts=120)
    trained = run_tenure("churn", "train", *AS_OF, "--every", "45", "--json", env=env_for)
    assert trained.returncode == 0, trained.stderr
    model = json.loads(trained.stdout)
    assert model["version"] == 1 and model["is_active"] and model["horizon_days"] == 90
    metrics = model["metrics"]
    # the signal is real and learnable; the backtest never trains on its test period
    assert metrics["model_quality"]["auc"] > 0.8
    assert metrics["train_snapshots"] > 0 and metrics["test_snapshots"] > 0
    assert metrics["cutoff"] < END.isoformat()
    assert "tickets_90d" in model["features"]
    assert (context.settings.home / model["artifact"]).exists()
    lead = metrics["lead_time"]
    assert 0 < lead["flagged"] <= lead["churned"] and 0 <= lead["median_days"] <= 90

    # the daily job scores every account paying on its day, with the active model
    load_registry().get("score-churn").function(context, datetime(2026, 1, 1, 3, tzinfo=UTC))
    paying = sum(1 for day in company.churn_day.values() if day is None)
    with context.sessions() as session:
        scores = session.scalars(select(ChurnScore)).all()
        assert len(scores) == paying
        assert all(0.0 <= s.probability <= 1.0 and s.model_version == 1 for s in scores)
        riskiest = max(scores, key=lambda s: s.probability)
        external = {v: k for k, v in company.ids.items()}[riskiest.account_id]
        assert session.scalar(select(func.count()).select_from(ChurnModel)) == 1

    shown = run_tenure("churn", "show", external, "--json", env=env_for)
    assert shown.returncode == 0, shown.stderr
    document = json.loads(shown.stdout)
    assert document["probability"] == riskiest.probability and document["drivers"]
    assert {"feature", "value", "effect"} <= set(document["drivers"][0])
    listed = run_tenure("churn", "models", "--json", env=env_for)
    assert json.loads(listed.stdout)["models"][0]["version"] == 1
    table = run_tenure("churn", "models", env=env_for)
    assert table.returncode == 0, table.stderr
    assert model["algorithm"] in table.stdout and "Churn models" in table.stdout

    with authorized_client(create_app(context, run_jobs=False), context) as client:
        account = client.get(f"/api/v1/churn/accounts/{external}")
        assert account.status_code == 200 and account.json()["probability"] == riskiest.probability
        assert client.get("/api/v1/churn/accounts/nobody").status_code == 404
        models = client.get("/api/v1/churn/models").json()
        assert models[0]["metrics"]["model_quality"]["auc"] == metrics["model_quality"]["auc"]
        assert client.get("/api/v1/churn/models/active").json()["version"] == 1
        assert client.post("/api/v1/churn/models/9/activate").status_code == 404


def test_score_without_a_model_fails_in_one_line(context: AppContext, env_for: dict[str, str]) -> None:
    write_company(context, accounts=20)
    result = run_tenure("churn", "score", *AS_OF, "--json", env=env_for)
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.strip().splitlines() == [
        "error: no active churn model: run `tenure churn train` first"
    ]


def test_jobs_are_registered() -> None:
    registry = load_registry()
    assert registry.get("train-churn-model").describe_schedule() == "every 7 days"
    assert registry.get("score-churn").describe_schedule() == "every 1 day"
