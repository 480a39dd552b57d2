"""From measure inputs to a frozen `ScoreBatch`: pick each account's scorecard, score it,
and keep the explanation (per measure value, score, effective weight, contribution)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from tenure.health.engine import CardScores, assign_cards, score_card
from tenure.health.inputs import MeasureInputs, days, prepare, utc
from tenure.health.measures import active_terms, compute_measures
from tenure.health.schemas import AccountScoreOut, MeasureScoreOut, clean
from tenure.health.scorecards import Scorecard

DETAIL_COLUMNS = ["account_id", "name", "group", "value", "score", "weight", "contribution"]
MEASURE_KEYS = DETAIL_COLUMNS[1:]


def _plain(values: pd.Series, missing: float | None = None) -> list[float | None]:
    """Floats rounded to 4 places, NaN as `missing` (vectorised `schemas.clean`)."""
    array = np.round(values.to_numpy(dtype="float64", na_value=np.nan), 4)
    out = array.astype(object)
    out[np.isnan(array)] = missing
    return out.tolist()


@dataclass(frozen=True)
class ScoreBatch:
    """Scores of many accounts on one day. `accounts` is indexed by account id (columns
    external_id, scorecard, scorecard_version, score, grade, pulling_down); `details` has
    one row per account and measure of its scorecard (DETAIL_COLUMNS), missing measures
    included with NaN value and score and weight 0."""

    as_of: date
    accounts: pd.DataFrame
    details: pd.DataFrame

    def __len__(self) -> int:
        return len(self.accounts)

    def measures_of(self) -> dict[int, list[dict[str, object]]]:
        """account id -> its measures as plain dicts (NaN -> None), in scorecard order."""
        d = self.details
        columns = [d["name"].tolist(), d["group"].tolist(), _plain(d["value"]),
                   _plain(d["score"]), _plain(d["weight"], 0.0),
                   _plain(d["contribution"], 0.0)]  # fmt: skip
        out: dict[int, list[dict[str, object]]] = {}
        for account_id, *row in zip(d["account_id"].tolist(), *columns, strict=True):
            out.setdefault(account_id, []).append(dict(zip(MEASURE_KEYS, row, strict=True)))
        return out

    def outputs(self) -> Iterator[AccountScoreOut]:
        measures = self.measures_of()
        for account_id, row in zip(self.accounts.index.tolist(),
                                   self.accounts.itertuples(index=False), strict=True):  # fmt: skip
            yield AccountScoreOut(
                account_id=account_id, external_id=row.external_id, score=clean(row.score),
                grade=row.grade, scorecard=row.scorecard,
                scorecard_version=int(row.scorecard_version), pulling_down=row.pulling_down,
                measures=[MeasureScoreOut(**m) for m in measures.get(account_id, [])],  # type: ignore[arg-type]
            )  # fmt: skip


def attributes(data: MeasureInputs) -> pd.DataFrame:
    """segment, lifecycle_stage and days_as_customer (from the first paying term's start,
    else the CRM customer_since date; NaN when neither is known by as_of)."""
    a = data.accounts.set_index("account_id")
    t = data.terms
    paying = t[t["amount"].astype("float64") > 0]
    first = days(paying["start_date"]).groupby(paying["account_id"]).min()
    since = utc(a["customer_since"]).dt.tz_localize(None).dt.normalize()
    start = first.reindex(a.index).fillna(since)
    age = (pd.Timestamp(data.as_of) - start).dt.days.astype("float64")
    age[age < 0] = np.nan  # not a customer yet on as_of
    return pd.DataFrame(
        {"segment": a["segment"], "lifecycle_stage": a["lifecycle_stage"],
         "days_as_customer": age}, index=a.index,
    )  # fmt: skip


def score_measures(
    as_of: date, measures: pd.DataFrame, attrs: pd.DataFrame, external_ids: pd.Series,
    cards: list[Scorecard],
) -> ScoreBatch:  # fmt: skip
    """Score a measure table (index account id) with the scorecards in matching order."""
    chosen = assign_cards(cards, attrs.reindex(measures.index))
    summary, details = [], []
    for position, card in enumerate(cards):
        rows = np.flatnonzero(chosen == position)
        if len(rows) == 0:
            continue
        ids = measures.index.to_numpy()[rows]
        result = score_card(card, measures.iloc[rows])
        summary.append(_summary_frame(ids, card, result))
        details.append(_detail_frame(ids, card, result))
    accounts = pd.concat(summary) if summary else _summary_frame(np.array([], int), cards[-1], None)
    accounts = accounts.sort_index()
    accounts.insert(0, "external_id", external_ids.reindex(accounts.index).to_numpy())
    detail = pd.concat(details) if details else pd.DataFrame(columns=DETAIL_COLUMNS)
    detail = detail.sort_values("account_id", kind="stable").reset_index(drop=True)
    return ScoreBatch(as_of=as_of, accounts=accounts, details=detail)


def _summary_frame(ids: np.ndarray, card: Scorecard, result: CardScores | None) -> pd.DataFrame:
    n = len(ids)
    return pd.DataFrame(
        {
            "scorecard": [card.name] * n, "scorecard_version": [card.version] * n,
            "score": result.score if result else np.array([], float),
            "grade": result.grade if result else np.array([], object),
            "pulling_down": result.pulling_down if result else np.array([], object),
        },
        index=pd.Index(ids, name="account_id"),
    )  # fmt: skip


def _detail_frame(ids: np.ndarray, card: Scorecard, result: CardScores) -> pd.DataFrame:
    names = [m.measure for g in card.groups for m in g.measures]
    groups = [g.name for g in card.groups for _ in g.measures]
    k = len(names)
    return pd.DataFrame(
        {
            "account_id": np.repeat(ids, k), "name": np.tile(np.asarray(names, object), len(ids)),
            "group": np.tile(np.asarray(groups, object), len(ids)),
            "value": result.values.ravel(), "score": result.scores.ravel(),
            "weight": result.weights.ravel(), "contribution": result.contributions.ravel(),
        }
    )  # fmt: skip


def score_inputs(data: MeasureInputs, cards: list[Scorecard]) -> ScoreBatch:
    """Compute the measures the cards use and score every account."""
    data = prepare(data)
    needed = sorted({name for card in cards for name in card.measure_names})
    measures = compute_measures(data, needed)
    # Only customers are scored: an account without an active term on as_of (not yet
    # signed, or churned) gets no score rather than one made of leftovers.
    customers = active_terms(data, data.as_of)["account_id"].unique()
    measures.loc[~measures.index.isin(customers), :] = np.nan
    ext = pd.Series(data.accounts["external_id"].to_numpy(), index=data.index)
    return score_measures(data.as_of, measures, attributes(data), ext, cards)
