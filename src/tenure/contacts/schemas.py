"""API shapes of the contacts domain."""

from __future__ import annotations

from pydantic import BaseModel

from tenure.models.types import ContactRole


class ContactFilters(BaseModel):
    account_id: int | None = None
    role: ContactRole | None = None
    email: str | None = None


class ContactOut(BaseModel):
    external_id: str
    account_external_id: str
    email: str
    first_name: str | None
    last_name: str | None
    title: str | None
    role: str | None
