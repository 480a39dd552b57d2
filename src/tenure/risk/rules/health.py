"""Health rule: the score turned red, or dropped by `drop_points` or more in `window_days`."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from tenure.risk.inputs import RiskData
from tenure.risk.rules.base import Rule, empty, firings, plain, register


@register
class HealthDecline(Rule):
    name = "health_decline"
    title = "Health turned red or dropped"
    description = (
        "The health grade is `red_grade`, or the score fell by at least `drop_points` "
        "against `window_days` days earlier (needs the health scores)."
    )
    defaults = {"drop_points": 15.0, "window_days": 30, "red_grade": "red"}

    def evaluate(self, data: RiskData, as_of: date) -> pd.DataFrame:
        now = data.health_on(as_of)
        if now is None or now.empty:
            return empty()
        window = int(self.params["window_days"])
        if window == 30:  # the health service reports the score 30 days before its snapshot
            earlier = now["score_30d_ago"]
        else:
            before = data.health_on(as_of - timedelta(days=window))
            scores = before["score"] if before is not None else pd.Series(dtype="float64")
            earlier = scores.reindex(now.index)
        now = now[now.index.isin(data.paying(as_of))]
        earlier = earlier.reindex(now.index)
        drop = earlier - now["score"]
        red = now["grade"] == self.params["red_grade"]
        dropped = drop >= float(self.params["drop_points"])
        hit = now[red | dropped]
        reasons = ["health red" if red[a] else "health dropped" for a in hit.index]
        inputs = [
            {"score": plain(hit.at[a, "score"]), "grade": hit.at[a, "grade"],
             "score_before": plain(earlier[a]), "drop": plain(drop[a]),
             "window_days": int(self.params["window_days"])}
            for a in hit.index
        ]  # fmt: skip
        return firings(hit.index, reasons, inputs)
