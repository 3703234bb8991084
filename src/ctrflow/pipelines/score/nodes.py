"""Score node: type, derive, encode and predict the new logs with the stored model.

torch loads inside the node (``ctrflow.scoring.batch`` imports it when it
predicts), so registering the pipelines loads none of it.
"""

from __future__ import annotations

import logging

import polars as pl

from ctrflow.ingestion.raw_logs import RawLogs
from ctrflow.pipelines.hints import ModelArtifact
from ctrflow.scoring.params import ScoringParams

logger = logging.getLogger(__name__)


def score_new_logs(
    new_logs: RawLogs, model: ModelArtifact, params: ScoringParams
) -> tuple[pl.DataFrame, dict, pl.DataFrame]:
    """Score every row of ``new_logs`` with ``model``, ``params.block_rows`` at a time.

    Args:
        new_logs: the new rows as ``ImpressionLogDataset`` read them (label
            optional, with or without header).
        model: the model artifact (its stored schema, feature map and reference).
        params: key columns, blocks, naming, typing and warning thresholds.

    Returns:
        The predictions (key columns, ``probability``, ``model_version``), the
        scoring report (``ctrflow.scoring.report.build_report``) and the
        quarantined rows with their reasons (rows in = scored + quarantined).

    Raises:
        ScoringError: the model was saved without its schema (retrain), a key
            column is missing, or a headerless file fits no column order.
        IngestionError: a schema column is not in the file.
    """
    from ctrflow.scoring.batch import score_logs
    from ctrflow.scoring.report import build_report

    scored = score_logs(new_logs, model, params)
    report = build_report(scored, model, params)
    logger.info(
        "scored %s rows with model %s (version %s), %s quarantined; %s",
        f"{report['rows_scored']:,}", model.model_name, model.version,
        f"{report['rows_quarantined']:,}",
        "; ".join(report["warnings"]) or "no warnings",
    )  # fmt: skip
    return scored.predictions, report, scored.quarantined
