"""Stripe subscriptions to subscription terms: one term per subscription item.

A term's external_id is its item id. When an item's price, quantity or plan changes,
the current term ends on the day of the change and a new term starts that day, named
`<item id>@<YYYY-MM-DD>`, so MRR history stays right. Trials are zero-amount terms that
end when the trial does; the paying term starts then. Every rule reads the snapshot
only, so applying the newest snapshot of a subscription converges whatever came before.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from tenure.integrations.stripe.customers import account_for_customer_id
from tenure.integrations.stripe.pricing import period_amount
from tenure.integrations.stripe.schemas import Change, Subscription, SubscriptionItem, day_of
from tenure.subscriptions import service as subscriptions
from tenure.subscriptions.schemas import StoredTerm, TermData

SOURCE = "stripe"
# No MRR while in these states; the term exists so the subscription is visible.
ZERO_STATUSES = frozenset({"trialing", "paused"})
# Never paid for: no term is created (an existing one is still updated).
UNSTARTED_STATUSES = frozenset({"incomplete", "incomplete_expired"})
PRICING = ("plan", "amount", "billing_period_months", "quantity", "currency")


def _ending(
    sub: Subscription, item: SubscriptionItem, change: Change
) -> tuple[date | None, date | None]:
    """(end_date, canceled_at): when the item stops, and when notice was given."""
    notice = day_of(sub.canceled_at)
    if sub.status == "canceled" or sub.ended_at:
        return day_of(sub.ended_at or sub.canceled_at or sub.cancel_at) or change.day, notice
    if sub.cancel_at:
        return day_of(sub.cancel_at), notice or change.day
    if sub.cancel_at_period_end:
        return day_of(sub.period_end(item)), notice or change.day
    return None, None


def _start(sub: Subscription, item: SubscriptionItem, paying: bool) -> date:
    began = item.created or sub.start_date or sub.created or 0
    if sub.status == "trialing":
        began = sub.trial_start or began
    elif paying and sub.trial_end:
        began = max(began, sub.trial_end)
    return day_of(began) or date(1970, 1, 1)


def desired_term(
    sub: Subscription, item: SubscriptionItem, account_id: int, change: Change
) -> TermData:
    """The term this snapshot says the item is, as if it had always been so."""
    end, notice = _ending(sub, item, change)
    trial_end = day_of(sub.trial_end)
    in_trial = sub.status == "trialing" or (
        sub.status == "canceled" and trial_end is not None and end is not None and end <= trial_end
    )
    if sub.status == "trialing" and trial_end and (end is None or trial_end < end):
        end = trial_end
    amount, months = period_amount(item.price, item.quantity)
    if in_trial or sub.status in ZERO_STATUSES:
        amount = Decimal(0)
    start = _start(sub, item, paying=amount > 0)
    return TermData(
        external_id=item.id,
        account_id=account_id,
        plan=item.price.label,
        start_date=start,
        end_date=_after(end, start),
        amount=amount,
        billing_period_months=months,
        quantity=item.quantity,
        currency=item.price.currency.upper(),
        signed_at=start,
        canceled_at=notice,
        source=SOURCE,
    )


def _after(end: date | None, start: date) -> date | None:
    """Terms end after they start: a same-day end keeps one day."""
    return None if end is None else max(end, start + timedelta(days=1))


def _same_pricing(term: StoredTerm, wanted: TermData) -> bool:
    return all(getattr(term, name) == getattr(wanted, name) for name in PRICING)


def _write(session: Session, wanted: TermData, **fixed: object) -> None:
    """Write `wanted` with some fields fixed (name, start), its end kept after its start."""
    term = wanted.model_copy(update=fixed)
    subscriptions.upsert_term(session, term.model_copy(
        update={"end_date": _after(term.end_date, term.start_date)}))


def converge_item(session: Session, wanted: TermData, change_day: date) -> None:
    """Make the item's latest term match `wanted`, splitting it on a price change."""
    lineage = subscriptions.term_lineage(session, wanted.external_id)
    if not lineage:
        _write(session, wanted)
        return
    current = lineage[-1]
    same = {"external_id": current.external_id, "start_date": current.start_date,
            "signed_at": current.signed_at}
    boundary = change_day
    if current.end_date is not None and current.end_date < boundary:
        boundary = current.end_date  # e.g. a trial that ended before the event
    if _same_pricing(current, wanted) or boundary <= current.start_date:
        _write(session, wanted, **same)  # dates and notice only, or changed on day one
        return
    closed = TermData(**{**current.model_dump(exclude={"id"}), "end_date": boundary})
    subscriptions.upsert_term(session, closed)
    _write(session, wanted, external_id=f"{wanted.external_id}@{boundary.isoformat()}",
           start_date=boundary, signed_at=boundary)


def end_item(session: Session, item_id: str, day: date) -> None:
    """An item removed from its subscription: its latest term ends on `day`."""
    lineage = subscriptions.term_lineage(session, item_id)
    if not lineage or (lineage[-1].end_date is not None and lineage[-1].end_date <= day):
        return
    current = lineage[-1]
    data = current.model_dump(exclude={"id"})
    ended = {**data, "end_date": _after(day, current.start_date)}
    subscriptions.upsert_term(session, TermData(**ended))


def _removed_items(sub: Subscription, change: Change) -> list[str]:
    before = ((change.previous or {}).get("items") or {}).get("data") or []
    now = {item.id for item in sub.items.data}
    return [item["id"] for item in before if isinstance(item, dict) and item.get("id") not in now]


def apply_subscription(session: Session, sub: Subscription, change: Change) -> None:
    account_id = account_for_customer_id(session, sub.customer)
    for item in sub.items.data:
        wanted = desired_term(sub, item, account_id, change)
        if sub.status in UNSTARTED_STATUSES and not subscriptions.term_lineage(session, item.id):
            continue
        converge_item(session, wanted, change.day)
    for item_id in _removed_items(sub, change):
        end_item(session, item_id, change.day)
