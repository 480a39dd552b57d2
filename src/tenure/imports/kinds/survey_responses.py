"""`tenure import survey-responses`: NPS and CSAT answers."""

from __future__ import annotations

from typing import Any

from tenure.contacts import service as contacts
from tenure.imports import fields
from tenure.imports.account_rows import AccountRowKind
from tenure.imports.base import ImportRequest, register_kind
from tenure.imports.rows import Column, ParsedFile
from tenure.kit.bulk import Record
from tenure.models.types import SurveyKind
from tenure.surveys import service as surveys

SCORE_RANGES = {SurveyKind.nps.value: (0, 10), SurveyKind.csat.value: (1, 5)}


@register_kind
class SurveyResponsesKind(AccountRowKind):
    name = "survey-responses"
    service = surveys
    columns = (
        Column("external_id", fields.text(200), required=True),
        Column("account_external_id", fields.text(200), required=True),
        Column("kind", fields.choice(SurveyKind, {"net promoter score": "nps"}), required=True),
        Column("score", fields.integer(), required=True),
        Column("responded_at", fields.iso_datetime, required=True),
        Column("contact_email", fields.email),
        Column("comment", fields.text(10_000)),
    )
    aliases = {
        "Response ID": "external_id",
        "Id": "external_id",
        "Account ID": "account_external_id",
        "Company ID": "account_external_id",
        "Survey Type": "kind",
        "Survey": "kind",
        "Rating": "score",
        "Submitted At": "responded_at",
        "Responded": "responded_at",
        "Date": "responded_at",
        "Email": "contact_email",
        "Respondent Email": "contact_email",
        "Feedback": "comment",
        "Comments": "comment",
    }

    def check_rows(self, parsed: ParsedFile) -> None:
        for index, record in enumerate(parsed.records):
            kind, score = record.get("kind"), record.get("score")
            if kind is None or score is None:
                continue
            low, high = SCORE_RANGES[kind]
            if not low <= score <= high:
                parsed.problem(index, "score", f"{kind} score {score} is outside {low}-{high}")

    def records(self, request: ImportRequest, parsed: ParsedFile, prepared: Any) -> list[Record]:
        rows = super().records(request, parsed, prepared)
        if not parsed.layout.has("contact_email"):
            return rows
        known = contacts.contact_ids_by_email(request.session, {r["account_id"] for r in rows})
        for row in rows:
            email = row.get("contact_email")
            row["contact_id"] = known.get((row["account_id"], email)) if email else None
        return rows
