"""Segment traits -> Tenure columns: group traits onto accounts, identify traits onto contacts.

Reserved traits of the Segment spec are read; others stay in the tracked user's traits.
A trait of the wrong type is ignored rather than failing the message.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from tenure.accounts import service as accounts
from tenure.kit.bulk import Record

WRITE_BATCH = 1000


def _text(value: Any, limit: int) -> str | None:
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        text = str(value).strip()
        return text[:limit] or None
    return None


def _count(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and value >= 0:
        return value
    if isinstance(value, float) and value.is_integer() and value >= 0:
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _domain(value: Any) -> str | None:
    text = _text(value, 300)
    if text is None:
        return None
    host = urlsplit(text if "://" in text else f"//{text}").hostname or ""
    host = host.lower().removeprefix("www.")
    return host or None


def account_fields(traits: dict[str, Any]) -> Record:
    """Account columns named by a group call's traits (only those present and usable)."""
    address = traits.get("address") if isinstance(traits.get("address"), dict) else {}
    found: Record = {
        "name": _text(traits.get("name"), 300),
        "industry": _text(traits.get("industry"), 100),
        "employees": _count(traits.get("employees")),
        "domain": _domain(traits.get("website") or traits.get("domain")),
        "country": _text(address.get("country"), 100),
    }
    return {key: value for key, value in found.items() if value is not None}


def upsert_account(session: Session, external_id: str, traits: dict[str, Any]) -> int:
    """Create or update the account `external_id` from group traits; returns its id."""
    record: Record = {"external_id": external_id, **account_fields(traits)}
    if "name" not in record and not accounts.account_ids(session, [external_id]):
        record["name"] = external_id
    accounts.apply_upsert(session, accounts.plan_upsert(session, [record]), WRITE_BATCH)
    return accounts.account_ids(session, [external_id])[external_id]


def contact_record(user_id: str, account_id: int, email: str, traits_json: str | None) -> Record:
    traits = json.loads(traits_json or "{}")
    first = _text(traits.get("firstName") or traits.get("first_name"), 100)
    last = _text(traits.get("lastName") or traits.get("last_name"), 100)
    name = _text(traits.get("name"), 200)
    if name and not (first or last):
        first, _, rest = name.partition(" ")
        last = rest or None
    record: Record = {
        "external_id": user_id,
        "account_id": account_id,
        "email": email,
        "first_name": first,
        "last_name": last,
        "title": _text(traits.get("title"), 200),
    }
    return {key: value for key, value in record.items() if value is not None}
