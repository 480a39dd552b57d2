"""Fast drivers for sklearn's HistGradientBoostingClassifier, same definition as the
reference (probability minus probability with one feature at its baseline), exactly.

A tree's output depends on a row only through the decisions (left or right) of its
split nodes. So each node's decision is computed once per row; a tree's decisions pack
into a small integer (bit k = node k goes left) and a lookup table maps that integer to
the leaf value the tree walk would reach. Setting a feature to its baseline only changes
the decisions of the nodes that split on its prepared columns, and each of those
becomes the baseline row's decision: the tree's new code is
`(code & ~mask) | baseline_bits`, one table lookup, and only for the trees that split on
the feature and the rows whose value differs from the baseline. The raw score (log-odds)
is `_baseline_prediction + sum of tree values`, its probability `expit(raw)`.

Reads sklearn's private tree arrays (`model._predictors[i][0].nodes` with fields
feature_idx, num_threshold, missing_go_to_left, left, right, is_leaf, value,
is_categorical, bitset_idx; `raw_left_cat_bitsets`; `_bin_mapper`;
`_baseline_prediction`), stable from 1.0 to 1.8 (pyproject admits < 1.9). `walk` returns
None for anything it cannot walk (not binary, a tree with more than `MAX_TABLE_BITS`
split nodes, unexpected arrays) and the caller uses the reference method; the caller
also checks the walked probabilities against `predict_proba` on every batch.
"""

from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Callable
from typing import Any

import numpy as np
from scipy.special import expit

MAX_TABLE_BITS = 12  # split nodes per tree: a table of 2**12 leaf values (32 KB)
CHUNK_ROWS = 4096  # rows per block when computing node decisions
NODE_FIELDS = ("feature_idx", "num_threshold", "missing_go_to_left", "left", "right",
               "is_leaf", "value", "is_categorical", "bitset_idx")  # fmt: skip


@dataclass(frozen=True)
class Forest:
    """The split nodes of every tree on a grid of `width` (8 or 16) slots per tree (node
    `t * width + b` is bit b of tree t's code; unused slots never go left), and one
    table per tree."""

    width: int
    real: np.ndarray  # (K,) bool: the slot holds a split node
    feature: np.ndarray  # (K,) prepared column each split node tests
    threshold: np.ndarray  # (K,) go left when value <= threshold (numerical nodes)
    missing_left: np.ndarray  # (K,) bool: missing (and unknown categories) go left
    categorical: np.ndarray  # (K,) bool
    left_bits: np.ndarray  # (K, 8) uint32: categories that go left (categorical nodes)
    known_bits: np.ndarray  # (K, 8) uint32: categories known to the node's feature
    tables: np.ndarray  # (trees, 2**bits) leaf value per code
    baseline: float  # _baseline_prediction
    prepare: Callable[[np.ndarray], np.ndarray]  # the model's own input step
    position: np.ndarray  # column of the prepared input that each input column becomes

    @property
    def trees(self) -> int:
        return len(self.tables)

    def decisions(self, columns: np.ndarray) -> np.ndarray:
        """(K, rows) bool: does each row go left at each split node, as sklearn's
        `_predict_one_from_raw_data`; `columns` is the prepared input transposed
        (features, rows), so gathering each node's feature copies whole rows."""
        values = columns[self.feature]
        with np.errstate(invalid="ignore"):
            left = values <= self.threshold[:, None]
        missing = np.isnan(values)
        cats = np.flatnonzero(self.categorical)
        if len(cats):
            v = values[cats]
            bad = missing[cats] | (v < 0) | (v >= 256)  # >= 256: never from the encoder
            code = np.where(bad, 0, v).astype(np.int64)  # truncation, as sklearn's cast
            word, shift = code >> 5, (code & 31).astype(np.uint32)
            inside = (self.left_bits[cats[:, None], word] >> shift) & 1 == 1
            known = (self.known_bits[cats[:, None], word] >> shift) & 1 == 1
            left[cats] = inside
            missing[cats] = bad | (~inside & ~known)  # unknown categories: as missing
        return np.where(missing, self.missing_left[:, None], left) & self.real[:, None]

    def codes(self, T: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """((trees, rows) code of each row's decisions in each tree, raw scores)."""
        dtype = np.uint8 if self.width == 8 else np.uint16
        out = np.empty((self.trees, len(T)), dtype=dtype)
        raw = np.empty(len(T))
        tree = np.arange(self.trees)[:, None]
        columns = np.ascontiguousarray(T.T)
        for lo in range(0, len(T), CHUNK_ROWS):
            block = slice(lo, lo + CHUNK_ROWS)
            bits = self.decisions(columns[:, block]).reshape(self.trees, self.width, -1)
            packed = np.packbits(bits, axis=1, bitorder="little")  # (trees, width / 8, rows)
            code = packed[:, 0].astype(dtype)
            if self.width == 16:
                code |= packed[:, 1].astype(dtype) << 8
            out[:, block] = code
            raw[block] = self.baseline + self.tables[tree, code].sum(axis=0)
        return out, raw

    def effects(self, T: np.ndarray, base_row: np.ndarray, columns: list[np.ndarray],
                rows_of: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
        """(probabilities, per row and feature: probability minus probability with that
        feature's columns at the base row's values, for the rows in `rows_of[j]`, others
        0)."""
        T = self.prepare(T)
        codes, raw = self.codes(T)
        p = expit(raw)
        base = self.decisions(self.prepare(base_row[None, :]).T)[:, 0]
        out = np.zeros((len(T), len(columns)))
        for j, (cols, rows) in enumerate(zip(columns, rows_of, strict=True)):
            nodes = np.flatnonzero(np.isin(self.feature, self.position[cols]) & self.real)
            if not len(rows) or not len(nodes):
                continue
            trees, slot = np.unique(nodes // self.width, return_inverse=True)
            bit = (nodes % self.width).astype(codes.dtype)
            mask = np.zeros(len(trees), dtype=codes.dtype)
            fixed = np.zeros(len(trees), dtype=codes.dtype)
            np.bitwise_or.at(mask, slot, np.left_shift(1, bit, dtype=codes.dtype))
            np.bitwise_or.at(fixed, slot, np.left_shift(base[nodes].astype(codes.dtype), bit))
            mask, fixed, tree = ~mask[:, None], fixed[:, None], trees[:, None]
            for lo in range(0, len(rows), 4 * CHUNK_ROWS):
                some = rows[lo : lo + 4 * CHUNK_ROWS]
                old = codes[tree, some]
                new = (old & mask) | fixed
                delta = (self.tables[tree, new] - self.tables[tree, old]).sum(axis=0)
                out[some, j] = p[some] - expit(raw[some] + delta)
        return p, out


def walk(model: Any) -> Forest | None:
    """The model as a Forest, or None when it is not a binary HistGradientBoosting
    classifier whose trees this module can walk."""
    try:
        predictors = model._predictors
        baseline = np.asarray(model._baseline_prediction, dtype=float).ravel()
        known, f_idx_map = model._bin_mapper.make_known_categories_bitsets()
    except AttributeError:
        return None
    position = _position(model)
    if position is None or len(baseline) != 1 or not predictors:
        return None
    if any(len(iteration) != 1 for iteration in predictors):
        return None
    parts = [_tree(p[0], known, f_idx_map) for p in predictors]
    if any(part is None for part in parts):
        return None
    bits = max(len(part["feature"]) for part in parts)  # type: ignore[index]
    width = 8 if bits <= 8 else 16
    grid = {key: np.zeros((len(parts), width, *shape), dtype=dtype)
            for key, shape, dtype in GRID}  # fmt: skip
    tables = np.full((len(parts), 1 << bits), np.nan)  # codes past a tree's table: never
    for t, part in enumerate(parts):
        n = len(part["feature"])  # type: ignore[index]
        for key, _, _ in GRID:
            grid[key][t, :n] = part[key]  # type: ignore[index]
        tables[t, : len(part["table"])] = part["table"]  # type: ignore[index]
    flat = {key: value.reshape(len(parts) * width, *value.shape[2:]) for key, value in grid.items()}
    return Forest(
        width=width, tables=tables, baseline=float(baseline[0]), position=position,
        prepare=lambda T: np.asarray(model._preprocess_X(T, reset=False), dtype=float),
        **flat,
    )  # fmt: skip


GRID = (
    ("real", (), bool), ("feature", (), np.int64), ("threshold", (), float),
    ("missing_left", (), bool), ("categorical", (), bool),
    ("left_bits", (8,), np.uint32), ("known_bits", (8,), np.uint32),
)  # fmt: skip


def _position(model: Any) -> np.ndarray | None:
    """With categorical features the model re-encodes its input through its own
    ColumnTransformer, categorical columns first (sklearn >= 1.4): where each input
    column lands."""
    width = getattr(model, "n_features_in_", None)
    if width is None:
        return None
    if getattr(model, "_preprocessor", None) is None:
        return np.arange(width)
    is_categorical = np.asarray(getattr(model, "is_categorical_", None), dtype=bool)
    if is_categorical.shape != (width,):
        return None
    order = np.concatenate([np.flatnonzero(is_categorical), np.flatnonzero(~is_categorical)])
    position = np.empty(width, dtype=np.int64)
    position[order] = np.arange(width)
    return position


def _tree(predictor: Any, known: np.ndarray, f_idx_map: np.ndarray) -> dict[str, np.ndarray] | None:
    nodes = getattr(predictor, "nodes", None)
    if nodes is None or nodes.dtype.names is None or not set(NODE_FIELDS) <= set(nodes.dtype.names):
        return None
    splits = np.flatnonzero(nodes["is_leaf"] == 0)
    if len(splits) > MAX_TABLE_BITS:
        return None
    bit_of = np.full(len(nodes), -1)
    bit_of[splits] = np.arange(len(splits))
    categorical = nodes["is_categorical"][splits] == 1
    left_bits = np.zeros((len(splits), 8), dtype=np.uint32)
    known_bits = np.zeros((len(splits), 8), dtype=np.uint32)
    if categorical.any():
        raw_bits = np.asarray(predictor.raw_left_cat_bitsets, dtype=np.uint32)
        cats = np.flatnonzero(categorical)
        left_bits[cats] = raw_bits[nodes["bitset_idx"][splits[cats]]]
        known_bits[cats] = known[f_idx_map[nodes["feature_idx"][splits[cats]]]]
    return {
        "real": np.ones(len(splits), dtype=bool),
        "feature": nodes["feature_idx"][splits].astype(np.int64),
        "threshold": nodes["num_threshold"][splits].astype(float),
        "missing_left": nodes["missing_go_to_left"][splits] == 1,
        "categorical": categorical, "left_bits": left_bits, "known_bits": known_bits,
        "table": _table(nodes, bit_of, len(splits)),
    }  # fmt: skip


def _table(nodes: np.ndarray, bit_of: np.ndarray, bits: int) -> np.ndarray:
    """Leaf value for every code 0..2**bits-1, walking the tree on the code's bits."""
    codes = np.arange(1 << bits, dtype=np.int64)
    at = np.zeros(len(codes), dtype=np.int64)
    for _ in range(bits + 1):
        leaf = nodes["is_leaf"][at] == 1
        if leaf.all():
            break
        goes_left = (codes >> np.maximum(bit_of[at], 0)) & 1
        nxt = np.where(goes_left == 1, nodes["left"][at], nodes["right"][at]).astype(np.int64)
        at = np.where(leaf, at, nxt)
    return nodes["value"][at].astype(float)
