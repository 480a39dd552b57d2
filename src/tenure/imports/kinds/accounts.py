"""`tenure import accounts`: customer accounts, their hierarchy and owners."""

from __future__ import annotations

from typing import Any

from tenure.accounts import service as accounts
from tenure.imports import fields
from tenure.imports.base import ImportRequest, register_kind
from tenure.imports.rows import Column, ParsedFile, RowKind, SaveResult
from tenure.kit.bulk import Record
from tenure.models.types import LifecycleStage, Segment
from tenure.users import service as users

PARENT = "parent_external_id"
OWNER = "owner_email"
# Owner id of a user a dry run would create: never written, differs from any stored id.
NOT_YET_CREATED = -1
LISTED_OWNERS = 10  # emails named in the report's note

SEGMENT_SYNONYMS = {
    "midmarket": "mid_market",
    "mid": "mid_market",
    "mm": "mid_market",
    "ent": "enterprise",
    "small_business": "smb",
    "small_and_medium_business": "smb",
}


@register_kind
class AccountsKind(RowKind):
    name = "accounts"
    columns = (
        Column("external_id", fields.text(200), required=True),
        Column("name", fields.text(300), required=True),
        Column("domain", fields.domain),
        Column("industry", fields.text(100)),
        Column("country", fields.text(100)),
        Column("employees", fields.integer(minimum=0)),
        Column(PARENT, fields.text(200)),
        Column(OWNER, fields.email),
        Column("created_at", fields.iso_datetime),
        Column("segment", fields.choice(Segment, SEGMENT_SYNONYMS)),
        Column("lifecycle_stage", fields.choice(LifecycleStage)),
    )
    aliases = {
        "Record ID": "external_id",
        "Account ID": "external_id",
        "Company ID": "external_id",
        "Id": "external_id",
        "Company name": "name",
        "Company": "name",
        "Account Name": "name",
        "Account": "name",
        "Company Domain Name": "domain",
        "Domain Name": "domain",
        "Website": "domain",
        "Website URL": "domain",
        "Billing Country": "country",
        "Country/Region": "country",
        "Number of Employees": "employees",
        "NumberOfEmployees": "employees",
        "Employee Count": "employees",
        "Parent Account ID": "parent_external_id",
        "ParentId": "parent_external_id",
        "Parent Company ID": "parent_external_id",
        "Parent ID": "parent_external_id",
        "Account Owner Email": "owner_email",
        "Company Owner Email": "owner_email",
        "Owner Email": "owner_email",
        "Created Date": "created_at",
        "Create Date": "created_at",
        "Customer Since": "created_at",
        "Account Segment": "segment",
        "Customer Segment": "segment",
    }

    def check(self, request: ImportRequest, parsed: ParsedFile) -> None:
        if not parsed.layout.has(PARENT):
            return
        in_file = {r["external_id"]: r.get(PARENT) for r in parsed.records if r.get("external_id")}
        named = {r[PARENT] for r in parsed.records if r.get(PARENT)}
        stored = accounts.account_ids(request.session, named - in_file.keys())
        links: dict[str, str | None] = {}
        if any(in_file.values()):
            links.update(accounts.parent_links(request.session))
        links.update(in_file)
        looping = accounts.accounts_on_cycles(links)
        for index, record in enumerate(parsed.records):
            parent, own = record.get(PARENT), record.get("external_id")
            if not parent:
                continue
            if parent == own:
                parsed.problem(index, PARENT, "an account cannot be its own parent")
            elif parent not in in_file and parent not in stored:
                reason = f"unknown parent account {parent!r} (not in this file nor stored)"
                parsed.problem(index, PARENT, reason)
            elif own in looping:
                parsed.problem(index, PARENT, f"parent {parent!r} makes the hierarchy a loop")

    def save(self, request: ImportRequest, parsed: ParsedFile, prepared: Any) -> SaveResult:
        session, batch = request.session, request.settings.import_batch_rows
        owners, notes = self._owner_ids(request, parsed)
        records = [self._record(record, owners) for record in parsed.records]
        plan = accounts.plan_upsert(session, records)
        if not request.dry_run:
            accounts.apply_upsert(session, plan, batch)
        inserted = {record["external_id"] for record in plan.inserts}
        changed = plan.updated_keys
        if parsed.layout.has(PARENT):
            parents = {r["external_id"]: r.get(PARENT) for r in parsed.records}
            rows, moved = accounts.plan_parent_links(session, parents, plan.existing)
            if not request.dry_run:
                accounts.apply_parent_links(session, rows, batch)
            changed |= moved - inserted
        unchanged = len(records) - len(inserted) - len(changed)
        return SaveResult(len(inserted), len(changed), unchanged, notes)

    def _owner_ids(
        self, request: ImportRequest, parsed: ParsedFile
    ) -> tuple[dict[str, int], tuple[str, ...]]:
        emails = {r[OWNER] for r in parsed.records if r.get(OWNER)}
        if not emails:
            return {}, ()
        if request.dry_run:
            found = users.user_ids_by_email(request.session, emails)
            missing = sorted(emails - found.keys())
            found.update({email: NOT_YET_CREATED for email in missing})
            verb = "would create"
        else:
            found, missing = users.ensure_owner_users(request.session, emails)
            verb = "created"
        if not missing:
            return found, ()
        listed = ", ".join(missing[:LISTED_OWNERS])
        more = f" and {len(missing) - LISTED_OWNERS} more" if len(missing) > LISTED_OWNERS else ""
        note = (
            f"{verb} {len(missing)} owner user(s) with role csm and no password "
            f"(cannot sign in until an admin sets one): {listed}{more}"
        )
        return found, (note,)

    @staticmethod
    def _record(record: dict[str, Any], owners: dict[str, int]) -> Record:
        row = {k: v for k, v in record.items() if k not in (PARENT, OWNER, "created_at")}
        if OWNER in record:
            row["owner_id"] = owners.get(record[OWNER]) if record[OWNER] else None
        if "created_at" in record:
            row["customer_since"] = record["created_at"]
        return row
