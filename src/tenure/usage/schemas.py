"""Usage API and CLI documents (pydantic out)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field


class UsageDay(BaseModel):
    date: date
    events: int
    active_users: int


class TopEvent(BaseModel):
    name: str
    count: int
    distinct_users: int


class AccountUsageOut(BaseModel):
    """One account's usage over a window of UTC days (both ends included)."""

    model_config = ConfigDict(populate_by_name=True)

    account: str
    from_: date = Field(alias="from")
    to: date
    events: int = Field(description="Events in the window (from the rollups)")
    days: list[UsageDay] = Field(description="Every day of the window, zeros included")
    top_events: list[TopEvent]
    active_users_7d: int = Field(description="Distinct users over the 7 days ending on `to`")
    active_users_30d: int = Field(description="Distinct users over the 30 days ending on `to`")
    last_seen: datetime | None = Field(description="Time of the account's latest event")
    rollups_refreshed_at: datetime | None = Field(
        description="When the daily rollups were last brought up to date"
    )


class RollupReportOut(BaseModel):
    full: bool
    account_days: int
    seconds: float
