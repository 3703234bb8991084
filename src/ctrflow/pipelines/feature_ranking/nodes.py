"""Feature-ranking nodes: check the settings, score and select the fields, and
train a quick model on the top-k fields as evidence for the selection.

Plotly, the data-quality gate (Great Expectations) and the quick models (torch)
are imported inside the nodes (``PLC0415`` is ignored for ``pipelines/*/nodes.py``),
so registering the pipelines loads none of them; OutRank loads inside the
ranking library's estimator.
"""

from __future__ import annotations

import logging

import polars as pl

from ctrflow.feature_engineering.params import FeatureEngineeringParams
from ctrflow.feature_ranking import ranking
from ctrflow.feature_ranking.encoding import encode_label
from ctrflow.feature_ranking.interactions import (
    score_interactions,
    select_interactions,
)
from ctrflow.feature_ranking.params import FeatureRankingParams
from ctrflow.feature_ranking.redundancy import add_redundancy
from ctrflow.feature_ranking.selection import (
    check_selection,
    mark_selected,
    select_features,
)
from ctrflow.pipelines.hints import Figure
from ctrflow.schema import DatasetSchema
from ctrflow.training.params import TrainingParams

logger = logging.getLogger(__name__)


def check_ranking_params(
    schema: DatasetSchema, params: FeatureRankingParams
) -> FeatureRankingParams:
    """Check the settings that need the schema, before any data is read.

    Pydantic has checked the rest when Kedro loaded the parameters; this node has
    no data input, so it runs first in ``train``.

    Args:
        schema: label and feature columns.
        params: the stage's settings.

    Returns:
        ``params``, unchanged (the other nodes take it from here).

    Raises:
        ValueError: naming the key: ``selection.top_k`` above the number of ranked
            fields, or ``selection.always_keep`` / ``never_keep`` naming a column
            that is not a schema feature.
    """
    check_selection(params.selection, schema)
    return params


def rank_features(
    train_table: pl.DataFrame,
    data_quality_report: dict,
    schema: DatasetSchema,
    params: FeatureRankingParams,
) -> tuple[pl.DataFrame, pl.DataFrame, list[str], Figure]:
    """Score every field against the label, flag redundant ones, score pairs, select.

    Args:
        train_table: the typed train split.
        data_quality_report: the data-quality report; a failed blocking
            expectation stops the run here.
        schema: label and feature columns.
        params: estimator, sampling, redundancy, interaction and selection
            settings.

    Returns:
        The ranking (one row per field, best first, with redundancy columns and
        ``selected``), the scored pairs, the selected names (ranked fields in rank
        order, sequence columns, then ``interactions.add_top_n`` pair names
        ``a:b``) and a bar chart of the scores.

    Raises:
        DataQualityError: the report lists a failed blocking expectation.
        ValueError: the table lacks a schema column, or a keep list names an
            unknown field.
    """
    from ctrflow.data_quality.report import require_passed
    from ctrflow.feature_ranking.plots import plot_feature_scores

    require_passed(data_quality_report)
    table = ranking.sample_rows(train_table, params.sample_size, params.seed)
    scores = ranking.rank_features(table, schema, params)

    best = scores.filter(pl.col("cardinality") > 1).sort("rank")["feature"].to_list()
    pool = best[: params.redundancy.top_n]
    ids = ranking.encode_fields(table, schema, pool, params.numeric_bins)
    scores = add_redundancy(scores, ids, params.redundancy.threshold)

    # pairs of the best fields that may be selected: not redundant, not never_keep
    flagged = set(scores.filter("redundant")["feature"].to_list())
    excluded = flagged | set(params.selection.never_keep)
    pair_fields = [name for name in best if name not in excluded]
    pair_fields = pair_fields[: params.interactions.top_n]
    pair_ids = ids | ranking.encode_fields(
        table,
        schema,
        [name for name in pair_fields if name not in ids],
        params.numeric_bins,
    )
    interactions = score_interactions(
        encode_label(table[schema.label]),
        {name: pair_ids[name] for name in pair_fields},
        dict(zip(scores["feature"], scores["score"], strict=True)),
        cardinality_correction=params.cardinality_correction,
    )

    selected = select_features(scores, schema, params.selection)
    scores = mark_selected(scores, selected)
    crossed = select_interactions(
        interactions, params.interactions.add_top_n, params.interactions.min_gain
    )
    logger.info(
        "Selected %d of %d ranked fields on %d rows: %s; redundant: %s; "
        "crossed fields added: %s",
        scores["selected"].sum(), scores.height, table.height, ", ".join(selected),
        sorted(flagged) or "none", crossed or "none",
    )  # fmt: skip
    return (
        scores,
        interactions,
        selected + crossed,
        plot_feature_scores(scores),
    )


def plot_auc_vs_k(
    *,
    train_table: pl.DataFrame,
    valid_table: pl.DataFrame,
    feature_ranking: pl.DataFrame,
    schema: DatasetSchema,
    params: FeatureRankingParams,
    encoding: FeatureEngineeringParams,
    training: TrainingParams,
) -> tuple[list[dict], Figure]:
    """Validation AUC and training seconds of a quick model on the top-k fields.

    Args:
        train_table: the typed train split.
        valid_table: the typed validation split.
        feature_ranking: the ranking with its ``selected`` column.
        schema: label and feature columns.
        params: ``auc_vs_k`` (model, k values, row samples, epochs) and
            ``selection`` (which fields are candidates).
        encoding: feature-engineering parameters, so fields are encoded as the
            real model sees them.
        training: trainer parameters and the models' hyper-parameters.

    Returns:
        One record per k (``k``, ``fields``, ``valid_auc``, ``train_seconds``,
        ``epochs``, ``chosen``), empty when ``auc_vs_k.enabled`` is false, and
        the plot.
    """
    from ctrflow.feature_ranking.plots import plot_auc_vs_k as plot
    from ctrflow.pipelines.feature_ranking.auc_vs_k import (
        AUC_VS_K_SCHEMA,
        auc_vs_k,
        candidate_order,
    )

    settings = params.auc_vs_k
    if not settings.enabled:
        curve = pl.DataFrame(schema=AUC_VS_K_SCHEMA)
    else:
        order = candidate_order(feature_ranking, params.selection)
        chosen = int(
            feature_ranking.filter(pl.col("feature").is_in(order))["selected"].sum()
        )
        curve = auc_vs_k(
            train_table,
            valid_table,
            order,
            chosen_k=chosen,
            schema=schema,
            encoding=encoding,
            training=training,
            params=settings,
        )
        logger.info(
            "AUC against k (%s): %s",
            settings.model,
            ", ".join(f"{k}: {auc:.4f}" for k, auc in curve.select("k", "valid_auc").rows()),
        )  # fmt: skip
    return curve.to_dicts(), plot(curve, settings.model)
