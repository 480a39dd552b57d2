"""Scorecard validation (errors name the file and the YAML path) and versioned storage."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tenure.config import Settings
from tenure.errors import Invalid, NotFound
from tenure.health import store
from tenure.health.scorecards import dump_yaml, load_yaml

GOOD = """
name: mine
groups:
- name: usage
  weight: 2
  measures:
  - {measure: login_days, weight: 1, curve: [[0, 0], [20, 100]]}
"""


def error_of(text: str) -> str:
    with pytest.raises(Invalid) as caught:
        load_yaml(text, "cards/mine.yaml")
    return caught.value.message


def test_good_scorecard_gets_default_grades() -> None:
    card = load_yaml(GOOD, "mine.yaml")
    assert [g.name for g in card.grades] == ["red", "yellow", "green"]
    assert [g.max for g in card.grades] == [50, 75, 100]
    assert card.measure_names == ["login_days"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (("login_days", "logins"), "cards/mine.yaml: groups[0].measures[0].measure: unknown measure 'logins'"),
        (("[[0, 0], [20, 100]]", "[[5, 0], [2, 100]]"), "groups[0].measures[0].curve: curve values must be strictly increasing"),
        (("[[0, 0], [20, 100]]", "[[0, 0], [20, 120]]"), "groups[0].measures[0].curve: curve scores must be within 0..100"),
        (("curve: [[0, 0], [20, 100]]", "thresholds: [{score: 50}], curve: [[0, 0], [1, 1]]"), "groups[0].measures[0]: give exactly one of `curve` or `thresholds`"),
        (("weight: 2", "weight: 0"), "groups[0].weight: Input should be greater than 0"),
        (("name: mine", "name: Mine!"), "cards/mine.yaml: name: String should match pattern"),
        (("  weight: 2", "  weight: 2\n  colour: red"), "groups[0].colour: Extra inputs are not permitted"),
    ],
)
def test_validation_errors_name_file_and_path(change: tuple[str, str], expected: str) -> None:
    assert expected in error_of(GOOD.replace(*change))


def test_measure_used_twice_is_refused() -> None:
    doubled = GOOD + "  - {measure: login_days, weight: 1, curve: [[0, 0], [9, 100]]}\n"
    assert "measure used twice: login_days" in error_of(doubled)


def test_grades_must_increase_and_end_at_100() -> None:
    assert "grades: grade `max` bounds must increase" in error_of(
        GOOD + "grades: [{name: a, max: 80}, {name: b, max: 60}]\n")
    assert "the last grade must have max: 100" in error_of(
        GOOD + "grades: [{name: a, max: 80}]\n")


def test_yaml_syntax_error_names_line() -> None:
    assert error_of("name: x\ngroups: [\n").startswith("cards/mine.yaml: line 3")


def test_not_a_mapping() -> None:
    assert error_of("- a\n- b\n") == "cards/mine.yaml: a scorecard must be a mapping"


def test_defaults_are_copied_once_and_saving_keeps_versions(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    names = [c.name for c in store.load_all(settings)]
    assert names[-1] == "default" and set(names) == {"onboarding", "high_touch", "tech_touch", "default"}
    assert names.index("onboarding") < names.index("high_touch")
    folder = tmp_path / "scorecards"
    assert (folder / "history" / "default" / "v1.yaml").is_file()

    card = store.get(settings, "tech_touch")
    changed = card.model_copy(update={"description": "changed"})
    saved = store.save(settings, changed)
    assert saved.version == 2 and store.versions(settings, "tech_touch") == [1, 2]
    assert store.get(settings, "tech_touch").description == "changed"
    assert store.get(settings, "tech_touch", version=1).description == card.description
    with pytest.raises(NotFound):
        store.get(settings, "tech_touch", version=9)
    # a user's edits survive: defaults are not copied again once files exist
    assert store.get(Settings(home=tmp_path), "tech_touch").version == 2


def test_file_name_must_match_scorecard_name(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    store.load_all(settings)
    (tmp_path / "scorecards" / "other.yaml").write_text(GOOD)
    with pytest.raises(Invalid, match="other.yaml: name: 'mine' differs from the file name"):
        store.load_all(settings)


def test_dump_round_trips() -> None:
    card = load_yaml(GOOD, "mine.yaml")
    assert load_yaml(dump_yaml(card), "again.yaml") == card
    assert yaml.safe_load(dump_yaml(card))["groups"][0]["measures"][0]["curve"] == [[0.0, 0.0], [20.0, 100.0]]
