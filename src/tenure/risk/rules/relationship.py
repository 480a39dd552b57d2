"""Relationship rules: champion gone, NPS detractor."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from tenure.risk.inputs import RiskData
from tenure.risk.rules.base import Rule, firings, plain, register


def _end_of(as_of: date) -> pd.Timestamp:
    return pd.Timestamp(as_of + timedelta(days=1))  # first instant after as_of


@register
class ChampionGone(Rule):
    name = "champion_gone"
    title = "Champion left"
    description = (
        "A contact with role champion left (contacts.left_at) in the last `lookback_days` days."
    )
    defaults = {"lookback_days": 30}

    def evaluate(self, data: RiskData, as_of: date) -> pd.DataFrame:
        c = data.champions
        end = _end_of(as_of)
        start = end - pd.Timedelta(days=int(self.params["lookback_days"]))
        gone = c[(c["left_at"] >= start) & (c["left_at"] < end)]
        gone = gone[gone["account_id"].isin(data.paying(as_of))]
        still = c[c["left_at"].isna() | (c["left_at"] >= end)].groupby("account_id").size()
        inputs = [
            {"contact": row.external_id, "email": row.email, "left_at": plain(row.left_at),
             "champions_remaining": int(still.get(row.account_id, 0))}
            for row in gone.itertuples()
        ]  # fmt: skip
        reasons = [f"champion {external_id} left" for external_id in gone["external_id"]]
        return firings(gone["account_id"].tolist(), reasons, inputs)


@register
class NpsDetractor(Rule):
    name = "nps_detractor"
    title = "NPS detractor"
    description = (
        "The account's latest NPS response in the last `lookback_days` days scored "
        "`max_score` or less (detractor: 0-6)."
    )
    defaults = {"lookback_days": 90, "max_score": 6}

    def evaluate(self, data: RiskData, as_of: date) -> pd.DataFrame:
        n = data.nps
        end = _end_of(as_of)
        start = end - pd.Timedelta(days=int(self.params["lookback_days"]))
        recent = n[(n["responded_at"] < end) & (n["responded_at"] >= start)]
        latest = recent.sort_values(["responded_at", "external_id"]).groupby("account_id").tail(1)
        bad = latest[(latest["score"] <= int(self.params["max_score"]))
                     & latest["account_id"].isin(data.paying(as_of))]  # fmt: skip
        inputs = [
            {"response": row.external_id, "score": int(row.score),
             "responded_at": plain(row.responded_at)}
            for row in bad.itertuples()
        ]  # fmt: skip
        return firings(bad["account_id"].tolist(), "nps detractor", inputs)
