"""The analytics input tables and how each engine gets them.

`terms`: one row per subscription term with exactly these columns
(the definitions in the expression modules rely on nothing else):

| column | type | meaning |
|---|---|---|
| account_id | int64 | the account |
| start_date | date | first day covered |
| end_date | date, null | first day no longer covered; null = evergreen |
| amount | decimal(18, 4) | amount per billing period |
| billing_period_months | int64 | months per billing period (1, 3, 12, 24, 36, ...) |

`accounts`: one row per account, for grouping results (cohorts and survival by segment):

| column | type | meaning |
|---|---|---|
| account_id | int64 | the account |
| segment | string, null | the account's segment |
| industry | string, null | the account's industry |
| country | string, null | the account's country |
"""

from __future__ import annotations

from dataclasses import dataclass

import ibis
import ibis.expr.operations as ops
import ibis.expr.types as ir
import pyarrow as pa
from ibis.backends import BaseBackend
from sqlalchemy import Engine, select

from tenure.analytics.compiled import mark_snapshot
from tenure.models.accounts import Account
from tenure.models.billing import SubscriptionTerm

TERMS_SCHEMA = pa.schema(
    [
        ("account_id", pa.int64()),
        ("start_date", pa.date32()),
        ("end_date", pa.date32()),
        ("amount", pa.decimal128(18, 4)),
        ("billing_period_months", pa.int64()),
    ]
)
TERM_COLUMNS = tuple(TERMS_SCHEMA.names)
ACCOUNTS_SCHEMA = pa.schema(
    [
        ("account_id", pa.int64()),
        ("segment", pa.string()),
        ("industry", pa.string()),
        ("country", pa.string()),
    ]
)
ACCOUNT_ATTRIBUTES = ("segment", "industry", "country")


@dataclass(frozen=True)
class Tables:
    """Input table expressions bound to one backend."""

    backend: BaseBackend
    terms: ir.Table
    accounts: ir.Table | None = None


def operational_tables(backend: BaseBackend) -> Tables:
    """The input tables read in place from the operational database."""
    terms = backend.table(SubscriptionTerm.__tablename__).select(*TERM_COLUMNS)
    accounts = backend.table(Account.__tablename__)
    attributes = {name: accounts[name] for name in ACCOUNT_ATTRIBUTES}
    accounts = accounts.select(account_id=accounts.id, **attributes)
    return Tables(backend=backend, terms=terms, accounts=accounts)


def read_operational(engine: Engine) -> dict[str, pa.Table]:
    """Copy the `terms` and `accounts` input tables out of the operational database as
    Arrow (through the one fast reader, `inputs.read_ledger`)."""
    from tenure.analytics.inputs import read_ledger  # inputs imports this module

    arrow = read_ledger(engine)
    return {"terms": arrow["terms"], "accounts": arrow["accounts"]}


def read_accounts(engine: Engine) -> dict[str, pa.Table]:
    """The `accounts` input table as Arrow (id and the attributes results group by)."""
    columns = [Account.id, *(getattr(Account, name) for name in ACCOUNT_ATTRIBUTES)]
    with engine.connect() as connection:
        rows = connection.execute(select(*columns).order_by(Account.id)).all()
    data = {name: [row[i] for row in rows] for i, name in enumerate(ACCOUNTS_SCHEMA.names)}
    return {"accounts": pa.Table.from_pydict(data, schema=ACCOUNTS_SCHEMA)}


def load_into(backend: BaseBackend, arrow: dict[str, pa.Table]) -> Tables:
    """Make the input tables available in `backend` (an in-memory DuckDB): the Arrow
    tables are registered as views DuckDB scans in place, without a copy."""
    mark_snapshot(backend)
    terms = register(backend, "terms", arrow["terms"])
    accounts = register(backend, "accounts", arrow["accounts"]) if "accounts" in arrow else None
    return Tables(backend=backend, terms=terms, accounts=accounts)


def register(backend: BaseBackend, name: str, table: pa.Table) -> ir.Table:
    """`table` as the DuckDB view `name` of `backend` (replacing an earlier one). The
    Ibis table is what `backend.table(name)` returns, with the schema taken from Arrow
    instead of a DESCRIBE query (5 ms a table)."""
    backend.con.register(name, table)
    schema = ibis.Schema.from_pyarrow(table.schema)
    return ops.DatabaseTable(name, schema=schema, source=backend, namespace=ops.Namespace()).to_expr()
