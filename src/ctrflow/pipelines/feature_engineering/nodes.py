"""Feature engineering nodes: fit the encoding on train, encode every split."""

from __future__ import annotations

import logging

import polars as pl

from ctrflow.feature_engineering.encoding import encode_table, fit_feature_map
from ctrflow.feature_engineering.feature_map import FeatureMap
from ctrflow.feature_engineering.params import (
    FeatureEngineeringParams,
    resolve_min_count,
)
from ctrflow.sampling import row_count
from ctrflow.schema import DatasetSchema, where_to_set

logger = logging.getLogger(__name__)


def fit_encoding(
    train_table: pl.DataFrame | pl.LazyFrame,
    selected_features: list[str],
    schema: DatasetSchema,
    params: FeatureEngineeringParams,
) -> dict:
    """Vocabularies and numeric statistics from train only.

    Logs the min count used (``auto``: from the train rows) and how to set it.

    Returns:
        The feature map as a JSON-ready dict (``FeatureMap.to_dict``), with the
        min count used (``min_count``, an int).
    """
    train_rows = row_count(train_table)
    min_count = resolve_min_count(params.min_count, train_rows)
    how = (
        f"auto for {train_rows:,} train rows: 2 up to 1M, 5 more per tenfold"
        if params.min_count == "auto"
        else "as set"
    )
    logger.info(
        "min_count %d (%s): values seen fewer times in train share the OOV id; to "
        "change it, %s to an int",
        min_count, how, where_to_set("feature_engineering.min_count"),
    )  # fmt: skip
    feature_map = fit_feature_map(train_table, selected_features, schema, params)
    logger.info(
        "feature map: %d categorical fields, %d numeric, %d sequence, %d embedding rows",
        len(feature_map.categorical), len(feature_map.numeric),
        len(feature_map.sequence), feature_map.vocab_size,
    )  # fmt: skip
    return {**feature_map.to_dict(), "min_count": min_count}


def encode_split(
    table: pl.DataFrame | pl.LazyFrame, feature_map: dict
) -> pl.DataFrame | pl.LazyFrame:
    """Encode one split with the fitted feature map (unseen values -> OOV id); a
    lazy table gives a lazy encoding, streamed when it is saved."""
    return encode_table(table, FeatureMap.from_dict(feature_map))
