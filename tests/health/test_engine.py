"""Scoring engine against hand-computed scorecards (no database needed)."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest

from tenure.health.engine import assign_cards, grade_of, map_scores, score_card
from tenure.health.scorecards import DEFAULT_GRADES, MeasureSpec, Scorecard, parse_scorecard
from tenure.health.scoring import score_measures


def card(groups: list[dict], **extra: object) -> Scorecard:
    return parse_scorecard({"name": extra.pop("name", "t"), "groups": groups, **extra}, "t.yaml")


CURVE = {"measure": "login_days", "weight": 1, "curve": [[0, 0], [10, 50], [20, 100]]}


def test_curve_interpolates_and_clamps() -> None:
    spec = MeasureSpec.model_validate(CURVE)
    raw = np.array([-5, 0, 5, 10, 15, 20, 99, np.nan])
    got = map_scores(spec, raw)
    assert got[:7].tolist() == [0, 0, 25, 50, 75, 100, 100]
    assert math.isnan(got[7])


def test_thresholds_first_match_wins_and_otherwise() -> None:
    spec = MeasureSpec.model_validate({
        "measure": "open_tickets", "weight": 1,
        "thresholds": [{"max": 0, "score": 100}, {"max": 2, "score": 60},
                       {"min": 10, "score": 5}, {"score": 20}],
    })
    got = map_scores(spec, np.array([0, 1, 2, 3, 10, 50, np.nan]))
    assert got[:6].tolist() == [100, 60, 60, 20, 5, 5]
    assert math.isnan(got[6])


def test_thresholds_without_otherwise_leave_unmatched_missing() -> None:
    spec = MeasureSpec.model_validate(
        {"measure": "nps", "weight": 1, "thresholds": [{"min": 9, "score": 100}]}
    )
    got = map_scores(spec, np.array([9.0, 3.0]))
    assert got[0] == 100 and math.isnan(got[1])


def test_grades_default_bands_and_missing() -> None:
    got = grade_of(np.array([0, 50, 50.01, 75, 75.5, 100, np.nan]), DEFAULT_GRADES)
    assert got.tolist() == ["red", "red", "yellow", "yellow", "green", "green", None]


def two_group_card() -> Scorecard:
    # usage (weight 3): login_days w1 (curve), feature_breadth w3 (thresholds)
    # voice (weight 1): nps w1
    return card([
        {"name": "usage", "weight": 3, "measures": [
            CURVE,
            {"measure": "feature_breadth", "weight": 3,
             "thresholds": [{"min": 5, "score": 100}, {"score": 20}]},
        ]},
        {"name": "voice", "weight": 1, "measures": [
            {"measure": "nps", "weight": 1, "thresholds": [{"min": 9, "score": 100},
                                                           {"score": 0}]},
        ]},
    ])


def test_weights_are_normalised_and_contributions_sum_to_score() -> None:
    m = pd.DataFrame({"login_days": [10.0], "feature_breadth": [1.0], "nps": [10.0]})
    r = score_card(two_group_card(), m)
    # usage = (50*1 + 20*3)/4 = 27.5; overall = (27.5*3 + 100*1)/4 = 45.625
    assert r.score[0] == pytest.approx(45.625)
    assert r.grade[0] == "red"
    assert r.weights[0].tolist() == pytest.approx([0.75 * 0.25, 0.75 * 0.75, 0.25])
    assert r.contributions[0].sum() == pytest.approx(r.score[0])
    # lost points: login 0.1875*50=9.4, breadth 0.5625*80=45, nps 0
    assert r.pulling_down[0] == "feature_breadth"


def test_missing_measure_weight_goes_to_the_rest_of_its_group() -> None:
    m = pd.DataFrame({"login_days": [np.nan], "feature_breadth": [1.0], "nps": [10.0]})
    r = score_card(two_group_card(), m)
    # usage = 20 (breadth alone); overall = (20*3 + 100)/4 = 40
    assert r.score[0] == pytest.approx(40.0)
    assert r.weights[0].tolist() == pytest.approx([0.0, 0.75, 0.25])


def test_missing_group_weight_goes_to_the_other_groups() -> None:
    m = pd.DataFrame({"login_days": [20.0], "feature_breadth": [9.0], "nps": [np.nan]})
    r = score_card(two_group_card(), m)
    assert r.score[0] == pytest.approx(100.0)
    assert r.weights[0].tolist() == pytest.approx([0.25, 0.75, 0.0])
    assert r.pulling_down[0] is None  # nothing lost


def test_nothing_scored_is_null_never_zero() -> None:
    m = pd.DataFrame({"login_days": [np.nan], "feature_breadth": [np.nan], "nps": [np.nan]})
    r = score_card(two_group_card(), m)
    assert math.isnan(r.score[0]) and r.grade[0] is None
    assert r.contributions[0].tolist() == [0.0, 0.0, 0.0]


def test_custom_grades() -> None:
    grades = [{"name": "bad", "max": 30}, {"name": "ok", "max": 100}]
    c = card([{"name": "g", "weight": 1, "measures": [CURVE]}], grades=grades)
    r = score_card(c, pd.DataFrame({"login_days": [6.0, 7.0]}))
    assert r.score.tolist() == pytest.approx([30.0, 35.0])
    assert r.grade.tolist() == ["bad", "ok"]


def test_segment_rules_first_match_then_default() -> None:
    g = [{"name": "g", "weight": 1, "measures": [CURVE]}]
    onboarding = card(g, name="onboarding", match={"max_days_as_customer": 90})
    high = card(g, name="high", match={"segment": ["enterprise", "mid_market"]})
    default = card(g, name="default")
    attrs = pd.DataFrame({
        "segment": ["enterprise", "enterprise", "smb", None, "mid_market"],
        "lifecycle_stage": [None] * 5,
        "days_as_customer": [10.0, 400.0, 30.0, np.nan, 91.0],
    })
    chosen = assign_cards([onboarding, high, default], attrs)
    assert chosen.tolist() == [0, 1, 0, 2, 1]


def test_score_measures_builds_explained_batch() -> None:
    c = two_group_card()
    m = pd.DataFrame({"login_days": [10.0, np.nan], "feature_breadth": [1.0, np.nan],
                      "nps": [10.0, np.nan]}, index=pd.Index([7, 9], name="account_id"))
    attrs = pd.DataFrame({"segment": ["smb", "smb"], "lifecycle_stage": [None, None],
                          "days_as_customer": [100.0, 100.0]}, index=m.index)
    ext = pd.Series(["a-7", "a-9"], index=m.index)
    batch = score_measures(date(2025, 1, 1), m, attrs, ext, [c])
    out = {o.external_id: o for o in batch.outputs()}
    assert out["a-7"].score == pytest.approx(45.625) and out["a-7"].grade == "red"
    assert out["a-9"].score is None and out["a-9"].grade is None
    assert [x.name for x in out["a-7"].measures] == ["login_days", "feature_breadth", "nps"]
    assert sum(x.contribution for x in out["a-7"].measures) == pytest.approx(45.625, abs=1e-3)
    assert out["a-7"].measures[0].group == "usage" and out["a-7"].measures[2].value == 10.0
