"""`tenure import spend`: sales and marketing spend per month (for CAC)."""

from __future__ import annotations

from typing import Any

from tenure.imports import fields
from tenure.imports.account_rows import ServiceRowKind
from tenure.imports.base import ImportRequest, register_kind
from tenure.imports.rows import Column, ParsedFile
from tenure.spend import service as spend


@register_kind
class SpendKind(ServiceRowKind):
    name = "spend"
    key = "month"
    service = spend
    columns = (
        Column("month", fields.month, required=True),
        Column("sales_marketing_spend", fields.money, required=True),
    )
    aliases = {
        "Period": "month",
        "S&M Spend": "sales_marketing_spend",
        "Sales and Marketing Spend": "sales_marketing_spend",
        "Spend": "sales_marketing_spend",
        "Amount": "sales_marketing_spend",
    }

    def check(self, request: ImportRequest, parsed: ParsedFile) -> Any:
        return None

    def show_key(self, value: Any) -> str:
        return f"{value:%Y-%m}"
