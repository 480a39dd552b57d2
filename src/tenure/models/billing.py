"""Money: subscription terms (METRICS.md section 1), invoices and acquisition spend."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from tenure.models.base import Base, Timestamped
from tenure.models.types import money_column


class SubscriptionTerm(Timestamped, Base):
    """A recurring line of a contract. Active on day d when start_date <= d < end_date."""

    __tablename__ = "subscription_terms"
    __table_args__ = (
        CheckConstraint("amount >= 0", name="amount_not_negative"),
        CheckConstraint("billing_period_months > 0", name="period_positive"),
        CheckConstraint("end_date IS NULL OR end_date > start_date", name="end_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(200), unique=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    plan: Mapped[str | None] = mapped_column(String(100))
    start_date: Mapped[date] = mapped_column(Date, index=True)
    end_date: Mapped[date | None] = mapped_column(Date, index=True)
    amount: Mapped[Decimal] = money_column()
    billing_period_months: Mapped[int] = mapped_column(Integer)
    quantity: Mapped[int | None] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    signed_at: Mapped[date | None] = mapped_column(Date)
    canceled_at: Mapped[date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(30), default="import")


class Invoice(Timestamped, Base):
    __tablename__ = "invoices"
    __table_args__ = (CheckConstraint("amount >= 0", name="amount_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(200), unique=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    subscription_id: Mapped[int | None] = mapped_column(
        ForeignKey("subscription_terms.id", ondelete="SET NULL")
    )
    amount: Mapped[Decimal] = money_column()
    currency: Mapped[str] = mapped_column(String(3), default="USD")
    issued_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date | None] = mapped_column(Date)
    paid_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="open", index=True)


class MarketingSpend(Timestamped, Base):
    """Sales and marketing spend of one month (first day of the month), for CAC."""

    __tablename__ = "marketing_spend"
    __table_args__ = (CheckConstraint("sales_marketing_spend >= 0", name="spend_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date] = mapped_column(Date, unique=True)
    sales_marketing_spend: Mapped[Decimal] = money_column()
