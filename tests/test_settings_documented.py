"""Every setting is documented in docs/settings.md (DESIGN.md rule 10)."""

from __future__ import annotations

from pathlib import Path

from tenure.config import Settings

DOC = Path(__file__).resolve().parents[1] / "docs" / "settings.md"


def test_every_setting_has_a_row_in_the_settings_page() -> None:
    text = DOC.read_text()
    missing = [
        f"TENURE_{name.upper()}"
        for name in Settings.model_fields
        if f"`TENURE_{name.upper()}`" not in text
    ]
    assert missing == [], f"undocumented settings in docs/settings.md: {missing}"


def test_defaults_place_embedded_databases_in_home(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path)
    assert settings.resolved_database_url == f"sqlite:///{tmp_path.resolve()}/tenure.db"
    assert settings.resolved_events_url == f"duckdb:///{tmp_path.resolve()}/events.duckdb"


def test_environment_variables_are_read_with_the_prefix(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TENURE_HOME", str(tmp_path))
    monkeypatch.setenv("TENURE_PORT", "9100")
    monkeypatch.setenv("TENURE_DATABASE_URL", "postgresql+psycopg://u@h/db")
    settings = Settings()
    assert settings.home == tmp_path
    assert settings.port == 9100
    assert settings.resolved_database_url == "postgresql+psycopg://u@h/db"
