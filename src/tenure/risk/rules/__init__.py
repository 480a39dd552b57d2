"""The registry of early-warning rules. A new rule is a small class in a module here,
decorated with `@register`, and listed by import below."""

from tenure.risk.rules import health, money, relationship, usage  # noqa: F401 - registers
from tenure.risk.rules.base import RULES, Rule

__all__ = ["RULES", "Rule"]
