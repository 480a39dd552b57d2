"""`tenure health ...` through the real console script and /api/v1/health, both databases."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

from tenure.api.app import create_app
from tenure.api.deps import get_today
from tenure.kit.context import AppContext
from tests.conftest import authorized_client
from tests.cli_runner import run_tenure
from tests.health.factory import AS_OF, seed


@pytest.fixture
def seeded(context: AppContext) -> AppContext:
    seed(context)
    context.close()  # the console script opens the DuckDB file itself
    return context


def test_cli_score_json_contract_shape(seeded: AppContext, env_for: dict[str, str]) -> None:
    done = run_tenure("health", "score", "--as-of", AS_OF.isoformat(), "--json", env=env_for)
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert document["as_of"] == "2025-06-30"
    accounts = {a["external_id"]: a for a in document["accounts"]}
    assert set(accounts) == {"acc-1", "acc-2", "acc-3"}
    for account in accounts.values():
        assert {"external_id", "score", "grade", "scorecard", "measures"} <= set(account)
        for m in account["measures"]:
            assert {"name", "value", "score", "weight", "contribution"} <= set(m)
    assert accounts["acc-2"]["score"] == pytest.approx(32.5)
    assert accounts["acc-3"]["score"] is None and accounts["acc-3"]["grade"] is None

    shown = run_tenure("health", "show", "acc-2", "--as-of", "2025-06-30", "--json", env=env_for)
    assert shown.returncode == 0, shown.stderr
    body = json.loads(shown.stdout)
    assert body["score"] == pytest.approx(32.5) and body["pulling_down"] == "seat_utilisation"
    human = run_tenure("health", "show", "acc-2", "--as-of", "2025-06-30", env=env_for)
    assert "seat_utilisation" in human.stdout and "32.5" in human.stdout

    changes = run_tenure("health", "changes", "--as-of", "2025-06-30", "--json", env=env_for)
    assert json.loads(changes.stdout)["as_of"] == "2025-06-30"


def test_cli_rescore_and_errors(seeded: AppContext, env_for: dict[str, str], tmp_path: Path) -> None:
    done = run_tenure("health", "rescore", "--from", "2025-06-29", "--to", "2025-06-30", "--json",
                      env=env_for)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"start": "2025-06-29", "end": "2025-06-30", "days": 2,
                                       "snapshots": 6}  # fmt: skip
    bad = run_tenure("health", "score", "--as-of", "2025-02-30", env=env_for)
    assert bad.returncode != 0 and bad.stdout == ""
    assert bad.stderr.strip() == "error: --as-of: '2025-02-30' is not a date (YYYY-MM-DD)"
    missing = run_tenure("health", "show", "nope", env=env_for)
    assert missing.returncode != 0 and "account 'nope' not found" in missing.stderr


def test_cli_scorecards(seeded: AppContext, env_for: dict[str, str], tmp_path: Path) -> None:
    listed = json.loads(run_tenure("health", "scorecards", "list", "--json", env=env_for).stdout)
    assert [c["name"] for c in listed["scorecards"]][-1] == "default"
    shown = run_tenure("health", "scorecards", "show", "tech_touch", env=env_for)
    card = yaml.safe_load(shown.stdout)
    card["groups"][0]["measures"][0]["curve"] = [[0, 0], [0.2, 100]]
    path = tmp_path / "tech_touch.yaml"
    path.write_text(yaml.safe_dump(card))
    assert run_tenure("health", "scorecards", "validate", str(path), env=env_for).returncode == 0
    saved = run_tenure("health", "scorecards", "save", str(path), "--json", env=env_for)
    assert json.loads(saved.stdout) == {"name": "tech_touch", "version": 2}
    card["groups"][1]["weight"] = -1
    path.write_text(yaml.safe_dump(card))
    bad = run_tenure("health", "scorecards", "validate", str(path), env=env_for)
    assert bad.returncode != 0
    assert bad.stderr.strip() == (f"error: {path}: groups[1].weight: Input should be greater than 0")


@pytest.fixture
def client(context: AppContext) -> Iterator[TestClient]:
    seed(context)
    app = create_app(context, run_jobs=False)
    app.dependency_overrides[get_today] = lambda: AS_OF
    with authorized_client(app, context) as test_client:
        yield test_client


def test_api(client: TestClient) -> None:
    scored = client.post("/api/v1/health/score").json()
    assert scored["accounts"] == 3 and scored["grades"]["red"] >= 1
    listing = client.get("/api/v1/health/scores", params={"grade": "red"}).json()
    assert listing["as_of"] == "2025-06-30"
    assert "acc-2" in [i["external_id"] for i in listing["items"]]
    assert all(i["grade"] == "red" for i in listing["items"])
    everyone = client.get("/api/v1/health/scores", params={"limit": 2}).json()
    assert everyone["total"] == 3 and len(everyone["items"]) == 2
    scores = [i["score"] for i in everyone["items"]]
    assert scores == sorted(scores) and None not in scores  # lowest first, unscored last
    rest = client.get("/api/v1/health/scores", params={"limit": 2, "offset": 2}).json()
    assert [i["external_id"] for i in rest["items"]] == ["acc-3"]
    below = client.get("/api/v1/health/scores", params={"below": 33}).json()
    assert [i["external_id"] for i in below["items"]] == ["acc-2"]
    account = client.get("/api/v1/health/accounts/acc-2").json()
    assert account["score"] == pytest.approx(32.5) and len(account["history"]) == 1
    assert client.get("/api/v1/health/accounts/nope").status_code == 404
    assert client.get("/api/v1/health/changes", params={"days": 7}).status_code == 200


def test_api_scorecards_put_and_preview(client: TestClient) -> None:
    names = [c["name"] for c in client.get("/api/v1/health/scorecards").json()]
    assert names[-1] == "default"
    card = client.get("/api/v1/health/scorecards/tech_touch").json()
    # unused seats no longer cost anything: acc-2 scores 100 on seat_utilisation
    lenient = json.loads(json.dumps(card))
    lenient["groups"][0]["measures"][0]["curve"] = [[0, 100], [1, 100]]
    preview = client.post("/api/v1/health/scorecards/tech_touch/preview", json=lenient).json()
    assert preview["accounts"] == 2  # the smb accounts acc-2 and acc-3 (not scored)
    assert preview["before"]["grades"]["red"] >= 1
    assert preview["after"]["scored"] == preview["before"]["scored"] == 2
    assert sum(b["accounts"] for b in preview["after"]["histogram"]) == 2
    assert client.get("/api/v1/health/scorecards/tech_touch").json()["version"] == 1  # unsaved

    saved = client.put("/api/v1/health/scorecards/tech_touch", json=lenient)
    assert saved.status_code == 200 and saved.json()["version"] == 2
    old = client.get("/api/v1/health/scorecards/tech_touch", params={"version": 1}).json()
    assert old["groups"][0]["measures"][0]["curve"] == card["groups"][0]["measures"][0]["curve"]
    client.post("/api/v1/health/score")
    acc2 = client.get("/api/v1/health/accounts/acc-2").json()
    assert acc2["score"] == pytest.approx((100 * 50 + 100 * 15 + 220 / 3 * 15) / 80)
    assert acc2["scorecard_version"] == 2

    lenient["groups"][0]["measures"][1]["measure"] = "nope"
    refused = client.put("/api/v1/health/scorecards/tech_touch", json=lenient)
    assert refused.status_code == 422
    assert refused.json()["message"].startswith("body: groups[0].measures[1].measure: unknown measure")
    other = client.put("/api/v1/health/scorecards/other", json=card)
    assert other.status_code == 422 and "differs from 'other'" in other.json()["message"]
