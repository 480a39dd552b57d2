"""Spark through Ibis's PySpark backend: the same expressions, scaled out.

- `local_session()`: a local-mode SparkSession tuned for small data and tests
  (`local[2]`, two shuffle partitions, no UI, no console progress, UTC).
- `load_ledger(session, arrow)`: the analytics input tables (`inputs.read_ledger`'s Arrow
  tables) registered as temporary views of that session, returned as `LedgerTables`
  bound to an Ibis PySpark backend. The views carry a unique prefix, so several loads can
  live in one session; `drop_ledger` removes them.

Ibis's PySpark backend cannot create temporary tables, so the Arrow tables become Spark
DataFrames (`createDataFrame` keeps decimal(18, 4), dates and nulls) and temp views.
PySpark is imported only here, when Spark is asked for.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any

import ibis
import pyarrow as pa

from tenure.analytics import inputs, tables
from tenure.errors import Invalid

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

LOCAL_CONFIG = {
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.shuffle.partitions": "2",
    "spark.default.parallelism": "2",
    "spark.sql.session.timeZone": "UTC",
    "spark.driver.memory": "1g",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
}
TABLE_NAMES = ("terms", "accounts", "term_details", "labels", "spend")
_loads = itertools.count(1)


def local_session(master: str = "local[2]", app_name: str = "tenure") -> SparkSession:
    """A local-mode SparkSession (created once per process; later calls reuse it)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:  # pragma: no cover - pyspark is a dependency
        raise Invalid("the spark engine needs pyspark (pip install 'pyspark<4.1')") from None
    builder = SparkSession.builder.master(master).appName(app_name)
    for key, value in LOCAL_CONFIG.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def load_ledger(session: SparkSession, arrow: dict[str, pa.Table]) -> inputs.LedgerTables:
    """Register the Arrow input tables as temp views and bind them to an Ibis backend."""
    backend = ibis.pyspark.connect(session)
    prefix = f"tenure_{next(_loads)}_"
    bound: dict[str, Any] = {}
    for name in TABLE_NAMES:
        frame = session.createDataFrame(arrow[name])
        frame.createOrReplaceTempView(prefix + name)
        bound[name] = backend.table(prefix + name)
    for name in ("terms", "term_details"):  # computed in place, as on the operational store
        bound[name] = tables.with_numbers(bound[name])
    base = tables.Tables(backend=backend, terms=bound["terms"], accounts=bound["accounts"])
    return inputs.LedgerTables(base, bound["term_details"], bound["labels"], bound["spend"])


def drop_ledger(session: SparkSession, source: inputs.LedgerTables) -> None:
    """Drop the temp views `load_ledger` registered for `source`."""
    prefix = source.labels.get_name().removesuffix("labels")
    for name in TABLE_NAMES:
        session.catalog.dropTempView(prefix + name)
