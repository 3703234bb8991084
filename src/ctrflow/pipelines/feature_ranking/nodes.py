"""Feature-ranking node: gate on data quality, score the fields, select, plot."""

from __future__ import annotations

import logging

import plotly.graph_objects as go
import polars as pl

from ctrflow import ranking
from ctrflow.params import DatasetSchema, FeatureRankingParams
from ctrflow.quality import require_passed

logger = logging.getLogger(__name__)


def rank_features(
    train_table: pl.DataFrame,
    data_quality_report: dict,
    schema: DatasetSchema,
    params: FeatureRankingParams,
) -> tuple[pl.DataFrame, list[str], go.Figure]:
    """Score every categorical and numeric field against the label and select some.

    Args:
        train_table: the typed train split.
        data_quality_report: the data-quality report; a failed blocking
            expectation stops the run here.
        schema: label and feature columns.
        params: estimator and selection settings.

    Returns:
        The ranking (one row per field, best first, with a ``selected`` column),
        the selected field names (rank order, then sequence columns) and a bar
        chart of the scores.

    Raises:
        DataQualityError: the report lists a failed blocking expectation.
        ValueError: the table lacks a schema column, or ``always_keep`` names an
            unknown field.
    """
    require_passed(data_quality_report)
    scores = ranking.rank_features(train_table, schema, params)
    selected = ranking.select_features(scores, schema, params.selection)
    scores = ranking.mark_selected(scores, selected)
    logger.info(
        "Selected %d of %d ranked fields: %s",
        scores["selected"].sum(),
        scores.height,
        ", ".join(selected),
    )
    return scores, selected, ranking.plot_feature_scores(scores)
