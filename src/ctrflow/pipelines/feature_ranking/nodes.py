"""Feature-ranking nodes: check the settings, score and screen the fields, train a
quick model on the top-k candidates (the evidence for ``top_k``), then select.

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
    candidate_fields,
    check_selection,
    fixed_top_k,
    resolve_top_k,
    screen_fields,
    screen_redundant,
    select_features,
)
from ctrflow.pipelines.hints import Figure
from ctrflow.sampling import row_count
from ctrflow.schema import DatasetSchema, where_to_set
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
    train_table: pl.DataFrame | pl.LazyFrame,
    data_quality_report: dict,
    schema: DatasetSchema,
    params: FeatureRankingParams,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Score every field against the label, screen, flag redundant ones, score pairs.

    The screens (constant, ``never_keep``, the report's ``probable_leaks``,
    near-unique ids without signal, then redundant fields) write each dropped
    field's ``decision``; the fields left are the candidates of the AUC-vs-k curve
    and of the ``top_k`` cut (:func:`select_features`). Redundancy and pairs are
    computed among the fields the first screens left.

    Args:
        train_table: the typed train split, in memory or a scan of its shards
            (sampled to ``params.sample_size`` while it streams; ``null``: every
            row up to ``ranking.WHOLE_TABLE_MAX_ROWS``, a sample above).
        data_quality_report: the data-quality report; a failed blocking
            expectation stops the run here; its ``probable_leaks`` are screened.
        schema: label and feature columns.
        params: estimator, sampling, redundancy, interaction and selection
            settings.

    Returns:
        The screened ranking (one row per field, best first, with redundancy
        columns and ``decision``, null for candidates) and the scored pairs.

    Raises:
        DataQualityError: the report lists a failed blocking expectation.
        ValueError: the table lacks a schema column.
    """
    from ctrflow.data_quality.report import require_passed

    require_passed(data_quality_report)
    rows = row_count(train_table)
    sample_size = ranking.resolve_sample_size(params.sample_size, rows)
    if sample_size != params.sample_size:
        logger.info(
            "ranking a seeded sample of %s of the %s train rows (sample_size null "
            "ranks every row up to %s); to choose, %s",
            f"{sample_size:,}", f"{rows:,}", f"{ranking.WHOLE_TABLE_MAX_ROWS:,}",
            where_to_set("feature_ranking.sample_size"),
        )  # fmt: skip
    table = ranking.sample_rows(train_table, sample_size, params.seed)
    scores = ranking.rank_features(table, schema, params)
    scores = screen_fields(
        scores,
        params.selection,
        rows=table.height,
        leaks=data_quality_report.get("probable_leaks", []),
    )

    best = candidate_fields(scores)
    pool = best[: params.redundancy.top_n]
    ids = ranking.encode_fields(table, schema, pool, params.numeric_bins)
    scores = screen_redundant(
        add_redundancy(scores, ids, params.redundancy.threshold), params.selection
    )

    # pairs of the candidates that are no near-copy of a better one
    flagged = set(scores.filter("redundant")["feature"].to_list())
    pair_fields = [name for name in best if name not in flagged]
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
    logger.info(
        "Ranked %d fields on %d rows: %d candidates after the screens; "
        "redundant: %s",
        scores.height, table.height, len(candidate_fields(scores)),
        sorted(flagged) or "none",
    )  # fmt: skip
    return scores, interactions


def plot_auc_vs_k(
    *,
    train_table: pl.DataFrame | pl.LazyFrame,
    valid_table: pl.DataFrame | pl.LazyFrame,
    screened_ranking: pl.DataFrame,
    schema: DatasetSchema,
    params: FeatureRankingParams,
    encoding: FeatureEngineeringParams,
    training: TrainingParams,
) -> tuple[list[dict], Figure, dict]:
    """Validation AUC and training seconds of a quick model on the top-k
    candidates, and the ``top_k`` the selection cuts at.

    With ``selection.top_k: auto`` the point marked ``chosen`` is the k the
    selection takes (the smallest within ``top_k_tolerance`` of the best AUC);
    otherwise the k a fixed ``top_k`` / ``min_score`` keeps.

    Args:
        train_table: the typed train split (in memory or a scan: sampled to
            ``auc_vs_k.train_rows`` as :func:`rank_features` samples).
        valid_table: the typed validation split (``auc_vs_k.valid_rows``).
        screened_ranking: the ranking with its ``decision`` column (null =
            candidate).
        schema: label and feature columns.
        params: ``auc_vs_k`` (model, k values, row samples, epochs) and
            ``selection`` (the cut).
        encoding: feature-engineering parameters, so fields are encoded as the
            real model sees them.
        training: trainer parameters and the models' hyper-parameters.

    Returns:
        One record per k (``k``, ``fields``, ``valid_auc``, ``train_seconds``,
        ``epochs``, ``chosen``), empty when ``auc_vs_k.enabled`` is false; the
        plot; and ``{"top_k": int | None, "reason": str}`` for
        :func:`select_fields` (the selection reads this, not the reporting
        table, so no node writes an earlier kedro-viz layer than it reads).
    """
    from ctrflow.feature_ranking.plots import plot_auc_vs_k as plot
    from ctrflow.pipelines.feature_ranking.auc_vs_k import AUC_VS_K_SCHEMA, auc_vs_k

    settings, selection = params.auc_vs_k, params.selection
    if not settings.enabled:
        curve = pl.DataFrame(schema=AUC_VS_K_SCHEMA)
    else:
        curve = auc_vs_k(
            train_table,
            valid_table,
            candidate_fields(screened_ranking),
            chosen_k=None
            if selection.top_k == "auto"
            else fixed_top_k(screened_ranking, selection),
            tolerance=selection.top_k_tolerance,
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
    records = curve.to_dicts()
    top_k, reason = resolve_top_k(selection, records)
    if selection.top_k == "auto" and top_k is None:
        logger.warning(
            "feature_ranking.selection.top_k is auto but auc_vs_k is off: no cut "
            "(set feature_ranking.auc_vs_k.enabled true, or an int top_k)"
        )
    return (
        records,
        plot(curve, settings.model),
        {"top_k": top_k, "reason": reason},
    )


def select_fields(
    screened_ranking: pl.DataFrame,
    feature_interactions: pl.DataFrame,
    top_k: dict,
    schema: DatasetSchema,
    params: FeatureRankingParams,
) -> tuple[pl.DataFrame, list[str], Figure]:
    """Cut the candidates at ``top_k`` (``auto``: the curve's chosen k), decide.

    Logs one line per dropped field with its reason.

    Args:
        screened_ranking: the ranking with the screens' ``decision``.
        feature_interactions: the scored pairs (``interactions.add_top_n`` best
            are appended).
        top_k: the cut and its reason (:func:`plot_auc_vs_k`).
        schema: label and feature columns.
        params: the selection and interaction settings.

    Returns:
        The ranking (best first, with ``selected`` and ``decision``: ``kept`` or
        ``dropped: <reason>``), the selected names (ranked fields in rank order,
        sequence columns, then the added pairs ``a:b``) and a bar chart of the
        scores.

    Raises:
        ValueError: a keep list names an unknown field.
    """
    from ctrflow.feature_ranking.plots import plot_feature_scores

    decided, selected = select_features(
        screened_ranking,
        schema,
        params.selection,
        top_k=top_k["top_k"],
        top_k_reason=top_k["reason"],
    )
    for name, decision in (
        decided.filter(~pl.col("selected")).select("feature", "decision").rows()
    ):
        logger.info("feature %s %s", name, decision)
    crossed = select_interactions(
        feature_interactions,
        params.interactions.add_top_n,
        params.interactions.min_gain,
    )
    logger.info(
        "Selected %d of %d ranked fields: %s; crossed fields added: %s",
        decided["selected"].sum(), decided.height, ", ".join(selected),
        crossed or "none",
    )  # fmt: skip
    return decided, selected + crossed, plot_feature_scores(decided)
