"""`tenure import` through the real console script."""

from __future__ import annotations

import json
from pathlib import Path

from tenure.kit.context import AppContext
from tenure.models import Account

from tests.cli_runner import run_tenure
from tests.imports.helpers import rows, write

ACCOUNTS = "Record ID,Company name,Foo\nA1,Acme,x\nA2,Beta,y\n"


def test_import_json_report_on_stdout(context: AppContext, env_for: dict[str, str], tmp_path: Path) -> None:
    path = write(tmp_path, "accounts.csv", ACCOUNTS)
    result = run_tenure("import", "accounts", str(path), "--json", env=env_for)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report == {
        "kind": "accounts", "file": str(path), "rows": 2, "inserted": 2, "updated": 0,
        "unchanged": 0, "dry_run": False, "ignored_columns": ["Foo"], "notes": [],
    }  # fmt: skip
    assert "2 inserted" in result.stderr and "ignored columns: Foo" in result.stderr
    assert rows(context, Account.external_id) == [("A1",), ("A2",)]


def test_dry_run_and_map(context: AppContext, env_for: dict[str, str], tmp_path: Path) -> None:
    path = write(tmp_path, "accounts.csv", "Key,Label\nK1,Kay\n")
    args = ("import", "accounts", str(path), "--map", "Key=external_id", "--map", "Label=name")
    result = run_tenure(*args, "--dry-run", "--json", env=env_for)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["inserted"] == 1
    assert "nothing written (dry run)" in result.stderr
    assert rows(context, Account.id) == []
    assert run_tenure(*args, env=env_for).returncode == 0
    assert rows(context, Account.external_id, Account.name) == [("K1", "Kay")]


def test_rejected_file_exits_non_zero_one_problem_per_line(
    context: AppContext, env_for: dict[str, str], tmp_path: Path
) -> None:
    long_name = "x" * 200
    path = write(tmp_path, "subs.csv", f"""
external_id,account_external_id,start_date,amount,billing_period_months
S1,{long_name},2024-01-01,-1,12
S2,A1,2024-99-01,10,0
""")
    result = run_tenure("import", "subscriptions", str(path), "--json", env=env_for)
    assert result.returncode != 0
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert lines == [
        f"{path}:2:account_external_id: unknown account '{long_name}' (no such external_id)",
        f"{path}:2:amount: -1 is negative; amounts must not be negative",
        f"{path}:3:account_external_id: unknown account 'A1' (no such external_id)",
        f"{path}:3:start_date: '2024-99-01' is not a date (use YYYY-MM-DD)",
        f"{path}:3:billing_period_months: 0 must be positive",
        f"error: {path}:2:account_external_id: unknown account '{long_name}' (no such external_id)"
        " (and 4 more problems)",
    ]


def test_unknown_kind_and_missing_file(env_for: dict[str, str], tmp_path: Path) -> None:
    result = run_tenure("import", "widgets", str(tmp_path / "x.csv"), env=env_for)
    assert result.returncode != 0 and "unknown import kind 'widgets'" in result.stderr
    result = run_tenure("import", "accounts", str(tmp_path / "x.csv"), env=env_for)
    assert result.returncode != 0
    assert result.stderr.splitlines()[0] == f"{tmp_path / 'x.csv'}: no such file"


def test_every_column_and_alias_is_documented() -> None:
    from tenure.imports.base import IMPORT_KINDS, get_kind
    from tenure.imports.rows import RowKind

    get_kind("accounts")  # registers every kind
    text = (Path(__file__).resolve().parents[2] / "docs" / "imports.md").read_text()
    for name, kind in IMPORT_KINDS.items():
        if not issubclass(kind, RowKind):
            continue
        assert f"## {name}" in text
        for column in kind.columns:
            assert f"`{column.name}`" in text, (name, column.name)
        for alias in kind.aliases:
            assert alias in text, (name, alias)
