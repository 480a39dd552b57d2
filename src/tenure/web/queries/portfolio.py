"""The portfolio's rows: accounts with owner, stage, latest health, churn risk, renewal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from tenure.kit import bulk
from tenure.models.accounts import Account
from tenure.models.billing import SubscriptionTerm
from tenure.models.health import ChurnScore, HealthSnapshot
from tenure.models.types import LifecycleStage, Segment
from tenure.models.users import User

PAGE_SIZE = 50
RENEWAL_WINDOWS = (30, 60, 90, 120)
SPARK_DAYS = 90


class PortfolioSort(StrEnum):
    name = "name"
    arr_desc = "-arr"
    arr = "arr"
    health = "health"
    health_desc = "-health"
    renewal = "renewal"
    churn_desc = "-churn"


class PortfolioFilters(BaseModel):
    """The portfolio's query string (also what a saved view stores)."""

    model_config = ConfigDict(extra="ignore")

    owner: str | None = None  # an owner's email, "me", or "none" (unassigned)
    segment: Segment | None = None
    grade: str | None = Field(default=None, pattern=r"^(red|yellow|green|none)$")
    stage: LifecycleStage | None = None
    renewal: int | None = None  # renewing within this many days
    q: str | None = Field(default=None, max_length=200)
    sort: PortfolioSort = PortfolioSort.name
    page: int = Field(default=1, ge=1)

    @field_validator("owner", "grade", "q", "segment", "stage", "renewal", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if value == "" else value

    @field_validator("renewal")
    @classmethod
    def _window(cls, value: int | None) -> int | None:
        if value is not None and value not in RENEWAL_WINDOWS:
            raise ValueError(f"renewal window must be one of {RENEWAL_WINDOWS} days")
        return value

    def query_params(self) -> dict[str, str]:
        """Non-default filters as query parameters (page excluded)."""
        data = self.model_dump(exclude={"page"}, exclude_defaults=True, mode="json")
        return {key: str(value) for key, value in data.items() if value is not None}


@dataclass(frozen=True)
class PortfolioRow:
    id: int
    external_id: str
    name: str
    segment: str | None
    stage: str | None
    owner_email: str | None
    owner_name: str | None
    score: float | None
    grade: str | None
    churn_probability: float | None
    renewal_on: date | None


def latest_health_day(session: Session, today: date) -> date | None:
    return session.scalar(select(func.max(HealthSnapshot.as_of)).where(HealthSnapshot.as_of <= today))


def latest_churn_day(session: Session, today: date) -> date | None:
    return session.scalar(select(func.max(ChurnScore.scored_on)).where(ChurnScore.scored_on <= today))


def _active(today: date) -> Any:
    term = SubscriptionTerm
    return and_(term.start_date <= today, or_(term.end_date.is_(None), term.end_date > today))


class _Parts:
    """The stored results a portfolio query can join, each restricted to `ids` if given
    (the detail query of one page touches only that page's accounts)."""

    def __init__(self, session: Session, today: date, ids: list[int] | None = None) -> None:
        term = SubscriptionTerm
        health_day, churn_day = latest_health_day(session, today), latest_churn_day(session, today)
        self.health = select(HealthSnapshot.account_id, HealthSnapshot.score, HealthSnapshot.grade
                             ).where(HealthSnapshot.as_of == health_day)
        self.churn = select(ChurnScore.account_id, ChurnScore.probability
                            ).where(ChurnScore.scored_on == churn_day)
        self.terms = select(
            term.account_id, func.min(term.end_date).label("renewal_on"),
            func.sum(term.amount / term.billing_period_months).label("mrr_order"),
        ).where(_active(today)).group_by(term.account_id)
        if ids is not None:
            self.health = self.health.where(HealthSnapshot.account_id.in_(ids))
            self.churn = self.churn.where(ChurnScore.account_id.in_(ids))
            self.terms = self.terms.where(term.account_id.in_(ids))
        self.health, self.churn = self.health.subquery("health"), self.churn.subquery("churn")
        self.terms = self.terms.subquery("terms")

    def join(self, query: Select[Any], needed: set[str]) -> Select[Any]:
        if "owner" in needed:
            query = query.outerjoin(User, Account.owner_id == User.id)
        for name in ("health", "churn", "terms"):
            if name in needed:
                part = getattr(self, name)
                query = query.outerjoin(part, part.c.account_id == Account.id)
        return query


def _needed(filters: PortfolioFilters) -> set[str]:
    """Which joins the filters and the sort need (the page's ids come from only these)."""
    needed = {"owner"} if filters.owner not in (None, "none") else set()
    if filters.grade or filters.sort in (PortfolioSort.health, PortfolioSort.health_desc):
        needed.add("health")
    if filters.renewal or filters.sort in (PortfolioSort.arr, PortfolioSort.arr_desc,
                                           PortfolioSort.renewal):
        needed.add("terms")
    if filters.sort is PortfolioSort.churn_desc:
        needed.add("churn")
    return needed


def _conditions(filters: PortfolioFilters, today: date, user_email: str, parts: _Parts) -> list[Any]:
    health, terms = parts.health, parts.terms
    found: list[Any] = []
    if filters.owner == "none":
        found.append(Account.owner_id.is_(None))
    elif filters.owner:
        email = user_email if filters.owner == "me" else filters.owner
        found.append(func.lower(User.email) == email.lower())
    if filters.segment:
        found.append(Account.segment == filters.segment.value)
    if filters.stage:
        found.append(Account.lifecycle_stage == filters.stage.value)
    if filters.grade == "none":
        found.append(health.c.grade.is_(None))
    elif filters.grade:
        found.append(health.c.grade == filters.grade)
    if filters.renewal:
        found.append(terms.c.renewal_on.between(today, today + timedelta(days=filters.renewal)))
    if filters.q:
        pattern = f"%{filters.q.lower()}%"
        found.append(or_(func.lower(Account.name).like(pattern),
                         func.lower(Account.external_id).like(pattern)))
    return found


def _order(sort: PortfolioSort, parts: _Parts) -> list[Any]:
    score, renewal = parts.health.c.score, parts.terms.c.renewal_on
    mrr, churn = parts.terms.c.mrr_order, parts.churn.c.probability
    orders: dict[PortfolioSort, list[Any]] = {
        PortfolioSort.name: [Account.name],
        PortfolioSort.arr_desc: [mrr.desc().nulls_last()],
        PortfolioSort.arr: [mrr.asc().nulls_first()],
        PortfolioSort.health: [score.asc().nulls_last()],
        PortfolioSort.health_desc: [score.desc().nulls_last()],
        PortfolioSort.renewal: [renewal.asc().nulls_last()],
        PortfolioSort.churn_desc: [churn.desc().nulls_last()],
    }
    return [*orders[sort], Account.id]


def _page_ids(
    session: Session, filters: PortfolioFilters, today: date, user_email: str, limit: int | None
) -> tuple[list[int], int]:
    """The page's ids and the number matching. Unfiltered, the number is a plain count of
    accounts; filtered, a window count in the same query (one pass over the joins)."""
    parts, needed = _Parts(session, today), _needed(filters)
    conditions = _conditions(filters, today, user_email, parts)
    base = parts.join(select(Account.id), needed).where(*conditions)
    query = base.order_by(*_order(filters.sort, parts))
    if conditions:
        query = query.add_columns(func.count().over().label("total"))
    if limit is not None:
        query = query.limit(limit).offset((filters.page - 1) * limit)
    found = session.execute(query).all()
    if not conditions:
        return [row.id for row in found], session.scalar(select(func.count(Account.id))) or 0
    if found:
        return [row.id for row in found], int(found[0].total)
    return [], session.scalar(select(func.count()).select_from(base.subquery())) or 0


def _details(session: Session, ids: list[int], today: date) -> list[PortfolioRow]:
    parts = _Parts(session, today, ids)
    query = parts.join(select(
        Account.id, Account.external_id, Account.name, Account.segment,
        Account.lifecycle_stage.label("stage"), User.email.label("owner_email"),
        User.name.label("owner_name"), parts.health.c.score, parts.health.c.grade,
        parts.churn.c.probability.label("churn_probability"), parts.terms.c.renewal_on,
    ), {"owner", "health", "churn", "terms"}).where(Account.id.in_(ids))
    found = {row.id: PortfolioRow(**row) for row in session.execute(query).mappings()}
    return [found[account_id] for account_id in ids]


def rows(
    session: Session, filters: PortfolioFilters, today: date, user_email: str,
    limit: int | None = PAGE_SIZE,
) -> tuple[list[PortfolioRow], int]:
    """One page of rows (all of them when `limit` is None) and the total matching.

    Two steps: the page's account ids, joining only what the filters and sort need, then
    every column for just those accounts."""
    ids, total = _page_ids(session, filters, today, user_email, limit)
    details: list[PortfolioRow] = []
    for chunk in bulk.chunked(ids, bulk.LOOKUP_CHUNK):
        details.extend(_details(session, list(chunk), today))
    return details, total


def health_trends(session: Session, account_ids: list[int], today: date) -> dict[int, list[float]]:
    """Each account's stored health scores over the last SPARK_DAYS days, oldest first."""
    if not account_ids:
        return {}
    query = (
        select(HealthSnapshot.account_id, HealthSnapshot.score)
        .where(HealthSnapshot.account_id.in_(account_ids),
               HealthSnapshot.as_of > today - timedelta(days=SPARK_DAYS),
               HealthSnapshot.as_of <= today, HealthSnapshot.score.is_not(None))
        .order_by(HealthSnapshot.account_id, HealthSnapshot.as_of)
    )
    trends: dict[int, list[float]] = {}
    for account_id, score in session.execute(query):
        trends.setdefault(account_id, []).append(float(score))
    return trends


def owners(session: Session) -> list[tuple[str, str | None]]:
    """(email, name) of users who own at least one account, for the owner filter."""
    query = (
        select(User.email, User.name).where(User.id.in_(select(Account.owner_id)))
        .order_by(User.email)
    )
    return [(email, name) for email, name in session.execute(query)]


def arr_of(mrr: dict[int, Decimal], account_id: int) -> Decimal:
    return 12 * mrr.get(account_id, Decimal("0"))
