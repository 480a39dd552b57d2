"""/openapi.json declares how /api/v1 authenticates (bearer token, or session cookie +
CSRF header for unsafe methods) and the role each route needs; routes outside /api/v1
declare nothing. The roles declared are checked against the real server's answers."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tenure.api.app import create_app
from tenure.kit.context import AppContext
from tests.conftest import api_headers

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
RANK = ["viewer", "csm", "manager", "admin"]


@pytest.fixture
def spec(context: AppContext) -> dict[str, Any]:
    with TestClient(create_app(context, run_jobs=False)) as client:
        answer = client.get("/openapi.json")
    assert answer.status_code == 200
    return answer.json()  # type: ignore[no-any-return]


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(m.upper(), p, op) for p, ops in spec["paths"].items() for m, op in ops.items()]


def test_security_schemes_are_declared(spec: dict[str, Any]) -> None:
    schemes = spec["components"]["securitySchemes"]
    assert schemes["apiToken"] == {
        "type": "http", "scheme": "bearer", "bearerFormat": "tnr_...",
        "description": schemes["apiToken"]["description"],
    }  # fmt: skip
    assert (schemes["sessionCookie"]["in"], schemes["sessionCookie"]["name"]) == ("cookie", "tenure_session")
    assert (schemes["csrfToken"]["in"], schemes["csrfToken"]["name"]) == ("header", "X-CSRF-Token")


def test_every_api_operation_requires_a_token_or_the_session(spec: dict[str, Any]) -> None:
    operations = _operations(spec)
    api = [(m, p, op) for m, p, op in operations if p.startswith("/api/v1/")]
    assert len(api) >= 40
    for method, path, op in api:
        session = {"sessionCookie": []} if method == "GET" else {"sessionCookie": [], "csrfToken": []}
        assert op["security"] == [{"apiToken": []}, session], (method, path)
        assert {"401", "403"} <= set(op["responses"]), (method, path)
        assert op["x-tenure-role"] in RANK, (method, path)
    others = [(m, p) for m, p, op in operations if not p.startswith("/api/v1/") and "security" in op]
    assert others == []  # /healthz, tracking /v1/* (write keys), webhooks: their own rules
    assert "security" not in spec  # no global requirement that would cover those too


def test_declared_roles_match_what_the_server_enforces(
    spec: dict[str, Any], context: AppContext
) -> None:
    roles = {(m, p): op["x-tenure-role"] for m, p, op in _operations(spec) if p.startswith("/api/v1/")}
    assert roles[("GET", "/api/v1/sources")] == "admin"
    assert roles[("PUT", "/api/v1/health/scorecards/{name}")] == "admin"
    assert roles[("POST", "/api/v1/risk/evaluate")] == "manager"
    assert roles[("POST", "/api/v1/tasks")] == "csm" and roles[("GET", "/api/v1/tasks")] == "viewer"
    with TestClient(create_app(context, run_jobs=False)) as client:
        headers = {role: api_headers(context, role) for role in RANK}
        for (method, path), needed in roles.items():
            url = re.sub(r"\{[^}]+\}", "1", path)
            for role in RANK:
                answer = client.request(method, url, headers=headers[role], json={})
                refused = answer.status_code == 403 and "role" in answer.json()["message"]
                assert refused == (RANK.index(role) < RANK.index(needed)), (role, method, path)
