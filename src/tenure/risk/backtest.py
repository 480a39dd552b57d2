"""Honest measurement of the rules (issue 6 item 7): replay them at past dates and compare
with the churn that followed.

- **Churn event** of an account on day E: a paying term ends on E and no paying term
  covers any day of [E, E + grace_days] (a renewal inside the grace window is not churn).
- **As-of points**: the first day of each month from `start` to `end`; only points with
  `point + horizon + grace <= today` are used, so every label is fully observed.
- **Precision** of a rule: of its (account, point) firings on paying accounts, the share
  followed by a churn event within `horizon_days` after the point.
- **Recall**: of churn events with at least one point in the `horizon_days` before them
  (the account paying then), the share the rule fired on at one of those points.
- **Lead time**: days from the first such firing to the churn event (median).

Nothing is written: the rules run as pure functions of frames loaded once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pandas as pd
from sqlalchemy.orm import Session

from tenure.errors import Invalid
from tenure.kit.context import AppContext
from tenure.kit.timeutil import next_month
from tenure.risk.config import load_rules
from tenure.risk.health_source import health_source
from tenure.risk.inputs import RiskData, load_data, usage_window
from tenure.risk.schemas import BacktestOut, RuleQuality
from tenure.risk.service import fire_all, usage_months

ANY_RISK = "any_risk_rule"


def churn_events(terms: pd.DataFrame, grace_days: int, known_until: date) -> pd.DataFrame:
    """account_id, churn_on: paying coverage ends with no paying term within the grace."""
    paying = terms[terms["amount"] > 0]
    ends = paying.dropna(subset=["end_date"])[["account_id", "end_date"]].drop_duplicates()
    ends = ends[ends["end_date"] + pd.Timedelta(days=grace_days) <= pd.Timestamp(known_until)]
    pairs = ends.merge(paying[["account_id", "start_date", "end_date"]], on="account_id",
                       suffixes=("", "_other"))  # fmt: skip
    grace = pd.Timedelta(days=grace_days)
    other_end = pairs["end_date_other"]
    covered = pairs[(pairs["start_date"] <= pairs["end_date"] + grace)
                    & (other_end.isna() | (other_end > pairs["end_date"]))]  # fmt: skip
    covered_keys = set(zip(covered["account_id"], covered["end_date"]))
    mask = pd.Series([(a, e) not in covered_keys for a, e in zip(ends["account_id"], ends["end_date"])],
                     index=ends.index, dtype=bool)  # fmt: skip
    return ends[mask].rename(columns={"end_date": "churn_on"}).reset_index(drop=True)


def month_points(start: date, end: date) -> list[date]:
    points, day = [], start.replace(day=1)
    while day <= end:
        points.append(day)
        day = next_month(day)
    return points


def run_backtest(
    context: AppContext, session: Session, start: date, end: date, today: date,
    horizon_days: int = 90, grace_days: int = 30, step: Callable[[date], None] | None = None,
) -> BacktestOut:
    latest = today - timedelta(days=horizon_days + grace_days)
    points = [p for p in month_points(start, min(end, latest))]
    if not points:
        raise Invalid(f"no as-of point between {start} and {min(end, latest)}: a point needs "
                      f"{horizon_days + grace_days} days of observed future before {today}")  # fmt: skip
    ruleset = load_rules(context.settings.home)
    usage_from, _ = usage_window(points[0], usage_months(ruleset))
    source = health_source(session)
    data = load_data(context, session, usage_from, points[-1], health=source)
    firings, paying = _replay(data, ruleset.rules, points, step)
    events = churn_events(data.terms, grace_days, today)
    kinds = {rule.name: rule.kind for rule in ruleset.rules}
    rows = [_quality(name, kind, firings[firings["rule"] == name], paying, events, horizon_days)
            for name, kind in kinds.items()]  # fmt: skip
    risky = firings[firings["rule"].map(kinds) == "risk"]
    rows.append(_quality(ANY_RISK, "risk", risky.drop_duplicates(["account_id", "point"]),
                         paying, events, horizon_days))  # fmt: skip
    labelled = _label(paying, events, horizon_days)
    return BacktestOut(
        start=points[0], end=points[-1], points=len(points), horizon_days=horizon_days,
        health_available=source is not None, accounts=int(paying["account_id"].nunique()),
        churners=int(_eligible(events, paying, horizon_days)["account_id"].nunique()),
        base_rate=_ratio(int(labelled["churned"].sum()), len(labelled)), rules=rows,
    )


def _replay(
    data: RiskData, rules: list, points: list[date], step: Callable[[date], None] | None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    fired, paying = [], []
    for point in points:
        frame = fire_all(data, rules, point)
        fired.append(frame[["account_id", "rule"]].drop_duplicates().assign(point=pd.Timestamp(point)))
        paying.append(pd.DataFrame({"account_id": data.paying(point), "point": pd.Timestamp(point)}))
        if step:
            step(point)
    fired_frame = pd.concat(fired, ignore_index=True).astype({"account_id": "int64"})
    return fired_frame, pd.concat(paying, ignore_index=True).astype({"account_id": "int64"})


def _label(pairs: pd.DataFrame, events: pd.DataFrame, horizon: int) -> pd.DataFrame:
    """pairs (account_id, point) with `churned` (a churn event in (point, point+horizon])
    and `churn_on` (the first such event)."""
    joined = pairs.reset_index().merge(events, on="account_id", how="left")
    inside = (joined["churn_on"] > joined["point"]) & (
        joined["churn_on"] <= joined["point"] + pd.Timedelta(days=horizon)
    )
    first = joined[inside].groupby("index")["churn_on"].min()
    out = pairs.copy()
    out["churn_on"] = first.reindex(range(len(pairs))).to_numpy()
    out["churned"] = out["churn_on"].notna()
    return out


def _eligible(events: pd.DataFrame, paying: pd.DataFrame, horizon: int) -> pd.DataFrame:
    """Churn events with a paying as-of point in the horizon before them."""
    labelled = _label(paying.reset_index(drop=True), events, horizon)
    hit = labelled[labelled["churned"]]
    return hit[["account_id", "churn_on"]].drop_duplicates()


def _quality(
    rule: str, kind: str, fired: pd.DataFrame, paying: pd.DataFrame, events: pd.DataFrame,
    horizon: int,
) -> RuleQuality:
    labelled = _label(fired[["account_id", "point"]].reset_index(drop=True), events, horizon)
    eligible = _eligible(events, paying, horizon)
    caught = labelled[labelled["churned"]].groupby(["account_id", "churn_on"])["point"].min()
    lead = (caught.index.get_level_values("churn_on") - caught.to_numpy()).days
    tp = int(labelled["churned"].sum())
    return RuleQuality(
        rule=rule, kind=kind, fired=len(labelled), fired_accounts=int(fired["account_id"].nunique()),
        true_positives=tp, precision=_ratio(tp, len(labelled)), churners=len(eligible),
        churners_flagged=len(caught), recall=_ratio(len(caught), len(eligible)),
        median_lead_days=float(pd.Series(lead).median()) if len(caught) else None,
    )


def _ratio(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None
