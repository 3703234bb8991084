"""Data-quality nodes: validate the splits with GX, render the Data Docs page.

Neither node raises on a failed blocking expectation, so the report and the Data
Docs are saved either way; the gate is ``ctrflow.data_quality.require_passed``, called by
the first node that consumes the data (feature ranking).
"""

from __future__ import annotations

import logging
from typing import Any

import plotly.graph_objects as go
import polars as pl

from ctrflow import data_quality as quality
from ctrflow.data_quality.params import DataQualityParams
from ctrflow.ingestion.quarantine import count_reasons
from ctrflow.schema import DatasetSchema

logger = logging.getLogger(__name__)


def validate_splits(  # noqa: PLR0917 (Kedro passes node inputs positionally)
    train_table: pl.DataFrame,
    valid_table: pl.DataFrame,
    test_table: pl.DataFrame,
    schema: DatasetSchema,
    params: DataQualityParams,
    quarantined_rows: pl.DataFrame | None = None,
) -> dict[str, Any]:
    """Validate each split against the expectation suite built from the schema.

    Logs one warning per failed warning-severity expectation and per drift
    threshold exceeded (valid/test against train), and a summary line.

    Args:
        train_table: the typed train split.
        valid_table: the typed validation split.
        test_table: the typed test split.
        schema: label and feature columns.
        params: thresholds and the severity of each check family.
        quarantined_rows: the rows ingestion kept aside; their count per reason and
            per file goes into the report (``quarantine``).

    Returns:
        The data-quality report (JSON-serialisable; layout in
        ``ctrflow.data_quality.report``), with GX's raw result per split.

    Raises:
        ValueError: ``params`` names a column the schema does not have.
    """
    tables = {"train": train_table, "valid": valid_table, "test": test_table}
    report = quality.validate_tables(tables, schema, params)
    for entry in report["warnings"]:
        logger.warning("Data quality warning: %s", quality.describe_failure(entry))
    for entry in report["blocking_failures"]:
        logger.error(
            "Data quality blocking failure: %s", quality.describe_failure(entry)
        )
    for warning in report.get("drift", {}).get("warnings", []):
        logger.warning("Data drift warning: %s", warning)
    if quarantined_rows is not None:
        report["quarantine"] = _quarantine_summary(quarantined_rows)
    logger.info("%s", quality.summarise_report(report))
    return report


def _quarantine_summary(quarantined_rows: pl.DataFrame) -> dict[str, Any]:
    by_source = quarantined_rows.group_by("source_file").len().sort("source_file")
    return {
        "rows": quarantined_rows.height,
        "by_reason": count_reasons(quarantined_rows),
        "by_source": dict(zip(by_source["source_file"], by_source["len"], strict=True)),
    }


def render_data_docs(data_quality_report: dict[str, Any]) -> str:
    """Render the report's GX validation results, every split, as one HTML page.

    Args:
        data_quality_report: the report from ``validate_splits``.

    Returns:
        The HTML document (GX Data Docs templates).
    """
    return quality.render_data_docs(data_quality_report)


def plot_data_quality(data_quality_report: dict[str, Any]) -> go.Figure:
    """Draw the report: expectations passed/failed, unexpected counts, null
    fractions, drift (OOV rate, PSI, label rate).

    Args:
        data_quality_report: the report from ``validate_splits``.

    Returns:
        The plotly figure (``data_quality_plot``, previewed by kedro-viz).
    """
    return quality.data_quality_figure(data_quality_report)
