"""`tenure import subscriptions`: subscription terms (METRICS.md section 1)."""

from __future__ import annotations

from tenure.imports import fields
from tenure.imports.account_rows import AccountRowKind
from tenure.imports.base import register_kind
from tenure.imports.rows import Column, ParsedFile
from tenure.kit.bulk import Record
from tenure.subscriptions import service as subscriptions

# Billing periods written as words (Stripe's "Interval", Chargebee's "Billing Period Unit").
PERIOD_WORDS = {
    "month": 1,
    "monthly": 1,
    "quarter": 3,
    "quarterly": 3,
    "semiannual": 6,
    "semi-annual": 6,
    "half-yearly": 6,
    "year": 12,
    "yearly": 12,
    "annual": 12,
    "annually": 12,
}


@register_kind
class SubscriptionsKind(AccountRowKind):
    name = "subscriptions"
    service = subscriptions
    columns = (
        Column("external_id", fields.text(200), required=True),
        Column("account_external_id", fields.text(200), required=True),
        Column("start_date", fields.iso_date, required=True),
        Column("amount", fields.money, required=True),
        Column("billing_period_months", fields.integer(minimum=1, words=PERIOD_WORDS), True),
        Column("end_date", fields.iso_date),
        Column("plan", fields.text(100)),
        Column("quantity", fields.integer(minimum=0)),
        Column("currency", fields.currency),
        Column("signed_at", fields.iso_date),
        Column("canceled_at", fields.iso_date),
    )
    aliases = {
        "Subscription ID": "external_id",
        "Id": "external_id",
        "Customer ID": "account_external_id",
        "Account ID": "account_external_id",
        "Start": "start_date",
        "Start (UTC)": "start_date",
        "Started At": "start_date",
        "End": "end_date",
        "Ended At (UTC)": "end_date",
        "Ended At": "end_date",
        "Amount (major units)": "amount",
        "Price": "amount",
        "Interval": "billing_period_months",
        "Billing Period": "billing_period_months",
        "Plan ID": "plan",
        "Plan Name": "plan",
        "Plan Quantity": "quantity",
        "Seats": "quantity",
        "Created (UTC)": "signed_at",
        "Signed Date": "signed_at",
        "Canceled At (UTC)": "canceled_at",
        "Cancelled At": "canceled_at",
        "Canceled At": "canceled_at",
    }

    def check_rows(self, parsed: ParsedFile) -> None:
        for index, record in enumerate(parsed.records):
            start, end = record.get("start_date"), record.get("end_date")
            if start is not None and end is not None and end <= start:
                reason = f"end_date {end} is not after start_date {start} (end is exclusive)"
                parsed.problem(index, "end_date", reason)

    def complete(self, row: Record) -> Record:
        if "currency" in row and row["currency"] is None:
            row["currency"] = "USD"
        return row
