"""Row kinds whose rows belong to an account through `account_external_id`
(contacts, subscriptions, tickets, survey responses), and the shared upsert flow of
every kind that writes through a domain service's `plan_upsert` / `apply_upsert`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, Protocol

from sqlalchemy.orm import Session

from tenure.accounts import service as accounts
from tenure.imports.base import ImportRequest
from tenure.imports.rows import ParsedFile, RowKind, SaveResult
from tenure.kit.bulk import Record, UpsertPlan

ACCOUNT = "account_external_id"


class UpsertService(Protocol):
    def plan_upsert(self, session: Session, records: Sequence[Record]) -> UpsertPlan: ...

    def apply_upsert(self, session: Session, plan: UpsertPlan, batch_rows: int) -> None: ...


def resolve_accounts(session: Session, parsed: ParsedFile, column: str = ACCOUNT) -> dict[str, int]:
    """Ids of the accounts the file names; a problem for every unknown one."""
    wanted = {record[column] for record in parsed.records if record.get(column) is not None}
    ids = accounts.account_ids(session, wanted)
    for index, record in enumerate(parsed.records):
        value = record.get(column)
        if value is not None and value not in ids:
            parsed.problem(index, column, f"unknown account {value!r} (no such external_id)")
    return ids


class ServiceRowKind(RowKind):
    """Plan with the owning domain's service, write unless it is a dry run."""

    service: ClassVar[UpsertService]

    def records(self, request: ImportRequest, parsed: ParsedFile, prepared: Any) -> list[Record]:
        return parsed.records

    def save(self, request: ImportRequest, parsed: ParsedFile, prepared: Any) -> SaveResult:
        records = self.records(request, parsed, prepared)
        plan = self.service.plan_upsert(request.session, records)
        if not request.dry_run:
            self.service.apply_upsert(
                request.session, plan, request.settings.import_batch_rows
            )
        return SaveResult(len(plan.inserts), len(plan.updates), plan.unchanged)


class AccountRowKind(ServiceRowKind):
    """Rows that name their account by `account_external_id`; stored as `account_id`."""

    def check(self, request: ImportRequest, parsed: ParsedFile) -> dict[str, int]:
        self.check_rows(parsed)
        return resolve_accounts(request.session, parsed)

    def check_rows(self, parsed: ParsedFile) -> None:
        """Rules across the cells of one row (dates in order, ranges by kind...)."""

    def records(self, request: ImportRequest, parsed: ParsedFile, prepared: Any) -> list[Record]:
        ids: dict[str, int] = prepared
        out = []
        for record in parsed.records:
            row = {k: v for k, v in record.items() if k != ACCOUNT}
            row["account_id"] = ids[record[ACCOUNT]]
            out.append(self.complete(row))
        return out

    def complete(self, row: Record) -> Record:
        """Fill derived values and defaults for empty cells; the row as stored."""
        return row
