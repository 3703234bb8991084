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
from ctrflow.schema import DatasetSchema

PSI_FLOOR = 1e-4
TRAIN = "train"


def null_fractions(tables: Mapping[str, pl.DataFrame]) -> dict[str, dict[str, float]]:
    """Split -> column -> share of missing values (0 for an empty table)."""
    result = {}
    for split, table in tables.items():
        counts = table.null_count().row(0, named=True)
        result[split] = {
            column: (count / table.height if table.height else 0.0)
            for column, count in counts.items()
        }
    return result


def oov_rate(train: pl.Series, other: pl.Series) -> tuple[float, int]:
    """Share of ``other``'s non-missing values unseen in ``train``, and how many
    distinct such values there are."""
    values = other.drop_nulls()
    if values.len() == 0:
        return 0.0, 0
    unseen = ~values.is_in(train.drop_nulls().unique().implode())
    return float(unseen.mean()), int(values.filter(unseen).n_unique())


def population_stability_index(
    train: pl.Series, other: pl.Series, bins: int = 10
) -> float:
    """PSI of ``other`` against ``train``: bins at train's quantiles + a missing bin.

    Example::

        >>> s = pl.Series([float(i) for i in range(100)])
        >>> population_stability_index(s, s)
        0.0
    """
    reference = train.drop_nulls().cast(pl.Float64).to_numpy()
    if reference.size == 0:
        return 0.0
    edges = np.unique(np.quantile(reference, np.linspace(0, 1, bins + 1)[1:-1]))

    def shares(series: pl.Series) -> np.ndarray:
        values = series.drop_nulls().cast(pl.Float64).to_numpy()
        counts = np.bincount(
            np.searchsorted(edges, values, side="right"), minlength=edges.size + 1
        )
        counts = np.append(counts, series.null_count())
        return np.maximum(counts / max(series.len(), 1), PSI_FLOOR)

    expected, actual = shares(train), shares(other)
    return float(np.sum((actual - expected) * np.log(actual / expected)))


def compute_drift(
    tables: Mapping[str, pl.DataFrame], schema: DatasetSchema, params: DriftParams
) -> dict[str, Any]:
    """Drift of every split but train against train.

    Returns:
        ``{"thresholds": ..., "label_rate": {split: mean},
        "categorical": [{column, split, oov_rate, unseen_values, threshold,
        exceeded}], "numeric": [{column, split, psi, threshold, exceeded}],
        "label": [{split, label_rate, train_label_rate, shift, threshold,
        exceeded}], "warnings": [str, ...]}``. Columns missing from a table are
        skipped (the columns_present check reports them).
    """
    train = tables[TRAIN]
    others = {split: table for split, table in tables.items() if split != TRAIN}
    label_rate = {split: _mean(table, schema.label) for split, table in tables.items()}
    categorical, numeric, label, warnings = [], [], [], []
    for split, table in others.items():
        for column in schema.categorical_fields:
            if column not in table.columns or column not in train.columns:
                continue
            rate, unseen = oov_rate(train[column], table[column])
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
            if column not in table.columns or column not in train.columns:
                continue
            psi = population_stability_index(
                train[column], table[column], params.psi_bins
            )
            numeric.append(
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
        "numeric": numeric,
        "label": label,
        "warnings": warnings,
    }


def _mean(table: pl.DataFrame, column: str) -> float | None:
    if column not in table.columns or table.height == 0:
        return None
    value = table[column].cast(pl.Float64).mean()
    return float(value) if value is not None else None
