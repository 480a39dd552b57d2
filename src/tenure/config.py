"""Settings: the only place environment variables are read.

Build one `Settings` at an entry point and pass it down; nothing reads the environment
or connects to a database at import time.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every setting of Tenure, read from `TENURE_*` environment variables."""

    model_config = SettingsConfigDict(env_prefix="TENURE_", extra="ignore")

    home: Path = Field(
        default=Path(".tenure"),
        description="Folder for the embedded databases, configuration and files.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the operational database; default a SQLite file in home.",
    )
    events_url: str | None = Field(
        default=None,
        description="Where usage events live: a DuckDB file path or `duckdb:///PATH`, or a "
        "PostgreSQL URL; default a DuckDB file in home.",
    )
    stripe_webhook_secret: SecretStr | None = Field(
        default=None,
        description="Stripe webhook signing secret (whsec_...); unset, the endpoint answers 503.",
    )
    stripe_api_key: SecretStr | None = Field(
        default=None, description="Stripe secret API key (sk_... or rk_...) for `tenure stripe sync`."
    )
    stripe_api_base: str = Field(
        default="https://api.stripe.com", description="Base address of the Stripe API."
    )
    host: str = Field(default="127.0.0.1", description="Address `tenure serve` listens on.")
    port: int = Field(default=8000, description="Port `tenure serve` listens on.")
    run_jobs_in_serve: bool = Field(
        default=True,
        description="Run due background jobs inside `tenure serve` (embedded setup). Turn off "
        "when a separate `tenure worker` runs them.",
    )
    web_session_hours: float = Field(
        default=12.0, gt=0, description="Web sign-in: hours a session lasts before the "
        "person must sign in again.",
    )
    signin_max_failures: int = Field(
        default=5, gt=0, description="Web sign-in: failed attempts for one email within "
        "the lockout window before that email is refused (429) for the lockout window.",
    )
    signin_max_failures_per_address: int = Field(
        default=20, gt=0, description="Web sign-in: failed attempts from one client address "
        "(any emails) within the lockout window before that address is refused (429).",
    )
    signin_lockout_minutes: float = Field(
        default=15.0, gt=0, description="Web sign-in: the window in which failures are "
        "counted and how long a locked email or address waits.",
    )
    worker_poll_seconds: float = Field(
        default=5.0, description="How often the job scheduler looks for due jobs."
    )
    gross_margin: float = Field(
        default=1.0, ge=0, le=1, description="Gross margin used by LTV and CAC payback."
    )
    import_batch_rows: int = Field(
        default=50_000, gt=0, description="Rows written per batch by imports and the demo."
    )
    tracking_queue_events: int = Field(
        default=200_000, gt=0, description="Tracking API: events waiting to be stored before "
        "new calls are refused with 429 and Retry-After.",
    )
    tracking_max_wait_ms: float = Field(
        default=5.0, ge=0, description="Tracking API: how long the ingest writer waits to "
        "gather more calls into one commit when few are queued.",
    )

    health_sentiment_stale_days: int = Field(
        default=90, gt=0, description="Health: a CSM sentiment older than this many days "
        "is ignored (the measure counts as missing).",
    )

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.home / 'tenure.db').resolve()}"

    @property
    def resolved_events_url(self) -> str:
        if self.events_url:
            return self.events_url
        return f"duckdb:///{(self.home / 'events.duckdb').resolve()}"

    def ensure_home(self) -> Path:
        self.home.mkdir(parents=True, exist_ok=True)
        return self.home
