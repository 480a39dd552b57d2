"""Rule thresholds: defaults in code, overrides from `TENURE_HOME/rules.yaml`.

```yaml
refire_after_days: 30        # after a task is closed, a still-firing rule waits this long
rules:
  usage_decline:
    months: 3
    min_active_days_per_seat: 1.5
  expansion_seats:
    enabled: false
```
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tenure.errors import Invalid
from tenure.risk.rules import RULES, Rule

DEFAULT_REFIRE_AFTER_DAYS = 30


@dataclass(frozen=True)
class RuleSet:
    rules: list[Rule]
    refire_after_days: int
    source: str | None  # the rules.yaml read, if any


def _check_value(where: str, default: Any, value: Any) -> Any:
    if isinstance(default, bool) or isinstance(value, bool):
        if not isinstance(value, bool) or not isinstance(default, bool):
            raise Invalid(f"{where}: expected {type(default).__name__}, got {value!r}")
        return value
    if isinstance(default, int | float):
        if not isinstance(value, int | float) or value < 0:
            raise Invalid(f"{where}: expected a number >= 0, got {value!r}")
        return type(default)(value) if isinstance(default, float) or float(value).is_integer() else value
    if isinstance(default, list):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise Invalid(f"{where}: expected a list of strings, got {value!r}")
        return value
    if not isinstance(value, type(default)):
        raise Invalid(f"{where}: expected {type(default).__name__}, got {value!r}")
    return value


def _rule(path: str, name: str, overrides: Any) -> Rule | None:
    if name not in RULES:
        raise Invalid(f"{path}: rules.{name}: unknown rule (known: {', '.join(RULES)})")
    if overrides is None:
        overrides = {}
    if not isinstance(overrides, dict):
        raise Invalid(f"{path}: rules.{name}: expected a mapping of thresholds")
    cls = RULES[name]
    params: dict[str, Any] = {}
    for key, value in overrides.items():
        where = f"{path}: rules.{name}.{key}"
        if key == "enabled":
            if not isinstance(value, bool):
                raise Invalid(f"{where}: expected true or false, got {value!r}")
            continue
        if key not in cls.defaults:
            known = ", ".join(["enabled", *cls.defaults])
            raise Invalid(f"{where}: unknown threshold (known: {known})")
        params[key] = _check_value(where, cls.defaults[key], value)
    return cls(params) if overrides.get("enabled", True) else None


def load_rules(home: Path) -> RuleSet:
    path = home / "rules.yaml"
    if not path.exists():
        return RuleSet([cls() for cls in RULES.values()], DEFAULT_REFIRE_AFTER_DAYS, None)
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        raise Invalid(f"{path}: not valid YAML: {error}".replace("\n", " ")) from error
    if not isinstance(document, dict):
        raise Invalid(f"{path}: expected a mapping with keys refire_after_days, rules")
    unknown = set(document) - {"refire_after_days", "rules"}
    if unknown:
        raise Invalid(f"{path}: {sorted(unknown)[0]}: unknown key (known: refire_after_days, rules)")
    overrides = document.get("rules") or {}
    if not isinstance(overrides, dict):
        raise Invalid(f"{path}: rules: expected a mapping of rule name to thresholds")
    refire = _check_value(f"{path}: refire_after_days", DEFAULT_REFIRE_AFTER_DAYS,
                          document.get("refire_after_days", DEFAULT_REFIRE_AFTER_DAYS))  # fmt: skip
    rules = [_rule(str(path), name, overrides.get(name)) for name in RULES]
    for name in overrides:
        if name not in RULES:
            _rule(str(path), name, overrides[name])
    return RuleSet([r for r in rules if r is not None], int(refire), str(path))
