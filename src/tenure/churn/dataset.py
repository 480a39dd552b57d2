"""Feature tables brought by the user (`tenure churn evaluate`): read, type, label.

A feature table is one row per customer: an optional id column, a label column and any
number of feature columns, numeric or categorical, with missing values. Labels may be
Yes/No, 1/0, true/false, y/n, churned/retained (any case). Problems are reported by file,
row (row 1 is the header) and column, and nothing is evaluated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from tenure.errors import InputRejected, Invalid, Problem

POSITIVE = frozenset({"yes", "y", "1", "1.0", "true", "t", "churn", "churned"})
NEGATIVE = frozenset({"no", "n", "0", "0.0", "false", "f", "retained", "stayed", "active"})
# A text column is numeric when at least this share of its non-blank values parse.
NUMERIC_SHARE = 0.95
LISTED_PROBLEMS = 20


@dataclass(frozen=True)
class FeatureTable:
    """Features ready for modelling: `numeric` and `categorical` name the columns of `X`."""

    X: pd.DataFrame
    y: np.ndarray  # 0/1
    ids: pd.Series | None
    numeric: list[str]
    categorical: list[str]
    dropped: list[str]  # identifier-like columns left out
    warnings: list[str] = field(default_factory=list)


def read_table(path: Path) -> pd.DataFrame:
    """A CSV or Parquet file as a DataFrame of text (CSV) or typed (Parquet) columns."""
    if not path.exists():
        raise Invalid(f"{path}: no such file")
    try:
        if path.suffix.lower() in {".parquet", ".pq"}:
            return pd.read_parquet(path)
        return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[])
    except (ValueError, OSError, UnicodeDecodeError, pd.errors.ParserError) as error:
        raise Invalid(f"{path}: cannot read the feature table: {error}") from error


def _column(frame: pd.DataFrame, name: str, path: Path, role: str) -> str | None:
    """The column called `name`, matched exactly, else case-insensitively when unique."""
    if name in frame.columns:
        return name
    matches = [c for c in frame.columns if str(c).lower() == name.lower()]
    return str(matches[0]) if len(matches) == 1 else None


def _required(frame: pd.DataFrame, name: str, path: Path, role: str) -> str:
    found = _column(frame, name, path, role)
    if found is None:
        known = ", ".join(map(str, frame.columns))
        raise Invalid(str(Problem(str(path), 1, name, f"no {role} column {name!r} "
                                                      f"(columns: {known})")))  # fmt: skip
    return found


def parse_labels(values: pd.Series, path: Path, column: str) -> np.ndarray:
    """0/1 labels; every unreadable value is a problem located by row."""
    text = values.astype("string").str.strip().str.lower()
    positive, negative = text.isin(POSITIVE), text.isin(NEGATIVE)
    bad = ~(positive | negative) | text.isna()
    if bad.any():
        rows = np.flatnonzero(bad.to_numpy())
        problems = [
            Problem(str(path), int(r) + 2, column,
                    f"label {values.iloc[r]!r} is not one of yes/no, 1/0, true/false")
            for r in rows[:LISTED_PROBLEMS]
        ]  # fmt: skip
        raise InputRejected(problems, total=len(rows))
    y = positive.to_numpy(dtype=np.int8)
    if y.min() == y.max():
        raise Invalid(str(Problem(str(path), None, column, "the label has only one class")))
    return y


def _as_numeric(values: pd.Series) -> pd.Series | None:
    """The column as floats (blanks missing) when it is numeric, else None."""
    if pd.api.types.is_bool_dtype(values):
        return values.astype(float)
    if pd.api.types.is_numeric_dtype(values):
        return values.astype(float)
    text = values.astype("string").str.strip()
    present = text.notna() & (text != "")
    parsed = pd.to_numeric(text.where(present), errors="coerce")
    if present.sum() == 0 or parsed.notna().sum() < NUMERIC_SHARE * present.sum():
        return None
    return parsed.astype(float)


def _is_identifier(values: pd.Series, numeric: pd.Series | None) -> bool:
    """Unique per row and carrying no signal: free text keys or a running row number."""
    if values.nunique(dropna=False) != len(values) or len(values) < 20:
        return False
    if numeric is None:
        return True
    diffs = np.diff(numeric.to_numpy())
    return bool(np.all(diffs == 1))


def build(frame: pd.DataFrame, path: Path, label: str, id_column: str | None,
          drop: list[str] | None = None) -> FeatureTable:  # fmt: skip
    """Split `frame` into typed features, 0/1 labels and ids."""
    if len(frame) < 10:
        raise Invalid(f"{path}: at least 10 rows are needed, found {len(frame)}")
    label_col = _required(frame, label, path, "label")
    id_col = _column(frame, id_column, path, "id") if id_column else None
    dropped = [_required(frame, name, path, "drop") for name in drop or []]
    y = parse_labels(frame[label_col], path, label_col)
    numeric: list[str] = []
    categorical: list[str] = []
    columns: dict[str, pd.Series] = {}
    for name in frame.columns:
        if name in {label_col, id_col, *dropped}:
            continue
        values = frame[name]
        as_number = _as_numeric(values)
        if _is_identifier(values, as_number):
            dropped.append(str(name))
        elif as_number is not None:
            numeric.append(str(name))
            columns[str(name)] = as_number
        else:
            text = values.astype("string").str.strip()
            categorical.append(str(name))
            columns[str(name)] = text.where(text != "").astype(object)
    if not columns:
        raise Invalid(str(Problem(str(path), 1, None, "no feature columns besides label and id")))
    X = pd.DataFrame(columns, index=frame.index)
    ids = frame[id_col] if id_col else None
    warnings = [] if not id_column or id_col else [f"{path}: no id column {id_column!r} "
        "(identifier-like columns are left out anyway)"]  # fmt: skip
    return FeatureTable(X, y, ids, numeric, categorical, dropped, warnings)


def load(path: Path, label: str, id_column: str | None = None,
         drop: list[str] | None = None) -> FeatureTable:  # fmt: skip
    return build(read_table(path), path, label, id_column, drop)
