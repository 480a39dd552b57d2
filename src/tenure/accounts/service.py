"""Rules of the accounts domain: customer accounts and their hierarchy."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy import RowMapping
from sqlalchemy.orm import Session

from tenure.accounts import repository
from tenure.accounts.schemas import AccountDetail, AccountFilters, AccountOut
from tenure.contacts import service as contacts
from tenure.errors import NotFound
from tenure.kit import bulk
from tenure.kit.bulk import Record, UpsertPlan
from tenure.kit.pagination import Page, PageParams
from tenure.subscriptions import service as subscriptions


def account_ids(session: Session, external_ids: Collection[str]) -> dict[str, int]:
    """external_id -> id of the accounts that exist."""
    return repository.ids_by_external_id(session, external_ids)


def all_external_ids(session: Session) -> list[str]:
    """Every account's external id (e.g. for checking references in bulk)."""
    return repository.all_external_ids(session)


def parent_links(session: Session) -> dict[str, str]:
    """external_id -> parent external_id of every stored account that has a parent."""
    return repository.parent_links(session)


def accounts_on_cycles(links: Mapping[str, str | None]) -> set[str]:
    """Accounts whose parent chain comes back to themselves (self-parents included)."""
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    on_cycle: set[str] = set()
    for start in links:
        path: list[str] = []
        node: str | None = start
        while node is not None and state.get(node) is None:
            state[node] = 1
            path.append(node)
            node = links.get(node)
        if node is not None and state.get(node) == 1:
            on_cycle.update(path[path.index(node) :])
        for visited in path:
            state[visited] = 2
    return on_cycle


def plan_upsert(session: Session, records: Sequence[Record]) -> UpsertPlan:
    """Split account records by external_id; the plan's `existing` rows carry parent_id."""
    columns = [*records[0], "parent_id"] if records else ["parent_id"]
    keys = [record["external_id"] for record in records]
    existing = repository.fetch_by_external_id(session, keys, columns)
    return bulk.plan_upsert(records, existing, "external_id")


def apply_upsert(session: Session, plan: UpsertPlan, batch_rows: int) -> None:
    repository.insert_accounts(session, plan.inserts, batch_rows)
    repository.update_accounts(session, plan.updates, batch_rows)


def plan_parent_links(
    session: Session, parents: Mapping[str, str | None], existing: Mapping[str, Record]
) -> tuple[list[Record], set[str]]:
    """Parent changes as ({"id", "parent_id"} rows ready to write, external_ids changed).

    Run after the accounts were written, every account and parent resolves to an id.
    In a dry run new accounts have no id yet: their parent links are not listed as
    rows, and an existing account whose new parent is new counts as changed.
    """
    moving = [
        external_id
        for external_id, parent in parents.items()
        if parent or existing.get(external_id, {}).get("parent_id") is not None
    ]
    ids = repository.ids_by_external_id(session, {*moving, *filter(None, parents.values())})
    rows: list[Record] = []
    changed: set[str] = set()
    for external_id in moving:
        parent = parents[external_id]
        own = ids.get(external_id)
        target = ids.get(parent) if parent else None
        current = existing.get(external_id, {}).get("parent_id")
        if own is None or (target == current and (target is not None or not parent)):
            continue
        changed.add(external_id)
        if target is not None or not parent:
            rows.append({"id": own, "parent_id": target})
    return rows, changed


def apply_parent_links(session: Session, rows: Sequence[Record], batch_rows: int) -> None:
    repository.update_accounts(session, rows, batch_rows)


def external_ids_by_id(session: Session, ids: Collection[int]) -> dict[int, str]:
    return repository.external_ids_by_id(session, ids)


def _with_money(rows: Sequence[RowMapping], on: date, session: Session) -> list[AccountOut]:
    mrr = subscriptions.mrr_by_account(session, [row["id"] for row in rows], on)
    out = []
    for row in rows:
        account_mrr = mrr.get(row["id"], Decimal("0.00"))
        out.append(AccountOut.model_validate({**row, "mrr": account_mrr, "arr": 12 * account_mrr}))
    return out


def list_accounts(
    session: Session, filters: AccountFilters, page: PageParams, today: date
) -> Page[AccountOut]:
    rows, total = repository.list_accounts(session, filters, page.limit, page.offset)
    items = _with_money(rows, today, session)
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


def get_account(session: Session, external_id: str, today: date) -> AccountDetail:
    row = repository.account_row(session, external_id)
    if row is None:
        raise NotFound(f"no account with external_id {external_id!r}")
    (account,) = _with_money([row], today, session)
    return AccountDetail(
        **account.model_dump(),
        children=repository.child_external_ids(session, row["id"]),
        contacts=contacts.count_for_account(session, row["id"]),
        active_terms=subscriptions.count_active_terms(session, row["id"], today),
    )


def account_id_for_stripe_customer(session: Session, customer_id: str) -> int | None:
    """The account a Stripe customer was mapped to before (accounts.stripe_customer_id)."""
    return repository.id_by_stripe_customer(session, customer_id)


def ensure_account(session: Session, external_id: str, name: str | None = None) -> int:
    """The id of the account with `external_id`, created (named `name`) if missing.

    An account still named after its external id (created before its name was known)
    takes `name` when one is given."""
    account = repository.account_by_external_id(session, external_id)
    if account is None:
        return repository.add_account(session, external_id, (name or external_id)[:300])
    if name and account.name == account.external_id and name != account.name:
        account.name = name[:300]
        session.flush()
    return account.id


def account_exists(session: Session, external_id: str) -> bool:
    return repository.account_by_external_id(session, external_id) is not None


def link_stripe_customer(session: Session, account_id: int, customer_id: str) -> None:
    """Remember that `customer_id` is this account (moved off any other account)."""
    repository.set_stripe_customer(session, account_id, customer_id)
