"""Who churned when, from subscription terms (METRICS.md: an account churns when its MRR
goes to 0), and the labels of point-in-time snapshots.

Paid coverage is the union of an account's positive-amount terms, `[start, end)`.
Coverage gaps of at most `grace_days` (a renewal signed a little late) are bridged; the
**churn day** is the first day of a longer gap (or of no coverage at all). A snapshot on
day s of an account paying on s is **positive** when the churn day falls within
`(s, s + horizon_days]`. Its label is **fully observed** only when
`s + horizon_days + grace_days <= data_end`: before that a late renewal may still come.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

FAR_FUTURE = pd.Timestamp("2262-01-01")  # evergreen terms: covered forever
HORIZON_DAYS = 90
GRACE_DAYS = 30


@dataclass(frozen=True)
class LabelRule:
    horizon_days: int = HORIZON_DAYS
    grace_days: int = GRACE_DAYS

    def observed_by(self, day: date) -> date:
        """The last snapshot day whose label is fully known on `day`."""
        return day - timedelta(days=self.horizon_days + self.grace_days)


def coverage(terms: pd.DataFrame, grace_days: int = GRACE_DAYS) -> pd.DataFrame:
    """Merged paid coverage per account: account_id, start, end (end = churn day, or
    FAR_FUTURE while covered), gaps up to `grace_days` bridged."""
    paid = terms[terms["amount"].astype(float) > 0]
    frame = pd.DataFrame(
        {
            "account_id": paid["account_id"].astype("int64").to_numpy(),
            "start": pd.to_datetime(paid["start_date"]).to_numpy(),
            "end": pd.to_datetime(paid["end_date"]).fillna(FAR_FUTURE).to_numpy(),
        }
    ).sort_values(["account_id", "start"], kind="stable")
    if frame.empty:
        return frame
    reach = frame.groupby("account_id")["end"].cummax()
    previous = reach.groupby(frame["account_id"]).shift()
    bridge = pd.Timedelta(days=grace_days)
    new_block = previous.isna() | (frame["start"] > previous + bridge)
    block = new_block.cumsum()
    merged = frame.assign(reach=reach, block=block).groupby("block").agg(
        account_id=("account_id", "first"), start=("start", "min"), end=("reach", "max")
    )
    return merged.reset_index(drop=True)


def paying_on(cover: pd.DataFrame, day: date) -> pd.DataFrame:
    """Accounts paying on `day` with their churn day: account_id, churn_day (NaT while
    the coverage runs on past every known term)."""
    stamp = pd.Timestamp(day)
    rows = cover[(cover["start"] <= stamp) & (cover["end"] > stamp)]
    churn_day = rows["end"].where(rows["end"] < FAR_FUTURE)
    out = pd.DataFrame({"account_id": rows["account_id"].to_numpy(),
                        "churn_day": churn_day.to_numpy()})  # fmt: skip
    return out.drop_duplicates("account_id").reset_index(drop=True)


def snapshot_labels(
    cover: pd.DataFrame, days: Sequence[date], rule: LabelRule
) -> pd.DataFrame:
    """One row per (snapshot day, paying account): as_of, account_id, churn_day, label."""
    frames = []
    horizon = pd.Timedelta(days=rule.horizon_days)
    for day in days:
        rows = paying_on(cover, day)
        stamp = pd.Timestamp(day)
        label = rows["churn_day"].notna() & (rows["churn_day"] <= stamp + horizon)
        frames.append(rows.assign(as_of=stamp, label=label.astype(np.int8)))
    if not frames:
        return pd.DataFrame(columns=["as_of", "account_id", "churn_day", "label"])
    return pd.concat(frames, ignore_index=True)[["as_of", "account_id", "churn_day", "label"]]


def snapshot_days(first: date, last: date, every_days: int) -> list[date]:
    """Days from `last` back to `first`, every `every_days`, oldest first."""
    days: list[date] = []
    day = last
    while day >= first:
        days.append(day)
        day -= timedelta(days=every_days)
    return days[::-1]
