"""The wider input tables of the revenue and retention metrics (METRICS.md sections 3-5).

Besides `tables.Tables` (terms and account attributes), retention, renewals and unit
economics read:

`term_details`: one row per subscription term.

| column | type | meaning |
|---|---|---|
| term_id | int64 | the term |
| account_id, start_date, end_date, amount, billing_period_months | | as in `terms` |
| plan | string, null | plan name |
| signed_at | date, null | when the contract was signed |
| canceled_at | date, null | when a notice of cancellation was received |
| start_month ... amount_units | int64 | the numbers of `tables.with_numbers` |

`labels`: account_id, external_id, owner (the owner CSM's email, null when unassigned).

`spend`: month (first day), spend (decimal(18, 4)): sales and marketing spend.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import ibis.expr.types as ir
import pyarrow as pa
from ibis.backends import BaseBackend
from sqlalchemy import Connection, Engine, Select, String, cast, func, select

from tenure.analytics import tables
from tenure.analytics.compiled import mark_snapshot
from tenure.analytics.engines import ENGINES, EngineName, connect_duckdb, connect_operational
from tenure.errors import Invalid
from tenure.kit.context import AppContext
from tenure.models.accounts import Account
from tenure.models.billing import MarketingSpend, SubscriptionTerm
from tenure.models.users import User

DETAILS_SCHEMA = pa.schema(
    [("term_id", pa.int64()), *((f.name, f.type) for f in tables.TERMS_SCHEMA),
     ("plan", pa.string()), ("signed_at", pa.date32()), ("canceled_at", pa.date32())]
)  # fmt: skip
LABELS_SCHEMA = pa.schema(
    [("account_id", pa.int64()), ("external_id", pa.string()), ("owner", pa.string())]
)
SPEND_SCHEMA = pa.schema([("month", pa.date32()), ("spend", pa.decimal128(18, 4))])
ACCOUNT_ROWS_SCHEMA = pa.schema(
    [*LABELS_SCHEMA, *(f for f in tables.ACCOUNTS_SCHEMA if f.name != "account_id")]
)


@dataclass(frozen=True)
class LedgerTables:
    """`base` (terms, accounts) plus term details, account labels and spend, on one backend."""

    base: tables.Tables
    term_details: ir.Table
    labels: ir.Table
    spend: ir.Table

    @property
    def terms(self) -> ir.Table:
        return self.base.terms

    @property
    def accounts(self) -> ir.Table:
        assert self.base.accounts is not None
        return self.base.accounts


def operational_ledger(backend: BaseBackend) -> LedgerTables:
    """The tables read in place from the operational database (SQLite or PostgreSQL)."""
    terms = backend.table(SubscriptionTerm.__tablename__)
    details = tables.with_numbers(terms.select(
        term_id=terms.id, **{name: terms[name] for name in DETAILS_SCHEMA.names[1:]}
    ))  # fmt: skip
    accounts, users = backend.table(Account.__tablename__), backend.table(User.__tablename__)
    joined = accounts.left_join(users, accounts.owner_id == users.id)
    labels = joined.select(account_id=accounts.id, external_id=accounts.external_id, owner=users.email)
    spend = backend.table(MarketingSpend.__tablename__)
    spend = spend.select("month", spend=spend.sales_marketing_spend)
    return LedgerTables(tables.operational_tables(backend), details, labels, spend)


def read_ledger(engine: Engine) -> dict[str, pa.Table]:
    """Every input table as Arrow, reading the terms and the accounts once each.

    Rows come straight from the DBAPI cursor (no SQLAlchemy row processing) and Arrow
    converts whole columns: amounts travel as exact decimal text, dates as ISO text on
    SQLite (how it stores them) and as dates elsewhere. About 3x faster than typed rows
    on 200,000 terms (docs/benchmarks.md).
    """
    term, dialect = SubscriptionTerm, engine.dialect.name
    detail_columns = [term.id, term.account_id, term.start_date, term.end_date,
                      _amount_text(dialect, term.amount), term.billing_period_months, term.plan,
                      term.signed_at, term.canceled_at]  # fmt: skip
    account_query = select(
        Account.id, Account.external_id, User.email,
        *(getattr(Account, name) for name in tables.ACCOUNT_ATTRIBUTES),
    ).outerjoin(User, Account.owner_id == User.id)  # fmt: skip
    spend_query = select(
        MarketingSpend.month, _amount_text(dialect, MarketingSpend.sales_marketing_spend)
    )
    with engine.connect() as connection:
        details = _fetch(connection, select(*detail_columns).order_by(term.id), DETAILS_SCHEMA)
        people = _fetch(connection, account_query.order_by(Account.id), ACCOUNT_ROWS_SCHEMA)
        spend = _fetch(connection, spend_query.order_by(MarketingSpend.month), SPEND_SCHEMA)
    return {
        "terms": details.select(list(tables.TERM_COLUMNS)),
        "accounts": people.select(tables.ACCOUNTS_SCHEMA.names),
        "term_details": details,
        "labels": people.select(LABELS_SCHEMA.names),
        "spend": spend,
    }


def _amount_text(dialect: str, column: Any) -> Any:
    """Amounts travel as exact decimal text. SQLite keeps Numeric as REAL: print it to
    the column's 4 decimals, as SQLAlchemy does when it reads one."""
    return func.printf("%.4f", column) if dialect == "sqlite" else cast(column, String)


def _fetch(connection: Connection, query: Select[Any], schema: pa.Schema) -> pa.Table:
    sql = str(query.compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
    cursor = connection.connection.cursor()
    collecting = gc.isenabled()
    gc.disable()  # millions of short-lived tuples: the cycle collector would rescan them
    try:
        cursor.execute(sql)
        rows = cursor.fetchall()
        columns = list(zip(*rows, strict=True)) if rows else [() for _ in schema]
        del rows
    finally:
        cursor.close()
        if collecting:
            gc.enable()
    arrays = [pa.array(values).cast(field.type) for values, field in zip(columns, schema, strict=True)]
    return pa.Table.from_arrays(arrays, schema=schema)


def load_ledger(backend: BaseBackend, arrow: dict[str, pa.Table]) -> LedgerTables:
    """Every input table in an in-memory DuckDB: Arrow tables registered as views, the
    term details with their numbers computed once into a temporary table, of which
    `terms` is a projection (`tables.load_into`)."""
    mark_snapshot(backend)
    raw = tables.register(backend, "term_details_input", arrow["term_details"])
    details = tables.materialize(backend, "term_details", tables.with_numbers, raw)
    terms = details.select(*tables.TERM_COLUMNS, *tables.NUMBER_COLUMNS)
    base = tables.Tables(backend, terms, tables.register(backend, "accounts", arrow["accounts"]))
    labels, spend = (tables.register(backend, name, arrow[name]) for name in ("labels", "spend"))
    return LedgerTables(base, details, labels, spend)


@contextmanager
def ledger_tables(context: AppContext, engine: EngineName) -> Iterator[LedgerTables]:
    """Like `engines.analytics_tables`, with the wider tables; closes the connection."""
    if engine not in ENGINES:
        raise Invalid(f"engine: expected one of {', '.join(ENGINES)}, got {engine!r}")
    if engine == "database":
        backend = connect_operational(context)
        source = operational_ledger(backend)
    else:
        backend = connect_duckdb()
        source = load_ledger(backend, read_ledger(context.engine))
    try:
        yield source
    finally:
        backend.disconnect()
