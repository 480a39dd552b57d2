"""Ibis engine connections and expressions shared by metrics, health and risk.

Definitions are written once as Ibis expressions over small, documented input tables
(see `tables.py`), so the same expression runs on DuckDB, SQLite, PostgreSQL and Spark.
Nothing here connects at import time; results cross out as frozen dataclasses.
"""
