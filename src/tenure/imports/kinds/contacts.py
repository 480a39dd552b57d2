"""`tenure import contacts`: the people at customer accounts."""

from __future__ import annotations

from tenure.contacts import service as contacts
from tenure.imports import fields
from tenure.imports.account_rows import AccountRowKind
from tenure.imports.base import register_kind
from tenure.imports.rows import Column
from tenure.models.types import ContactRole


@register_kind
class ContactsKind(AccountRowKind):
    name = "contacts"
    service = contacts
    columns = (
        Column("external_id", fields.text(200), required=True),
        Column("account_external_id", fields.text(200), required=True),
        Column("email", fields.email, required=True),
        Column("first_name", fields.text(100)),
        Column("last_name", fields.text(100)),
        Column("title", fields.text(200)),
        Column("role", fields.choice(ContactRole, {"decision maker": "decision_maker"})),
    )
    aliases = {
        "Record ID": "external_id",
        "Contact ID": "external_id",
        "Id": "external_id",
        "Account ID": "account_external_id",
        "AccountId": "account_external_id",
        "Company ID": "account_external_id",
        "Associated Company ID": "account_external_id",
        "Email Address": "email",
        "First": "first_name",
        "FirstName": "first_name",
        "Last": "last_name",
        "LastName": "last_name",
        "Job Title": "title",
        "Contact Role": "role",
    }
