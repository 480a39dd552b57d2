"""Each early-warning rule on small fixtures, including its edges, through the real
operational database and event store (rules read them in bulk for all accounts)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest

from tenure.kit.db import unit_of_work
from tenure.risk.inputs import load_data
from tenure.risk.rules import RULES
from tests.risk import factories as f
from tests.usage.rollup_helpers import event, table

AS_OF = date(2025, 6, 10)
START = date(2025, 1, 1)


def add_usage(context, account: str, days: list[date], users: int) -> None:
    """`users` distinct users active on each day."""
    rows = [
        event(f"{account}-{day}-{u}", datetime.combine(day, datetime.min.time(), UTC)
              + timedelta(hours=9), account=account, user=f"{account}-u{u}")
        for day in days for u in range(users)
    ]  # fmt: skip
    context.events.append(table(rows))


def month_days(year: int, month: int, count: int) -> list[date]:
    return [date(year, month, d) for d in range(1, count + 1)]


def fire(context, rule: str, as_of: date = AS_OF, health=None, **params) -> pd.DataFrame:
    with unit_of_work(context.sessions) as s:
        data = load_data(context, s, date(2024, 12, 1), as_of, health=health)
        return RULES[rule](params).evaluate(data, as_of)


def paying(s, name: str, seats: int | None = 2, start: date = START, end: date | None = None, **kw):
    a = f.account(s, name, **kw)
    f.term(s, a, start, end, quantity=seats)
    return a


# usage decline: 2 seats, threshold 1.0 active user-day per seat -> below 2 user-days a month


@pytest.mark.parametrize(
    ("march", "april", "may", "months", "fires"),
    [
        (30, 1, 1, 2, True),  # exactly the last two complete months low
        (30, 1, 1, 3, False),  # ... but not three
        (30, 30, 1, 2, False),  # only one month low
        (30, 1, 0, 2, True),  # no usage at all counts as zero
        (30, 2, 2, 2, False),  # at the threshold is not below it
    ],
)
def test_usage_decline(context, march, april, may, months, fires) -> None:
    with unit_of_work(context.sessions) as s:
        paying(s, "acme")
    for month, days in ((3, march), (4, april), (5, may)):
        if days:
            add_usage(context, "acme", month_days(2025, month, days), users=1)
    add_usage(context, "acme", month_days(2025, 6, 9), users=2)  # June is incomplete: ignored
    result = fire(context, "usage_decline", months=months, min_active_days_per_seat=1.0)
    assert (len(result) == 1) is fires
    if fires:
        assert set(result.iloc[0]["inputs"]["months"]) == (
            {"2025-04", "2025-05"} if months == 2 else {"2025-03", "2025-04", "2025-05"}
        )


def test_usage_decline_skips_accounts_not_paying_or_without_seats(context) -> None:
    with unit_of_work(context.sessions) as s:
        paying(s, "noseats", seats=None)
        paying(s, "gone", end=date(2025, 6, 1))
        paying(s, "new", start=date(2025, 5, 1))  # not paying at the end of April
    assert fire(context, "usage_decline").empty


@pytest.mark.parametrize(("users", "fires"), [(9, True), (10, True), (8, False)])
def test_expansion_seats(context, users: int, fires: bool) -> None:
    with unit_of_work(context.sessions) as s:
        paying(s, "acme", seats=10)
    add_usage(context, "acme", [AS_OF - timedelta(days=29)], users=users)
    add_usage(context, "acme", [AS_OF - timedelta(days=30)], users=10)  # outside the window
    result = fire(context, "expansion_seats")
    assert (len(result) == 1) is fires
    if fires:
        assert result.iloc[0]["inputs"]["utilisation"] == users / 10


def test_champion_gone(context) -> None:
    with unit_of_work(context.sessions) as s:
        a = paying(s, "acme")
        left = f.contact(s, a, "champion", left_at=AS_OF - timedelta(days=29))
        f.contact(s, a, "champion")
        f.contact(s, a, "user", left_at=AS_OF)  # not a champion
        b = paying(s, "bolt")
        f.contact(s, b, "champion", left_at=AS_OF - timedelta(days=31))  # too long ago
        f.contact(s, b, "champion", left_at=AS_OF + timedelta(days=1))  # not yet (point in time)
    result = fire(context, "champion_gone")
    assert result["reason"].tolist() == [f"champion {left.external_id} left"]
    assert result.iloc[0]["inputs"]["champions_remaining"] == 1


def test_payment_problem(context) -> None:
    day = AS_OF
    with unit_of_work(context.sessions) as s:
        a = paying(s, "late")
        f.invoice(s, a, day - timedelta(days=40), "open", due=day - timedelta(days=7))
        b = paying(s, "almost")
        f.invoice(s, b, day - timedelta(days=40), "open", due=day - timedelta(days=6))
        c = paying(s, "failed")
        f.invoice(s, c, day - timedelta(days=2), "failed", due=day + timedelta(days=28))
        d = paying(s, "paidlater")  # overdue then, paid after as_of: still overdue on as_of
        f.invoice(s, d, day - timedelta(days=60), "paid", due=day - timedelta(days=30),
                  paid=day + timedelta(days=3))
        e = paying(s, "paid")
        f.invoice(s, e, day - timedelta(days=60), "paid", due=day - timedelta(days=30),
                  paid=day - timedelta(days=20))
        g = paying(s, "oldfail")
        f.invoice(s, g, day - timedelta(days=61), "failed", due=day + timedelta(days=10))
    result = fire(context, "payment_problem")
    names = {a.id: "late", c.id: "failed", d.id: "paidlater"}
    assert sorted(names[i] for i in result["account_id"]) == ["failed", "late", "paidlater"]


def test_nps_detractor_uses_latest_recent_response(context) -> None:
    with unit_of_work(context.sessions) as s:
        a = paying(s, "detractor")
        f.nps(s, a, 9, AS_OF - timedelta(days=50))
        f.nps(s, a, 6, AS_OF - timedelta(days=10))
        b = paying(s, "recovered")
        f.nps(s, b, 3, AS_OF - timedelta(days=50))
        f.nps(s, b, 8, AS_OF - timedelta(days=10))
        c = paying(s, "old")
        f.nps(s, c, 0, AS_OF - timedelta(days=91))
        d = paying(s, "csat")
        f.nps(s, d, 1, AS_OF - timedelta(days=1), kind="csat")
        e = paying(s, "future")
        f.nps(s, e, 0, AS_OF + timedelta(days=1))
    result = fire(context, "nps_detractor")
    assert result["account_id"].tolist() == [a.id]
    assert result.iloc[0]["inputs"]["score"] == 6


def _health(grades: dict[int, tuple[float, str, float | None]]):
    def source(_day: date) -> pd.DataFrame:
        frame = pd.DataFrame(
            [(a, s, g, b, pd.Timestamp(_day)) for a, (s, g, b) in grades.items()],
            columns=["account_id", "score", "grade", "score_30d_ago", "scored_on"],
        )
        return frame.set_index("account_id")

    return source


def test_health_decline(context) -> None:
    with unit_of_work(context.sessions) as s:
        red, drop, small, fine = (paying(s, n).id for n in ("red", "drop", "small", "fine"))
    health = _health({red: (40, "red", 45), drop: (70, "yellow", 85), small: (70, "yellow", 84.9),
                      fine: (90, "green", None)})  # fmt: skip
    result = fire(context, "health_decline", health=health).set_index("account_id")
    assert result["reason"].to_dict() == {red: "health red", drop: "health dropped"}
    assert result.loc[drop, "inputs"]["drop"] == 15


def test_renewal_at_risk(context) -> None:
    end = AS_OF + timedelta(days=120)
    with unit_of_work(context.sessions) as s:
        risky = paying(s, "risky", end=end).id
        green = paying(s, "green", end=end).id
        far = paying(s, "far", end=end + timedelta(days=1)).id
        renewed = paying(s, "renewed", end=end)
        successor = f.term(s, renewed, end + timedelta(days=5), end + timedelta(days=400))
        successor.signed_at = AS_OF - timedelta(days=1)  # signed already: renewed
        unsigned = paying(s, "unsigned", end=end)  # a successor without signed_at is
        f.term(s, unsigned, end, end + timedelta(days=365))  # known from its start only
        signed_later = paying(s, "signedlater", end=end)
        later = f.term(s, signed_later, end, end + timedelta(days=365))
        later.signed_at = AS_OF + timedelta(days=10)  # not known on as_of
    ids = [risky, green, far, renewed.id, signed_later.id, unsigned.id]
    grades = {a: (60, "yellow", 60) for a in ids} | {green: (90, "green", 90)}
    result = fire(context, "renewal_at_risk", health=_health(grades))
    assert sorted(result["account_id"]) == sorted([risky, signed_later.id, unsigned.id])
    assert result.iloc[0]["reason"] == f"renewal {end.isoformat()}"
    assert fire(context, "renewal_at_risk").empty  # without health scores nothing fires
