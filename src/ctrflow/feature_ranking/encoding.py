"""Polars columns to dense int32 ids, the input of the mutual-information estimator.

Ids are numbered ``0..k-1`` with no gaps; ``k`` is the field's cardinality as the
ranking sees it. The estimator only compares ids for equality, so which value gets
which id does not change a score (apart from OutRank's ``sum(X) == sum(Y)`` rule,
see :mod:`ctrflow.feature_ranking.mutual_information`); the numbering is still fixed (value
order, missing last) so that the same table always gives the same ids.
"""

from __future__ import annotations

import numpy as np
import polars as pl


def encode_categorical(column: pl.Series) -> np.ndarray:
    """One id per distinct value, in sorted value order; missing (null) is its own id.

    Args:
        column: ``pl.String`` (other dtypes are cast to it first).

    Returns:
        int32 ids ``0..k-1``; nulls get ``k - 1`` (the last id).

    Example::

        >>> encode_categorical(pl.Series(["b", None, "a", "b"])).tolist()
        [1, 2, 0, 1]
    """
    strings = column if column.dtype == pl.String else column.cast(pl.String)
    values = strings.drop_nulls().unique().sort()
    # a hash lookup into the sorted distinct values (cheaper than ranking strings)
    ids = strings.cast(pl.Enum(values)).to_physical().fill_null(len(values))
    return ids.cast(pl.Int32).to_numpy()


def encode_numeric(column: pl.Series, bins: int) -> np.ndarray:
    """Quantile bins of a numeric column; missing (null or NaN) is its own bin.

    A column with at most ``bins`` distinct values keeps one id per value.
    Otherwise the bin edges are the distinct ``i / bins`` quantiles (``i = 1 ..
    bins - 1``, numpy's ``method="lower"``: each edge is a present value) and bins
    are ``[edge_j, edge_{j+1})``; tied quantiles (a counter that is 0 on 40% of
    rows) merge bins, so there can be fewer than ``bins``.

    Args:
        column: any numeric dtype.
        bins: the most bins for present values (``>= 2``).

    Returns:
        int32 ids ``0..k-1`` in value order; missing values get the last id.

    Raises:
        ValueError: ``bins < 2`` or a non-numeric column.

    Example::

        >>> encode_numeric(pl.Series([0.0, 5.0, None, 9.0, 5.0]), bins=4).tolist()
        [0, 1, 3, 2, 1]
    """
    if bins < 2:
        raise ValueError(f"bins must be at least 2, got {bins}")
    if not column.dtype.is_numeric():
        raise ValueError(f"column {column.name!r} is {column.dtype}, not numeric")
    values = column.cast(pl.Float64).to_numpy()  # nulls become NaN
    missing = np.isnan(values)
    present = values[~missing]
    ids = np.zeros(values.size, dtype=np.int64)
    if present.size:
        distinct = np.unique(present)
        if distinct.size <= bins:
            edges = distinct[1:]
        else:
            edges = np.unique(
                np.quantile(present, np.arange(1, bins) / bins, method="lower")
            )
        ids[~missing] = np.searchsorted(edges, present, side="right")
    ids[missing] = ids.max(initial=0) + 1 if present.size else 0
    return _renumber(ids)


def encode_label(column: pl.Series) -> np.ndarray:
    """The label column as int32 class ids, values unchanged.

    Args:
        column: integer or boolean values, no nulls, none negative.

    Returns:
        int32 array.

    Raises:
        ValueError: nulls, negative values or a non-integer dtype.
    """
    if not (column.dtype.is_integer() or column.dtype == pl.Boolean):
        raise ValueError(f"label {column.name!r} must be integer, got {column.dtype}")
    if column.null_count():
        raise ValueError(f"label {column.name!r} has {column.null_count()} null values")
    if len(column) and column.cast(pl.Int64).min() < 0:
        raise ValueError(f"label {column.name!r} has negative values")
    return column.cast(pl.Int32).to_numpy()


def _renumber(ids: np.ndarray) -> np.ndarray:
    """Small non-negative ids renumbered densely, order kept."""
    present = np.bincount(ids) > 0
    return (np.cumsum(present) - 1)[ids].astype(np.int32)
