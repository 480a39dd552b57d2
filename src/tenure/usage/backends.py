"""Imports every event store backend so each registers its URL schemes."""

from tenure.usage import duckdb_store, postgres_store  # noqa: F401
