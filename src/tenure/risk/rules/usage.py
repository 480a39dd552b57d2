"""Usage rules: usage decline (seed 001) and the seat-utilisation expansion signal."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from tenure.kit.timeutil import month_end
from tenure.risk.inputs import RiskData
from tenure.risk.rules.base import Rule, empty, firings, plain, register


def complete_months(as_of: date, count: int) -> list[date]:
    """First days of the `count` complete months before the month of `as_of`, oldest first."""
    months, first = [], as_of.replace(day=1)
    for _ in range(count):
        first = (first - timedelta(days=1)).replace(day=1)
        months.append(first)
    return months[::-1]


@register
class UsageDecline(Rule):
    name = "usage_decline"
    title = "Usage below target for consecutive months"
    description = (
        "Monthly activity (active user-days per licensed seat) below `min_active_days_per_seat` "
        "in each of the last `months` complete months while paying (seed 001)."
    )
    defaults = {"months": 2, "min_active_days_per_seat": 1.0}

    def evaluate(self, data: RiskData, as_of: date) -> pd.DataFrame:
        months = complete_months(as_of, int(self.params["months"]))
        threshold = float(self.params["min_active_days_per_seat"])
        per_month = []
        for first in months:
            last = month_end(first)
            seats = data.seats(last)
            u = data.usage
            window = u[(u["day"] >= pd.Timestamp(first)) & (u["day"] <= pd.Timestamp(last))]
            days = window.groupby("account_id")["active_users"].sum()
            per_month.append((days.reindex(seats.index, fill_value=0.0) / seats).rename(first))
        if not per_month:
            return empty()
        rates = pd.concat(per_month, axis=1, join="inner")  # paying with seats every month
        rates = rates[rates.index.isin(data.paying(as_of))]
        low = rates[(rates < threshold).all(axis=1)]
        labelled = low.round(4).rename(columns=lambda m: m.strftime("%Y-%m"))
        inputs = [
            {"threshold_active_days_per_seat": threshold, "months": months_of}
            for months_of in labelled.to_dict("records")
        ]  # fmt: skip
        return firings(low.index, "activity below target", inputs)


@register
class SeatUtilisation(Rule):
    name = "expansion_seats"
    title = "Expansion signal: seats nearly all used"
    description = (
        "Distinct active users over the last `window_days` days divided by licensed seats "
        "is at least `min_utilisation` (an upsell conversation, not a risk)."
    )
    kind = "expansion"
    priority = "medium"
    due_days = 14
    defaults = {"min_utilisation": 0.9, "window_days": 30}

    def evaluate(self, data: RiskData, as_of: date) -> pd.DataFrame:
        seats = data.seats(as_of)
        users = data.active_users(as_of, int(self.params["window_days"])).reindex(seats.index)
        utilisation = (users / seats).dropna()
        hit = utilisation[utilisation >= float(self.params["min_utilisation"])]
        inputs = [
            {"active_users": plain(users[a]), "licensed_seats": plain(seats[a]),
             "utilisation": plain(hit[a]), "min_utilisation": self.params["min_utilisation"]}
            for a in hit.index
        ]  # fmt: skip
        return firings(hit.index, "seat utilisation", inputs)
