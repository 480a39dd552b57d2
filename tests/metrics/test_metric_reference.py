"""docs/metric-reference.md is generated from the code: it must match a fresh render, and
its worked examples must be the values computed by hand from the example ledgers."""

from __future__ import annotations

from pathlib import Path

import pytest

from tenure.metrics import examples, reference, registry
from tests.cli_runner import run_tenure

PAGE = Path(__file__).resolve().parents[2] / "docs" / "metric-reference.md"


def test_the_committed_page_is_up_to_date() -> None:
    assert PAGE.read_text(encoding="utf-8") == reference.render(), (
        "docs/metric-reference.md is out of date: run "
        "`tenure metrics reference --output docs/metric-reference.md`"
    )


def test_every_registered_metric_has_a_formula_and_a_worked_example() -> None:
    names = [d.name for d in registry.all_metrics()]
    assert set(names) == set(examples.EXAMPLES)
    assert all(d.formula for d in registry.all_metrics())
    assert all(f"## {name}\n" in PAGE.read_text(encoding="utf-8") for name in names)


def test_a_metric_without_an_example_is_refused() -> None:
    orphan = registry.MetricDefinition("orphan", "No example", "9", "none", "x = 1")
    with pytest.raises(reference.MissingExample, match="orphan"):
        reference.section(orphan)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # Dec: acme 100 + gamma 300; Jan: beta new 100; Feb: acme churns 100, beta +50;
        # Mar: gamma churns 300, acme back at 200.
        ("revenue", ["opening MRR (Dec 2024) = 400.00",
                     "2025-02: MRR 450.00 = previous + new 0.00 + reactivation 0.00 + expansion 50.00"
                     " - contraction 0.00 - churn 100.00; customers 2; quick ratio 0.5000"]),
        ("retention", ["NRR = 270.00 / 400.00 = 0.6750", "GRR = 220.00 / 400.00 = 0.5500",
                       "logo churn = 1 / 3 = 0.3333"]),
        ("renewals", ["quiet: pending, due ARR 1200.00, renewed ARR 0.00",
                      "late: churned, due ARR 600.00, renewed ARR 0.00, released to the sales pool on 2025-03-31",
                      "ARR renewal rate = 3720.00 / 5400.00 = 0.6889",
                      "gross ARR renewal rate = 3600.00 / 5400.00 = 0.6667"]),
        ("cmrr", ["MRR 270.00 + future 200.00 - replaced 100.00 - canceled 70.00 = CMRR 300.00"]),
        ("economics", ["ARPA = 600.00 / 3 = 200.0000", "CAC = spend 6000.00 / 2 new customers = 3000.00"]),
        ("sbg", ["gamma = 0.704, delta = 1.182", "projected S(8..12) = 0.220, 0.204, 0.191, 0.180, 0.170",
                 "DERL at 10%: k = 0 gives 2.964, k = 7 gives 6.842"]),
        ("cohorts", ["cohort 2025-01 (2 customers, MRR 150.00): age 0: logo 1.0000, revenue 1.0000; "
                     "age 1: logo 1.0000, revenue 1.0000; age 2: logo 0.5000, revenue 0.6667"]),
        ("survival", ["3 customers, 1 churned, 2 censored", "S(2) = 0.6667"]),
    ],
)  # fmt: skip
def test_worked_examples_are_the_hand_computed_values(name: str, expected: list[str]) -> None:
    lines = examples.EXAMPLES[name]().lines
    for line in expected:
        assert line in lines, (name, line, lines)


def test_the_command_writes_and_checks_the_page(tmp_path: Path, env_for: dict[str, str]) -> None:
    target = tmp_path / "reference.md"
    stale = run_tenure("metrics", "reference", "--output", str(target), "--check", env=env_for)
    assert stale.returncode == 1 and "out of date" in stale.stderr
    assert run_tenure("metrics", "reference", "--output", str(target), env=env_for).returncode == 0
    assert target.read_text(encoding="utf-8") == reference.render()
    fresh = run_tenure("metrics", "reference", "--output", str(target), "--check", env=env_for)
    assert fresh.returncode == 0, fresh.stderr
