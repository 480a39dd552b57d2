"""`tenure demo` through the real console script, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import duckdb
from sqlalchemy import create_engine, func, select

from tenure.models import (
    Account,
    Activity,
    Contact,
    Invoice,
    MarketingSpend,
    OnboardingMilestone,
    SubscriptionTerm,
    SurveyResponse,
    Task,
    Ticket,
    User,
)
from tenure.usage.duckdb_store import duckdb_path
from tests.cli_runner import run_tenure

ARGS = ("demo", "--accounts", "60", "--no-serve", "--no-engine", "--as-of", "2026-06-30")
TABLES = (User, Account, Contact, SubscriptionTerm, Invoice, MarketingSpend, Ticket,
          SurveyResponse, Activity, Task, OnboardingMilestone)


def _database_digest(url: str) -> dict[str, tuple[int, str]]:
    engine = create_engine(url)
    digest = {}
    with engine.connect() as connection:
        for model in TABLES:
            rows = connection.execute(select(model.__table__).order_by(model.id)).all()
            text = "\n".join(repr(tuple(row)) for row in rows)
            digest[model.__tablename__] = (len(rows), hashlib.sha256(text.encode()).hexdigest())
    engine.dispose()
    return digest


def _events_digest(url: str) -> tuple[int, int, int]:
    with duckdb.connect(str(duckdb_path(url)), read_only=True) as connection:
        (row,) = connection.execute(
            "SELECT count(*), count(DISTINCT message_id), sum(hash(message_id, event, "
            "account_external_id, user_id, epoch_us(event_time))) FROM events").fetchall()
    return row


def _home_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TENURE_")}
    env["TENURE_HOME"] = str(home)
    return env


def _run_into(home: Path, seed: str) -> tuple[dict[str, tuple[int, str]], tuple[int, int, int]]:
    result = run_tenure(*ARGS, "--seed", seed, env=_home_env(home))
    assert result.returncode == 0, result.stderr
    return (_database_digest(f"sqlite:///{home / 'tenure.db'}"),
            _events_digest(f"duckdb:///{home / 'events.duckdb'}"))


def test_same_seed_same_databases_other_seed_differs(tmp_path: Path) -> None:
    first = _run_into(tmp_path / "a", "1")
    again = _run_into(tmp_path / "b", "1")
    other = _run_into(tmp_path / "c", "2")
    assert first == again
    assert first[0]["accounts"][1] != other[0]["accounts"][1]
    assert first[1] != other[1]
    events, distinct, _ = first[1]
    assert events == distinct > 50_000


def test_demo_on_each_backend(env_for: dict[str, str], settings) -> None:  # type: ignore[no-untyped-def]
    result = run_tenure(*ARGS, "--seed", "1", env=env_for)
    assert result.returncode == 0, result.stderr
    assert "admin@demo.tenure.dev" in result.stderr and "demo-admin" in result.stderr
    assert result.stdout == ""
    engine = create_engine(settings.resolved_database_url)
    with engine.connect() as connection:
        count = connection.execute(select(func.count()).select_from(Account)).scalar_one()
        segments = dict(connection.execute(
            select(Account.segment, func.count()).group_by(Account.segment)).all())
        users = connection.execute(select(User.email, User.role, User.password_hash)).all()
        terms = connection.execute(select(func.count()).select_from(SubscriptionTerm)
                                   ).scalar_one()
    engine.dispose()
    assert count == 60 and set(segments) == {"enterprise", "mid_market", "smb"}
    assert terms >= 60
    by_email = {email: (role, password_hash) for email, role, password_hash in users}
    from argon2 import PasswordHasher

    role, password_hash = by_email["manager@demo.tenure.dev"]
    assert role == "manager" and PasswordHasher().verify(password_hash, "demo-manager")


def test_refuses_a_non_empty_home_unless_reset(tmp_path: Path) -> None:
    env = _home_env(tmp_path / "home")
    assert run_tenure(*ARGS, "--seed", "1", env=env).returncode == 0
    refused = run_tenure(*ARGS, "--seed", "2", env=env)
    assert refused.returncode != 0
    assert "--reset" in refused.stderr and "already holds data" in refused.stderr
    rebuilt = run_tenure(*ARGS, "--seed", "2", "--reset", env=env)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert _run_into(tmp_path / "fresh", "2")[0] == _database_digest(
        f"sqlite:///{tmp_path / 'home' / 'tenure.db'}")


def test_reset_refuses_a_server_database(env_for: dict[str, str], settings) -> None:  # type: ignore[no-untyped-def]
    if settings.resolved_database_url.startswith("sqlite"):
        return
    result = run_tenure(*ARGS, "--reset", env=env_for)
    assert result.returncode != 0
    assert "only embedded database files" in result.stderr
