"""Data-quality nodes: check the analyst's expectations, validate the splits with
GX, render the Data Docs page.

No node raises on a failed blocking expectation, so the report and the Data Docs
are saved either way; the gate is ``ctrflow.data_quality.report.require_passed``,
called by the first node that consumes the data (feature ranking).

Great Expectations and plotly are imported inside the nodes (``PLC0415`` is
ignored for ``pipelines/*/nodes.py``): registering the pipelines and validating
the parameters must not take the seconds GX needs to import.
"""

from __future__ import annotations

import logging
from typing import Any

import polars as pl

from ctrflow.data_quality.leaks import LEAK_CHECK
from ctrflow.data_quality.params import DataQualityParams
from ctrflow.data_quality.quarantine import quarantine_summary
from ctrflow.pipelines.hints import Figure
from ctrflow.schema import DatasetSchema

logger = logging.getLogger(__name__)


def check_data_quality_params(params: DataQualityParams) -> DataQualityParams:
    """Check every expectation of ``data_quality.expectations`` against GX.

    The parameters' validation has checked each type's name (without importing
    GX); this builds each GX expectation, so a wrong argument fails here, before
    any data is read. The node has no data input, so it runs first in ``train``.

    Args:
        params: the stage's settings.

    Returns:
        ``params``, unchanged (``validate_splits`` takes it from here).

    Raises:
        ValueError: naming the expectation (its place in the list and its
            type) and what is wrong: an argument it does not take (with the ones
            it takes) or a value GX rejects.
    """
    from ctrflow.data_quality.expectations import check_expectation

    for index, spec in enumerate(params.expectations):
        try:
            check_expectation(spec.expectation, spec.column, spec.kwargs)
        except ValueError as error:
            raise ValueError(
                f"data_quality.expectations[{index}] ({spec.expectation}): {error}"
            ) from None
    return params


def validate_splits(  # noqa: PLR0917 (Kedro passes node inputs positionally)
    train_table: pl.DataFrame | pl.LazyFrame,
    valid_table: pl.DataFrame | pl.LazyFrame,
    test_table: pl.DataFrame | pl.LazyFrame,
    schema: DatasetSchema,
    params: DataQualityParams,
    quarantined_rows: pl.DataFrame | pl.LazyFrame | None = None,
) -> dict[str, Any]:
    """Validate each split against the expectation suite built from the schema.

    A split is in memory or a scan (``LazyFrame``): counts, nulls, ranges, the
    label checks and drift are exact streaming aggregations; Great Expectations
    and the leak check see at most ``max_validation_rows`` rows per split (a
    seeded sample, logged and noted in the report).

    Logs one warning per failed warning-severity expectation, per drift
    threshold exceeded (valid/test against train) and per probable leak (a column
    that alone nearly determines the label: what it is and what to do), the leak
    check's highest AUC and time, and a summary line.

    Args:
        train_table: the typed train split (a table or a scan of its shards).
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
    from ctrflow.data_quality.report import describe_failure, summarise_report
    from ctrflow.data_quality.validation import validate_tables

    tables = {"train": train_table, "valid": valid_table, "test": test_table}
    report = validate_tables(tables, schema, params)
    # a leak is logged once, with its message (what to do), below
    for entry in report["warnings"]:
        if entry["check"] != LEAK_CHECK:
            logger.warning("Data quality warning: %s", describe_failure(entry))
    for entry in report["blocking_failures"]:
        if entry["check"] != LEAK_CHECK:
            logger.error("Data quality blocking failure: %s", describe_failure(entry))
    for warning in report.get("drift", {}).get("warnings", []):
        logger.warning("Data drift warning: %s", warning)
    for split, split_report in report["splits"].items():
        if split_report["validation"]["sampled"]:
            logger.info(
                "Data quality %s: %s", split, split_report["validation"]["note"]
            )
    _log_leak_check(report, params.severity[LEAK_CHECK])
    if quarantined_rows is not None:
        report["quarantine"] = quarantine_summary(quarantined_rows)
    logger.info("%s", summarise_report(report))
    return report


def _log_leak_check(report: dict[str, Any], severity: str) -> None:
    leaks = report.get("leaks")
    if leaks is None:
        return
    if leaks["skipped"]:
        logger.info("Leak check skipped: %s", leaks["skipped"])
        return
    log = logger.error if severity == "blocking" else logger.warning
    for leak in report["probable_leaks"]:
        log("Probable leak: %s", leak["message"])
    top = max(leaks["columns"], key=lambda record: record["auc"], default=None)
    logger.info(
        "Leak check: %d column(s) scored on %s in %.2f s, highest single-column AUC "
        "%s, %d probable leak(s) (max_single_column_auc %s)",
        len(leaks["columns"]), leaks["split"], leaks["seconds"],
        f"{top['auc']:.4f} ({top['column']})" if top else "none",
        len(report["probable_leaks"]), leaks["threshold"],
    )  # fmt: skip


def render_data_docs(data_quality_report: dict[str, Any]) -> str:
    """Render the report's GX validation results, every split, as one HTML page.

    Args:
        data_quality_report: the report from ``validate_splits``.

    Returns:
        The HTML document (GX Data Docs templates).
    """
    from ctrflow.data_quality.data_docs import render_data_docs as render

    return render(data_quality_report)


def plot_data_quality(data_quality_report: dict[str, Any]) -> Figure:
    """Draw the report: expectations passed/failed, unexpected counts, null
    fractions, drift (OOV rate, PSI, label rate).

    Args:
        data_quality_report: the report from ``validate_splits``.

    Returns:
        The plotly figure (``data_quality_plot``, previewed by kedro-viz).
    """
    from ctrflow.data_quality.plots import data_quality_figure

    return data_quality_figure(data_quality_report)
