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

plus the same values as integers (`with_numbers`), which the metric queries compare
instead of dates and decimals:

| column | type | meaning |
|---|---|---|
| start_month, end_month | int64 | month indexes of start_date and end_date (`months.py`) |
| start_day, end_day | int64 | day numbers of start_date and end_date (`days.py`) |
| amount_units | int64 | amount in 1/10,000 of the currency unit |

On an in-memory DuckDB they are computed once per load (`load_into`), elsewhere in place.

`accounts`: one row per account, for grouping results (cohorts and survival by segment):

| column | type | meaning |
|---|---|---|
| account_id | int64 | the account |
| segment | string, null | the account's segment |
| industry | string, null | the account's industry |
| country | string, null | the account's country |
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.operations as ops
import ibis.expr.types as ir
import pyarrow as pa
from ibis.backends import BaseBackend
from sqlalchemy import Engine, select

from tenure.analytics.compiled import mark_snapshot
from tenure.analytics.days import date_day_number
from tenure.analytics.months import date_month_index
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
AMOUNT_UNITS = 10_000  # amounts are stored with 4 decimals
NUMBER_COLUMNS = ("start_month", "end_month", "start_day", "end_day", "amount_units")


def with_numbers(terms: ir.Table) -> ir.Table:
    """`terms` (or `term_details`) plus the integer columns of the table above."""
    return terms.mutate(
        start_month=date_month_index(terms.start_date),
        end_month=date_month_index(terms.end_date),
        start_day=date_day_number(terms.start_date),
        end_day=date_day_number(terms.end_date),
        amount_units=_units(terms.amount),
    )


@dataclass(frozen=True)
class Tables:
    """Input table expressions bound to one backend."""

    backend: BaseBackend
    terms: ir.Table
    accounts: ir.Table | None = None


def _units(amount: ir.DecimalValue) -> ir.IntegerValue:
    """An amount with 4 decimals as an integer of 1/10,000. Through a double: exact while
    amount x 10,000 < 2**52, which the MRR scale guard (`revenue.scale_query`) demands of
    every term before any figure uses it; exact decimal arithmetic overflows decimal(18)
    on DuckDB and wider decimals cost 25x more."""
    return (amount.cast("float64") * AMOUNT_UNITS).round().cast("int64")


def operational_tables(backend: BaseBackend) -> Tables:
    """The input tables read in place from the operational database."""
    terms = with_numbers(backend.table(SubscriptionTerm.__tablename__).select(*TERM_COLUMNS))
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
    tables are registered as views DuckDB scans in place, without a copy; the terms with
    their numbers become a temporary table, computed once for every query after."""
    mark_snapshot(backend)
    terms = materialize(backend, "terms", with_numbers, register(backend, "terms_input", arrow["terms"]))
    accounts = register(backend, "accounts", arrow["accounts"]) if "accounts" in arrow else None
    return Tables(backend=backend, terms=terms, accounts=accounts)


def register(backend: BaseBackend, name: str, table: pa.Table) -> ir.Table:
    """`table` as the DuckDB view `name` of `backend` (replacing an earlier one)."""
    backend.con.register(name, table)
    return _bound(backend, name, ibis.Schema.from_pyarrow(table.schema))


_MATERIALIZED: dict[tuple[Any, ...], tuple[str, ibis.Schema]] = {}


def materialize(
    backend: BaseBackend, name: str, build: Callable[[ir.Table], ir.Table], table: ir.Table
) -> ir.Table:
    """`build(table)` computed into the DuckDB temporary table `name` of `backend`
    (replacing an earlier one), for a registered `table`. The SQL is compiled once per
    process for the same build over a table of the same name and schema (building and
    compiling cost more than computing 200,000 rows)."""
    key = (backend.name, name, build, table.get_name(), table.schema())
    compiled = _MATERIALIZED.get(key)
    if compiled is None:
        expr = build(table)
        compiled = _MATERIALIZED[key] = (str(backend.compile(expr)), expr.schema())
    sql, schema = compiled
    backend.con.execute(f'CREATE OR REPLACE TEMP TABLE "{name}" AS {sql}')
    return _bound(backend, name, schema)


def _bound(backend: BaseBackend, name: str, schema: ibis.Schema) -> ir.Table:
    """What `backend.table(name)` returns, with the schema known instead of read by a
    DESCRIBE query (5 ms a table)."""
    return ops.DatabaseTable(name, schema=schema, source=backend, namespace=ops.Namespace()).to_expr()
