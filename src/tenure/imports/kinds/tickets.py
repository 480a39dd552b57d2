"""`tenure import tickets`: support tickets."""

from __future__ import annotations

from tenure.imports import fields
from tenure.imports.account_rows import AccountRowKind
from tenure.imports.base import register_kind
from tenure.imports.rows import Column, ParsedFile
from tenure.kit.bulk import Record
from tenure.models.types import TicketPriority, TicketStatus
from tenure.support import service as support

STATUS_SYNONYMS = {"new": "open", "hold": "pending", "on hold": "pending", "resolved": "solved"}
PRIORITY_SYNONYMS = {"medium": "normal", "critical": "urgent"}


@register_kind
class TicketsKind(AccountRowKind):
    name = "tickets"
    service = support
    columns = (
        Column("external_id", fields.text(200), required=True),
        Column("account_external_id", fields.text(200), required=True),
        Column("opened_at", fields.iso_datetime, required=True),
        Column("closed_at", fields.iso_datetime),
        Column("priority", fields.choice(TicketPriority, PRIORITY_SYNONYMS)),
        Column("status", fields.choice(TicketStatus, STATUS_SYNONYMS)),
        Column("subject", fields.text(500)),
    )
    aliases = {
        "Ticket ID": "external_id",
        "Id": "external_id",
        "Organization ID": "account_external_id",
        "Account ID": "account_external_id",
        "Company ID": "account_external_id",
        "Created At": "opened_at",
        "Created": "opened_at",
        "Opened": "opened_at",
        "Solved At": "closed_at",
        "Closed": "closed_at",
        "Resolved At": "closed_at",
        "Ticket Status": "status",
        "Ticket Priority": "priority",
        "Title": "subject",
    }

    def check_rows(self, parsed: ParsedFile) -> None:
        for index, record in enumerate(parsed.records):
            opened, closed = record.get("opened_at"), record.get("closed_at")
            if opened is not None and closed is not None and closed < opened:
                parsed.problem(index, "closed_at", f"closed_at {closed} is before opened_at")

    def complete(self, row: Record) -> Record:
        if "priority" in row and row["priority"] is None:
            row["priority"] = TicketPriority.normal.value
        if row.get("status") is None and ("status" in row or "closed_at" in row):
            closed = row.get("closed_at") is not None
            row["status"] = (TicketStatus.closed if closed else TicketStatus.open).value
        return row
