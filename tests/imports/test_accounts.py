from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from tenure.kit.context import AppContext
from tenure.models import Account, User

from tests.imports.helpers import rejected, rows, run_import, write

GOOD = """
external_id,name,domain,industry,country,employees,parent_external_id,owner_email,created_at,segment,lifecycle_stage
A1,Acme,https://www.acme.com/about,Software,US,"1,200",,Ann@Example.com,2023-01-05,Mid-Market,onboarding
A2,Acme EU,acme.eu,Software,DE,50,A1,ann@example.com,2023-02-05T10:00:00+02:00,smb,
A3,Beta,,,,,A2,bob@example.com,,Enterprise,mature
"""


def test_good_file_inserts_accounts_hierarchy_and_owners(context: AppContext, tmp_path: Path) -> None:
    report = run_import(context, "accounts", write(tmp_path, "accounts.csv", GOOD))
    assert (report.rows, report.inserted, report.updated, report.unchanged) == (3, 3, 0, 0)
    got = rows(context, Account.external_id, Account.name, Account.domain, Account.employees,
               Account.segment, Account.lifecycle_stage)  # fmt: skip
    assert got == [
        ("A1", "Acme", "acme.com", 1200, "mid_market", "onboarding"),
        ("A2", "Acme EU", "acme.eu", 50, "smb", None),
        ("A3", "Beta", None, None, "enterprise", "mature"),
    ]
    ids = dict(rows(context, Account.external_id, Account.id))
    parents = dict(rows(context, Account.external_id, Account.parent_id))
    assert parents == {"A1": None, "A2": ids["A1"], "A3": ids["A2"]}
    users = rows(context, User.email, User.role, User.password_hash)
    assert users == [("ann@example.com", "csm", None), ("bob@example.com", "csm", None)]
    owners = dict(rows(context, Account.external_id, Account.owner_id))
    user_ids = dict(rows(context, User.email, User.id))
    assert owners["A1"] == owners["A2"] == user_ids["ann@example.com"]
    since = dict(rows(context, Account.external_id, Account.customer_since))
    assert since["A2"].replace(tzinfo=since["A2"].tzinfo or UTC) == datetime(2023, 2, 5, 8, tzinfo=UTC)
    assert any("created 2 owner user(s)" in note for note in report.notes)


def test_reimport_updates_changed_rows_only(context: AppContext, tmp_path: Path) -> None:
    run_import(context, "accounts", write(tmp_path, "a.csv", GOOD))
    again = run_import(context, "accounts", write(tmp_path, "b.csv", GOOD))
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 3)
    changed = GOOD.replace("Acme EU", "Acme Europe").replace("A3,Beta,,,,,A2", "A3,Beta,,,,,A1")
    changed += "A4,Gamma,,,,,,,,,\n"
    report = run_import(context, "accounts", write(tmp_path, "c.csv", changed))
    assert (report.inserted, report.updated, report.unchanged) == (1, 2, 1)
    ids = dict(rows(context, Account.external_id, Account.id))
    parents = dict(rows(context, Account.external_id, Account.parent_id))
    assert parents["A3"] == ids["A1"]
    assert dict(rows(context, Account.external_id, Account.name))["A2"] == "Acme Europe"


def test_absent_optional_column_is_left_alone_on_update(context: AppContext, tmp_path: Path) -> None:
    run_import(context, "accounts", write(tmp_path, "a.csv", GOOD))
    report = run_import(context, "accounts", write(tmp_path, "b.csv", "external_id,name\nA2,Acme EU\n"))
    assert (report.updated, report.unchanged) == (0, 1)
    ids = dict(rows(context, Account.external_id, Account.id))
    assert dict(rows(context, Account.external_id, Account.parent_id))["A2"] == ids["A1"]
    assert dict(rows(context, Account.external_id, Account.domain))["A2"] == "acme.eu"


def test_parent_may_be_stored_already(context: AppContext, tmp_path: Path) -> None:
    run_import(context, "accounts", write(tmp_path, "a.csv", "external_id,name\nP,Parent\n"))
    run_import(context, "accounts", write(tmp_path, "b.csv", "external_id,name,parent_external_id\nC,Child,P\n"))
    ids = dict(rows(context, Account.external_id, Account.id))
    assert dict(rows(context, Account.external_id, Account.parent_id))["C"] == ids["P"]


def test_every_problem_at_once_and_nothing_written(context: AppContext, tmp_path: Path) -> None:
    path = write(tmp_path, "bad.csv", """
external_id,name,employees,parent_external_id,owner_email,segment,created_at,lifecycle_stage
A1,Acme,-3,A1,nope,giant,2023-13-01,teen
A9,,abc,ZZ,,,,
A1,Dup,,,,,,
B1,Loop1,,B2,,,,
B2,Loop2,,B1,,,,
OK,Fine,,,ok@example.com,,,
""")
    problems = rejected(context, "accounts", path)
    assert problems == [
        "bad.csv:2:employees: -3 must not be negative",
        "bad.csv:2:parent_external_id: an account cannot be its own parent",
        "bad.csv:2:owner_email: 'nope' is not an email address",
        "bad.csv:2:segment: unknown value 'giant'; expected one of: enterprise mid_market smb",
        "bad.csv:2:created_at: '2023-13-01' is not a date or date-time (use ISO 8601)",
        "bad.csv:2:lifecycle_stage: unknown value 'teen'; expected one of: onboarding adoption mature renewal churned",
        "bad.csv:3:name: a value is required",
        "bad.csv:3:employees: 'abc' is not a whole number",
        "bad.csv:3:parent_external_id: unknown parent account 'ZZ' (not in this file nor stored)",
        "bad.csv:4:external_id: duplicate external_id 'A1' (first on row 2)",
        "bad.csv:5:parent_external_id: parent 'B2' makes the hierarchy a loop",
        "bad.csv:6:parent_external_id: parent 'B1' makes the hierarchy a loop",
    ]
    assert rows(context, Account.id) == []
    assert rows(context, User.id) == []


def test_loop_through_a_stored_parent_is_refused(context: AppContext, tmp_path: Path) -> None:
    run_import(context, "accounts", write(tmp_path, "a.csv", "external_id,name,parent_external_id\nP,P,\nC,C,P\n"))
    problems = rejected(context, "accounts", write(tmp_path, "b.csv", "external_id,name,parent_external_id\nP,P,C\n"))
    assert problems == ["b.csv:2:parent_external_id: parent 'C' makes the hierarchy a loop"]


def test_missing_columns_one_problem_each(context: AppContext, tmp_path: Path) -> None:
    problems = rejected(context, "accounts", write(tmp_path, "m.csv", "domain\nacme.com\n"))
    assert [p.split(" (")[0] for p in problems] == [
        "m.csv:external_id: required column is missing",
        "m.csv:name: required column is missing",
    ]


def test_dry_run_validates_and_writes_nothing(context: AppContext, tmp_path: Path) -> None:
    report = run_import(context, "accounts", write(tmp_path, "a.csv", GOOD), dry_run=True)
    assert (report.dry_run, report.inserted, report.updated) == (True, 3, 0)
    assert any("would create 2 owner user(s)" in note for note in report.notes)
    assert rows(context, Account.id) == [] and rows(context, User.id) == []
    run_import(context, "accounts", write(tmp_path, "b.csv", GOOD))
    changed = GOOD.replace("A3,Beta,,,,,A2", "A3,Beta,,,,,A5") + "A5,New parent,,,,,,,,,\n"
    report = run_import(context, "accounts", write(tmp_path, "c.csv", changed), dry_run=True)
    assert (report.inserted, report.updated, report.unchanged) == (1, 1, 2)
    assert len(rows(context, Account.id)) == 3


def test_crm_headers_are_recognised(context: AppContext, tmp_path: Path) -> None:
    hubspot = write(tmp_path, "hubspot.csv", """
Record ID,Company name,Company Domain Name,Industry,Country/Region,Number of Employees,Create Date,Lifecycle Stage Label
101,Acme,acme.com,Software,France,12,2024-05-01 10:00,customer
""")
    report = run_import(context, "accounts", hubspot)
    assert report.ignored_columns == ("Lifecycle Stage Label",)
    salesforce = write(tmp_path, "sf.csv", """
 ACCOUNT ID ,Account Name,Website,Billing Country,NumberOfEmployees,Parent Account ID,Account Owner Email
001A,Globex,http://globex.io,US,300,101,owner@globex.io
""")
    run_import(context, "accounts", salesforce)
    got = rows(context, Account.external_id, Account.name, Account.domain, Account.country, Account.employees)
    assert got == [("001A", "Globex", "globex.io", "US", 300), ("101", "Acme", "acme.com", "France", 12)]


def test_map_renames_columns_first(context: AppContext, tmp_path: Path) -> None:
    path = write(tmp_path, "m.csv", "Key,Label,Lifecycle Stage\nK1,Kay,customer\n")
    mapping = {"Key": "external_id", "label": "name", "Lifecycle Stage": "hubspot_stage"}
    report = run_import(context, "accounts", path, mapping=mapping)
    assert report.inserted == 1 and report.ignored_columns == ("Lifecycle Stage",)
    assert rows(context, Account.external_id, Account.name) == [("K1", "Kay")]
    problems = rejected(context, "accounts", path, mapping={"Nope": "name"})
    assert problems[0] == "m.csv:Nope: --map Nope=name: no such column"
