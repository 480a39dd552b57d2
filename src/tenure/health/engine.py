"""The scoring engine (METRICS.md section 7), vectorised with numpy over all accounts.

Per measure: raw value -> 0..100 by a piecewise-linear curve (clamped at both ends) or
thresholds (first matching step). Group score = weighted mean of its scored measures;
overall = weighted mean of the scored groups; missing measures and empty groups drop out
and their weight is shared in proportion. A measure's effective weight is
(group weight share) x (measure weight share within its group), both over what was
scored; its contribution = effective weight x its score, so contributions sum to the
overall score. The measure pulling the score down most is the one with the largest
effective weight x (100 - score).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tenure.health.scorecards import Grade, Match, MeasureSpec, Scorecard


def map_scores(spec: MeasureSpec, raw: np.ndarray) -> np.ndarray:
    """0..100 for each raw value, NaN where the value is missing."""
    if spec.curve is not None:
        xs, ys = zip(*spec.curve, strict=True)
        out = np.interp(raw, np.asarray(xs), np.asarray(ys))
    else:
        out = np.full(raw.shape, np.nan)
        undecided = np.ones(raw.shape, dtype=bool)
        for step in spec.thresholds or []:
            hit = undecided.copy()
            if step.min is not None:
                hit &= raw >= step.min
            if step.max is not None:
                hit &= raw <= step.max
            out[hit] = step.score
            undecided &= ~hit
    return np.where(np.isnan(raw), np.nan, out)


def grade_of(scores: np.ndarray, grades: list[Grade]) -> np.ndarray:
    """Grade names (None where the score is missing): the first grade whose max >= score."""
    bounds = np.asarray([g.max for g in grades])
    names = np.asarray([g.name for g in grades] + [None], dtype=object)
    position = np.searchsorted(bounds, np.nan_to_num(scores, nan=0.0), side="left")
    position = np.minimum(position, len(grades) - 1)
    return np.where(np.isnan(scores), None, names[position])


@dataclass(frozen=True)
class CardScores:
    """One scorecard applied to n accounts (k measures): arrays of shape (n,) or (n, k)."""

    card: Scorecard
    score: np.ndarray
    grade: np.ndarray
    values: np.ndarray
    scores: np.ndarray
    weights: np.ndarray  # effective weight, fraction of the overall score; 0 when missing
    contributions: np.ndarray
    pulling_down: np.ndarray  # measure name or None


def _shares(weights: np.ndarray, present: np.ndarray) -> np.ndarray:
    """Row-wise weight shares over the present columns (0 where absent or none present)."""
    w = np.where(present, weights[np.newaxis, :], 0.0)
    total = w.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, w / np.where(total > 0, total, 1.0), 0.0)


def score_card(card: Scorecard, measures: pd.DataFrame) -> CardScores:
    specs = [(gi, spec) for gi, group in enumerate(card.groups) for spec in group.measures]
    names = [spec.measure for _, spec in specs]
    values = measures.reindex(columns=names).to_numpy(dtype="float64", na_value=np.nan)
    scores = np.column_stack([map_scores(spec, values[:, j]) for j, (_, spec) in enumerate(specs)])
    present = ~np.isnan(scores)
    member = np.asarray([gi for gi, _ in specs])
    within = np.zeros_like(scores)
    for gi in range(len(card.groups)):
        cols = member == gi
        w = np.asarray([spec.weight for g, spec in specs if g == gi])
        within[:, cols] = _shares(w, present[:, cols])
    group_present = np.column_stack([present[:, member == gi].any(axis=1)
                                     for gi in range(len(card.groups))])  # fmt: skip
    group_share = _shares(np.asarray([g.weight for g in card.groups]), group_present)
    weights = within * group_share[:, member]
    contributions = np.where(present, weights * np.nan_to_num(scores), 0.0)
    score = np.where(present.any(axis=1), contributions.sum(axis=1), np.nan)
    return CardScores(
        card=card, score=score, grade=grade_of(score, card.grades), values=values,
        scores=scores, weights=weights, contributions=contributions,
        pulling_down=_pulling_down(weights, scores, present, names),
    )  # fmt: skip


def _pulling_down(
    weights: np.ndarray, scores: np.ndarray, present: np.ndarray, names: list[str]
) -> np.ndarray:
    lost = np.where(present, weights * (100.0 - np.nan_to_num(scores)), -1.0)
    best = lost.argmax(axis=1) if lost.shape[1] else np.zeros(len(lost), dtype=int)
    labels = np.asarray(names, dtype=object)[best] if names else np.full(len(lost), None)
    top = lost.max(axis=1) if lost.shape[1] else np.zeros(len(lost))
    return np.where(top > 0, labels, None)


def matches(rule: Match, attributes: pd.DataFrame) -> np.ndarray:
    """Boolean mask of accounts a segment rule matches (every given condition holds)."""
    mask = np.ones(len(attributes), dtype=bool)
    if rule.segment is not None:
        mask &= attributes["segment"].isin(rule.segment).to_numpy()
    if rule.lifecycle_stage is not None:
        mask &= attributes["lifecycle_stage"].isin(rule.lifecycle_stage).to_numpy()
    age = attributes["days_as_customer"].to_numpy(dtype="float64", na_value=np.nan)
    if rule.max_days_as_customer is not None:
        mask &= age <= rule.max_days_as_customer  # NaN (no start known) never matches
    if rule.min_days_as_customer is not None:
        mask &= age >= rule.min_days_as_customer
    return mask


def assign_cards(cards: list[Scorecard], attributes: pd.DataFrame) -> np.ndarray:
    """Index into `cards` of the first card whose rule matches each account; the last
    card (the default) takes everything left."""
    chosen = np.full(len(attributes), len(cards) - 1)
    free = np.ones(len(attributes), dtype=bool)
    for position, card in enumerate(cards[:-1]):
        hit = free & matches(card.match, attributes)
        chosen[hit] = position
        free &= ~hit
    return chosen
