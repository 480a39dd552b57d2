"""The scorecard editor's form: a scorecard shown as fields (weights, grade limits,
curves and thresholds as short text) and a submitted form turned back into the
scorecard document `tenure.health.service` validates, previews and saves.

Text forms: a curve is `x: score` points, e.g. `0: 0, 0.1: 30, 0.6: 100`; thresholds
are `max X: score`, `min X: score` or `else: score` rules tried in order, e.g.
`max 2: 100, max 7: 80, else: 0`. Errors name the group, measure and field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tenure.errors import Invalid
from tenure.health.scorecards import Scorecard


@dataclass(frozen=True)
class MeasureField:
    key: str  # form field prefix, e.g. g0.m1
    measure: str
    weight: float
    kind: str  # curve or thresholds
    text: str


@dataclass(frozen=True)
class GroupField:
    key: str
    name: str
    weight: float
    measures: tuple[MeasureField, ...]


def _num(value: float) -> str:
    return f"{value:g}"


def curve_text(points: list[tuple[float, float]]) -> str:
    return ", ".join(f"{_num(x)}: {_num(y)}" for x, y in points)


def thresholds_text(rules: list[Any]) -> str:
    parts = []
    for rule in rules:
        bounds = [f"{side} {_num(getattr(rule, side))}" for side in ("min", "max")
                  if getattr(rule, side) is not None]  # fmt: skip
        parts.append(f"{' '.join(bounds) or 'else'}: {_num(rule.score)}")
    return ", ".join(parts)


def editor_fields(card: Scorecard) -> tuple[GroupField, ...]:
    groups = []
    for i, group in enumerate(card.groups):
        measures = tuple(
            MeasureField(f"g{i}.m{j}", m.measure, m.weight, "curve" if m.curve else "thresholds",
                         curve_text(m.curve) if m.curve else thresholds_text(m.thresholds or []))
            for j, m in enumerate(group.measures)
        )  # fmt: skip
        groups.append(GroupField(f"g{i}", group.name, group.weight, measures))
    return tuple(groups)


def _number(text: str, where: str) -> float:
    try:
        return float(text.strip())
    except ValueError:
        raise Invalid(f"{where}: expected a number, got {text.strip()!r}") from None


def parse_curve(text: str, where: str) -> list[list[float]]:
    points = []
    for n, item in enumerate(filter(None, (p.strip() for p in text.split(","))), 1):
        x, sep, y = item.partition(":")
        if not sep:
            raise Invalid(f"{where}: point {n} {item!r}: expected `value: score`")
        points.append([_number(x, f"{where} point {n}"), _number(y, f"{where} point {n}")])
    return points


def parse_thresholds(text: str, where: str) -> list[dict[str, float]]:
    rules = []
    for n, item in enumerate(filter(None, (p.strip() for p in text.split(","))), 1):
        condition, sep, score = item.rpartition(":")
        if not sep:
            raise Invalid(f"{where}: rule {n} {item!r}: expected `max X: score`, `min X: score` or `else: score`")
        rule: dict[str, float] = {"score": _number(score, f"{where} rule {n} score")}
        words = condition.split()
        if words != ["else"]:
            if len(words) not in (2, 4) or any(w not in ("min", "max") for w in words[::2]):
                raise Invalid(f"{where}: rule {n} {item!r}: expected `max X: score`, `min X: score` or `else: score`")
            for side, value in zip(words[::2], words[1::2], strict=True):
                rule[side] = _number(value, f"{where} rule {n} {side}")
        rules.append(rule)
    return rules


def apply_form(card: Scorecard, form: Mapping[str, str]) -> dict[str, Any]:
    """The scorecard document with the form's weights, grade limits, curves and
    thresholds in place of the saved ones (fields left out keep their saved value)."""
    document = card.model_dump(mode="json", exclude_none=True)
    for k, grade in enumerate(document["grades"]):
        if f"grade{k}.max" in form:
            grade["max"] = _number(form[f"grade{k}.max"], f"grade {grade['name']}: upper limit")
    for i, group in enumerate(document["groups"]):
        if f"g{i}.weight" in form:
            group["weight"] = _number(form[f"g{i}.weight"], f"{group['name']}: weight")
        for j, measure in enumerate(group["measures"]):
            _apply_measure(measure, form, f"g{i}.m{j}", f"{group['name']} / {measure['measure']}")
    return document


def _apply_measure(measure: dict[str, Any], form: Mapping[str, str], key: str, where: str) -> None:
    if f"{key}.weight" in form:
        measure["weight"] = _number(form[f"{key}.weight"], f"{where}: weight")
    if f"{key}.curve" in form:
        measure["curve"] = parse_curve(form[f"{key}.curve"], f"{where}: curve")
    if f"{key}.thresholds" in form:
        measure["thresholds"] = parse_thresholds(form[f"{key}.thresholds"], f"{where}: thresholds")
