"""Health scores for the rules, from the health domain's `score_summaries(session, as_of)`.

Normalised to a frame indexed by account id with columns `score` and `grade`. When the
health service is not installed the health rules report "unavailable" and fire nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict, is_dataclass
from datetime import date
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)


def _records(result: Any) -> pd.DataFrame:
    if isinstance(result, pd.DataFrame):
        frame = result.reset_index() if "account_id" not in result.columns else result
        return frame
    if isinstance(result, dict):
        result = [
            {"account_id": key, **(value if isinstance(value, dict) else _as_dict(value))}
            for key, value in result.items()
        ]
    return pd.DataFrame([_as_dict(item) for item in result])


def _as_dict(item: Any) -> dict[str, Any]:
    if isinstance(item, dict):
        return item
    if is_dataclass(item):
        return asdict(item)  # type: ignore[arg-type]
    if hasattr(item, "model_dump"):
        return item.model_dump()
    return dict(vars(item))


COLUMNS = ["score", "grade", "score_30d_ago", "scored_on"]
MAX_AGE_DAYS = 7  # older snapshots are not "the health on as_of" (point in time)


def normalise(result: Any, as_of: date | None = None) -> pd.DataFrame:
    """index account_id; score, grade, score_30d_ago, scored_on. Snapshots older than
    MAX_AGE_DAYS before `as_of` are dropped (the account's health is then unknown)."""
    frame = _records(result)
    if frame.empty:
        return pd.DataFrame(columns=COLUMNS, index=pd.Index([], name="account_id", dtype="int64"))
    frame = frame.set_index(frame["account_id"].astype("int64"))
    frame.index.name = "account_id"
    missing = pd.Series(None, index=frame.index, dtype="float64")
    out = pd.DataFrame({
        "score": pd.to_numeric(frame["score"]),
        "grade": frame["grade"],
        "score_30d_ago": pd.to_numeric(frame.get("score_30d_ago", missing)),
        "scored_on": pd.to_datetime(frame.get("as_of", missing)),
    })
    if as_of is not None:
        oldest = pd.Timestamp(as_of) - pd.Timedelta(days=MAX_AGE_DAYS)
        out = out[out["scored_on"].isna() | (out["scored_on"] >= oldest)]
    return out


def health_source(session: Session) -> Callable[[date], pd.DataFrame | None] | None:
    """A function as_of -> scores, or None when the health service is not available."""
    try:
        from tenure.health.service import score_summaries
    except ImportError:
        log.info("tenure.health.service.score_summaries unavailable: health rules skipped")
        return None

    def scores(as_of: date) -> pd.DataFrame | None:
        return normalise(score_summaries(session, as_of), as_of)

    return scores
