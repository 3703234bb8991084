"""Drift of the valid and test splits against train, and the null profile of a table.

Vectorised (polars and numpy), no GX: per categorical field the out-of-vocabulary
(OOV) rate, per numeric field the population-stability index (PSI) on train's
quantile bins, and the label rate per split. Exceeding a threshold of
``DriftParams`` is a warning, never a blocking failure.

PSI = sum over bins of (p_split - p_train) * ln(p_split / p_train), with shares
floored at ``1e-4`` so that an empty bin does not give an infinity; missing values
are one more bin. Rule of thumb: below 0.1 stable, 0.1-0.25 moderate, above 0.25
a real shift.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import polars as pl

from ctrflow.data_quality.params import DriftParams
from ctrflow.sampling import STREAMING, Table
from ctrflow.schema import DatasetSchema

PSI_FLOOR = 1e-4
TRAIN = "train"
_ROWS = "__rows"
_VALUE = "value"
_LABEL_MEAN = "__label_mean"


def null_fractions(tables: Mapping[str, Table]) -> dict[str, dict[str, float]]:
    """Split -> column -> share of missing values (0 for an empty table); a scan is
    counted in one streaming pass."""
    plans = [
        table.lazy().select(pl.len().alias(_ROWS), pl.all().null_count())
        for table in tables.values()
    ]
    result = {}
    for split, counts in zip(tables, _collect_all(plans), strict=True):
        row = counts.row(0, named=True)
        rows = row.pop(_ROWS)
        result[split] = {
            column: (count / rows if rows else 0.0) for column, count in row.items()
        }
    return result


def oov_rate(train: pl.Series, other: pl.Series) -> tuple[float, int]:
    """Share of ``other``'s non-missing values unseen in ``train``, and how many
    distinct such values there are."""
    plan = _oov_plan(
        train.to_frame(_VALUE).lazy(), other.to_frame(_VALUE).lazy(), _VALUE
    )
    return _oov_result(_collect_all([plan])[0])


def population_stability_index(
    train: pl.Series, other: pl.Series, bins: int = 10
) -> float:
    """PSI of ``other`` against ``train``: bins at train's quantiles + a missing bin.

    Example::

        >>> s = pl.Series([float(i) for i in range(100)])
        >>> population_stability_index(s, s)
        0.0
    """
    train_frame, other_frame = (s.to_frame(_VALUE).lazy() for s in (train, other))
    edges = _quantile_edges(train_frame, [_VALUE], bins)[_VALUE]
    if edges is None:
        return 0.0
    expected, actual = (
        _shares(counts.row(0, named=True), _VALUE, edges)
        for counts in _collect_all(
            [f.select(_bin_counts(_VALUE, edges)) for f in (train_frame, other_frame)]
        )
    )
    return _psi(expected, actual)


def compute_drift(
    tables: Mapping[str, Table], schema: DatasetSchema, params: DriftParams
) -> dict[str, Any]:
    """Drift of every split but train against train.

    Exact on a table in memory or a scan alike, by aggregations the streaming
    engine runs: train's quantiles (one pass), then per split one pass for its
    rows, label mean and numeric bin counts, and per categorical column one
    anti-join against train's vocabulary.

    Returns:
        ``{"thresholds": ..., "label_rate": {split: mean},
        "categorical": [{column, split, oov_rate, unseen_values, threshold,
        exceeded}], "numeric": [{column, split, psi, threshold, exceeded}],
        "label": [{split, label_rate, train_label_rate, shift, threshold,
        exceeded}], "warnings": [str, ...]}``. Columns missing from a table are
        skipped (the columns_present check reports them).
    """
    columns = {split: table.collect_schema().names() for split, table in tables.items()}
    others = [split for split in tables if split != TRAIN]
    train_columns = set(columns[TRAIN])
    numeric = [c for c in schema.numeric if c in train_columns]
    edges = _quantile_edges(tables[TRAIN].lazy(), numeric, params.psi_bins)
    # per split one streaming pass: rows, label mean and every numeric bin count
    counts = dict(
        zip(
            tables,
            (
                row.row(0, named=True)
                for row in _collect_all(
                    [
                        _split_counts(table.lazy(), columns[split], schema, edges)
                        for split, table in tables.items()
                    ]
                )
            ),
            strict=True,
        )
    )
    label_rate = {split: counts[split].get(_LABEL_MEAN) for split in tables}
    # per split and categorical column, the values unseen in train (an anti-join)
    oov_keys = [
        (split, column)
        for split in others
        for column in schema.categorical_fields
        if column in columns[split] and column in train_columns
    ]
    oov = dict(
        zip(
            oov_keys,
            map(
                _oov_result,
                _collect_all(
                    [
                        _oov_plan(tables[TRAIN].lazy(), tables[split].lazy(), column)
                        for split, column in oov_keys
                    ]
                ),
            ),
            strict=True,
        )
    )
    categorical, numeric_records, label, warnings = [], [], [], []
    for split in others:
        for column in schema.categorical_fields:
            if (split, column) not in oov:
                continue
            rate, unseen = oov[split, column]
            limit = params.oov_rate_overrides.get(column, params.max_oov_rate)
            categorical.append(
                {"column": column, "split": split, "oov_rate": rate,
                 "unseen_values": unseen, "threshold": limit, "exceeded": rate > limit}
            )  # fmt: skip
            if rate > limit:
                warnings.append(
                    f"{split}: {rate:.2%} of column {column!r}'s values are unseen in "
                    f"train ({unseen:,} distinct), above max_oov_rate {limit:g}"
                )
        for column in schema.numeric:
            if column not in columns[split] or column not in train_columns:
                continue
            psi = (
                0.0
                if edges[column] is None
                else _psi(
                    _shares(counts[TRAIN], column, edges[column]),
                    _shares(counts[split], column, edges[column]),
                )
            )
            numeric_records.append(
                {"column": column, "split": split, "psi": psi,
                 "threshold": params.max_psi, "exceeded": psi > params.max_psi}
            )  # fmt: skip
            if psi > params.max_psi:
                warnings.append(
                    f"{split}: column {column!r} has PSI {psi:.3f} against train, "
                    f"above max_psi {params.max_psi:g}"
                )
        rate, reference = label_rate.get(split), label_rate.get(TRAIN)
        if rate is not None and reference is not None:
            shift = abs(rate - reference)
            exceeded = shift > params.max_label_rate_shift
            label.append(
                {"split": split, "label_rate": rate, "train_label_rate": reference,
                 "shift": shift, "threshold": params.max_label_rate_shift,
                 "exceeded": exceeded}
            )  # fmt: skip
            if exceeded:
                warnings.append(
                    f"{split}: label rate {rate:.4f} differs from train's "
                    f"{reference:.4f} by {shift:.4f}, above max_label_rate_shift "
                    f"{params.max_label_rate_shift:g}"
                )
    return {
        "thresholds": params.model_dump(),
        "label_rate": label_rate,
        "categorical": categorical,
        "numeric": numeric_records,
        "label": label,
        "warnings": warnings,
    }


def _collect_all(plans: list[pl.LazyFrame]) -> list[pl.DataFrame]:
    return pl.collect_all(plans, engine=STREAMING) if plans else []


def _value(column: str, dtype: pl.DataType) -> pl.Expr:
    """A categorical column's values as compared across tables: categorical dtypes
    of two tables need not share their physical codes."""
    expr = pl.col(column)
    if isinstance(dtype, pl.Categorical | pl.Enum):
        expr = expr.cast(pl.String)
    return expr.alias(_VALUE)


def _oov_plan(train: pl.LazyFrame, other: pl.LazyFrame, column: str) -> pl.LazyFrame:
    """One row: ``other``'s non-missing values, those unseen in train and their
    distinct count (train's vocabulary is the only state: an aggregation)."""
    values = [
        frame.select(_value(column, frame.collect_schema()[column])).drop_nulls()
        for frame in (train, other)
    ]
    unseen = values[1].join(values[0].unique(), on=_VALUE, how="anti")
    return pl.concat(
        [
            values[1].select(pl.len().alias("values")),
            unseen.select(
                pl.len().alias("unseen"), pl.col(_VALUE).n_unique().alias("distinct")
            ),
        ],
        how="horizontal",
    )


def _oov_result(frame: pl.DataFrame) -> tuple[float, int]:
    values, unseen, distinct = frame.row(0)
    if values == 0:
        return 0.0, 0
    return unseen / values, int(distinct)


def _quantile_edges(
    train: pl.LazyFrame, columns: list[str], bins: int
) -> dict[str, np.ndarray | None]:
    """Column -> train's distinct inner quantiles (linear, as ``np.quantile``), or
    None when the column has no value; one streaming pass for every column."""
    levels = [float(q) for q in np.linspace(0, 1, bins + 1)[1:-1]]
    exprs = [
        pl.col(column).cast(pl.Float64).quantile(level, "linear").alias(f"{column}:{i}")
        for column in columns
        for i, level in enumerate(levels)
    ]
    exprs += [pl.col(c).count().alias(f"{c}:count") for c in columns]
    if not exprs:
        return {}
    row = _collect_all([train.select(exprs)])[0].row(0, named=True)
    return {
        column: None
        if row[f"{column}:count"] == 0
        else np.unique(np.array([row[f"{column}:{i}"] for i in range(len(levels))]))
        for column in columns
    }


def _bin_counts(column: str, edges: np.ndarray) -> list[pl.Expr]:
    """Rows, nulls and, per edge, the values at or above it: the bin counts of
    ``np.searchsorted(edges, values, side="right")`` as aggregations."""
    value = pl.col(column).cast(pl.Float64)
    return [
        pl.len().alias(_ROWS),
        value.null_count().alias(f"{column}:nulls"),
        *(
            (value >= float(e)).sum().alias(f"{column}:ge{i}")
            for i, e in enumerate(edges)
        ),
    ]


def _split_counts(
    table: pl.LazyFrame,
    columns: list[str],
    schema: DatasetSchema,
    edges: Mapping[str, np.ndarray | None],
) -> pl.LazyFrame:
    """One row: rows, the label's mean and every numeric column's bin counts."""
    exprs: list[pl.Expr] = [pl.len().alias(_ROWS)]
    if schema.label in columns:
        exprs.append(pl.col(schema.label).cast(pl.Float64).mean().alias(_LABEL_MEAN))
    for column, column_edges in edges.items():
        if column in columns and column_edges is not None:
            exprs += _bin_counts(column, column_edges)[1:]
    return table.select(exprs)


def _shares(row: Mapping[str, Any], column: str, edges: np.ndarray) -> np.ndarray:
    """Each bin's share of the rows (missing values last), floored at PSI_FLOOR."""
    rows = row[_ROWS]
    at_or_above = [row[f"{column}:ge{i}"] for i in range(edges.size)]
    present = rows - row[f"{column}:nulls"]
    counts = -np.diff([present, *at_or_above, 0])
    counts = np.append(counts, row[f"{column}:nulls"])
    return np.maximum(counts / max(rows, 1), PSI_FLOOR)


def _psi(expected: np.ndarray, actual: np.ndarray) -> float:
    return float(np.sum((actual - expected) * np.log(actual / expected)))
