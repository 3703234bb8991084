"""Score every categorical and numeric field of a table against the label."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
import polars as pl

from ctrflow.feature_ranking.encoding import (
    encode_categorical,
    encode_label,
    encode_numeric,
)
from ctrflow.feature_ranking.mutual_information import (
    MutualInformation,
    mutual_information,
    outrank_estimate,
)
from ctrflow.feature_ranking.params import FeatureRankingParams
from ctrflow.sampling import Table, collect, seeded_sample
from ctrflow.schema import DatasetSchema

# ``sample_size: null`` ranks every row up to this many, a sample above
WHOLE_TABLE_MAX_ROWS = 2_000_000

RANKING_SCHEMA: dict[str, pl.DataType] = {
    "feature": pl.String(),
    "kind": pl.String(),
    "cardinality": pl.Int64(),
    "mutual_information": pl.Float64(),
    "cardinality_correction": pl.Float64(),
    "score": pl.Float64(),
    "rank": pl.Int64(),
}
"""Columns of the table :func:`rank_features` returns."""

_ESTIMATORS: dict[str, Callable[..., MutualInformation]] = {
    "vectorised": mutual_information,
    "outrank": outrank_estimate,
}


def rank_features(
    table: pl.DataFrame, schema: DatasetSchema, params: FeatureRankingParams
) -> pl.DataFrame:
    """OutRank scores of the schema's categorical and numeric fields, best first.

    Each field is encoded to dense ids (categorical: one id per value; numeric:
    ``params.numeric_bins`` quantile bins; missing: one more id) and scored with the
    label as ``Y`` and the field as ``X`` (see :mod:`ctrflow.feature_ranking.mutual_information`).
    Nothing is random: the same table and parameters give the same table. Ties
    keep schema order. Sequence columns are not scored.

    Args:
        table: typed table holding the schema's label, categorical and numeric
            columns (other columns are ignored).
        schema: names of the label and the feature columns.
        params: estimator settings.

    Returns:
        One row per field, columns as :data:`RANKING_SCHEMA`: ``feature``, ``kind``
        (``categorical``/``numeric``), ``cardinality`` (distinct ids after
        discretisation, missing counted), ``mutual_information`` (plain MI, nats),
        ``cardinality_correction`` (the subtracted term), ``score`` and ``rank``
        (1 = best), sorted by rank.

    Raises:
        ValueError: the table is empty or lacks a schema column, or the label has
            nulls or negative values.
    """
    wanted = [schema.label, *schema.categorical_fields, *schema.numeric]
    missing = [column for column in wanted if column not in table.columns]
    if missing:
        raise ValueError(
            f"the table lacks schema column(s) {missing}; it has {table.columns}"
        )
    if table.height == 0:
        raise ValueError("cannot rank the features of an empty table")

    label = encode_label(table[schema.label])
    estimate = _ESTIMATORS[params.implementation]
    rows = []
    for name, kind, ids in _encoded_fields(table, schema, params.numeric_bins):
        result = estimate(
            label, ids, cardinality_correction=params.cardinality_correction
        )
        rows.append(
            (
                name,
                kind,
                int(ids.max()) + 1,
                result.mutual_information,
                result.cardinality_correction,
                result.score,
            )
        )
    unranked = {name: dtype for name, dtype in RANKING_SCHEMA.items() if name != "rank"}
    return (
        pl.DataFrame(rows, schema=unranked, orient="row")
        .sort("score", descending=True, maintain_order=True)
        .with_columns(pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("rank"))
    )


def resolve_sample_size(sample_size: int | None, rows: int) -> int | None:
    """The rows to rank on: ``sample_size`` as set; ``None`` (every row) up to
    ``WHOLE_TABLE_MAX_ROWS``, above it a seeded sample of that many: the typed
    rows of a larger table need not fit in memory, and ranking, like OutRank,
    works on a sample."""
    if sample_size is None and rows > WHOLE_TABLE_MAX_ROWS:
        return WHOLE_TABLE_MAX_ROWS
    return sample_size


def sample_rows(table: Table, sample_size: int | None, seed: int) -> pl.DataFrame:
    """A seeded random sample of rows, in a seeded random order.

    A table in memory is sampled by ``DataFrame.sample``. A scan (``LazyFrame``)
    no larger than ``sample_size`` is loaded and sampled the same way, so it gives
    the very rows and order of the same table in memory; a larger scan is sampled
    while it streams (``ctrflow.sampling.seeded_sample``: the rows of smallest
    seeded hash of their index), then shuffled with ``seed``: a sample as random,
    not the same rows as ``DataFrame.sample`` draws.

    Args:
        table: any table, in memory or a scan.
        sample_size: rows to keep; ``None`` returns ``table`` itself (table order;
            a scan is loaded whole); a size at or above the row count keeps every
            row, shuffled.
        seed: the sample's seed.

    Returns:
        The sample (a new table unless ``sample_size`` is ``None``).

    Example::

        >>> table = pl.DataFrame({"x": range(10)})
        >>> sample_rows(table, 3, seed=0).height
        3
        >>> sample_rows(table, 3, seed=0).equals(sample_rows(table, 3, seed=0))
        True
        >>> sample_rows(table.lazy(), 20, seed=0).equals(sample_rows(table, 20, seed=0))
        True
    """
    if sample_size is None:
        return table if isinstance(table, pl.DataFrame) else collect(table)
    if isinstance(table, pl.DataFrame):
        return table.sample(n=min(sample_size, table.height), seed=seed, shuffle=True)
    sample = seeded_sample(table, sample_size, seed)
    return sample.sample(n=sample.height, seed=seed, shuffle=True)


def encode_fields(
    table: pl.DataFrame, schema: DatasetSchema, names: list[str], numeric_bins: int
) -> dict[str, np.ndarray]:
    """Dense int32 ids of the named schema fields, as the ranking encodes them.

    Args:
        table: typed table holding the fields.
        schema: says which fields are numeric (binned) or categorical.
        names: categorical or numeric schema fields.
        numeric_bins: most quantile bins per numeric field.

    Returns:
        ``{name: ids}`` in the order of ``names``.
    """
    numeric = set(schema.numeric)
    return {
        name: encode_numeric(table[name], numeric_bins)
        if name in numeric
        else encode_categorical(table[name])
        for name in names
    }


def _encoded_fields(
    table: pl.DataFrame, schema: DatasetSchema, numeric_bins: int
) -> Iterator[tuple[str, str, np.ndarray]]:
    for name in schema.categorical_fields:
        yield name, "categorical", encode_categorical(table[name])
    for name in schema.numeric:
        yield name, "numeric", encode_numeric(table[name], numeric_bins)
