"""Money rules: payment failed or overdue, renewal at risk."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from tenure.risk.inputs import RiskData
from tenure.risk.rules.base import Rule, empty, firings, plain, register

SETTLED = ("paid", "void", "draft", "uncollectible")


@register
class PaymentProblem(Rule):
    name = "payment_problem"
    title = "Payment failed or invoice overdue"
    description = (
        "An invoice unpaid on as_of that failed (issued in the last `lookback_days` days) "
        "or is at least `overdue_days` days past its due date."
    )
    defaults = {"overdue_days": 7, "lookback_days": 60}

    def evaluate(self, data: RiskData, as_of: date) -> pd.DataFrame:
        i = data.invoices
        day = pd.Timestamp(as_of)
        issued = i["issued_on"] <= day
        unpaid = (i["paid_on"].isna() | (i["paid_on"] > day)) & ~(
            i["paid_on"].isna() & i["status"].isin(SETTLED)
        )
        failed = (i["status"] == "failed") & (
            i["issued_on"] > day - pd.Timedelta(days=int(self.params["lookback_days"]))
        )
        overdue = i["due_on"] <= day - pd.Timedelta(days=int(self.params["overdue_days"]))
        hit = i[issued & unpaid & (failed | overdue)]
        hit = hit[hit["account_id"].isin(data.paying(as_of))]
        if hit.empty:
            return empty()
        rows = pd.DataFrame({
            "invoice": hit["external_id"], "status": hit["status"],
            "amount": hit["amount"].astype("float64").round(4),
            "due_on": hit["due_on"].dt.strftime("%Y-%m-%d"),
            "days_overdue": (day - hit["due_on"]).dt.days.astype("Int64"),
        }).astype(object).where(lambda f: f.notna(), None)  # fmt: skip
        by_account: dict[int, list[dict[str, object]]] = {}
        for account_id, record in zip(hit["account_id"], rows.to_dict("records")):
            by_account.setdefault(int(account_id), []).append(record)
        return firings(list(by_account), "payment problem",
                       [{"invoices": invoices} for invoices in by_account.values()])  # fmt: skip


@register
class RenewalAtRisk(Rule):
    name = "renewal_at_risk"
    title = "Renewal soon with weak health"
    description = (
        "A paying term ends within `days` days with no successor signed yet, and the "
        "account's health grade is one of `grades` (needs the health scores)."
    )
    defaults = {"days": 120, "grades": ["red", "yellow"], "grace_days": 30}

    def evaluate(self, data: RiskData, as_of: date) -> pd.DataFrame:
        health = data.health_on(as_of)
        if health is None:
            return empty()
        day = pd.Timestamp(as_of)
        t = data.terms[data.terms["amount"] > 0]
        until = day + pd.Timedelta(days=int(self.params["days"]))
        due = t[(t["end_date"] > day) & (t["end_date"] <= until)]
        known = t[t["signed_at"].fillna(t["start_date"]) <= day]
        pairs = due.merge(known[["account_id", "start_date"]], on="account_id", suffixes=("", "_next"))
        grace = pd.Timedelta(days=int(self.params["grace_days"]))
        renewed = pairs[(pairs["start_date_next"] >= pairs["end_date"])
                        & (pairs["start_date_next"] <= pairs["end_date"] + grace)]  # fmt: skip
        open_due = due.merge(renewed[["account_id", "end_date"]].drop_duplicates(),
                             on=["account_id", "end_date"], how="left", indicator=True)  # fmt: skip
        open_due = open_due[open_due["_merge"] == "left_only"]
        ends = open_due.groupby("account_id")["end_date"].min()
        grades = health["grade"].reindex(ends.index)
        weak = ends[grades.isin(list(self.params["grades"]))]
        inputs = [
            {"renewal_on": plain(weak[a]), "days_to_renewal": int((weak[a] - day).days),
             "grade": health.at[a, "grade"], "score": plain(health.at[a, "score"])}
            for a in weak.index
        ]  # fmt: skip
        reasons = [f"renewal {plain(weak[a])}" for a in weak.index]
        return firings(weak.index, reasons, inputs)
