"""Scorecards (METRICS.md section 7): the typed model and its validation.

A scorecard is YAML like

    name: high_touch
    description: Enterprise and mid-market accounts
    order: 20                       # lower is tried first; `default` is the fallback
    match: {segment: [enterprise, mid_market]}
    grades: [{name: red, max: 50}, {name: yellow, max: 75}, {name: green, max: 100}]
    groups:
      - name: adoption
        weight: 40
        measures:
          - {measure: seat_utilisation, weight: 3, curve: [[0, 0], [0.5, 70], [0.8, 100]]}
          - measure: open_urgent_tickets
            weight: 1
            thresholds: [{max: 0, score: 100}, {max: 2, score: 40}, {score: 0}]

Storage (files under TENURE_HOME) lives in `tenure.health.store`.
"""

from __future__ import annotations

from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from tenure.errors import Invalid
from tenure.health.measures import MEASURES

DEFAULT_NAME = "default"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Threshold(Strict):
    """First matching step wins: value >= min and/or value <= max; neither = otherwise."""

    min: float | None = None
    max: float | None = None
    score: float = Field(ge=0, le=100)


class MeasureSpec(Strict):
    measure: str
    weight: float = Field(gt=0)
    curve: list[tuple[float, float]] | None = None
    thresholds: list[Threshold] | None = None

    @field_validator("measure")
    @classmethod
    def _known(cls, name: str) -> str:
        if name not in MEASURES:
            raise ValueError(f"unknown measure {name!r}; known: {', '.join(sorted(MEASURES))}")
        return name

    @field_validator("curve")
    @classmethod
    def _curve(cls, points: list[tuple[float, float]] | None) -> list[tuple[float, float]] | None:
        if points is None:
            return None
        if len(points) < 2:
            raise ValueError("a curve needs at least two [value, score] points")
        xs = [x for x, _ in points]
        if any(b <= a for a, b in zip(xs, xs[1:], strict=False)):
            raise ValueError("curve values must be strictly increasing")
        if any(not 0 <= y <= 100 for _, y in points):
            raise ValueError("curve scores must be within 0..100")
        return points

    @model_validator(mode="after")
    def _one_mapping(self) -> MeasureSpec:
        if (self.curve is None) == (self.thresholds is None):
            raise ValueError("give exactly one of `curve` or `thresholds`")
        if self.thresholds is not None and not self.thresholds:
            raise ValueError("`thresholds` is empty")
        return self


class Group(Strict):
    name: str
    weight: float = Field(gt=0)
    measures: list[MeasureSpec] = Field(min_length=1)


class Grade(Strict):
    name: str
    max: float = Field(ge=0, le=100)


DEFAULT_GRADES = [Grade(name="red", max=50), Grade(name="yellow", max=75),
                  Grade(name="green", max=100)]  # fmt: skip


class Match(Strict):
    """Segment rule; every given condition must hold. Empty matches every account."""

    segment: list[str] | None = None
    lifecycle_stage: list[str] | None = None
    max_days_as_customer: int | None = Field(default=None, ge=0)
    min_days_as_customer: int | None = Field(default=None, ge=0)


class Scorecard(Strict):
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,60}$")
    description: str = ""
    version: int = Field(default=1, ge=1)
    order: int = 100
    match: Match = Match()
    grades: list[Grade] = Field(default_factory=lambda: list(DEFAULT_GRADES))
    groups: list[Group] = Field(min_length=1)

    @field_validator("grades")
    @classmethod
    def _grades(cls, grades: list[Grade]) -> list[Grade]:
        if not grades:
            raise ValueError("at least one grade is needed")
        bounds = [g.max for g in grades]
        if any(b <= a for a, b in zip(bounds, bounds[1:], strict=False)):
            raise ValueError("grade `max` bounds must increase")
        if bounds[-1] != 100:
            raise ValueError("the last grade must have max: 100")
        return grades

    @model_validator(mode="after")
    def _unique(self) -> Scorecard:
        seen = [m.measure for g in self.groups for m in g.measures]
        doubles = sorted({m for m in seen if seen.count(m) > 1})
        if doubles:
            raise ValueError(f"measure used twice: {', '.join(doubles)}")
        return self

    @property
    def measure_names(self) -> list[str]:
        return [m.measure for g in self.groups for m in g.measures]


def _location(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return path or "(top level)"


def parse_scorecard(document: Any, source: str) -> Scorecard:
    """A validated scorecard from a parsed YAML/JSON document; errors name `source` and the
    path inside it, e.g. `high_touch.yaml: groups[0].measures[1].curve: ...`."""
    if not isinstance(document, dict):
        raise Invalid(f"{source}: a scorecard must be a mapping")
    try:
        return Scorecard.model_validate(document)
    except ValidationError as error:
        first = error.errors()[0]
        message = str(first["msg"]).removeprefix("Value error, ")
        raise Invalid(f"{source}: {_location(tuple(first['loc']))}: {message}") from None


def load_yaml(text: str, source: str) -> Scorecard:
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        problem = getattr(error, "problem", None) or "not valid YAML"
        raise Invalid(f"{source}:{where}: {problem}") from None
    return parse_scorecard(document, source)


def dump_yaml(card: Scorecard) -> str:
    document = card.model_dump(mode="json", exclude_none=True)
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
