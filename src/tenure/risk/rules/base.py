"""The rule interface and registry.

A rule is a small class: a name, defaults for its thresholds (overridable in
`TENURE_HOME/rules.yaml`), and `evaluate(data, as_of)` returning a frame of firings for
ALL accounts at once: columns account_id, reason, inputs (a dict: why it fired).
The reason is part of the task's dedup key, so it names the condition, not the day.
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

import pandas as pd

from tenure.risk.inputs import RiskData

FIRING_COLUMNS = ["account_id", "reason", "inputs"]


class Rule:
    name: ClassVar[str]
    title: ClassVar[str]
    description: ClassVar[str]
    kind: ClassVar[str] = "risk"  # "risk" or "expansion"
    priority: ClassVar[str] = "high"
    due_days: ClassVar[int] = 3
    defaults: ClassVar[dict[str, Any]] = {}

    def __init__(self, params: dict[str, Any] | None = None) -> None:
        self.params: dict[str, Any] = {**self.defaults, **(params or {})}

    def evaluate(self, data: RiskData, as_of: date) -> pd.DataFrame:
        raise NotImplementedError


RULES: dict[str, type[Rule]] = {}


def register(rule: type[Rule]) -> type[Rule]:
    if rule.name in RULES:
        raise ValueError(f"rule {rule.name!r} is registered twice")
    RULES[rule.name] = rule
    return rule


def firings(account_ids: pd.Index | list[int], reasons: list[str] | str,
            inputs: list[dict[str, Any]]) -> pd.DataFrame:
    ids = [int(a) for a in account_ids]
    reasons = [reasons] * len(ids) if isinstance(reasons, str) else reasons
    return pd.DataFrame({"account_id": ids, "reason": reasons, "inputs": inputs},
                        columns=FIRING_COLUMNS)  # fmt: skip


def empty() -> pd.DataFrame:
    return pd.DataFrame(columns=FIRING_COLUMNS)


def plain(value: Any) -> Any:
    """A JSON-friendly scalar (numpy numbers, timestamps, NaN)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.date().isoformat()
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float):
        return round(value, 4)
    return value
