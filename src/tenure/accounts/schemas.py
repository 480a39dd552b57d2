"""API shapes of the accounts domain."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel

from tenure.models.types import LifecycleStage, Segment


class AccountSort(StrEnum):
    name = "name"
    name_desc = "-name"
    external_id = "external_id"
    customer_since = "customer_since"
    customer_since_desc = "-customer_since"


class AccountFilters(BaseModel):
    segment: Segment | None = None
    lifecycle_stage: LifecycleStage | None = None
    owner: str | None = None  # owner's email
    industry: str | None = None
    parent: str | None = None  # parent's external_id
    q: str | None = None  # substring of name, domain or external_id
    sort: AccountSort = AccountSort.name


class AccountOut(BaseModel):
    external_id: str
    name: str
    domain: str | None
    industry: str | None
    country: str | None
    employees: int | None
    segment: str | None
    lifecycle_stage: str | None
    parent_external_id: str | None
    owner_email: str | None
    customer_since: datetime | None
    mrr: Decimal  # today, METRICS.md section 1
    arr: Decimal


class AccountDetail(AccountOut):
    children: list[str]  # external ids of direct subsidiaries
    contacts: int
    active_terms: int
