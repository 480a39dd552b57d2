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

`labels`: account_id, external_id, owner (the owner CSM's email, null when unassigned).

`spend`: month (first day), spend (decimal(18, 4)): sales and marketing spend.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import ibis.expr.types as ir
import pyarrow as pa
from ibis.backends import BaseBackend
from sqlalchemy import Engine, select

from tenure.analytics import tables
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
    details = terms.select(
        term_id=terms.id, **{name: terms[name] for name in DETAILS_SCHEMA.names[1:]}
    )
    accounts, users = backend.table(Account.__tablename__), backend.table(User.__tablename__)
    joined = accounts.left_join(users, accounts.owner_id == users.id)
    labels = joined.select(account_id=accounts.id, external_id=accounts.external_id, owner=users.email)
    spend = backend.table(MarketingSpend.__tablename__)
    spend = spend.select("month", spend=spend.sales_marketing_spend)
    return LedgerTables(tables.operational_tables(backend), details, labels, spend)


def read_ledger(engine: Engine) -> dict[str, pa.Table]:
    """Every input table as Arrow, reading the terms once."""
    term = SubscriptionTerm
    detail_columns = [term.id, *(getattr(term, n) for n in DETAILS_SCHEMA.names[1:])]
    label_query = select(Account.id, Account.external_id, User.email).outerjoin(
        User, Account.owner_id == User.id
    )
    spend_query = select(MarketingSpend.month, MarketingSpend.sales_marketing_spend)
    with engine.connect() as connection:
        details = _arrow(connection.execute(select(*detail_columns).order_by(term.id)), DETAILS_SCHEMA)
        labels = _arrow(connection.execute(label_query.order_by(Account.id)), LABELS_SCHEMA)
        spend = _arrow(connection.execute(spend_query.order_by(MarketingSpend.month)), SPEND_SCHEMA)
    narrow = details.select(list(tables.TERM_COLUMNS))
    return {"terms": narrow, **tables.read_accounts(engine), "term_details": details,
            "labels": labels, "spend": spend}  # fmt: skip


def _arrow(result: object, schema: pa.Schema) -> pa.Table:
    rows = result.all()  # type: ignore[attr-defined]
    data = {name: [row[i] for row in rows] for i, name in enumerate(schema.names)}
    return pa.Table.from_pydict(data, schema=schema)


def load_ledger(backend: BaseBackend, arrow: dict[str, pa.Table]) -> LedgerTables:
    """Create every input table in an in-memory DuckDB from Arrow tables."""
    base = tables.load_into(backend, arrow)
    created = {
        name: backend.create_table(name, arrow[name], temp=True)
        for name in ("term_details", "labels", "spend")
    }
    return LedgerTables(base, created["term_details"], created["labels"], created["spend"])


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
